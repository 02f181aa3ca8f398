"""Finding -> node -> changed node -> text edit (see the package docstring)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from ..checkers.python._lazy import cst
from ..pyast import through_imports
from . import Edit, Fix
from .actions import NODE_TYPES, apply_action
from .spec import FixSpec


def _offset_to_pos(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start


def _pos_to_offset(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column


def line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at != -1:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def _changed_span(old: str, new: str) -> tuple[int, int, int]:
    """(start, old end, new end) of the smallest replaced span between two texts."""
    n = min(len(old), len(new))
    p = 0
    while p < n and old[p] == new[p]:
        p += 1
    s = 0
    while s < n - p and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    # whole words: "store=True" -> "store=False" replaces True, not "ue" by "alse"
    while p > 0 and _word(old[p - 1]) and (_word(old[p:p + 1]) or _word(new[p:p + 1])):
        p -= 1
    while s > 0 and _word(old[len(old) - s]) and (
            _word(old[len(old) - s - 1:len(old) - s]) or _word(new[len(new) - s - 1:len(new) - s])):
        s -= 1
    return p, len(old) - s, len(new) - s


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Subjects(cst.CSTVisitor):
    """Imports, and the calls and assignments of a module by position."""

    def __init__(self) -> None:
        from ..checkers.python import Imports

        self.imports = Imports()
        self.nodes: list = []

    def visit_Import(self, node) -> None:
        self.imports.visit_Import(node)

    def visit_ImportFrom(self, node) -> None:
        self.imports.visit_ImportFrom(node)

    def visit_Call(self, node) -> None:
        self.nodes.append(node)

    def visit_Assign(self, node) -> None:
        self.nodes.append(node)


class _Parsed:
    """One file's code, parsed once for all its findings."""

    def __init__(self, path: str, text: str) -> None:
        from libcst.metadata import MetadataWrapper, PositionProvider

        self.text = text
        self.nb = None
        self.cells = None
        code = text
        if path.lower().endswith(".ipynb"):
            from ..notebook import code_of, parse_notebook

            self.cells = parse_notebook(text)
            self.nb = code_of(self.cells)
            code = self.nb.code
        self.code = code
        wrapper = MetadataWrapper(cst.parse_module(code), unsafe_skip_copy=True)
        self.module = wrapper.module
        positions = wrapper.resolve(PositionProvider)
        visitor = _Subjects()
        self.module.visit(visitor)
        self.aliases = visitor.imports.aliases
        # reported (line, column, end line, end column) -> the nodes there
        self.at: dict[tuple[int, int, int, int], list] = {}
        for node in visitor.nodes:
            r = positions[node]
            key = (*self._reported(r.start.line, r.start.column),
                   *self._reported(r.end.line, r.end.column))
            self.at.setdefault(key, []).append(node)

    def _reported(self, line: int, column: int) -> tuple[int, int]:
        """A code position (0-based column) as findings report it (1-based column; in a
        notebook, the raw .ipynb line and column)."""
        if self.nb is None:
            return line, column + 1
        raw_line, raw_col, _ = self.nb.raw_position(line, column)
        return raw_line, raw_col

    def subject_names(self, node) -> set[str]:
        from ..checkers.python import _dotted

        if isinstance(node, cst.Call):
            subject = node.func
        elif isinstance(node, cst.Assign) and len(node.targets) == 1:
            subject = node.targets[0].target
        else:
            return set()
        dotted = _dotted(subject)
        names = {dotted} if dotted else set()
        qualified = through_imports(dotted, self.aliases)
        if qualified:
            names.add(qualified)
        return names

    def edits(self, node, new) -> tuple[Edit, ...] | None:
        changed = self.module.deep_replace(node, new).code
        if self.nb is None:
            return (_edit(self.code, changed),)
        from .notebook import cell_edit

        edit = cell_edit(self.text, self.cells, self.nb, self.code, changed)
        return (edit,) if edit is not None else None


def _edit(old: str, new: str) -> Edit:
    start, old_end, new_end = _changed_span(old, new)
    line, col = _offset_to_pos(old, start)
    end_line, end_col = _offset_to_pos(old, old_end)
    return Edit(line, col, end_line, end_col, new[start:new_end])


def _matches(spec: FixSpec, names: set[str]) -> bool:
    if any(fnmatchcase(n, p) for n in names for p in spec.exclude):
        return False
    return not spec.names or any(fnmatchcase(n, p) for n in names for p in spec.names)


def fixes_for(path: str, source_text: str, findings, rules=None) -> list[Fix]:
    if rules is None:
        from ..registry import load_rules

        rules = load_rules()
    wanted = [f for f in findings if f.rule in rules and rules[f.rule].fixes and f.line > 0]
    if not wanted:
        return []
    try:
        parsed = _Parsed(path, source_text)
    except Exception:  # noqa: BLE001 - a file that does not parse (any more) has no fixes
        return []
    out: list[Fix] = []
    for f in wanted:
        fix = _fix_of(parsed, f, rules[f.rule].fixes)
        if fix is not None:
            out.append(fix)
    return out


def _fix_of(parsed: _Parsed, finding, specs) -> Fix | None:
    nodes = parsed.at.get((finding.line, finding.column, finding.end_line, finding.end_column), [])
    for spec in specs:
        if not spec.matches_details(finding.details or {}):
            continue
        for node in nodes:
            if type(node).__name__ != NODE_TYPES[spec.action]:
                continue
            if not _matches(spec, parsed.subject_names(node)):
                continue
            new = apply_action(node, spec)
            if new is None:
                continue
            edits = parsed.edits(node, new)
            if edits is None:
                continue
            return Fix(finding.rule, finding.fingerprint, spec.applicability, spec.description,
                       edits)
    return None


def apply_edits(text: str, fixes: list[Fix]) -> tuple[str, list[Fix]]:
    """The text with the fixes' edits applied, and the fixes applied: a fix that overlaps one
    before it (in the order given) is left out."""
    starts = line_starts(text)
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, str]] = []
    applied: list[Fix] = []
    for fix in fixes:
        spans = []
        for e in fix.edits:
            try:
                a = _pos_to_offset(starts, e.line, e.column)
                b = _pos_to_offset(starts, e.end_line, e.end_column)
            except IndexError:
                spans = None
                break
            spans.append((a, b, e.new_text))
        if not spans or any(a < tb and ta < b or a == b == ta or (a == ta and b == tb)
                            for a, b, _ in spans for ta, tb in taken):
            continue
        taken.extend((a, b) for a, b, _ in spans)
        chosen.extend(spans)
        applied.append(fix)
    for a, b, new in sorted(chosen, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:a] + new + text[b:]
    return text, applied
