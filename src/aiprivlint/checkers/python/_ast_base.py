"""The cheap half of the Python pipeline: one ``ast`` parse per file, for two things.

1. **Gates.** After the text prefilter, a :class:`Summary` of the file (identifiers, called names,
   imports, string constants) lets each libcst :class:`~aiprivlint.checkers.python.CodeRule` say,
   through its ``gate``, whether it can fire at all. ``ast.parse`` is C code, about a tenth of a
   libcst parse, so a file no libcst rule can fire on is never parsed by libcst. A gate must be a
   *necessary* condition of the rule's output: tests/test_prefilter.py and
   ``bench/prefilter_equivalence.py`` compare runs with and without prefilters.
2. **AST rules.** A rule whose decisions need no concrete syntax (no comments, no exact source
   text) subclasses :class:`AstRule` and runs on the ``ast`` tree in one source-order walk, with
   the same helpers as a CodeRule (imports, qualified names, keyword arguments, facts, reports).
"""

from __future__ import annotations

import ast
import bisect
import functools
import os
import re
import warnings
from typing import Any, ClassVar, Iterable

from ...pyast import dotted, through_imports  # noqa: F401 - dotted re-exported for the rules

from ...findings import Severity


def _quiet_parse(code: str) -> ast.Module:
    """``ast.parse`` without its SyntaxWarnings (a user's invalid escape is not our output)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(code)


def parse_ast(code: str) -> ast.Module | None:
    """The ast of ``code``; None when this Python cannot parse it (:func:`ast_failure` says why)."""
    try:
        return _quiet_parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


FILE_TOO_DEEP = "file nests too deeply to analyse"


def ast_failure(code: str) -> str:
    """Why :func:`parse_ast` returned None for ``code``, for an ``errors`` entry."""
    try:
        _quiet_parse(code)
    except (RecursionError, MemoryError):
        return FILE_TOO_DEEP
    except SyntaxError as exc:
        return f"syntax this Python cannot parse (line {exc.lineno}: {exc.msg})"
    except (ValueError, OverflowError) as exc:
        return f"cannot parse: {exc}"
    return "cannot parse"


# libcst's native parser recurses once per nesting level and overflows its stack (a segfault that
# takes the process down, not an exception) on a list nested a few thousand deep. CPython's own
# tokenizer refuses more than 200 levels of brackets (MAXLEVEL), so nothing deeper is Python.
# (Deep indentation is not a danger: libcst reports it as a syntax error.)
MAX_BRACKET_DEPTH = 200
_BRACKET_SCAN = re.compile(r"""
    \#[^\n]*                                  # a comment
  | \"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"           # triple-quoted strings (unrolled
  | \'\'\'[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*\'\'\'           # loops: no stack frame per character)
  | "[^"\\\n]*(?:\\.[^"\\\n]*)*" | '[^'\\\n]*(?:\\.[^'\\\n]*)*'  # one-line strings
  | ([(\[{]) | [)\]}]                         # brackets: group 1 opens
""", re.VERBOSE)


# libcst also nests ``a and b and c ...`` one level per operator where CPython's ast keeps one flat
# BoolOp: a chain of about 10k crashes it the same way.
MAX_BOOL_CHAIN = 1000
_BOOL_WORD = re.compile(r"\b(?:and|or)\b")
# Tests only (tests/test_fault_crashes.py): switch the guard off to crash a worker for real.
NO_GUARD_ENV = "AIPRIVLINT_TEST_NO_PARSE_GUARD"


def libcst_hazard(code: str, tree: ast.Module | None) -> str | None:
    """Why ``code`` must not go to libcst's native parser, which overflows its stack (a segfault
    that takes the process down, not an exception) on deep nesting; None when it may. ``tree`` is
    CPython's ast of the code, None when CPython could not parse it."""
    if os.environ.get(NO_GUARD_ENV):
        return None
    problem = nesting_problem(code)
    if problem is not None:
        return problem
    if tree is None:
        return FILE_TOO_DEEP if ast_failure(code) == FILE_TOO_DEEP else None
    if len(_BOOL_WORD.findall(code)) > MAX_BOOL_CHAIN:  # cheap necessary condition of the walk
        for node in ast.walk(tree):
            if isinstance(node, ast.BoolOp) and len(node.values) > MAX_BOOL_CHAIN:
                return (f"more than {MAX_BOOL_CHAIN} and/or operators in one chain "
                        f"(line {node.lineno}); file not parsed")
    return None


def nesting_problem(code: str) -> str | None:
    """Brackets nested deeper than CPython allows, counted outside strings and comments (None
    when they are not). A cheap text scan, run before libcst."""
    if code.count("(") + code.count("[") + code.count("{") <= MAX_BRACKET_DEPTH:
        return None
    depth = deepest = 0
    for m in _BRACKET_SCAN.finditer(code):
        tok = m.group()
        if m.group(1):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_BRACKET_DEPTH:
                    line = code.count("\n", 0, m.start()) + 1
                    return (f"brackets nested more than {MAX_BRACKET_DEPTH} deep (line {line}); "
                            "file not parsed")
        elif tok in ")]}":
            depth = max(depth - 1, 0)
    return None


# Source order where ast's field order differs (decorators come first in the source).
_ORDER = {
    "FunctionDef": ("decorator_list", "args", "returns", "body"),
    "AsyncFunctionDef": ("decorator_list", "args", "returns", "body"),
    "ClassDef": ("decorator_list", "bases", "keywords", "body"),
    "IfExp": ("body", "test", "orelse"),
}
# Fields the walk never enters: plain values (names, flags) and nodes no rule visits (contexts,
# operators, import aliases: rules read an import's names off the Import node).
_SKIP = {"ctx", "op", "ops", "type_comment", "kind", "conversion", "is_async", "level",
         "type_ignores", "id", "attr", "arg", "name", "names", "module"}
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _ORDER.get(cls.__name__) or tuple(f for f in cls._fields if f not in _SKIP)
        if cls is ast.Constant:
            names = ()
        _FIELDS[cls] = names
    return names


@functools.lru_cache(maxsize=None)
def handler_names(cls: type) -> tuple[tuple[bool, str, str], ...]:
    """(is a visit, node class name, method name) of every visit_/leave_ method of ``cls``:
    ``dir()`` once per class, not once per file."""
    return tuple((attr.startswith("visit_"), attr[6:], attr) for attr in dir(cls)
                 if attr.startswith(("visit_", "leave_")))


def add_handlers(obj: object, visits: dict[str, list], leaves: dict[str, list]) -> None:
    """Append ``obj``'s bound visit_/leave_ methods to the handler lists, by node class name."""
    for is_visit, node, attr in handler_names(type(obj)):
        (visits if is_visit else leaves).setdefault(node, []).append(getattr(obj, attr))


def by_class(handlers: dict[str, list]) -> dict[type, list]:
    """visit_/leave_ handlers keyed by ast class instead of class name."""
    return {getattr(ast, name): fns for name, fns in handlers.items()
            if isinstance(getattr(ast, name, None), type)}


def walk(node: ast.AST, visits: dict[type, list], leaves: dict[type, list]) -> None:
    """Visit ``node`` and its descendants in source order, calling the visit_/leave_ handlers
    (keyed by ast class, see :func:`by_class`)."""
    cls = node.__class__
    fns = visits.get(cls)
    if fns:
        for fn in fns:
            fn(node)
    if cls is ast.Dict:  # keys and values interleave in the source
        for key, value in zip(node.keys, node.values):  # type: ignore[attr-defined]
            if key is not None:
                walk(key, visits, leaves)
            walk(value, visits, leaves)
    else:
        names = _FIELDS.get(cls)
        for field_name in names if names is not None else _fields(cls):
            child = getattr(node, field_name, None)
            if child is None:
                continue
            if type(child) is list:
                for item in child:
                    if isinstance(item, ast.AST):
                        walk(item, visits, leaves)
            elif isinstance(child, ast.AST):
                walk(child, visits, leaves)
    fns = leaves.get(cls)
    if fns:
        for fn in fns:
            fn(node)


def unstar(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Starred) else node


def args_in_order(call: ast.Call) -> list[tuple[str | None, ast.expr]]:
    """(keyword or None, value) of every argument in source order, as libcst lists them:
    ``*args`` and ``**kwargs`` have keyword None (and the starred value)."""
    items = [(None, unstar(a)) for a in call.args] + [(k.arg, k.value) for k in call.keywords]
    return sorted(items, key=lambda kv: (kv[1].lineno, kv[1].col_offset))


def first_positional(call: ast.Call) -> ast.expr | None:
    """The first argument in source order when it is a plain positional one (libcst's
    ``args[0]`` with no keyword and no star); None otherwise (``f(k=v, *rest)``, ``f(*a)``)."""
    if not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Starred):
        return None
    if call.keywords and (call.keywords[0].lineno, call.keywords[0].col_offset) < (
            first.lineno, first.col_offset):
        return None  # only a starred argument may follow a keyword, and it was checked
    return first


def literal(node: ast.AST) -> tuple[bool, object]:
    """(True, value) for a literal constant (a negative number too), else (False, None)."""
    if isinstance(node, ast.Constant):
        return True, node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
            and isinstance(node.operand, ast.Constant):
        v = node.operand.value
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return True, -v
    return False, None


def literal_value(node: ast.AST) -> tuple[bool, object]:
    """(True, value) where libcst's ``literal_value`` gives one (the rules ported from libcst keep
    its meaning): True/False/None, a number that is not imaginary, a string or bytes (implicit
    concatenation included), a negated number; not ``...`` nor a complex number."""
    if isinstance(node, ast.Constant):
        v = node.value
        if v is None or isinstance(v, (bool, int, float, str, bytes)):
            return True, v
        return False, None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        ok, v = literal_value(node.operand)
        if ok and isinstance(v, (int, float)) and not isinstance(v, bool):
            return True, -v
    return False, None


class Summary:
    """What a gate may ask about a file, gathered during the ast walk (all sets of exact names,
    not substrings: ``fit`` does not match ``benefit`` and nothing in a comment counts)."""

    def __init__(self, tree: ast.Module, source: str = "", options: dict[str, Any] | None = None
                 ) -> None:
        self.tree = tree
        self.source = source  # the parsed text
        self.options: dict[str, Any] = options or {}  # the file's options (AIP104: its region)
        self.names: set[str] = set()  # every identifier: names, attributes, defs, params, keywords
        self.calls: set[str] = set()  # last part of every called name: a.b.c() -> "c"
        self.keywords: set[str] = set()  # keyword argument names at calls (and class keywords)
        self.imports: set[str] = set()  # "torch", "torch.nn"; from a.b import c -> "a.b", "a.b.c"
        self.relative: set[str] = set()  # from .a import b -> ".a.b"; from .. import c -> "..c"
        self.aliases: set[tuple[str, str]] = set()  # (as-name, last part of the imported name)
        self.strings: list[str] = []  # str constants, docstrings and f-string parts included
        self.fstrings: list[str] = []  # the text parts of f-strings (format specs too)
        # the nodes behind them, for a gate that needs more than the values (AIP104's)
        self.string_nodes: list[ast.Constant] = []  # str constants that are not f-string parts
        self.fstring_nodes: list[ast.JoinedStr] = []  # f-strings (and their format specs)
        self._fparts: set[int] = set()
        self._source_lines: list[bytes] | None = None  # for segment()
        self._sorted_imports: list[str] | None = None  # for import_prefix(), once walked

    def imports_any(self, *modules: str) -> bool:
        """Whether a module under any of ``modules`` (``"torch"`` covers ``torch.nn``) is imported.
        ``imports`` holds every dotted prefix of an import, so a module under ``p`` puts ``p``
        itself there."""
        imports = self.imports
        return any(p in imports for p in modules)

    def has_name(self, *names: str) -> bool:
        return any(n in self.names for n in names)

    def may_call(self, qualified: Iterable[str], last_names: set[str] | None = None) -> bool:
        """Whether a call of the file can resolve (``CodeRule.qualified_name``) to one of the
        dotted names ``qualified``: a called name bound by an import of the full name (``from
        pickle import loads as L; L()``), or a call whose last name is the last part and whose
        head is bound by an import of a dotted prefix (``import torch as T; T.load()``). Every
        alias ``qualified_name`` resolves through is in ``imports``, so this is necessary.
        ``last_names=summary.names`` asks the same of any name (an assignment target
        ``litellm.set_verbose``), not only of calls."""
        imports = self.imports
        lasts = self.calls if last_names is None else last_names
        for name in qualified:
            if name in imports:
                return True
            head, _, last = name.rpartition(".")
            if last in lasts:
                while head:
                    if head in imports:
                        return True
                    head = head.rpartition(".")[0]
        return False

    def import_prefix(self, *prefixes: str) -> bool:
        """Necessary for ``qualified_name(...).startswith(prefix)`` (a string prefix, as rules
        test it: ``"trl"`` also matches ``trlx``): an import that starts with a prefix, or whose
        dotted name a prefix continues (``import google`` for ``google.cloud.aiplatform``)."""
        ordered = self._sorted_imports
        if ordered is None:
            ordered = self._sorted_imports = sorted(self.imports)
        imports = self.imports
        for p in prefixes:
            # the imports that start with p sort right at or after p
            at = bisect.bisect_left(ordered, p)
            if at < len(ordered) and ordered[at].startswith(p):
                return True
            # p continues an import: one of p's dotted prefixes is imported
            head = p.rpartition(".")[0]
            while head:
                if head in imports:
                    return True
                head = head.rpartition(".")[0]
        return False

    def called_lasts(self) -> set[str]:
        """Every name the last part of a call's qualified name can be: a called name, or the
        last part of an import (``from x import f as g; g()`` resolves to ``x.f``)."""
        return self.calls | {i.rpartition(".")[2] for i in self.imports}

    # --- the walk's handlers -------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        self.names.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.names.add(node.attr)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            self.calls.add(func.id)
        elif isinstance(func, ast.Attribute):
            self.calls.add(func.attr)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg:
            self.keywords.add(node.arg)
            self.names.add(node.arg)

    def visit_arg(self, node: ast.arg) -> None:
        self.names.add(node.arg)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.names.add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            parts = alias.name.split(".")
            self.names.update(parts)
            for i in range(1, len(parts) + 1):
                self.imports.add(".".join(parts[:i]))
            if alias.asname:
                self.names.add(alias.asname)
                self.aliases.add((alias.asname, parts[-1]))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        parts = module.split(".") if module else []
        self.names.update(parts)
        if not node.level:
            for i in range(1, len(parts) + 1):
                self.imports.add(".".join(parts[:i]))
        for alias in node.names:
            self.names.add(alias.name)
            if alias.asname:
                self.names.add(alias.asname)
                self.aliases.add((alias.asname, alias.name.rsplit(".", 1)[-1]))
            if module and not node.level and alias.name != "*":
                self.imports.add(f"{module}.{alias.name}")
            elif node.level and alias.name != "*":
                self.relative.add("." * node.level + (f"{module}." if module else "") + alias.name)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.strings.append(node.value)
            if id(node) not in self._fparts:
                self.string_nodes.append(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self.fstring_nodes.append(node)
        for v in node.values:
            if type(v) is ast.Constant and isinstance(v.value, str):
                self.fstrings.append(v.value)
                self._fparts.add(id(v))

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node`` (ast columns are UTF-8 byte offsets)."""
        lines = self._source_lines
        if lines is None:
            lines = self._source_lines = self.source.encode("utf-8").splitlines(keepends=True)
        first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined,operator]
        if not 0 <= first <= last < len(lines):
            return ""
        if first == last:
            raw = lines[first][node.col_offset:node.end_col_offset]  # type: ignore[attr-defined]
        else:
            raw = b"".join([lines[first][node.col_offset:], *lines[first + 1:last],  # type: ignore[attr-defined]
                            lines[last][:node.end_col_offset]])  # type: ignore[attr-defined]
        return raw.decode("utf-8", "replace")


class RuleBase:
    """What every code rule has, whichever tree it reads: the contract (``rule_id``, ``needs``,
    ``facts_only``, ``VALID``/``INVALID``, ``visit_``/``leave_`` methods), the file's context, names
    resolved through its imports, and reporting. :class:`AstRule` and libcst's ``CodeRule`` add
    the tree-specific part: ``dotted_name``, ``kwarg`` and ``literal``."""

    rule_id: ClassVar[str] = ""
    needs: ClassVar[tuple[str, ...]] = ()  # prefilter: run only if the text mentions one of these
    needs_pattern: ClassVar[Any] = None  # or: only if this regex matches the text
    # A facts-only rule has no rule id and reports no findings: it only emits facts (e.g. the
    # mitigations the audit lists). It runs only when ``options[facts_option]`` is truthy.
    facts_only: ClassVar[bool] = False
    facts_option: ClassVar[str] = ""
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str]] = []
    # Test code (``is_test_path``): "check" runs the rule on it; "skip" leaves it out unless
    # test-code = "check"; "never" leaves it out whatever test-code says (see ``skips``).
    test_code: ClassVar[str] = "check"

    def __init__(self, runner) -> None:
        self._run = runner

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        """Whether a libcst rule can fire on a file with this ast :class:`Summary`; False skips
        the libcst parse when no selected rule passes. Must be a necessary condition of any
        finding or fact of the rule (checked by tests/test_prefilter.py)."""
        return True

    @classmethod
    def skips(cls, path: str, options: dict[str, Any]) -> bool:
        """Whether the rule reports and records nothing in the file at ``path`` (relative, as
        ``self.path``), whatever it holds: test code, for a rule whose ``test_code`` ignores it.
        True spares the file the rule's traversal (and maybe the parse) when prefilters are on."""
        if cls.test_code == "check" or (
                cls.test_code == "skip" and options.get("test-code", "skip") != "skip"):
            return False
        from ...discovery import is_test_path

        return is_test_path(path)

    # --- context -------------------------------------------------------------------------
    @property
    def options(self) -> dict[str, Any]:
        return self._run.ctx.options

    @property
    def path(self) -> str:
        return self._run.ctx.rel

    @property
    def imports(self) -> dict[str, str]:
        return self._run.imports.aliases

    # --- names ---------------------------------------------------------------------------
    @staticmethod
    def dotted_name(node) -> str | None:  # pragma: no cover - per tree
        raise NotImplementedError

    def qualified_name(self, node) -> str | None:
        """The dotted name resolved through imports (``T.load`` -> ``torch.load``), or None when
        its head is not an imported name."""
        return through_imports(self.dotted_name(node), self.imports)

    def is_imported(self, module_prefix: str) -> bool:
        """Whether anything from ``module_prefix`` (e.g. ``"openai"``) was imported so far."""
        p = module_prefix + "."
        return any(t == module_prefix or t.startswith(p) for t in self.imports.values())

    # --- arguments -----------------------------------------------------------------------
    @staticmethod
    def kwarg(call, name: str):  # pragma: no cover - per tree
        raise NotImplementedError

    @staticmethod
    def literal(node) -> tuple[bool, object]:  # pragma: no cover - per tree
        raise NotImplementedError

    @classmethod
    def kwarg_is(cls, call, name: str, value: object) -> bool:
        """Whether keyword ``name`` is passed as the literal ``value`` (True/False/None/str/int)."""
        arg = cls.kwarg(call, name)
        return arg is not None and cls.literal(arg.value) == (True, value)

    # --- reporting -----------------------------------------------------------------------
    def report(self, node, message: str, *, details: dict | None = None,
               severity: Severity | None = None, rule_id: str | None = None,
               confidence: str = "") -> None:
        self._run.report(rule_id or self.rule_id, node, message, details, severity, confidence)

    def fact(self, kind: str, node=None, **data: Any) -> None:
        self._run.fact(kind, node, data)


class AstRule(RuleBase):
    """Base class of rules that run on the ``ast`` tree (``visit_``/``leave_`` methods named
    after ``ast`` node classes)."""

    @staticmethod
    def dotted_name(node: ast.AST | None) -> str | None:
        return dotted(node)

    @staticmethod
    def kwarg(call: ast.Call, name: str) -> ast.keyword | None:
        for kw in call.keywords:
            if kw.arg == name:
                return kw
        return None

    literal = staticmethod(literal)


class AstImports:
    """Import aliases seen so far, in source order (as the libcst rules' ``Imports``)."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                head = alias.name.split(".")[0]
                self.aliases[head] = head

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        for alias in node.names:
            if alias.name == "*":
                return
            self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"


class AstRun:
    """One file's ast walk: the summary for the gates, the imports, the ast rules."""

    def __init__(self, ctx, tree: ast.Module, source: str, nb=None) -> None:
        self.ctx = ctx
        self.tree = tree
        self.source = source
        self.nb = nb
        self.imports = AstImports()
        self.summary = Summary(tree, source, ctx.options)
        self._lines: list[str] | None = None

    def run(self, rule_classes: list[type[AstRule]]) -> None:
        visits: dict[str, list] = {}
        leaves: dict[str, list] = {}
        for obj in [self.summary, self.imports, *[cls(self) for cls in rule_classes]]:
            add_handlers(obj, visits, leaves)
        walk(self.tree, by_class(visits), by_class(leaves))

    def _line(self, line: int) -> str:
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines[line - 1] if 1 <= line <= len(self._lines) else ""

    def _column(self, line: int, byte_offset: int) -> int:
        """ast columns are UTF-8 byte offsets; findings count characters (1-based)."""
        text = self._line(line)
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def position(self, node: ast.AST) -> tuple[int, int, int, int]:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        col = self._column(line, getattr(node, "col_offset", 0))
        end_col = self._column(end_line, getattr(node, "end_col_offset", None) or 0)
        return line, col, end_line, end_col

    def locate(self, node: ast.AST) -> tuple[int, int, int, int, str, int | None]:
        """(line, column, end line, end column, source line, notebook cell) of a node, in the
        file as stored (a notebook's raw JSON lines)."""
        line, col, end_line, end_col = self.position(node)
        context = self._line(line)
        cell = None
        if self.nb is not None:
            line, col, cell = self.nb.raw_position(line, col - 1)
            end_line, end_col, _ = self.nb.raw_position(end_line, end_col - 1)
        return line, col, end_line, end_col, context, cell

    def report(self, rule_id: str, node: ast.AST, message: str, details: dict | None,
               severity: Severity | None, confidence: str = "") -> None:
        line, col, end_line, end_col, context, cell = self.locate(node)
        details = dict(details or {})
        if cell is not None:
            details.setdefault("cell", cell)
        self.ctx.report(rule_id, line, col, message, end_line=end_line, end_column=end_col,
                        details=details, context=context, severity=severity,
                        confidence=confidence)

    def fact(self, kind: str, node: ast.AST | None, data: dict) -> None:
        line = getattr(node, "lineno", 0) if node is not None else 0
        if self.nb is not None and line:
            line = self.nb.raw_position(line, 0)[0]
        self.ctx.fact(kind, line, **data)
