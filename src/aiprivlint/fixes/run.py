"""``check --fix`` / ``--unsafe-fixes`` / ``--diff``: the fixes of a report, per file, applied or
shown as a unified diff."""

from __future__ import annotations

import difflib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import Fix
from .core import apply_edits, fixes_for


@dataclass
class FilePlan:
    rel: str  # the path as reported
    path: Path  # the file on disk
    text: str
    fixes: list[Fix] = field(default_factory=list)  # the ones to apply
    held: list[Fix] = field(default_factory=list)  # unsafe ones, without --unsafe-fixes


def read_text(path: Path) -> str:
    """The file's text exactly (``\\r\\n`` kept), a UTF-8 BOM included."""
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def plan(report, rules, unsafe: bool) -> list[FilePlan]:
    """The fixes of the report's findings, file by file (sorted by path)."""
    by_rel: dict[str, list] = {}
    for f in report.findings:
        if rules.get(f.rule) is not None and rules[f.rule].fixes and f.path in report.sources:
            by_rel.setdefault(f.path, []).append(f)
    plans = []
    for rel in sorted(by_rel):
        path = report.sources[rel]
        try:
            text = read_text(path)
        except (OSError, UnicodeDecodeError):
            continue
        bom = text.startswith("\ufeff")
        found = fixes_for(rel, text[1:] if bom else text, by_rel[rel], rules)
        if bom:  # edits on the first line move past the BOM
            found = [_shift_first_line(fx) for fx in found]
        p = FilePlan(rel, path, text)
        for fx in found:
            (p.fixes if unsafe or fx.applicability == "safe" else p.held).append(fx)
        plans.append(p)
    return plans


def _shift_first_line(fix: Fix) -> Fix:
    from dataclasses import replace

    return replace(fix, edits=tuple(
        replace(e, column=e.column + (e.line == 1), end_column=e.end_column + (e.end_line == 1))
        for e in fix.edits))


def apply(plans: list[FilePlan]) -> tuple[dict[str, str], Counter]:
    """The new text of every file a fix changes, and the applied fixes by (rule, applicability)."""
    changed: dict[str, str] = {}
    counts: Counter = Counter()
    for p in plans:
        if not p.fixes:
            continue
        new, applied = apply_edits(p.text, p.fixes)
        if new != p.text:
            changed[p.rel] = new
            counts.update((fx.rule, fx.applicability) for fx in applied)
    return changed, counts


def write(plans: list[FilePlan], changed: dict[str, str]) -> list[str]:
    """Writes the changed files; the ones that could not be written, with why."""
    errors = []
    for p in plans:
        if p.rel in changed:
            try:
                with open(p.path, "w", encoding="utf-8", newline="") as fh:
                    fh.write(changed[p.rel])
            except OSError as exc:
                errors.append(f"{p.rel}: cannot write the fix: {exc.strerror}")
    return errors


def unified_diff(plans: list[FilePlan], changed: dict[str, str]) -> str:
    """A diff that ``patch -p1`` applies from the current folder (``a/...``, ``b/...``)."""
    out: list[str] = []
    for p in plans:
        if p.rel not in changed:
            continue
        name = Path(os.path.relpath(p.path)).as_posix()
        lines = difflib.unified_diff(p.text.splitlines(keepends=True),
                                     changed[p.rel].splitlines(keepends=True),
                                     fromfile=f"a/{name}", tofile=f"b/{name}")
        for line in lines:
            out.append(line)
            if not line.endswith("\n"):
                out.append("\n\\ No newline at end of file\n")
    return "".join(out)
