"""Jupyter notebooks: cells, their code, their stored outputs, and the raw .ipynb line of each.

Findings in a notebook report the line of the raw ``.ipynb`` file (what editors and GitHub show),
so the JSON is read with a small scanner that remembers the line every string starts on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+|\n|[ \t\r]+')


class NotebookError(ValueError):
    pass


class PosStr(str):
    """A JSON string value that knows the (1-based) line and column it starts at."""

    line: int
    column: int


def loads_with_lines(text: str):
    """``json.loads`` whose string values are PosStr carrying their raw line and column."""
    stack: list = []
    keys: list = []
    root = None
    have_root = False
    line = 1
    line_start = 0
    expect_key = False

    def add(value):
        nonlocal root, have_root, expect_key
        if not stack:
            if have_root:
                raise NotebookError("extra data after the JSON document")
            root, have_root = value, True
            return
        top = stack[-1]
        if isinstance(top, dict):
            if expect_key:
                keys.append(value)
                expect_key = False
            else:
                top[keys.pop()] = value
        else:
            top.append(value)

    for m in _TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c == "\n":
            line += 1
            line_start = m.end()
        elif c in " \t\r":
            continue
        elif c == '"':
            try:
                s = PosStr(json.loads(tok))
            except json.JSONDecodeError as exc:
                raise NotebookError(f"bad JSON string at line {line}: {exc.msg}") from None
            s.line = line
            s.column = m.start() - line_start + 1
            add(s)
        elif c == "{":
            d: dict = {}
            add(d)
            stack.append(d)
            expect_key = True
        elif c == "[":
            lst: list = []
            add(lst)
            stack.append(lst)
        elif c in "}]":
            if not stack:
                raise NotebookError(f"unbalanced {c!r} at line {line}")
            stack.pop()
            expect_key = False
        elif c == ",":
            if stack and isinstance(stack[-1], dict):
                expect_key = True
        elif c == ":":
            continue
        else:
            try:
                add(json.loads(tok))
            except json.JSONDecodeError:
                raise NotebookError(f"bad JSON value at line {line}, column "  # never the text
                                    f"{m.start() - line_start + 1}") from None
    if stack or not have_root:
        raise NotebookError("truncated JSON document")
    return root


@dataclass
class SourceLine:
    text: str  # without its trailing newline
    raw_line: int  # line in the .ipynb file
    raw_column: int  # column of the JSON string's first character


def _lines_of(value) -> list[SourceLine]:
    """A notebook multiline string (a list of strings or one string) as lines with raw positions."""
    parts = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    out: list[SourceLine] = []
    for part in parts:
        if not isinstance(part, str):
            continue
        raw_line = getattr(part, "line", 1)
        raw_col = getattr(part, "column", 1)
        pieces = part.split("\n")
        if part.endswith("\n"):
            pieces.pop()
        for piece in pieces or [""]:
            # a string with embedded newlines sits on one raw line: all its lines map there
            out.append(SourceLine(piece, raw_line, raw_col + 1))
    return out


@dataclass
class Output:
    output_type: str
    mime: str  # "stream:stdout", "text/plain", "text/html", "error", ...
    lines: list[SourceLine]


@dataclass
class Cell:
    index: int
    cell_type: str
    source: list[SourceLine]
    outputs: list[Output] = field(default_factory=list)


def _outputs_of(cell: dict) -> list[Output]:
    outs: list[Output] = []
    for out in cell.get("outputs") or []:
        if not isinstance(out, dict):
            continue
        otype = str(out.get("output_type", ""))
        if otype == "stream":
            outs.append(Output(otype, f"stream:{out.get('name', 'stdout')}", _lines_of(out.get("text"))))
        elif otype in ("execute_result", "display_data"):
            data = out.get("data") or {}
            if isinstance(data, dict):
                for mime in sorted(data):
                    if mime.startswith("text/") or mime == "application/json":
                        value = data[mime]
                        if mime == "application/json" and not isinstance(value, (str, list)):
                            continue
                        outs.append(Output(otype, mime, _lines_of(value)))
        elif otype == "error":
            tb = out.get("traceback") or []
            lines = _lines_of(tb) if isinstance(tb, list) else []
            head = [x for x in (out.get("ename"), out.get("evalue")) if isinstance(x, str)]
            outs.append(Output(otype, "error", _lines_of(head) + lines))
    return outs


_LAST: tuple[str, list[Cell]] | None = None  # the last notebook parsed, and its cells


def parse_notebook(text: str) -> list[Cell]:
    """The cells of a notebook's JSON text. The checkers of one file all ask for the same text
    object, so the last result is kept: parsing with line numbers is the slow part."""
    global _LAST
    if _LAST is not None and _LAST[0] is text:
        return list(_LAST[1])
    cells = _parse_notebook(text)
    _LAST = (text, cells)
    return list(cells)


def _parse_notebook(text: str) -> list[Cell]:
    try:
        doc = loads_with_lines(text)
    except NotebookError as exc:
        raise NotebookError(f"not a valid notebook: {exc}") from None
    except (IndexError, KeyError, TypeError):  # brackets and keys out of place ("}{", "{[")
        raise NotebookError("not a valid notebook: not valid JSON") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        raise NotebookError("not a valid notebook: no 'cells' list (nbformat 4 expected)")
    cells = []
    for i, cell in enumerate(doc["cells"]):
        if not isinstance(cell, dict):
            continue
        cells.append(Cell(i, str(cell.get("cell_type", "")), _lines_of(cell.get("source")),
                          _outputs_of(cell)))
    return cells


# Cell magics whose body is still Python; any other %%magic makes the cell not Python.
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit", "pypy"}
_LINE_MAGIC = re.compile(r"^\s*(?:[%!]|\w+\s*=\s*[%!])")
_HELP = re.compile(r"^\s*[\w.]+\?{1,2}\s*$|^\s*\?{1,2}[\w.]+\s*$")


@dataclass
class NotebookCode:
    """The code cells joined into one module, with a map from module line to raw line and cell."""

    code: str
    line_map: list[tuple[int, int, int]]  # module line - 1 -> (raw_line, raw_column, cell_index)
    skipped_cells: list[int] = field(default_factory=list)

    def raw_position(self, line: int, column: int) -> tuple[int, int, int]:
        if 1 <= line <= len(self.line_map):
            raw_line, raw_col, cell = self.line_map[line - 1]
            return raw_line, raw_col + column, cell
        return 1, column, -1


def code_of(cells: list[Cell], exclude: set[int] | None = None) -> NotebookCode:
    """Join the code cells, blanking IPython magics, shell escapes and help lines (kept as blank
    lines so positions stay right); cells whose magic says they are not Python are skipped."""
    lines: list[str] = []
    line_map: list[tuple[int, int, int]] = []
    skipped: list[int] = []
    for cell in cells:
        if cell.cell_type != "code" or (exclude and cell.index in exclude):
            continue
        if cell.source:
            first = cell.source[0].text.strip()
            if first.startswith("%%"):
                magic = first[2:].split()[0] if first[2:].split() else ""
                if magic not in _PYTHON_CELL_MAGICS:
                    skipped.append(cell.index)
                    continue
        for k, sl in enumerate(cell.source):
            text = sl.text
            if (k == 0 and text.strip().startswith("%%")) or _LINE_MAGIC.match(text) or _HELP.match(text):
                text = ""
            lines.append(text)
            line_map.append((sl.raw_line, sl.raw_column, cell.index))
        lines.append("")
        line_map.append((cell.source[-1].raw_line if cell.source else 1, 1, cell.index))
    return NotebookCode("\n".join(lines) + "\n", line_map, skipped)
