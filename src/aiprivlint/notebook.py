"""Jupyter notebooks: cells, their code, their stored outputs, and the raw .ipynb line of each.

Findings in a notebook report the line of the raw ``.ipynb`` file (what editors and GitHub show),
so the JSON is read with a small scanner that remembers the line every string starts on.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .findings import Finding

# strings as an unrolled loop ("[^"\\]*(?:\\.[^"\\]*)*"): the alternation form kept one frame
# per character on the regex engine's stack, 190 MB for the 1.4 MB image of a 1.5 MB notebook
_TOKEN = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+|\n|[ \t\r]+')


class NotebookError(ValueError):
    pass


# The contents of a notebook's binary payloads: a base64 output (an image, audio, video or PDF;
# the JSON string after its MIME key) and the base64 of a data URI (an image in Markdown or
# HTML). No check reads them, and they are most of a notebook's bytes (40 of the 48 MB of the
# Hugging Face cookbook's notebooks): every pass over the text (JSON decoding, string positions,
# secrets prefilters, suppression directives) read them. Checkers read the notebook with their
# contents dropped; no JSON string holds a raw newline, so lines stay where they are, and
# ``raw_column`` puts a column on such a line back where it is in the file.
_OUTPUT_PAYLOAD = re.compile(
    r'("(?:image|audio|video)/[\w.+-]+"[ \t]*:[ \t]*"|"application/pdf"[ \t]*:[ \t]*")'
    r'[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_DATA_URI_PAYLOAD = re.compile(r"(data:[\w/+.-]+;base64,)[A-Za-z0-9+/=]+")
_OUTPUT_MARKERS = ('"image/', '"audio/', '"video/', '"application/pdf"')
_MARKERS = (*_OUTPUT_MARKERS, ";base64,")


def without_payloads(text: str) -> str:
    """The notebook's JSON ``text`` with the contents of its binary payloads dropped, every
    line where it was: still a notebook, with the same cells, code and text outputs."""
    if any(m in text for m in _OUTPUT_MARKERS):
        text = _OUTPUT_PAYLOAD.sub(r'\1"', text)
    if ";base64," in text:
        text = _DATA_URI_PAYLOAD.sub(r"\1", text)
    return text


def raw_column(raw_line: str, column: int) -> int:
    """The 1-based ``column`` of a line of :func:`without_payloads` text, on the raw line it
    came from (``raw_line``): past each payload dropped before it."""
    if not any(m in raw_line for m in _MARKERS):
        return column
    spans = [(m.end(1), m.end() - 1) for m in _OUTPUT_PAYLOAD.finditer(raw_line)]
    spans += [(m.end(1), m.end()) for m in _DATA_URI_PAYLOAD.finditer(raw_line)]
    dropped = 0
    for start, end in sorted(spans):
        if start - dropped > column - 1:  # the column is before this payload
            break
        dropped += end - start
    return column + dropped


class PosStr(str):
    """A JSON string value that knows the (1-based) line and column it starts at, and where
    its escapes widen it in the raw text (``shifts``: see :func:`_shifts`)."""

    line: int
    column: int
    shifts: tuple[tuple[int, int], ...] = ()


_ESCAPE = re.compile(r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)")


def _shifts(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """For the JSON string token ``text[start:end]``, (index in the decoded string, characters
    the raw text has more than the decoded one up to there) after each escape: ``\\"`` is two
    raw characters for one, ``\\u00e9`` six, a surrogate pair twelve. A column of the decoded
    string is ``column + extra`` in the raw text, ``extra`` that of the last escape before it."""
    out = []
    extra = 0
    for m in _ESCAPE.finditer(text, start + 1, end - 1):
        extra += len(m.group()) - 1
        out.append((m.end() - start - 1 - extra, extra))  # the decoded index after the escape
    return tuple(out)


def _positioned(value: str, text: str, start: int, end: int, line: int, column: int) -> PosStr:
    """``value``, the string token ``text[start:end]`` decoded, with its place in the text."""
    s = PosStr(value)
    s.line, s.column = line, column
    if text.find("\\", start, end) >= 0:
        s.shifts = _shifts(text, start, end)
    return s


# a JSON string token; outside strings JSON has no quote, so finditer meets every string in order
_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')


def loads_with_lines(text: str):
    """``json.loads`` whose string values are PosStr carrying their raw line and column.

    The document is decoded by ``json.loads`` (C) and its strings, met in document order (keys
    included), take the start of the next string token of one regex pass. Anything odd (invalid
    JSON, duplicate keys, a count that does not match, nesting too deep) goes to the
    token-by-token scanner, which also words the errors."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return _scan_with_lines(text)
    spans = [m.span() for m in _STRING.finditer(text)]
    newlines = [m.start() for m in _NEWLINE.finditer(text)]
    at = 0

    def place(value: str) -> PosStr:
        nonlocal at
        start, end = spans[at]
        at += 1
        row = bisect.bisect_right(newlines, start)
        return _positioned(value, text, start, end, row + 1,
                           start - (newlines[row - 1] + 1 if row else 0) + 1)

    def walk(v):
        nonlocal at
        if isinstance(v, str):
            return place(v)
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                at += 1  # the key's token
                out[k] = walk(x)
            return out
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    try:
        root = walk(doc)
    except (IndexError, RecursionError):
        return _scan_with_lines(text)
    if at != len(spans):  # a duplicate key, or a string the regex split otherwise
        return _scan_with_lines(text)
    return root


