"""AIP104 pii-literal-in-source. Docs live in rules/AIP104.toml.

How the check works: every string literal (plain, f-string text, implicitly concatenated parts)
passes a cheap regex gate (an ``@``, a run of digits, an IBAN-like prefix, ``::``) before it is
parsed and validated by :func:`aiprivlint.pii.scan_text`. Strong values count on their own
(e-mail at a real domain, valid international phone number, IBAN, grouped card number, public IP,
codice fiscale...). Pure-digit national ids and national-format phone numbers count when the
words in the string, or the name the literal is bound to (``bsn = "..."``, ``{"phone": "..."}``,
``f(ssn="...")``), say what they are. Quiet on: reserved example domains and role mailboxes,
fictional phone ranges (555, Ofcom drama numbers), published test cards and specimen ids,
documentation IP ranges; package metadata (``__author__``, ``author_email=``); files that
generate test data (they import ``faker``, ``mimesis`` or ``factory``); and test vectors: a list or
parametrize table of many valid values, or a test file with five or more distinct valid values of
one kind across its tests.

The finding never quotes the value: the message and ``details.sample`` are masked, and the
fingerprint is computed from the source line with the value masked.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from ._lazy import cst

from . import CodeRule, literal_value
from ._ast_base import Summary
from ...pii.lexicon import FAKE_DATA_PACKAGES

_GATE = re.compile(r"@|\d[\d \-./()]{5,}\d|[A-Z]{2}\d{2}|::|\d{6}[-+A-FU-Y]\d|[A-Z]{6}\d\d[A-Z]")
TEST_VECTORS = 5  # distinct valid values of one kind that make a test file's values test vectors
# An IP address in a network position is a machine's, not a person's: an argument of a call that
# resolves, connects to, serves or classifies network addresses (named by these words, or an
# ``is_private``-style predicate), a value bound to or compared with a field so named (``HOST =``,
# ``headers["Host"] ==``), and the address of a socket address, an (address, port) pair.
_NETWORK_WORDS = frozenset({
    "addrinfo", "getaddrinfo", "gethostbyname", "gethostbyaddr", "getnameinfo", "sockaddr",
    "socket", "connect", "resolve", "resolver", "dns", "nameserver", "host", "hostname",
    "server", "proxy", "endpoint", "gateway", "ping", "url", "uri", "netloc", "ip_address",
    "ip_network", "ip_interface"})
_ADDRESS_PREDICATES = ("is_private", "is_global", "is_public", "is_reserved", "is_loopback",
                       "is_link_local", "is_multicast", "is_internal", "is_local")
_METADATA_NAMES = frozenset({"__author__", "__email__", "__maintainer__", "__credits__",
                             "__contact__", "__license__", "__copyright__", "author",
                             "author_email", "maintainer", "maintainer_email", "authors",
                             "maintainers", "email_author", "contact_email", "copyright"})


# a name that says its value stands in for removed personal data (``ip_replacement``,
# ``EMAIL_PLACEHOLDER``): what a redactor writes in place of a value is nobody's
_STAND_IN_WORDS = frozenset({"replacement", "replacements", "placeholder", "placeholders",
                             "substitute", "substitutes", "surrogate", "surrogates", "redacted",
                             "redaction"})


def _stands_in(name: str | None) -> bool:
    from ...pii.fields import words

    return bool(name) and not _STAND_IN_WORDS.isdisjoint(words(name))


def _name_of(node: cst.CSTNode | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.SimpleString):
        ok, v = literal_value(node)
        return v if ok and isinstance(v, str) and len(v) <= 64 else None
    if isinstance(node, cst.Subscript):
        for el in node.slice:
            if isinstance(el.slice, cst.Index):
                return _name_of(el.slice.value)
    return None


class PiiLiteral(CodeRule):
    rule_id = "AIP104"
    # The per-string gate over the whole text, with a bare "@" narrowed to an address-like one:
    # decorators and matrix products (`@property`, `a @ b`) no longer send every file to the
    # parser, and any value the gate lets through still passes this (tests/test_prefilter.py).
    needs_pattern = re.compile(_GATE.pattern.replace("@|", r"[\w.%+-]@[\w-]|", 1))

    VALID = [
        'CONTACT = "jane.doe@example.com"',
        'support = "support@mycompany.io"',
        'phone = "+1 202 555 0143"',
        'ssn = "000-00-0000"',
        'card = "4242 4242 4242 4242"',
        'iban = "DE89 3704 0044 0532 0130 00"',
        'server = "192.168.1.10"',
        'version = "1.8.1.0"',
        'run_id = "123456789"',
        'sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
        '__author__ = "Jan Kowalski <jan.kowalski@gmail.com>"',
        'from faker import Faker\nFIXTURE_EMAIL = "marta.nowak@gmail.com"',
    ]
    INVALID = [
        'EMAILS = ["marta.nowak@gmail.com"]',
        'prompt = f"Reply to the customer at +49 151 23456789 about order {oid}"',
        'payload = {"iban": "DE44 5001 0517 5407 3249 31"}',
        'bsn = "214035797"',
        'create_user(ssn="536-22-1234")',
        'CLIENT_IP = "81.2.69.142"',
        'cf = "BCCFRC15M25E852P"',
    ]

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        """Whether some string literal can hold a value scan_text reports.

        First over all string values at once (see _gate_text): most files stop here. Then one
        literal at a time. A plain literal the rule sees whole (a single string token) is
        scanned as the rule scans it, with the field it is bound to (``_bound_fields``: the
        name of an assignment target, dict key or keyword argument), or for *any* field
        (``may_report``) where ast cannot tell the name libcst would. The rest stays on the
        cheap test: the parts of an implicit concatenation (ast joins what libcst scans part by
        part) and the text of f-strings (which libcst splits its own way, and reads raw: a
        match may start inside an escape, which needs a backslash in the f-string's source).
        """
        if not _gate_text("\x00".join(summary.strings)) and not any(
                _G_F_ESCAPED.search(s) for s in summary.fstrings):
            return False
        for node in summary.fstring_nodes:
            parts = [v.value for v in node.values
                     if type(v) is ast.Constant and isinstance(v.value, str)]
            if any(_gate_text(p[:20_000]) for p in parts):
                return True
            if any(_G_F_ESCAPED.search(p) for p in parts) and "\\" in summary.segment(node):
                return True
        from ...pii import may_report, scan_text

        region = summary.options.get("default-region")
        fields: dict[int, object] | None = None
        for node in summary.string_nodes:
            value = node.value[:20_000]
            if not _gate_text(value):
                continue
            if not _single_token(summary.segment(node)):
                return True
            if fields is None:
                fields = _bound_fields(summary)
            field = fields.get(id(node))
            if field is _UNSURE:
                if may_report(value, region=region):
                    return True
            elif not (field and field.lower() in _METADATA_NAMES) and scan_text(
                    value, region=region, field=field):  # type: ignore[arg-type]
                return True
        return False

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._names: dict[int, str] = {}  # id(string node) -> the name it is bound to
        self._network: set[int] = set()  # strings in a network position (see _NETWORK_WORDS)
        self._skip = False
        self._skip_nodes: set[int] = set()  # strings of a sample-data or test-vector list
        self._cache: dict[int, list] = {}
        self._depth = 0
        # in a test file, reports wait for the end of the module (see leave_Module)
        self._held: list[tuple[tuple[str, str | None], frozenset[int], tuple]] = []
        parts = self.path.lower().split("/")
        self._test_file = (any(p in ("tests", "test", "testing", "testdata", "test_data") for p in parts[:-1])
                           or parts[-1].startswith("test_") or parts[-1].endswith("_test.py")
                           or parts[-1] == "conftest.py")

    # --- lists of values ---------------------------------------------------------------------
    def _enter_container(self, node: cst.CSTNode) -> None:
        """A list of many values is sample data, not one person's record: a list where several
        values are obviously fake (555 numbers, 123456789 runs, example.com), or, in test files,
        a table of test vectors with five or more valid values of one kind."""
        self._depth += 1
        if self._depth > 1 or self._skip:
            return
        nodes = [n for n in _deep_strings(node)]
        if len(nodes) < 3:
            return
        counts: dict[str, int] = {}
        fakes = 0
        for n in nodes:
            value = _value_of(n)
            if value is None:
                continue
            if _FAKE_LOOKING.search(value) or _boring_run(value):
                fakes += 1
            if not _GATE.search(n.value):
                continue
            matches = self._scan(n, value)
            for m in matches:
                counts[m.entity] = counts.get(m.entity, 0) + 1
        if (fakes >= 2 and fakes >= 0.3 * len(nodes)) or (
                self._test_file and counts and max(counts.values()) >= TEST_VECTORS):
            self._skip_nodes.update(id(n) for n in nodes)

    def _leave_container(self, node: cst.CSTNode) -> None:
        self._depth -= 1

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self._socket_address(node)
        self._enter_container(node)

    visit_List = visit_Set = _enter_container
    leave_List = leave_Tuple = leave_Set = _leave_container

    def visit_Decorator(self, node: cst.Decorator) -> None:
        """``@pytest.mark.parametrize(...)`` in a test file: its values are test vectors."""
        if not self._test_file or not isinstance(node.decorator, cst.Call):
            return
        name = self.dotted_name(node.decorator.func) or ""
        if name.endswith("parametrize"):
            for arg in node.decorator.args:
                self._skip_nodes.update(id(n) for n in _deep_strings(arg.value))

    def _scan(self, node: cst.CSTNode, value: str) -> list:
        from ...pii import scan_text

        got = self._cache.get(id(node))
        if got is None:
            field = self._names.get(id(node))
            got = scan_text(value[:20_000], region=self.options.get("default-region"), field=field)
            self._cache[id(node)] = got
        return got

    # --- context -----------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = self.dotted_name(alias.name) or ""
            if name.split(".")[0] in FAKE_DATA_PACKAGES:
                self._skip = True

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        mod = self.dotted_name(node.module) if node.module is not None else ""
        if mod and mod.split(".")[0] in FAKE_DATA_PACKAGES:
            self._skip = True

    def _bind(self, value: cst.CSTNode, name: str | None) -> None:
        if not name:
            return
        for s in _strings(value):
            self._names.setdefault(id(s), name)

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._bind(node.value, _name_of(t.target))
            # ``resolver_mock.return_value = "203.0.113.9"``: the whole target names the network
            if _network_name((self.dotted_name(t.target) or "").replace(".", "_")):
                self._network.update(id(n) for n in _strings(node.value))

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            self._bind(node.default, node.name.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.value, _name_of(node.target))

    def visit_Dict(self, node: cst.Dict) -> None:
        for el in node.elements:
            if isinstance(el, cst.DictElement):
                self._bind(el.value, _name_of(el.key))

    def visit_Call(self, node: cst.Call) -> None:
        for arg in node.args:
            if arg.keyword is not None:
                self._bind(arg.value, arg.keyword.value)
        name = (self.dotted_name(node.func) or "").rsplit(".", 1)[-1]
        if _network_name(name) or name.lower().startswith(_ADDRESS_PREDICATES):
            for arg in node.args:
                self._network.update(id(n) for n in _strings(arg.value))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        """``transport.netloc == "203.0.113.9"``, ``headers["Host"] == ...``,
        ``resolve_host(name) == ...``."""
        left = node.left.func if isinstance(node.left, cst.Call) else node.left
        if _network_name(_name_of(left)):
            for target in node.comparisons:
                self._network.update(id(n) for n in _strings(target.comparator))

    def _socket_address(self, node: cst.CSTNode) -> None:
        """``("203.0.113.9", 443)``: the host of a socket address."""
        if isinstance(node, cst.Tuple) and len(node.elements) == 2 \
                and isinstance(node.elements[1].value, cst.Integer):
            self._network.update(id(n) for n in _strings(node.elements[0].value))

    # --- strings -------------------------------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self._skip or not _GATE.search(node.value):
            return
        ok, value = literal_value(node)
        if ok and isinstance(value, str):
            self._check(node, value)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        if self._skip or not _GATE.search(node.value):
            return
        self._check(node, node.value)

    def _check(self, node: cst.CSTNode, value: str) -> None:
        from ...pii.columns import label
        from ...redact import redact_shown

        if id(node) in self._skip_nodes:
            return
        field = self._names.get(id(node))
        if field and (field.lower() in _METADATA_NAMES or _stands_in(field)):
            return
        value = value[:20_000]
        matches = self._scan(node, value)
        if matches and ">>>" in value:  # a docstring's doctest: made-up examples
            spans = _doctest_spans(value)
            matches = [m for m in matches if not any(a <= m.start < b for a, b in spans)]
        if id(node) in self._network or _network_name(field):
            matches = [m for m in matches if m.entity != "IP_ADDRESS"]
        if not matches:
            return
        by_entity: dict[tuple[str, str | None], list] = {}
        for m in matches:
            by_entity.setdefault((m.entity, m.id_type), []).append(m)
        line_text = None
        for (entity, id_type), ms in by_entity.items():
            if line_text is None:
                line_text = self._masked_line(node, value, matches)
            what = label(entity, id_type)
            bound = f" bound to '{field}'" if field else ""
            n = len(ms)
            message = (f"String literal{bound} holds {'a' if n == 1 else n} real-looking "
                       f"{what}{'' if n == 1 else 's'} (validated); replace it with a reserved "
                       "or synthetic value")
            details = {"entity": entity, "id_type": id_type, "field": field, "matches": n,
                       "sample": ms[0].sample}
            report = (node, message, details, f"AIP104|{entity}|{id_type}|{line_text}",
                      redact_shown(field) if field else field)
            if self._test_file:  # held: the values are counted first (never kept in clear)
                seen = frozenset(hash(value[m.start:m.end].lower()) for m in ms)
                self._held.append(((entity, id_type), seen, report))
            else:
                self._emit(*report)

    def _emit(self, node: cst.CSTNode, message: str, details: dict, context: str,
              field: str | None) -> None:
        self._report(node, message, details, context)
        # the project's evidence shows the field: a dict key can itself be data
        self.fact("personal-data", node, entity=details["entity"], field=field, source="AIP104",
                  id_type=details["id_type"])

    def leave_Module(self, node: cst.Module) -> None:
        """A test file that holds five or more distinct valid values of one kind, across its
        tests (``make_user(email=...)`` in each), is a suite of test vectors, as a parametrize
        table is: made up for the tests, not one person's record pasted in. Fewer are reported."""
        distinct: dict[tuple[str, str | None], set[int]] = {}
        for kind, seen, _ in self._held:
            distinct.setdefault(kind, set()).update(seen)
        for kind, _, report in self._held:
            if len(distinct[kind]) < TEST_VECTORS:
                self._emit(*report)
        self._held = []

    def _masked_line(self, node: cst.CSTNode, value: str, matches) -> str:
        line = self._run.position(node)[0]
        text = self._run.code_line(line)
        for m in matches:
            raw = value[m.start:m.end]
            text = text.replace(raw, m.sample)
        return text

    def _report(self, node: cst.CSTNode, message: str, details: dict, context: str) -> None:
        """Like CodeRule.report, with a fingerprint context that does not hold the value."""
        run = self._run
        line, col, end_line, end_col = run.position(node)
        if run.nb is not None:
            s_line, s_col, cell = run.nb.raw_position(line, col - 1)
            e_line, e_col, _ = run.nb.raw_position(end_line, end_col - 1)
            line, col, end_line, end_col = s_line, s_col, e_line, e_col
            details.setdefault("cell", cell)
        run.ctx.report(self.rule_id, line, col, message, end_line=end_line, end_column=end_col,
                       details=details, context=context)


_FAKE_LOOKING = re.compile(r"\(?\b555\)?[-. ]\d{3}|\b\d{3}[-. ]555[-. ]?\d{4}|@example\.|\b000-00-0000\b"
                           r"|\bXXX|\bxxx")
_DIGIT_RUN = re.compile(r"\d[\d \-.]{6,}\d")


_DOCTEST = re.compile(r"^[ \t]*>>>.*?(?=\n[ \t]*\n|\Z)", re.M | re.S)


def _doctest_spans(value: str) -> list[tuple[int, int]]:
    """Where a docstring's doctest examples are: from a ``>>>`` line to the next blank line (its
    source and its expected output)."""
    return [m.span() for m in _DOCTEST.finditer(value)]


def _boring_run(value: str) -> bool:
    """123-45-6789, 987654321, 1111 1111 1111: a placeholder, not data."""
    for m in _DIGIT_RUN.finditer(value):
        d = re.sub(r"\D", "", m.group())
        if len(d) >= 7 and (len(set(d)) <= 2 or d in "01234567890123456789012345"
                            or d in "98765432109876543210987654"):
            return True
    return False


def _value_of(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.FormattedStringText):
        return node.value
    ok, v = literal_value(node)
    return v if ok and isinstance(v, str) else None


def _deep_strings(node: cst.CSTNode, depth: int = 0):
    """String literals anywhere inside nested list/tuple/set/dict literals."""
    if depth > 6:
        return
    if isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
        yield from _strings(node)
    elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        for el in node.elements:
            yield from _deep_strings(el.value, depth + 1)
    elif isinstance(node, cst.Dict):
        for el in node.elements:
            if isinstance(el, cst.DictElement):
                yield from _deep_strings(el.key, depth + 1)
                yield from _deep_strings(el.value, depth + 1)
    elif isinstance(node, cst.Call):
        for arg in node.args:
            yield from _deep_strings(arg.value, depth + 1)


def _network_name(name: str | None) -> bool:
    """A name that says network address: ``HOST``, ``server_ip``, ``_ip_netloc``, ``getaddrinfo``."""
    if not name:
        return False
    low = name.lower()
    return low in _NETWORK_WORDS or not _NETWORK_WORDS.isdisjoint(low.split("_"))


def _strings(node: cst.CSTNode):
    """The string literal nodes that make up a value (a literal, a list/tuple/set of them, an
    f-string's text parts, a concatenation)."""
    if isinstance(node, cst.SimpleString):
        yield node
    elif isinstance(node, cst.FormattedString):
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                yield part
    elif isinstance(node, cst.ConcatenatedString):
        yield from _strings(node.left)
        yield from _strings(node.right)
    elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        for el in node.elements:
            yield from _strings(el.value)


# --- the ast gate ------------------------------------------------------------------------------
# A necessary condition of a finding, tested on the values of the file's string constants (ast's
# summary.strings, joined with NULs, which no test matches). scan_text reports nothing unless its
# candidates() finds one of: an e-mail address (an "@", a local-part character before it, a
# domain after it), a global IPv6 address (2000::/3: a span starting "2xxx:" or "3xxx:" with a
# second colon within four hex digits), a _MIXED identifier (IBAN, codice fiscale, NINO, NIE,
# HETU, DNI), or a run of digits: a public dotted quad, or >= 7 digits (the fewest a phone
# number, national id or card has) that are not one decimal number "1234.5678".
# Every test is "the value contains ...": ast joins an implicit concatenation "a" "b" into one
# value where libcst checks each part, and a test true of a part is true of the whole.
_G_AT = re.compile(r"@[A-Za-z0-9][A-Za-z0-9.\-]*\.[A-Za-z]{2}")
_G_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_G_IPV6 = re.compile(r":(?<=[23][0-9A-Fa-f]{3}:)[0-9A-Fa-f]{0,4}:")
_G_NUMBER = re.compile(r"[0-9](?:[ \-./()\u00a0]*[0-9]){3,}")  # >= 4 digits, _RUN's separators
_G_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")
_G_DIGITS6 = re.compile(r"[0-9]{6}")
_G_DIGITS7 = re.compile(r"[0-9]{7}")
# where a letter-led _MIXED match shows first (IBAN, NINO, NIE: a letter before a digit, maybe
# with a space or hyphen between; a codice fiscale: that, or seven letters in a row when its
# first digits are omocodia letters), at most 6 characters after the match's start
_G_MIXED_LETTERS = re.compile(r"[A-Z](?:[ \-]?[0-9]|[A-Z]{6})")
# f-string text: the rule scans it raw, ast decodes its escapes. A match in the raw text that
# starts inside an escape ("\x41", "\u00A0" leave a word character before it, which candidates()
# rejects; an octal "\101" does not) keeps its verbatim rest: >= 4 digits of a 7-digit run, the
# last three octets of a dotted quad, a HETU's tail; an e-mail's domain; an IPv6 address's
# groups after its first colon.
_G_F_ESCAPED = re.compile(
    r"@[A-Za-z0-9][A-Za-z0-9.\-]*\.[A-Za-z]{2}"
    r"|:[0-9A-Fa-f:]*[0-9A-Fa-f]:[0-9A-Fa-f:]*[0-9A-Fa-f]"
    r"|[0-9](?:[ \-./()\u00a0]*[0-9]){3}"
    r"|\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]"
    r"|[0-9]{3}[-+A-FU-Y][0-9]{3}[0-9A-Y]"
)


_UNSURE = object()  # a binding whose name ast cannot tell as libcst would


def _bound_fields(summary: Summary) -> dict[int, object]:
    """id(str constant) -> the field name the rule binds it to (``_bind``): the rule's own
    bindings (assignment and annotated-assignment targets, dict keys, keyword arguments) over
    the same ``_strings`` of the value (the literal itself, or the elements of a list, tuple
    or set, recursively), with ``_name_of`` on the target; ``_UNSURE`` where the name depends
    on syntax ast does not keep (a concatenated key, ``d[a, b]`` against ``d[(a, b)]``)."""
    out: dict[int, object] = {}

    def bind(value: ast.AST, target: ast.AST | str) -> None:
        strings = []
        stack = [value]
        while stack:
            v = stack.pop()
            if isinstance(v, ast.Starred):
                stack.append(v.value)
            elif isinstance(v, (ast.List, ast.Tuple, ast.Set)):
                stack.extend(v.elts)
            elif isinstance(v, ast.Constant) and isinstance(v.value, str):
                strings.append(v)
        if not strings:
            return  # no need to name the target (name_of may tokenize a key)
        name = target if isinstance(target, str) else name_of(target)
        if name:
            for s in strings:
                out.setdefault(id(s), name)

    def name_of(node: ast.AST | None) -> object:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            return node.attr
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, str):
                return None
            if not _single_token(summary.segment(node)):
                return None  # libcst: a ConcatenatedString key names nothing
            return node.value if len(node.value) <= 64 else None
        if isinstance(node, ast.Subscript):
            index = node.slice
            if isinstance(index, ast.Slice):
                return None
            if isinstance(index, ast.Tuple):
                return _UNSURE  # d[a, b]: libcst names it after a; d[(a, b)]: nothing
            return name_of(index)
        return None

    for node in ast.walk(summary.tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:  # the first named target wins (setdefault)
                bind(node.value, target)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                bind(node.value, node.target)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if key is not None:
                    bind(value, key)
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg:
                    bind(kw.value, kw.arg)
    return out


def _single_token(segment: str) -> bool:
    """Whether the source of a str constant is one string token (not ``"a" "b"``)."""
    try:
        kinds = [t.type for t in tokenize.generate_tokens(io.StringIO(segment).readline)
                 if t.type not in _LAYOUT_TOKENS]
    except (tokenize.TokenError, SyntaxError):
        return False
    return kinds == [tokenize.STRING]


_LAYOUT_TOKENS = frozenset({tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                            tokenize.DEDENT})


def _gate_text(text: str) -> bool:
    if "@" in text:
        for m in _G_AT.finditer(text):
            if m.start() and text[m.start() - 1] in _G_LOCAL:
                return True
    if ":" in text and _G_IPV6.search(text):
        return True
    from ...pii import detectors

    for m in _G_NUMBER.finditer(text):
        core = m.group()
        a, b = m.span()
        digits = sum(ch.isdigit() for ch in core)
        if digits >= 7:
            if not _G_DECIMAL.fullmatch(core) or _G_DIGITS7.search(core):
                return True
            # "+1234.5678" or "1234.5678x90" is no decimal to _number_candidate
            if (a and text[a - 1] in "+(") or (b < len(text) and text[b] in "xe"):
                return True
        if core.count(".") >= 3:  # a dotted quad anywhere in the run
            n = len(core)
            for i in range(n - 6):
                for j in range(i + 7, min(n, i + 15) + 1):
                    q = core[i:j]
                    if (detectors._IPV4.fullmatch(q) and detectors.ipv4_plausible(q)
                            and detectors.ipv4_personal(q)):
                        return True
        # a HETU or DNI starts with six digits of this run, and is at most 11 long
        if digits >= 6 and _G_DIGITS6.search(core) and detectors._MIXED.search(text, a, b + 12):
            return True
    # a letter-led _MIXED match starts within 7 characters of a _G_MIXED_LETTERS hit (its first
    # sign is at most 6 in, and may sit inside an earlier hit, at most 7 long) and is at most 43
    # long: the window around each hit holds it
    for m in _G_MIXED_LETTERS.finditer(text):
        k = m.start()
        if detectors._MIXED.search(text, max(0, k - 14), k + 60):
            return True
    return False
