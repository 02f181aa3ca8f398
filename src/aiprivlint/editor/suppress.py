"""The text edits that suppress one finding, for an editor's code actions.

An edit is only offered when it works: it is applied to the text in memory and the file's
suppressions are parsed again (``suppressions.FileSuppressions``, the scan's own reader) and
must cover the finding; Python source that parsed before must still parse, a notebook must
still be JSON. Where no edit can be placed safely (the line ends inside a multi-line string,
a data file has no comments) none is offered.

Forms, as ``suppressions`` reads them: at the end of the finding's line, or a comment alone on
the line above (which covers the next line), or an ``ignore-file`` comment near the top. In a
notebook the comment goes into the cell's source line, inside its JSON string.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from ..findings import Finding
from ..suppressions import FileSuppressions

# comment syntax by file type: (start, end); files with none get no inline suppression
_HASH = ("# ", "")
_COMMENTS = {
    ".py": _HASH, ".pyi": _HASH, ".yaml": _HASH, ".yml": _HASH, ".toml": _HASH, ".cfg": _HASH,
    ".ini": _HASH, ".env": _HASH, ".sh": _HASH, ".bash": _HASH, ".txt": _HASH, ".r": _HASH,
    ".md": ("<!-- ", " -->"), ".markdown": ("<!-- ", " -->"),
}
_HASH_NAMES = ("dockerfile", "makefile", "requirements", ".env", ".gitignore", ".dockerignore")
_EXISTING = re.compile(r"aiprivlint\s*:\s*ignore[ \t]*\[(?P<ids>[^\]\n]*)\]", re.IGNORECASE)
_NB_STRING = re.compile(r'^(?P<indent>\s*)"(?P<body>(?:[^"\\]|\\.)*)"(?P<comma>,?)\s*$')


@dataclass(frozen=True)
class Edit:
    """Replace ``[start, end)`` (0-based lines, 0-based code-point columns) by ``text``."""

    title: str
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    text: str


def comment_syntax(path: str) -> tuple[str, str] | None:
    p = PurePosixPath(path.lower())
    if p.suffix in _COMMENTS:
        return _COMMENTS[p.suffix]
    if p.name.startswith(_HASH_NAMES) or p.name.endswith(".env"):
        return _HASH
    return None


def apply(text: str, edit: Edit) -> str:
    lines = text.splitlines(keepends=True)
    if edit.start_line >= len(lines):
        lines += [""] * (edit.start_line - len(lines) + 1)

    def offset(line: int, col: int) -> int:
        return sum(len(x) for x in lines[:line]) + col

    return text[:offset(edit.start_line, edit.start_col)] + edit.text + \
        text[offset(edit.end_line, edit.end_col):]


def suppression_edits(path: str, text: str, finding: Finding) -> list[Edit]:
    """The edits that suppress ``finding`` (on its line, then in the whole file), each checked."""
    if path.lower().endswith(".ipynb"):
        candidates = [_notebook_line(text, finding), _notebook_file(text, finding)]
    else:
        syntax = comment_syntax(path)
        if syntax is None:
            return []
        python = path.lower().endswith((".py", ".pyi"))
        candidates = [_line(text, finding, syntax, python), _file(text, finding, syntax)]
    out = []
    for edit in candidates:
        if edit is not None and _works(path, text, edit, finding):
            out.append(edit)
    return out


def _line(text: str, finding: Finding, syntax: tuple[str, str], python: bool) -> Edit | None:
    lines = text.splitlines()
    n = finding.line
    if not 1 <= n <= len(lines):
        return None
    line = lines[n - 1]
    title = f"Suppress {finding.rule} on this line"
    m = _EXISTING.search(line)
    if m is not None and m.group("ids").strip():  # add the id to the directive already there
        end = m.end("ids")
        return Edit(title, n - 1, end, n - 1, end, f", {finding.rule}")
    inside = _inside_tokens(text) if python else set()
    open_start, open_end = syntax
    body = line.rstrip()
    if n not in inside and not body.endswith("\\"):
        return Edit(title, n - 1, len(body), n - 1, len(line),
                    f"  {open_start}aiprivlint: ignore[{finding.rule}]{open_end}")
    # a comment alone on the line above covers the next line
    above_ok = n == 1 or not lines[n - 2].rstrip().endswith("\\")
    if above_ok and (n - 1) not in inside:
        indent = line[:len(line) - len(line.lstrip())]
        return Edit(title, n - 1, 0, n - 1, 0,
                    f"{indent}{open_start}aiprivlint: ignore[{finding.rule}]{open_end}\n")
    return None


def _file(text: str, finding: Finding, syntax: tuple[str, str]) -> Edit | None:
    lines = text.splitlines()
    at = 0
    # after a shebang and an encoding cookie, which must stay first
    while at < min(2, len(lines)) and (lines[at].startswith("#!") or re.match(
            r"^[ \t\f]*#.*?coding[:=]", lines[at])):
        at += 1
    open_start, open_end = syntax
    return Edit(f"Suppress {finding.rule} in this file", at, 0, at, 0,
                f"{open_start}aiprivlint: ignore-file[{finding.rule}]{open_end}\n")


def _inside_tokens(text: str) -> set[int]:
    """Lines whose end lies inside a token (a multi-line string): a comment cannot go there."""
    out: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.end[0] > tok.start[0] and tok.type not in (tokenize.NL, tokenize.NEWLINE):
                out.update(range(tok.start[0], tok.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return out


def _notebook_line(text: str, finding: Finding) -> Edit | None:
    if not finding.cell or not finding.cell_line:  # a stored output: no source line to mark
        return None
    lines = text.splitlines()
    if not 1 <= finding.line <= len(lines):
        return None
    line = lines[finding.line - 1]
    m = _NB_STRING.match(line)
    if m is None:
        return None
    body = m.group("body")
    title = f"Suppress {finding.rule} on this line"
    existing = _EXISTING.search(body)
    if existing is not None and existing.group("ids").strip():
        end = m.start("body") + existing.end("ids")
        return Edit(title, finding.line - 1, end, finding.line - 1, end, f", {finding.rule}")
    code_end = m.end("body") - (2 if body.endswith("\\n") else 0)
    return Edit(title, finding.line - 1, code_end, finding.line - 1, code_end,
                f"  # aiprivlint: ignore[{finding.rule}]")


def _notebook_file(text: str, finding: Finding) -> Edit | None:
    """A comment line first in the first code cell (nbformat writes one source line a line)."""
    lines = text.splitlines()
    code_cell = False
    for i, line in enumerate(lines):
        if re.match(r'^\s*"cell_type"\s*:\s*"code"', line):
            code_cell = True
        elif re.match(r'^\s*"cell_type"\s*:', line):
            code_cell = False
        elif code_cell and re.match(r'^\s*"source"\s*:\s*\[\s*$', line) and i + 1 < len(lines):
            m = _NB_STRING.match(lines[i + 1])
            if m is None:
                return None
            return Edit(f"Suppress {finding.rule} in this notebook", i + 1, 0, i + 1, 0,
                        f'{m.group("indent")}"# aiprivlint: ignore-file[{finding.rule}]\\n",\n')
    return None


def _works(path: str, text: str, edit: Edit, finding: Finding) -> bool:
    """Whether the edited text suppresses the finding and still reads as before."""
    new = apply(text, edit)
    shift = edit.text.count("\n") if edit.start_line < finding.line - 1 or (
        edit.start_line == finding.line - 1 and edit.start_col == 0 and edit.text.endswith("\n")) else 0
    moved = replace(finding, line=finding.line + shift, end_line=finding.end_line + shift)
    low = path.lower()
    if low.endswith(".ipynb"):
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            try:
                json.loads(new)
            except ValueError:
                return False
    elif low.endswith((".py", ".pyi")):
        try:
            ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
        else:
            try:
                ast.parse(new)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return False
    from ..registry import load_rules

    supp = FileSuppressions.parse(new, python=low.endswith((".py", ".pyi")))
    return supp.suppress(moved, load_rules())
