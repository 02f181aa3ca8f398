"""Code rules: libcst visitors that all run in ONE traversal per file (like Fixit's batched rules).

A rule subclasses :class:`CodeRule`, sets ``rule_id`` and ``needs`` (identifiers that must appear
in the text for the rule to be able to fire: the cheap prefilter), and defines ``visit_<Node>`` /
``leave_<Node>`` methods. The engine owns parsing, positions, import resolution, suppressions and
ordering; the rule owns only its decision. ``VALID`` and ``INVALID`` snippets become tests.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ._lazy import cst

from .. import CheckerError, FileChecker, FileContext, all_subclasses, import_submodules
from ...findings import Severity
from ...notebook import NotebookCode, NotebookError, code_of, parse_notebook
from ._ast_base import (AstRule, AstRun, RuleBase, add_handlers, ast_failure, libcst_hazard,
                        parse_ast)
from ._positions import Positions


class Imports:
    """Import aliases seen so far in the file, in source order (scope-insensitive on purpose:
    rules need "which module does this name come from", and shadowing an import is rare)."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = _dotted(alias.name)
            if not full:
                continue
            if alias.asname and isinstance(alias.asname.name, cst.Name):
                self.aliases[alias.asname.name.value] = full
            else:
                head = full.split(".")[0]
                self.aliases[head] = head

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module)
        for alias in node.names:
            name = _dotted(alias.name)
            if not name:
                continue
            local = (alias.asname.name.value
                     if alias.asname and isinstance(alias.asname.name, cst.Name) else name)
            self.aliases[local] = f"{module}.{name}"


def _dotted(node: cst.CSTNode | None) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


class CodeRule(RuleBase):
    """Base class of libcst code rules. One instance per file; state may live on ``self``."""

    @staticmethod
    def dotted_name(node: cst.CSTNode | None) -> str | None:
        """The written dotted name of a Name/Attribute chain (``self.model.generate``)."""
        return _dotted(node)

    @staticmethod
    def kwarg(call: cst.Call, name: str) -> cst.Arg | None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg
        return None

    @staticmethod
    def has_star_kwargs(call: cst.Call) -> bool:
        return any(arg.star == "**" for arg in call.args)

    @staticmethod
    def literal(node: cst.CSTNode) -> tuple[bool, object]:
        return literal_value(node)


def literal_value(node: cst.CSTNode) -> tuple[bool, object]:
    """(True, value) for a literal True/False/None/number/simple string, else (False, None)."""
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return True, {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.Integer):
        return True, int(node.value.replace("_", ""), 0)
    if isinstance(node, cst.Float):
        try:
            return True, float(node.value.replace("_", ""))
        except ValueError:
            return False, None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        ok, v = literal_value(node.expression)
        if ok and isinstance(v, (int, float)) and not isinstance(v, bool):
            return True, -v
    if isinstance(node, cst.SimpleString):
        try:
            return True, node.evaluated_value
        except Exception:  # noqa: BLE001 - odd prefixes
            return False, None
    if isinstance(node, cst.ConcatenatedString):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001
            return False, None
        return (value is not None), value
    return False, None