_NEWLINE = re.compile("\n")


def _scan_with_lines(text: str):
    """The token-by-token form of :func:`loads_with_lines` (iterative, exact error places)."""
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
                value = json.loads(tok)
            except json.JSONDecodeError as exc:
                raise NotebookError(f"bad JSON string at line {line}: {exc.msg}") from None
            add(_positioned(value, text, m.start(), m.end(), line, m.start() - line_start + 1))
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
    shifts: tuple[tuple[int, int], ...] = ()  # its escapes (``PosStr.shifts``)

    def raw_col_at(self, offset: int) -> int:
        """The raw column of the character at ``offset`` (0-based) of ``text``."""
        return self.raw_column + offset + _extra(self.shifts, offset)


def _extra(shifts: tuple[tuple[int, int], ...], offset: int) -> int:
    """Raw characters the escapes before decoded ``offset`` add (``shifts``: ``_shifts``)."""
    if not shifts or offset < shifts[0][0]:
        return 0
    return shifts[bisect.bisect_right(shifts, (offset, 1 << 62)) - 1][1]


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
        shifts = getattr(part, "shifts", ())
        for k, piece in enumerate(pieces or [""]):
            # a string with embedded newlines sits on one raw line: all its lines map there
            out.append(SourceLine(piece, raw_line, raw_col + 1, shifts if k == 0 else ()))
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


def cell_lines(cells: list[Cell]) -> dict[int, tuple[int, int]]:
    """Raw ``.ipynb`` line -> (cell number, line within the cell's source), both 1-based; a line of
    a stored output maps to line 0. A source stored as one string with embedded newlines sits on
    one raw line: that raw line maps to the cell's first line on it."""
    out: dict[int, tuple[int, int]] = {}
    for cell in cells:
        for k, sl in enumerate(cell.source):
            out.setdefault(sl.raw_line, (cell.index + 1, k + 1))
        for output in cell.outputs:
            for sl in output.lines:
                out.setdefault(sl.raw_line, (cell.index + 1, 0))
    return out


def locate_in_notebooks(findings: list["Finding"], files: dict[str, Path]) -> None:
    """Findings in notebooks (``files``: path as reported -> path on disk; only ``.ipynb`` files
    are read): their columns put back where the raw file has them (the checkers read it
    :func:`without_payloads`; only lines that held a payload move), and their ``cell`` and
    ``cell_line`` set. A notebook that no longer reads is left alone."""
    by_path: dict[str, list["Finding"]] = {}
    for f in findings:
        if f.path in files and f.path.lower().endswith(".ipynb"):
            by_path.setdefault(f.path, []).append(f)
    for rel, fs in by_path.items():
        try:
            raw = files[rel].read_text(encoding="utf-8-sig")
            where = cell_lines(_parse_notebook(without_payloads(raw)))
        except (OSError, UnicodeDecodeError, NotebookError, RecursionError):
            continue
        lines = raw.split("\n")  # as lines are counted (splitlines also splits at U+2028)
        for f in fs:
            f.cell, f.cell_line = where.get(f.line, (0, 0))
            if 1 <= f.line <= len(lines):
                line = lines[f.line - 1]
                f.column = raw_column(line, f.column)
                if f.end_column and f.end_line in (0, f.line):
                    f.end_column = raw_column(line, f.end_column)


