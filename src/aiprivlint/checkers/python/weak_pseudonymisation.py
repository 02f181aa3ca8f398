"""AIP108 weak-pseudonymisation. Docs live in rules/AIP108.toml.

How the check works: an ast rule; the tables are ``models/pseudonyms.py``'s, the personal-field
knowledge AIP102's classifier (``_personal_names``).

A fast unkeyed hash (``hashlib.sha256``, ``md5``, ``xxhash``, ``mmh3``, ``crc32``) or a reversible
encoding (``base64.b64encode``) is reported where its input reads a field that denotes a personal
identifier: ``hashlib.sha256(row["email"].encode())``, ``md5(user.phone.encode())``; also
``df["email"].apply(lambda e: sha256(e.encode()).hexdigest())`` and a call of a function of the
module that hashes its parameter (``pseudonymise(row["email"])``: reported at the call).

Quiet: a hash whose input mentions a salt, pepper, secret, key or password (a keyed construction,
if the key is secret), the hash of an e-mail address in a function that builds a Gravatar or
Libravatar URL (the key those services define, not a pseudonym), a hash kept in the same record
(call keywords, dict) as its input in clear (an id made from the identifier, not a pseudonym of
it), ``blake2b(..., key=...)``, ``hmac``, a hash turned into a number for bucketing
(``int(md5(...).hexdigest(), 16) % n``), an encoding of credentials (basic auth), and hashes of
anything that is not a personal field (files, texts, configurations).
"""

from __future__ import annotations

import ast

from ._ast_base import AstRule, Summary
from ._flow_rule import FlowRule
from ._personal_names import names_read, personal_read
from ...models.data import REDACT_RE
from ...models.pseudonyms import (APPLY_METHODS, AVATAR_SERVICES, CREDENTIAL_WORDS, FAST_HASHES,
                                  KEY_WORDS, KEYABLE, LOGIN_NAME_CALLS, LOGIN_NAME_VARS,
                                  REVERSIBLE)
from ...pii.fields import FieldClass

# what a login name is, for the message (the field classifier's shape)
LOGIN_NAME = FieldClass(name="login name", category="online-id", label="the user's login name",
                        phrase="login name")


def _mentions(node: ast.AST, words: tuple[str, ...]) -> bool:
    for name in names_read(node):
        low = name.lower()
        if any(w in low for w in words):
            return True
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and \
                any(w in sub.value.lower() for w in words) and len(sub.value) < 40:
            return True
    return False


