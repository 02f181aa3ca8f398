"""A fix in a notebook: the changed lines of one code cell spliced into the raw ``.ipynb`` text.

The file is never re-serialised: the JSON strings of the cell's ``source`` that did not change
are kept byte for byte, and so are its outputs, its metadata and every other cell. Only the
strings of the changed lines are written again (``json.dumps`` with ``ensure_ascii=False``, as
nbformat writes them).
"""

from __future__ import annotations

import json
import re

from . import Edit
from .core import _offset_to_pos, line_starts

_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')


def _tokens(text: str, starts: list[int], cell) -> list[tuple[int, int]] | None:
    """The (start, end) offsets of the JSON strings of a cell's source, in order."""
    out: list[tuple[int, int]] = []
    for sl in cell.source:
        at = starts[sl.raw_line - 1] + sl.raw_column - 2  # raw_column: the first character
        if out and out[-1][0] == at:
            continue  # one string holding several lines
        m = _STRING.match(text, at)
        if m is None:
            return None
        out.append((m.start(), m.end()))
    return out


def _common_ends(old: list, new: list) -> tuple[int, int]:
    """How many items ``old`` and ``new`` share at their start, then at their end (not
    overlapping the start)."""
    n = min(len(old), len(new))
    a = 0
    while a < n and old[a] == new[a]:
        a += 1
    b = 0
    while b < n - a and old[-1 - b] == new[-1 - b]:
        b += 1
    return a, b


def cell_edit(text: str, cells, nb, old_code: str, new_code: str) -> Edit | None:
    old_lines = old_code.split("\n")
    new_lines = new_code.split("\n")
    a, b = _common_ends(old_lines, new_lines)
    old_end, new_end = len(old_lines) - b, len(new_lines) - b  # changed: [a, old_end)
    if a >= len(nb.line_map) or old_end > len(nb.line_map):
        return None
    index = nb.line_map[a][2]
    first = next(i for i, m in enumerate(nb.line_map) if m[2] == index)
    cell = next((c for c in cells if c.index == index), None)
    if cell is None or old_end - first > len(cell.source) or not cell.source:
        return None  # the change reaches past the cell's source
    source = [sl.text for sl in cell.source]
    changed = source[:a - first] + new_lines[a:new_end] + source[old_end - first:]
    starts = line_starts(text)
    tokens = _tokens(text, starts, cell)
    if tokens is None:
        return None
    old_values = [json.loads(text[s:e]) for s, e in tokens]
    ends_nl = old_values[-1].endswith("\n")
    if len(tokens) == len(source):  # one string per line, as nbformat writes it
        new_values = [line + "\n" for line in changed[:-1]] + [changed[-1] + ("\n" if ends_nl else "")]
    elif len(tokens) == 1:
        new_values = ["\n".join(changed) + ("\n" if ends_nl else "")]
    else:
        return None
    p, s = _common_ends(old_values, new_values)
    old_range = tokens[p:len(tokens) - s]
    new_tokens = [json.dumps(v, ensure_ascii=False) for v in new_values[p:len(new_values) - s]]
    if old_range:
        seps = [text[e:tokens[i + 1][0]] for i, (_, e) in enumerate(tokens[:-1])]
        sep = seps[0] if seps else ", "
        start, end = old_range[0][0], old_range[-1][1]
        if not new_tokens:  # lines deleted: their separator goes with them
            if p > 0:
                start = tokens[p - 1][1]
            elif len(tokens) - s < len(tokens):
                end = tokens[len(tokens) - s][0]
        new_text = sep.join(new_tokens)
    else:  # lines inserted after token p - 1
        if p == 0:
            return None
        seps = [text[e:tokens[i + 1][0]] for i, (_, e) in enumerate(tokens[:-1])]
        sep = seps[0] if seps else ", "
        start = end = tokens[p - 1][1]
        new_text = "".join(sep + t for t in new_tokens)
    line, col = _offset_to_pos(text, start)
    end_line, end_col = _offset_to_pos(text, end)
    return Edit(line, col, end_line, end_col, new_text)