class _Dispatch:
    """The rules' visit_/leave_ handlers by node type name, for the fast walk."""

    def __init__(self, run: "PythonRun", rules: list[CodeRule]) -> None:
        self.visits: dict[str, list] = {}
        self.leaves: dict[str, list] = {}
        for obj in [run.imports, *rules]:
            add_handlers(obj, self.visits, self.leaves)

    def libcst_visitor(self) -> "cst.CSTVisitor":
        """The same handlers as a libcst visitor (libcst's own, slower walk)."""
        visits, leaves = self.visits, self.leaves

        class Visitor(cst.CSTVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                for fn in visits.get(type(node).__name__, ()):
                    fn(node)
                return True

            def on_leave(self, original_node: cst.CSTNode) -> None:
                for fn in leaves.get(type(original_node).__name__, ()):
                    fn(original_node)

        return Visitor()


# Fields that hold only whitespace, comments and punctuation: the fast walk skips them.
_SKIP_FIELD = re.compile(
    r"^(whitespace.*|lpar|rpar|lbracket|rbracket|lbrace|rbrace|comma|semicolon|colon|equal|dot|"
    r"leading_lines|lines_after_decorators|trailing_whitespace|header|footer|first_colon|"
    r"second_colon|asynchronous|default_indent|default_newline|has_trailing_newline|encoding|"
    r"star|posonly_ind|newline|indent|value_whitespace|empty_lines)$"
)
# Node types that live only in skipped fields; a rule that visits one gets libcst's full walk.
_SKIPPED_TYPES = {"Comment", "EmptyLine", "TrailingWhitespace", "Newline", "SimpleWhitespace",
                  "ParenthesizedWhitespace", "Comma", "Semicolon", "Colon", "Dot", "AssignEqual",
                  "LeftParen", "RightParen", "LeftSquareBracket", "RightSquareBracket",
                  "LeftCurlyBrace", "RightCurlyBrace", "Asynchronous", "ImportStar"}
# Where dataclass field order is not source order, walk in source order (as libcst does).
_ORDER_OVERRIDE = {
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "Arg": ("keyword", "value"),
    "Param": ("name", "annotation", "default"),
    "Parameters": ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
    "IfExp": ("body", "test", "orelse"),
}
_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS_CACHE.get(cls)
    if names is None:
        override = _ORDER_OVERRIDE.get(cls.__name__)
        if override is not None:
            names = override
        else:
            names = tuple(f.name for f in dataclasses.fields(cls) if not _SKIP_FIELD.match(f.name))
        _FIELDS_CACHE[cls] = names
    return names


def fast_walk(node: cst.CSTNode, visits: dict[str, list], leaves: dict[str, list]) -> None:
    """Visit ``node`` and its descendants in source order, calling the visit_/leave_ handlers.

    libcst's own ``visit`` rebuilds every node as it goes (it is built for transformers), which
    costs more than the parse; this walk only reads the dataclass fields that can hold code.
    """
    name = type(node).__name__
    for fn in visits.get(name, ()):
        fn(node)
    for field_name in _child_fields(type(node)):
        child = getattr(node, field_name, None)
        if child is None:
            continue
        if isinstance(child, cst.CSTNode):
            fast_walk(child, visits, leaves)
        elif isinstance(child, (list, tuple)):
            for item in child:
                if isinstance(item, cst.CSTNode):
                    fast_walk(item, visits, leaves)
    for fn in leaves.get(name, ()):
        fn(node)


class PythonRun:
    """One file's traversal: the parsed module, its imports, lazy positions, the rules."""

    def __init__(self, ctx: FileContext, module: cst.Module, nb: NotebookCode | None,
                 source: str, tree=None) -> None:
        self.ctx = ctx
        self.tree = tree  # the ast of the same source, when it parsed
        self.module = module
        self.nb = nb
        self.source = source  # the text that was parsed (Module.code would regenerate it)
        self.imports = Imports()
        self._positions = None

    def position(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of ``node``, 1-based (see ``_positions``)."""
        if self._positions is None:  # only for files that report something
            tree = self.tree if self.tree is not None else parse_ast(self.source)
            self._positions = Positions(self.module, tree, _child_fields)
        return self._positions.get(node)

    def report(self, rule_id: str, node: cst.CSTNode, message: str, details: dict | None,
               severity: Severity | None, confidence: str = "") -> None:
        line, col, end_line, end_col = self.position(node)
        details = dict(details or {})
        context = self.code_line(line)
        if self.nb is not None:
            s_line, s_col, cell = self.nb.raw_position(line, col - 1)
            e_line, e_col, _ = self.nb.raw_position(end_line, end_col - 1)
            line, col, end_line, end_col = s_line, s_col, e_line, e_col
            details.setdefault("cell", cell)
        self.ctx.report(rule_id, line, col, message, end_line=end_line, end_column=end_col,
                        details=details, context=context, severity=severity,
                        confidence=confidence)

    def fact(self, kind: str, node: cst.CSTNode | None, data: dict) -> None:
        line = self.position(node)[0] if node is not None else 0
        if self.nb is not None and line:
            line = self.nb.raw_position(line, 0)[0]
        self.ctx.fact(kind, line, **data)

    _code_lines: list[str] | None = None

    def code_line(self, line: int) -> str:
        if self._code_lines is None:
            self._code_lines = self.source.splitlines()
        return self._code_lines[line - 1] if 1 <= line <= len(self._code_lines) else ""


class PythonChecker(FileChecker):
    """Runs every selected code rule over Python files and notebook code cells."""

    kinds = frozenset({"python", "notebook"})

    def __init__(self, rules: list[type[CodeRule]], flow_rules: list | None = None) -> None:
        self.rules = rules
        self.flow_rules = flow_rules or []
        self.rule_ids = tuple(sorted({r.rule_id for r in rules if not r.facts_only}
                                     | {r.rule_id for r in self.flow_rules}))
        self._registry = None
        # the text prefilter: a regex, or words (``in`` on the text: faster than a regex
        # alternation of literals, and rules that share a word list share one test)
        self._needs: dict[type, re.Pattern[str] | tuple[str, ...] | None] = {
            r: (r.needs_pattern or (tuple(sorted(set(r.needs))) if r.needs else None)) for r in rules
        }
        self._needs.update({r: tuple(sorted(set(r.needs))) if r.needs else None
                            for r in self.flow_rules})
        # libcst rules with a gate of their own (ast rules and the others need their text test)
        self._gated = frozenset(r for r in rules if not issubclass(r, AstRule)
                                and r.gate.__func__ is not RuleBase.gate.__func__)

    def prepare(self) -> None:
        cst.Module  # noqa: B018 - loads the lazy libcst
        from libcst.metadata import PositionProvider  # noqa: F401
        from ...pii import fields  # noqa: F401 - the AIP102/AIP104 gates
        self.registry()

    def registry(self):
        """The library models and the flow rules' own, built once per process."""
        if self._registry is None:
            from ._flow_rule import flow_registry
            self._registry = flow_registry(self.flow_rules)
        return self._registry

    def _flow_wanted(self, ctx: FileContext) -> list:
        """The selected flow rules that can run on this file (test code per ``test_code``)."""
        wanted = [r for r in self.flow_rules if r.rule_id in ctx.selected or r.rule_id in ctx.gather]
        if wanted:  # the facts every report's project summary shows, whichever rules run
            wanted += [r for r in self.flow_rules if r.facts_only and r not in wanted]
        if wanted and ctx.options.get("_prefilter", True):
            wanted = [r for r in wanted if not _skips_test(r, ctx.rel, ctx.options)]
        return wanted

    def facts_wanted(self, options: dict[str, Any]) -> bool:
        """Whether a facts-only rule is switched on by ``options`` (then every Python file runs)."""
        return any(r.facts_only and options.get(r.facts_option) for r in self.rules)

    def applicable(self, code: str, selected: frozenset[str], prefilter: bool = True,
                   options: dict[str, Any] | None = None, path: str | None = None
                   ) -> list[type[CodeRule]]:
        """The selected rules that pass the text prefilter. A libcst rule with a gate skips its
        text test when the file gets an ast parse anyway (some rule without a gate passed): its
        gate, a necessary condition too, then decides, and is cheaper than a regex over the text
        (AIP104's alone took 0.7 s of CPU on flower). With ``path``, a rule that skips the file
        (``skips``: a rule that ignores test code, in a test) is dropped first."""
        options = options or {}
        wanted = [r for r in self.rules
                  if (options.get(r.facts_option) if r.facts_only else r.rule_id in selected)]
        if path is not None:  # not a speed feature: such a rule reports nothing there at all
            wanted = [r for r in wanted if not r.skips(path, options)]
        if not prefilter:
            return wanted
        seen: dict[object, bool] = {}
        gated = self._gated
        parsed_anyway = any(self._passes(r, code, seen) for r in wanted if r not in gated)
        return [r for r in wanted if (parsed_anyway and r in gated) or self._passes(r, code, seen)]

    def _passes(self, rule, code: str, seen: dict[object, bool]) -> bool:
        """The rule's text prefilter (``seen`` shares the result between rules with one list)."""
        needs = self._needs[rule]
        if needs is None:
            return True
        hit = seen.get(needs)
        if hit is None:
            hit = seen[needs] = (any(w in code for w in needs) if isinstance(needs, tuple)
                                 else needs.search(code) is not None)
        return hit

    def check(self, ctx: FileContext) -> None:
        nb = cells = None
        if "notebook" in ctx.kinds:
            try:
                cells = parse_notebook(ctx.text)
            except NotebookError as exc:
                raise CheckerError(str(exc)) from None
            nb = code_of(cells)
            code = nb.code
        else:
            code = ctx.text
        prefilter = ctx.options.get("_prefilter", True)
        rules = self.applicable(code, ctx.selected, prefilter, ctx.options, ctx.rel)
        flow_rules = self._flow_wanted(ctx)
        if not rules and not flow_rules:
            return
        if not rules and prefilter and not any(self._passes(r, code, {}) for r in flow_rules):
            # no rule can fire here and no flow start or end: phase 2 only asks what the module
            # imports, read off the text (no parse, about 1.5 ms a module)
            from ._flow_run import scan_imports
            ctx.flow = {"lite": scan_imports(code)}
            return
        module = None
        tree = parse_ast(code)
        if tree is None and cells is not None:  # a notebook: cells that do not parse are left out
            tree, nb = _without_bad_cells(ctx, cells, parse_ast, nb)
            code = nb.code
        if tree is None:  # libcst then reports the syntax error, or drops a notebook's bad cells
            parsed = self._parse(ctx, code, nb, cells, None)
            if parsed is None:
                return
            module, nb = parsed
            code = nb.code if nb is not None else code
            tree = parse_ast(code)  # still None for syntax newer than this Python's ast
        ast_rules = [r for r in rules if issubclass(r, AstRule)]
        cst_rules = [r for r in rules if not issubclass(r, AstRule)]
        if tree is None and (ast_rules or flow_rules):  # libcst parsed it, Python's did not
            ids = ", ".join(sorted({r.rule_id for r in [*ast_rules, *flow_rules] if r.rule_id}))
            ctx.error(f"{ids} not checked: {ast_failure(code)}", kind="parse")
        if tree is not None:
            ast_run = AstRun(ctx, tree, code, nb)
            ast_run.run(ast_rules)
            if flow_rules:
                summary = ast_run.summary
                if not prefilter or any(r.gate(summary) for r in flow_rules):
                    self._flow(ctx, tree, code, nb, summary)
                else:
                    # no flow can start or end here; phase 2 analyses the module if a
                    # module it imports, or one that imports it, takes part
                    ctx.flow = {"lite": sorted(summary.imports | summary.relative)}
            if prefilter:
                cst_rules = [r for r in cst_rules if r.gate(ast_run.summary)]
        elif prefilter:  # no summary for the gates: their rules' text tests decide after all
            seen: dict[object, bool] = {}
            cst_rules = [r for r in cst_rules if r not in self._gated or self._passes(r, code, seen)]
        if not cst_rules:
            return
        if module is None:
            parsed = self._parse(ctx, code, nb, cells, tree)
            if parsed is None:
                return
            module, nb = parsed
            code = nb.code if nb is not None else code
        self._walk(ctx, PythonRun(ctx, module, nb, code, tree), cst_rules)

    def _flow(self, ctx: FileContext, tree, code: str, nb, summary) -> None:
        from ._flow_run import analyse

        try:
            result = analyse(tree, code, ctx.rel, ctx.path, nb, summary.imports, self.registry(),
                             ctx.options)
        except RecursionError:
            ctx.error("flow rules: code nests too deeply to follow values; file skipped", "parse")
            return
        except Exception as exc:  # noqa: BLE001 - the other rules of the file still run
            import os
            ctx.error(f"internal error in the dataflow engine: {type(exc).__name__}"
                      + (f": {exc}" if os.environ.get("AIPRIVLINT_DEBUG") else ""), "internal")
            return
        ctx.flow = result.to_json()

    @staticmethod
    def _walk(ctx: FileContext, run: PythonRun, rules: list[type[CodeRule]]) -> None:
        module = run.module
        instances = [rule(run) for rule in rules]
        dispatch = _Dispatch(run, instances)
        if ctx.options.get("_libcst_walk") or (set(dispatch.visits) | set(dispatch.leaves)) & _SKIPPED_TYPES:
            module.visit(dispatch.libcst_visitor())
        else:
            fast_walk(module, dispatch.visits, dispatch.leaves)

    @staticmethod
    def _parse(ctx, code, nb, cells, tree):
        # libcst's native parser can crash the process on deep nesting: ``tree`` (CPython's
        # ast, None when it failed) helps tell
        problem = libcst_hazard(code, tree)
        if problem is not None:
            raise CheckerError(f"cannot parse as Python: {problem}")
        try:
            return cst.parse_module(code), nb
        except cst.ParserSyntaxError as exc:
            if nb is None:
                raise CheckerError(f"cannot parse as Python: line {exc.raw_line}: {exc.message}") from None
        except (RecursionError, MemoryError) as exc:
            raise CheckerError(f"cannot parse as Python: {type(exc).__name__}") from None
        module, nb = _without_bad_cells(ctx, cells, _cst_parses, nb)
        if module is None:
            raise CheckerError("cannot parse notebook code")
        return module, nb


def _cst_parses(code: str):
    """libcst's module of ``code``, None when it does not parse."""
    try:
        return cst.parse_module(code)
    except cst.ParserSyntaxError:
        return None


def _without_bad_cells(ctx: FileContext, cells, parse, whole):
    """(the parse of the notebook without its code cells that do not parse on their own, that
    notebook's code) when the rest parses, with an error naming the cells left out; else
    (None, ``whole``). ``parse`` is Python's ast (no libcst needed when only ast rules run) or
    libcst."""
    bad = set()
    for cell in cells:
        if cell.cell_type != "code" or not cell.source:
            continue
        single = code_of([cell])
        if not single.skipped_cells and parse(single.code) is None:
            bad.add(cell.index)
    nb = code_of(cells, exclude=bad)
    parsed = parse(nb.code)
    if parsed is None:
        return None, whole
    if bad:
        # numbered from 1 as the findings' cells are, markdown cells counted
        numbers = ", ".join(str(i + 1) for i in sorted(bad))
        ctx.error(f"notebook cell(s) {numbers} do not parse as Python; skipped", kind="parse")
    return parsed, nb


def _skips_test(rule, path: str, options: dict) -> bool:
    if rule.test_code == "check" or (rule.test_code == "skip"
                                     and options.get("test-code", "skip") != "skip"):
        return False
    from ...discovery import is_test_path

    return is_test_path(path)


def all_code_rules() -> list[type[CodeRule] | type[AstRule]]:
    """Every code rule, libcst (:class:`CodeRule`) and ast (:class:`AstRule`), in a stable order."""
    import_submodules(__name__)
    seen = {f"{sub.__module__}.{sub.__qualname__}": sub
            for sub in [*all_subclasses(CodeRule), *all_subclasses(AstRule)]
            if (sub.rule_id or sub.facts_only) and not getattr(sub, "abstract", False)}
    return [seen[k] for k in sorted(seen)]
