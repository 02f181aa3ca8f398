"""Inline suppressions: the ``ignore`` and ``ignore-file`` directives after ``aiprivlint`` and a
colon in a comment, and ``noqa`` comments that name AIP codes (the forms: README, "Suppressing a
finding"; they are not spelt out here, or this file would suppress itself).

A line suppression covers findings that start on its line; an ``ignore`` alone on a comment line
also covers the next line. They are applied after every rule has run, and a suppression that
covered nothing is reported back as unused (like Ruff's RUF100).

The ids in brackets are read like the configuration's ``select``/``ignore`` entries, with the
configuration's own parser (``config.check_selector`` and ``config.expand``): rule ids, id
prefixes (``AIP5``), category names and ``ALL``; here without regard to case (``aip502``). An
entry the configuration would reject (``AIP52``, a typo) suppresses nothing and is reported as
a warning at its line: a mistyped suppression must not pass silently.

``noqa`` followed by a colon and codes (the convention flake8, Ruff and pylint's plugins share)
suppresses the AIP ids among its codes on its own line; the other linters' codes are theirs. A
bare ``noqa`` (or one that names no AIP id) does not suppress aiprivlint findings: it is written
for another tool, as Ruff ignores other tools' codes, and a privacy finding is silenced by name.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .findings import Finding

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Rule

_DIRECTIVE = re.compile(
    # an unclosed bracket takes the rest of the line: a typo is warned about, never a blanket
    r"aiprivlint\s*:\s*(?P<kind>ignore-file|ignore)(?:[ \t]*\[(?P<ids>[^\]\n]*)\]?)?"
    r"|(?<![\w+/-])noqa[ \t]*:[ \t]*(?P<codes>[A-Za-z]+\d+(?:(?:[ \t]*,[ \t]*|[ \t]+)[A-Za-z]+\d+)*)",
    re.IGNORECASE,
)
# a file without either has none; "noqa" after a letter, digit, + or / is inside a word or a
# base64 payload (a notebook's images), never a directive
_QUICK = re.compile(r"aiprivlint\s*:|(?<![\w+/-])noqa", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;]+")
# a line holding only a comment: Python/YAML/TOML '#', Markdown '<!--', or a notebook source string
_COMMENT_ONLY = re.compile(r'^\s*"?\s*(?:#|<!--|//)')


def _may_hold(text: str) -> bool:
    """A cheap necessary condition of ``_QUICK``: plain substring tests of the lower-cased text
    (the regex over a notebook's megabytes of base64 images took 0.2 s)."""
    low = text.lower()
    return "aiprivlint" in low or "noqa" in low


def _comment_starts(text: str) -> dict[int, list[int]] | None:
    """Line -> columns where a comment starts, in Python source (None when it does not tokenize:
    every directive then counts)."""
    import io
    import tokenize

    out: dict[int, list[int]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                out.setdefault(tok.start[0], []).append(tok.start[1])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return out


def normalise(selector: str) -> str:
    """A selector as the configuration spells it: ids and ``ALL`` in upper case, categories in
    lower case."""
    s = selector.strip()
    up = s.upper()
    return up if up.startswith("AIP") or up == "ALL" else s.lower()


def parse_ids(text: str) -> tuple[str, ...]:
    """The selectors between the brackets of a suppression (commas, spaces or semicolons apart)."""
    return tuple(normalise(p) for p in _SEPARATORS.split(text) if p.strip())


@dataclass
class Suppression:
    line: int
    ids: tuple[str, ...]  # normalised selectors (see ``normalise``); empty: every rule
    file_level: bool
    covers_next: bool
    used: set[str] = field(default_factory=set)

    def rule_ids(self, rules: dict[str, Rule]) -> set[str]:
        """The rule ids the selectors name (unknown selectors name none)."""
        from .config import expand

        return expand([s for s in self.ids if is_selector(s, rules)], rules)

    def matches(self, finding: Finding, rules: dict[str, Rule]) -> bool:
        return not self.ids or finding.rule in self.rule_ids(rules)


def is_selector(selector: str, rules: dict[str, Rule]) -> bool:
    """Whether the configuration accepts ``selector`` in ``select``/``ignore``."""
    from .config import ConfigError, check_selector

    try:
        check_selector(selector, rules, "")
    except ConfigError:
        return False
    return True


def _directives(text: str):
    """(line number, line, directive matches) of each line of ``text`` that holds a directive.

    A directive starts where the text says ``aiprivlint`` or ``noqa``: the regex is tried only at
    those places (found in the lower-cased text), never along a notebook's megabyte lines of
    base64 images, which hold such letters by chance. Where lower-casing changes the length
    (a few non-ASCII letters) the lines are searched one by one."""
    low = text.lower()
    if "aiprivlint" not in low and "noqa" not in low:
        return
    if len(low) != len(text):
        for n, line in enumerate(text.splitlines(), start=1):
            if _may_hold(line) and _QUICK.search(line):
                yield n, line, list(_DIRECTIVE.finditer(line))
        return
    by_line: dict[int, list[int]] = {}
    ends: list[int] = []
    bare: list[str] = []
    for word in ("aiprivlint", "noqa"):
        at = low.find(word)
        while at >= 0:
            if not ends:  # lines as str.splitlines cuts them, and where each one ends
                ends = list(itertools.accumulate(map(len, text.splitlines(keepends=True))))
                bare = text.splitlines()
            by_line.setdefault(bisect.bisect_right(ends, at), []).append(at)
            at = low.find(word, at + 1)
    for i in sorted(by_line):
        line, start = bare[i], ends[i - 1] if i else 0
        matches, last = [], 0
        for at in sorted(by_line[i]):
            at -= start
            if at < last:
                continue  # inside the previous directive
            m = _DIRECTIVE.match(line, at)
            if m is not None:
                matches.append(m)
                last = m.end()
        if matches:
            yield i + 1, line, matches


@dataclass
class FileSuppressions:
    entries: list[Suppression] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str, *, python: bool = False) -> "FileSuppressions":
        """The directives of a file's text. A directive quoted as an example is none: inside
        inline code (after an odd number of backticks on its line), or, in Python source, anywhere
        but in a comment (a string a test writes to a file)."""
        # the comments of Python source are tokenized once a directive needs them: most files
        # that mention noqa name no AIP code in it (tokenizing each took 2.4 % of a cold scan)
        comments: list = []  # [] until tokenized, then [the line -> columns map, or None]

        def in_comment(n: int, col: int) -> bool:
            if not python:
                return True
            if not comments:
                comments.append(_comment_starts(text))
            starts = comments[0]
            return starts is None or any(c <= col for c in starts.get(n, ()))

        entries = []
        for n, line, matches in _directives(text):
            for m in matches:
                if line.count("`", 0, m.start()) % 2 == 1:
                    continue  # `# aiprivlint: ignore[...]` in documentation
                if m.group("codes") is not None:  # noqa: only its AIP codes, only on its line
                    ids = tuple(c for c in parse_ids(m.group("codes")) if c.startswith("AIP"))
                    if ids and in_comment(n, m.start()):
                        entries.append(Suppression(n, ids, False, False))
                    continue
                if not in_comment(n, m.start()):
                    continue
                ids = parse_ids(m.group("ids") or "")
                entries.append(Suppression(n, ids, m.group("kind").lower() == "ignore-file",
                                           bool(_COMMENT_ONLY.match(line))))
        return cls(entries)

    def suppress(self, finding: Finding, rules: dict[str, Rule]) -> bool:
        hit = False
        for s in self.entries:
            if s.file_level:
                applies = True
            else:
                applies = s.line in (finding.line, finding.end_line) or (
                    s.covers_next and s.line == finding.line - 1)
            if applies and s.matches(finding, rules):
                s.used.add(finding.rule)
                hit = True
        return hit

    def warnings(self, ran: frozenset[str], rules: dict[str, Rule]) -> list[tuple[int, str]]:
        """(line, text) for each id in a suppression that no rule has (a typo), and for each
        suppression (or id in it) that covered no finding."""
        out = []
        for s in self.entries:
            if not s.ids:
                if not s.used:
                    out.append((s.line, "blanket suppression covers no finding"))
                continue
            for sel in s.ids:
                if not is_selector(sel, rules):
                    out.append((s.line, f"unknown rule id or category {sel!r} in suppression "
                                        "(see `aiprivlint rules` for the ids); it suppresses nothing"))
                    continue
                from .config import expand

                rule_ids = expand([sel], rules)
                if not (rule_ids & ran):
                    continue  # the rule did not run here: we cannot tell
                if not (rule_ids & s.used):
                    out.append((s.line, f"unused suppression for {sel}"))
        return out
