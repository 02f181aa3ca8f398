"""Inline suppressions: ``# aiprivlint: ignore[AIP203] reason`` and ``ignore-file[...]``.

A line suppression covers findings that start on its line; a suppression alone on a comment line
also covers the next line. They are applied after every rule has run, and a suppression that
covered nothing is reported back as unused (like Ruff's RUF100).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .findings import Finding

_DIRECTIVE = re.compile(
    r"aiprivlint:\s*(?P<kind>ignore-file|ignore)(?:\[(?P<ids>[A-Za-z0-9_,\s-]*)\])?"
)
# a line holding only a comment: Python/YAML/TOML '#', Markdown '<!--', or a notebook source string
_COMMENT_ONLY = re.compile(r'^\s*"?\s*(?:#|<!--|//)')


@dataclass
class Suppression:
    line: int
    ids: tuple[str, ...]  # empty: every rule
    file_level: bool
    covers_next: bool
    used: set[str] = field(default_factory=set)

    def matches(self, finding: Finding, categories: dict[str, str]) -> bool:
        if not self.ids:
            return True
        return finding.rule in self.ids or categories.get(finding.rule) in self.ids


@dataclass
class FileSuppressions:
    entries: list[Suppression] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> "FileSuppressions":
        if "aiprivlint:" not in text:
            return cls()
        entries = []
        for n, line in enumerate(text.splitlines(), start=1):
            if "aiprivlint:" not in line:
                continue
            for m in _DIRECTIVE.finditer(line):
                ids = tuple(i.strip() for i in (m.group("ids") or "").split(",") if i.strip())
                entries.append(Suppression(n, ids, m.group("kind") == "ignore-file",
                                           bool(_COMMENT_ONLY.match(line))))
        return cls(entries)

    def suppress(self, finding: Finding, categories: dict[str, str]) -> bool:
        hit = False
        for s in self.entries:
            if s.file_level:
                applies = True
            else:
                applies = s.line in (finding.line, finding.end_line) or (
                    s.covers_next and s.line == finding.line - 1)
            if applies and s.matches(finding, categories):
                s.used.add(finding.rule)
                hit = True
        return hit

    def unused(self, ran: frozenset[str], categories: dict[str, str]) -> list[tuple[int, str]]:
        """(line, text) for each suppression (or id in it) that covered no finding."""
        out = []
        for s in self.entries:
            if not s.ids:
                if not s.used:
                    out.append((s.line, "blanket suppression covers no finding"))
                continue
            for rid in s.ids:
                rule_ids = {r for r, c in categories.items() if c == rid} if rid in categories.values() else {rid}
                if not (rule_ids & ran):
                    continue  # the rule did not run here: we cannot tell
                if not (rule_ids & s.used):
                    out.append((s.line, f"unused suppression for {rid}"))
        return out