class WeakPseudonymisation(AstRule):
    rule_id = "AIP108"
    test_code = "skip"  # a test hashing its fixture's address pseudonymises nobody
    needs = ("hashlib", "base64", "b64encode", "xxhash", "mmh3", "crc32", "hexlify")

    VALID = [
        "import hmac, hashlib, os\nh = hmac.new(os.environ['K'].encode(), row['email'].encode(), hashlib.sha256)",
        "import hashlib\nh = hashlib.sha256(open(p, 'rb').read()).hexdigest()",
        "import hashlib\nh = hashlib.sha256((SALT + row['email']).encode()).hexdigest()",
        "import hashlib\nbucket = int(hashlib.md5(user.email.encode()).hexdigest(), 16) % 100",
        "import base64\nauth = base64.b64encode(f'{username}:{password}'.encode())",
        "import hashlib\nh = hashlib.blake2b(user.email.encode(), key=KEY).hexdigest()",
    ]
    INVALID = [
        "import hashlib\nh = hashlib.sha256(row['email'].encode()).hexdigest()",
        "from hashlib import md5\nuid = md5(user.phone.encode()).hexdigest()",
        "import base64\ntoken = base64.b64encode(customer['ssn'].encode())",
        "import hashlib\ndf['email'] = df['email'].apply(lambda e: hashlib.sha1(e.encode()).hexdigest())",
        "import hashlib\ndef anon(v):\n    return hashlib.sha256(v.encode()).hexdigest()\n"
        "rec['id'] = anon(rec['email'])",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._numeric: set[int] = set()  # hash calls inside int(..., 16): bucketing
        self._funcs: list[ast.FunctionDef] = []
        self._hashers: dict[str, str] = {}  # function name -> the hash it applies to a parameter
        self._reported_in: set[str] = set()  # functions whose own hash was reported
        # calls of module functions with a personal argument, decided when the module is left
        self._calls: list[tuple[ast.Call, FieldClass]] = []
        self._logins: set[tuple[str, str]] = set()  # (function, name) bound to a login name
        self._beside: set[int] = set()  # hash calls whose input the same record keeps in clear

    def _kept_beside(self, values: list[ast.expr]) -> None:
        """``CustomerResult(external_id=sha256(email)..., email=email)``,
        ``{"user_id": f"dev-{sha256(email)...}", "email": email}``: the hash is an id made from
        the identifier, not a pseudonym of it, since the same record holds the identifier in
        clear. (Whether keeping it is right is AIP102's and the data's business.)"""
        dumps = [ast.dump(v) for v in values]
        clear = {d for v, d in zip(values, dumps) if not isinstance(v, ast.Constant)}
        for v, own in zip(values, dumps):
            others = clear - {own}
            for sub in ast.walk(v):
                if isinstance(sub, ast.Call) and self._weak(sub) is not None and any(
                        ast.dump(y) in others for x in self._input(sub) for y in ast.walk(x)):
                    self._beside.add(id(sub))

    def visit_Dict(self, node: ast.Dict) -> None:
        self._kept_beside([v for v in node.values if v is not None])

    def visit_FunctionDef(self, node) -> None:
        self._funcs.append(node)

    def _avatar_key(self) -> bool:
        """The enclosing function builds an avatar-service URL (``gravatar.com/avatar/<md5>``) or is
        named for one: the hash is the lookup key the service's protocol defines."""
        if not self._funcs:
            return False
        fn = self._funcs[-1]
        if any(w in fn.name.lower() for w in AVATAR_SERVICES):
            return True
        return any(isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                   and any(w in sub.value.lower() for w in AVATAR_SERVICES)
                   for sub in ast.walk(fn))

    def _scope(self) -> str:
        return self._funcs[-1].name if self._funcs else ""

    def _login_source(self, node: ast.AST) -> bool:
        """``getpass.getuser()``, ``os.getlogin()``, ``os.environ["USER"]``,
        ``os.environ.get("USERNAME")``, ``os.getenv("LOGNAME")``, or a name bound to one."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and (self._scope(), sub.id) in self._logins:
                return True
            if isinstance(sub, ast.Call):
                q = self.qualified_name(sub.func) or ""
                if q in LOGIN_NAME_CALLS:
                    return True
                if q in ("os.getenv", "os.environ.get") and sub.args and \
                        self.literal(sub.args[0])[1] in LOGIN_NAME_VARS:
                    return True
            if isinstance(sub, ast.Subscript) and self.qualified_name(sub.value) == "os.environ" \
                    and self.literal(sub.slice)[1] in LOGIN_NAME_VARS:
                return True
        return False

    def _personal(self, node: ast.AST):
        fc = personal_read(node)
        if fc is None and self._login_source(node):
            return LOGIN_NAME
        return fc

    def visit_Assign(self, node: ast.Assign) -> None:
        if self._login_source(node.value):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    self._logins.add((self._scope(), t.id))

    def leave_FunctionDef(self, node) -> None:
        self._funcs.pop()

    visit_AsyncFunctionDef = visit_FunctionDef
    leave_AsyncFunctionDef = leave_FunctionDef

    def _weak(self, call: ast.Call) -> str | None:
        """The qualified name of a weak transformation this call is, or None."""
        qual = self.qualified_name(call.func)
        if qual in FAST_HASHES:
            if qual in KEYABLE and self.kwarg(call, "key") is not None:
                return None
            return qual
        if qual in REVERSIBLE:
            return qual
        return None

    def _input(self, call: ast.Call) -> list[ast.expr]:
        out = [a for a in call.args]
        out += [k.value for k in call.keywords if k.arg in (None, "data", "string", "s", "key_")]
        if self.qualified_name(call.func) == "hashlib.new":
            out = out[1:]
        return out

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if len(node.keywords) > 1:
            self._kept_beside([k.value for k in node.keywords if k.arg is not None])
        if isinstance(func, ast.Name) and func.id == "int" and len(node.args) >= 2:
            for sub in ast.walk(node.args[0]):
                if isinstance(sub, ast.Call):
                    self._numeric.add(id(sub))
            return
        weak = self._weak(node)
        if weak is not None:
            self._hash_call(node, weak)
            return
        if isinstance(func, ast.Attribute) and func.attr in APPLY_METHODS and node.args:
            self._apply(node, func)
        elif isinstance(func, ast.Name):
            # decided here: the login names are per function
            for x in [*node.args, *(k.value for k in node.keywords)]:
                fc = self._personal(x)
                if fc is not None:
                    self._calls.append((node, fc))
                    break

    def _hash_call(self, node: ast.Call, weak: str) -> None:
        if id(node) in self._numeric or id(node) in self._beside:
            return
        inputs = self._input(node)
        if not inputs:
            return
        guard = CREDENTIAL_WORDS if weak in REVERSIBLE else KEY_WORDS
        if any(_mentions(x, guard) for x in inputs):
            return
        if weak not in REVERSIBLE and self._avatar_key():
            return
        # a function that hashes its parameter: a pseudonymiser its callers use
        if self._funcs:
            fn = self._funcs[-1]
            params = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]}
            if any(isinstance(s, ast.Name) and s.id in params for x in inputs for s in ast.walk(x)):
                self._hashers.setdefault(fn.name, weak)
        for x in inputs:
            fc = self._personal(x)
            if fc is not None:
                self._report(node, weak, fc)
                if self._funcs:  # its parameter is the personal field: its calls add nothing
                    self._reported_in.add(self._funcs[-1].name)
                return

    def _apply(self, node: ast.Call, func: ast.Attribute) -> None:
        fc = personal_read(func.value)
        if fc is None:
            return
        arg = node.args[0]
        if isinstance(arg, ast.Lambda):
            for sub in ast.walk(arg.body):
                if isinstance(sub, ast.Call):
                    weak = self._weak(sub)
                    if weak is not None and id(sub) not in self._numeric and not any(
                            _mentions(x, KEY_WORDS) for x in self._input(sub)):
                        self._report(node, weak, fc)
                        return
        elif isinstance(arg, ast.Name):
            self._calls.append((ast.Call(func=arg, args=[func.value], keywords=[],
                                         lineno=node.lineno, col_offset=node.col_offset,
                                         end_lineno=node.end_lineno,
                                         end_col_offset=node.end_col_offset), fc))

    def leave_Module(self, node: ast.Module) -> None:
        for call, fc in self._calls:
            weak = self._hashers.get(call.func.id)  # type: ignore[union-attr]
            if weak is None or call.func.id in self._reported_in:  # type: ignore[union-attr]
                continue
            self._report(call, weak, fc, via=call.func.id)  # type: ignore[union-attr]

    def _report(self, node: ast.AST, weak: str, fc, via: str | None = None) -> None:
        short = weak.split(".", 1)[-1] if weak.startswith("hashlib.") else weak
        how = f"{via}(), which applies {short}" if via else short
        if weak in REVERSIBLE:
            msg = (f"The personal field '{fc.name}' ({fc.label}) is encoded with {how}: an encoding "
                   "anyone reverses, not a pseudonym; use a keyed hash (HMAC with a secret key) "
                   "or a tokenisation service")
        else:
            msg = (f"The personal field '{fc.name}' ({fc.label}) is 'pseudonymised' with {how}, a "
                   "fast unkeyed hash: whoever holds a list of candidate values (a leak, a phone "
                   "number range) recomputes every hash and re-identifies the records, and the "
                   "same hash links them across datasets; use HMAC with a secret key, or a "
                   "tokenisation service")
        self.report(node, msg, details={"field": fc.name, "category": fc.category,
                                        "transform": weak})


class PseudonymisationFacts(FlowRule):
    """Facts only, wanted whenever a flow rule runs (the project summary's ``privacy_mechanisms``,
    whether AIP108 is selected or not): a module that hashes, redacts or anonymises is analysed by
    the dataflow engine, whose sanitisers record a ``pseudonymisation`` fact where personal data
    goes through one (``models/data.py``). Without this gate such a module was analysed only when
    another flow rule's gate passed, so the project's ``privacy_mechanisms`` depended on the
    prefilter. The gate is a necessary condition of those facts: a call of ``hashlib``/``hmac``,
    Presidio, scrubadub, or a function named like a redactor."""

    rule_id = "AIP108"
    facts_only = True
    sinks = frozenset()
    needs = ("hashlib", "hmac", "presidio", "scrubadub", "PresidioAnonymizer", "redact", "Redact",
             "anonymi", "Anonymi", "pseudonymi", "Pseudonymi", "mask_pii", "scrub", "Scrub")

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        if summary.import_prefix("hashlib", "hmac", "presidio_anonymizer", "scrubadub",
                                 "langchain_experimental.data_anonymizer"):
            return True
        return any(REDACT_RE.match(c) for c in summary.called_lasts())

    def judge(self, ev, ctx) -> None:  # pragma: no cover - no sinks
        return None
