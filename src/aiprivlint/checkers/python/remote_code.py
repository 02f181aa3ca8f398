"""AIP501 remote-code-trusted. Docs live in rules/AIP501.toml.

How the check works: ``trust_remote_code=True`` (the literal) is reported wherever it is written,
because every library that knows the switch gives it the same meaning (run the Python files of the
model or dataset repository): ``from_pretrained`` of any Auto class, ``pipeline``,
``load_dataset``, ``AutoConfig``, ``SentenceTransformer``, vLLM's ``LLM``, and also a keyword
dictionary built for later ``**`` expansion (``dict(trust_remote_code=True)``,
``{"trust_remote_code": True}``). A default that turns it on for every caller is reported too:
a dataclass/config field ``trust_remote_code: bool = True`` (or ``field(default=True)``), a
function parameter ``trust_remote_code=True`` and ``add_argument("--trust_remote_code",
default=True)``.

Severity: HIGH when the code revision is not pinned (no ``revision=``, a branch or tag name such as
``"main"`` or ``"v1.0"``, or a value only known at run time): whoever can push to that repository
later runs code here. MEDIUM when ``revision=`` (or ``code_revision=``, which takes precedence for
the code) is a literal 40-hex commit hash: the code is fixed to what was, hopefully, reviewed.

A non-literal value (``trust_remote_code=args.trust_remote_code``) stays quiet: it is a run-time
opt-in, which is the pattern the mitigation recommends (the HF and TRL argument classes default
it to False); the defaults that make it True are reported where they are written.
"""

from __future__ import annotations

import ast
import re

from ._ast_base import AstRule, literal_value, unstar as _unstar
from ...findings import Severity

COMMIT_SHA = re.compile(r"[0-9a-f]{40}")
_UNKNOWN = object()
KEY = "trust_remote_code"


def _name_of(param: ast.arg) -> ast.AST:
    """Where a parameter is reported: its name only (libcst's position of a ``Param``; ast's
    ``arg`` runs on over the annotation). The name is ``trust_remote_code``: ASCII, one line."""
    at = ast.Name(param.arg)
    at.lineno = at.end_lineno = param.lineno
    at.col_offset = param.col_offset
    at.end_col_offset = param.col_offset + len(param.arg)
    return at