# Cell magics whose body is still Python; any other %%magic makes the cell not Python.
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit", "pypy"}
# IPython syntax at the start of a logical line: a shell escape or a line magic (``!cmd``, ``%pip``),
# also as the value of an assignment (``files = !ls``), and help (``obj?``, ``??obj``)
_LINE_MAGIC = re.compile(r"^(\s*)(?:(\w+(?:\s*,\s*\w+)*\s*=\s*)?[%!])")
_HELP = re.compile(r"^\s*%{0,2}[\w.]+\?{1,2}\s*$|^\s*\?{1,2}[\w.%]+\s*$")


@dataclass
class NotebookCode:
    """The code cells joined into one module, with a map from module line to raw line and cell."""

    code: str
    # module line - 1 -> (raw_line, raw_column, cell_index, the JSON string's escapes)
    line_map: list[tuple[int, int, int, tuple]]
    skipped_cells: list[int] = field(default_factory=list)

    def raw_position(self, line: int, column: int) -> tuple[int, int, int]:
        """(raw line, raw column, cell) of the 0-based ``column`` of a module line."""
        if 1 <= line <= len(self.line_map):
            raw_line, raw_col, cell, shifts = self.line_map[line - 1]
            return raw_line, raw_col + column + _extra(shifts, column), cell
        return 1, column, -1


def _open_after(text: str, state: tuple[int, str]) -> tuple[int, str]:
    """Python's line-joining state after ``text``: (open brackets, open string quote or "\\" for an
    explicit continuation). Enough to tell where logical lines start; not a tokenizer."""
    depth, quote = state
    i, n = 0, len(text)
    if quote == "\\":
        quote = ""
    comment = False
    while i < n:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = ""
                continue
            i += 1
            continue
        if ch == "#":
            comment = True
            break
        if ch in "\"'":
            triple = text[i:i + 3]
            quote = triple if triple in ('"""', "'''") else ch
            i += len(quote)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        i += 1
    if quote in ('"', "'"):
        # a one-quote string cannot span lines, unless escaped at the end
        quote = quote if text.endswith("\\") else ""
    elif not quote and not comment and text.endswith("\\"):
        quote = "\\"
    return depth, quote


def ipython_to_python(source: list[str]) -> list[str]:
    """The lines of one code cell with IPython syntax replaced by Python of the same line count.

    At the start of a logical line, ``!cmd`` and ``%magic`` become ``pass`` (``x = !cmd`` becomes
    ``x = None``), their ``\\`` continuation lines become blank, and ``obj?`` / ``??obj`` help lines
    become ``pass``; a first line ``%%magic`` of a Python cell magic (``%%time``) becomes blank.
    Lines inside brackets or strings are never touched (``(a\\n % b)`` is a modulo)."""
    out: list[str] = []
    state: tuple[int, str] = (0, "")
    magic_continues = False
    for k, text in enumerate(source):
        if magic_continues:
            out.append("")
            magic_continues = text.rstrip().endswith("\\")
            continue
        at_start = state == (0, "")
        if at_start and k == 0 and text.lstrip().startswith("%%"):
            out.append("")
            continue
        m = _LINE_MAGIC.match(text) if at_start else None
        if m is not None:
            indent, target = m.group(1), m.group(2)
            out.append(f"{indent}{target.rstrip()} None" if target else f"{indent}pass")
            magic_continues = text.rstrip().endswith("\\")
            continue
        if at_start and _HELP.match(text):
            out.append(text[:len(text) - len(text.lstrip())] + "pass")
            continue
        out.append(text)
        state = _open_after(text, state)
    return out


def code_of(cells: list[Cell], exclude: set[int] | None = None) -> NotebookCode:
    """Join the code cells, IPython syntax made Python (``ipython_to_python``: same lines, so
    positions stay right); cells whose magic says they are not Python are skipped."""
    lines: list[str] = []
    line_map: list[tuple[int, int, int, tuple]] = []
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
        for sl, text in zip(cell.source, ipython_to_python([sl.text for sl in cell.source])):
            lines.append(text)
            line_map.append((sl.raw_line, sl.raw_column, cell.index, sl.shifts))
        lines.append("")
        line_map.append((cell.source[-1].raw_line if cell.source else 1, 1, cell.index, ()))
    return NotebookCode("\n".join(lines) + "\n", line_map, skipped)
