"""Automatic fixes: libcst codemods that apply a rule's mechanical mitigation.

What a fix changes is data in the rule file (``rules/<ID>.toml``, ``[[fix]]`` tables, see
``spec.py``); the machinery is shared: the reported node is found again in the concrete syntax
tree by the finding's position (never by running the rule's detection again), one action of
``actions.py`` changes it, and the change becomes the smallest text edit, so that comments and
formatting around it stay as they were. In a notebook the edit covers only the JSON strings of
the changed lines of one code cell (``notebook.py``); every other byte of the file is kept.

Applicability follows Ruff: a *safe* fix keeps the meaning of the code for legitimate inputs;
an *unsafe* fix may change behaviour and needs a person's review (``--unsafe-fixes``).

Programmatic interface (for editors and the language server)::

    from aiprivlint.fixes import fixes_for, apply_fixes

    fixes = fixes_for(path, source_text, findings)   # findings of this file (Finding objects)
    for fix in fixes:
        fix.rule, fix.finding, fix.applicability, fix.description
        for edit in fix.edits:   # 1-based lines, 0-based columns (code points), end exclusive
            edit.line, edit.column, edit.end_line, edit.end_column, edit.new_text
    new_text = apply_fixes(source_text, fixes)

``path`` only tells a notebook (``.ipynb``: edits are in the raw JSON text) from Python; the
text is never read from disk. ``source_text`` is the file's text exactly (newlines kept: read it
with ``newline=""``). ``finding`` is the finding's fingerprint. Fixes whose edits overlap an
earlier fix's are left out by ``apply_fixes`` (run again to apply them, as ``--fix`` does).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) to (end_line, end_column) by ``new_text``."""

    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str

    def to_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "new_text": self.new_text}


@dataclass(frozen=True)
class Fix:
    rule: str
    finding: str  # the finding's fingerprint
    applicability: str  # "safe" | "unsafe"
    description: str
    edits: tuple[Edit, ...]

    def to_dict(self) -> dict:
        return {"rule": self.rule, "finding": self.finding, "applicability": self.applicability,
                "description": self.description, "edits": [e.to_dict() for e in self.edits]}


def fixes_for(path: str, source_text: str, findings, rules=None) -> list[Fix]:
    """The fixes of ``findings`` (of the file ``path`` whose text is ``source_text``), one per
    finding that has one, in the findings' order."""
    from .core import fixes_for as _fixes_for

    return _fixes_for(path, source_text, findings, rules)


def apply_fixes(source_text: str, fixes: list[Fix]) -> str:
    """``source_text`` with the edits of ``fixes`` applied (a fix overlapping an earlier one is
    skipped)."""
    from .core import apply_edits

    return apply_edits(source_text, fixes)[0]


__all__ = ["Edit", "Fix", "apply_fixes", "fixes_for"]