class RemoteCodeTrusted(AstRule):
    """AIP501: ``trust_remote_code=True`` (and defaults that set it)."""

    rule_id = "AIP501"
    needs = ("trust_remote_code", "trust-remote-code")

    VALID = [
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased')",
        "from transformers import AutoModel\n"
        "m = AutoModel.from_pretrained(args.model, trust_remote_code=args.trust_remote_code)",
        "from datasets import load_dataset\nds = load_dataset('imdb', trust_remote_code=False)",
        "from dataclasses import dataclass, field\n@dataclass\nclass ModelArgs:\n"
        "    trust_remote_code: bool = field(default=False)",
        "def load(name, trust_remote_code: bool = False):\n    ...",
    ]
    INVALID = [
        "from transformers import AutoModelForCausalLM\n"
        "m = AutoModelForCausalLM.from_pretrained('org/model', trust_remote_code=True)",
        "from transformers import AutoModel\n"
        "m = AutoModel.from_pretrained('org/model', trust_remote_code=True, revision='main')",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/model', "
        "trust_remote_code=True, revision='0123456789abcdef0123456789abcdef01234567')",
        "from datasets import load_dataset\nds = load_dataset('org/ds', trust_remote_code=True)",
        "from transformers import pipeline\np = pipeline('text-generation', model='org/m', "
        "trust_remote_code=True)",
        "model_kwargs = {'torch_dtype': 'auto', 'trust_remote_code': True}",
        "from dataclasses import dataclass\n@dataclass\nclass Args:\n    trust_remote_code: bool = True",
        "def load_model(name, trust_remote_code=True):\n    ...",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        # NAME -> its literal string, for a revision pinned through a constant
        # (REVISION = "<40 hex>"); a name bound twice to different values is not one constant
        self._consts: dict[str, object] = {}

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        name = node.targets[0].id
        ok, value = literal_value(node.value)
        if name in self._consts and self._consts[name] != value:
            value = _UNKNOWN
        self._consts[name] = value if ok else _UNKNOWN

    # --- calls and keyword dictionaries ------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        arg = self.kwarg(node, KEY)
        if arg is not None:
            if literal_value(arg.value) == (True, True):
                pins = {k: self._kw_value(node, k) for k in ("revision", "code_revision")}
                callee = self._callee(node)
                if callee == "dict(...)":
                    callee = "loading with these keyword arguments"
                self._report_trust(node, callee, pins)
            return
        self._argparse_default(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        values: dict[str, ast.expr] = {}
        for k, v in zip(node.keys, node.values):
            if k is not None:  # not ``**other``
                ok, key = literal_value(k)
                if ok and isinstance(key, str):
                    values[key] = v
        if KEY in values and literal_value(values[KEY]) == (True, True):
            pins = {k: values.get(k) for k in ("revision", "code_revision")}
            self._report_trust(node, "loading with these keyword arguments", pins)

    # --- defaults that turn it on ------------------------------------------------------------
    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        name = self.dotted_name(node.target) or ""
        if name.split(".")[-1] != KEY or node.value is None:
            return
        if self._is_true_default(node.value):
            self._report_default(node, "the configuration field trust_remote_code defaults to True")

    def visit_arguments(self, node: ast.arguments) -> None:
        positional = [*node.posonlyargs, *node.args]
        pairs = list(zip(positional[len(positional) - len(node.defaults):], node.defaults))
        pairs += [(a, d) for a, d in zip(node.kwonlyargs, node.kw_defaults) if d is not None]
        for param, default in pairs:  # in source order, as the parameters are written
            if param.arg == KEY and literal_value(default) == (True, True):
                self._report_default(_name_of(param),
                                     "the parameter trust_remote_code defaults to True")

    def _argparse_default(self, node: ast.Call) -> None:
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument"):
            return
        flags = [literal_value(_unstar(a)) for a in node.args]
        if not any(ok and isinstance(v, str) and v.lstrip("-").replace("-", "_") == KEY
                   for ok, v in flags):
            return
        if self._true_kwarg(node, "default"):
            self._report_default(node, "the command-line option --trust_remote_code defaults to True")

    def _true_kwarg(self, call: ast.Call, name: str) -> bool:
        arg = self.kwarg(call, name)
        return arg is not None and literal_value(arg.value) == (True, True)

    def _is_true_default(self, value: ast.expr) -> bool:
        if literal_value(value) == (True, True):
            return True
        if isinstance(value, ast.Call):
            name = (self.dotted_name(value.func) or "").split(".")[-1]
            return name == "field" and self._true_kwarg(value, "default")
        return False

    # --- reporting ---------------------------------------------------------------------------
    def _report_default(self, node: ast.AST, what: str) -> None:
        self.report(node, f"{what}: every model or dataset loaded with it runs the Python code "
                    "of its Hub repository; default it to False and let the caller opt in for a "
                    "reviewed repository pinned to a commit",
                    details={"pinned": False, "kind": "default"})

    def _report_trust(self, node: ast.AST, callee: str,
                      pins: dict[str, ast.expr | None]) -> None:
        pinned, how = self._pinned(pins)
        if pinned:
            msg = (f"{callee} runs the Python code shipped with the model or dataset repository "
                   f"(trust_remote_code=True); {how} pins it to a commit, so review that commit's "
                   "code, or prefer a natively supported architecture")
            sev = Severity.MEDIUM
        else:
            msg = (f"{callee} runs the Python code shipped with the model or dataset repository "
                   f"(trust_remote_code=True) and {how}: whoever can push to that repository runs "
                   "code in this process; pin revision= to a reviewed commit hash or avoid remote "
                   "code")
            sev = Severity.HIGH
        self.report(node, msg, details={"pinned": pinned, "kind": "call"}, severity=sev)

    def _pinned(self, pins: dict[str, ast.expr | None]) -> tuple[bool, str]:
        """Whether the code revision is a literal commit hash (written at the call, or in a
        constant of the module bound once); and a phrase saying why (not)."""
        key = "code_revision" if pins.get("code_revision") is not None else "revision"
        value = pins.get(key)
        if value is None:
            return False, "no revision= pins it to a commit"
        ok, text = literal_value(value)
        if not ok and isinstance(value, ast.Name) and \
                self._consts.get(value.id, _UNKNOWN) is not _UNKNOWN:
            ok, text = True, self._consts[value.id]
        if not ok:
            return False, f"{key}= is only known at run time, not a literal commit hash"
        if isinstance(text, str) and COMMIT_SHA.fullmatch(text.strip().lower()):
            return True, f"the literal {key}= commit hash"
        return False, f"{key}= names a branch or tag, not a commit hash, so it can move"

    def _callee(self, node: ast.Call) -> str:
        name = self.dotted_name(node.func)
        if name is None:
            return "this call"
        parts = name.split(".")
        return ".".join(parts[-2:]) + "(...)"

    def _kw_value(self, node: ast.Call, name: str) -> ast.expr | None:
        arg = self.kwarg(node, name)
        return arg.value if arg is not None else None
