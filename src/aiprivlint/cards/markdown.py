"""Markdown structure of a card: headings, sections, and what counts as "filled in".

A section is a heading and the lines under it up to the next heading of the same or a higher
level, so it includes its subsections (``### Source Data`` holds ``#### Data Collection and
Processing``). Headings inside fenced code blocks are ignored.

Card templates leave placeholders where the author has to write: ``[More Information Needed]``
(the Hugging Face templates), ``More information needed`` (the Trainer's generated card),
``[TODO ...]``, Jinja ``{{ ... }}``. A line that holds a placeholder says nothing, even when it also
holds a prompt such as "How it was anonymised: [More Information Needed]" — otherwise the prompt's
own words would answer the question. HTML comments (the templates' guidance) are dropped too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
PLACEHOLDER = re.compile(
    r"\[\s*more information needed\s*\]|\bmore information needed\b|\[\s*todo\b[^\]]*\]|"
    r"^\s*(?:[-*]\s*)?todo\b|\{\{.*?\}\}|\{%.*?%\}|\[\s*(?:optional|needs? more information|"
    r"your answer here|add (?:text|details) here|fill (?:in|me)[^\]]*|insert [^\]]*)\s*\]|"
    r"\bTBD\b|\bTBA\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[A-Za-z0-9]{2,}")


@dataclass
class Section:
    title: str
    level: int
    line: int  # the heading's line (1-based)
    start: int  # first body line (1-based)
    end: int  # last line of the section, subsections included (1-based, inclusive)


@dataclass
class Markdown:
    lines: list[str]
    sections: list[Section]
    offset: int = 0  # lines before the Markdown body (the front matter)

    def body(self, sec: Section) -> list[tuple[int, str]]:
        """(line number, text) of the section's body, subsections included."""
        return [(n, self.lines[n - 1]) for n in range(sec.start, sec.end + 1)]

    def own_body(self, sec: Section) -> list[tuple[int, str]]:
        """The body up to the first subsection heading."""
        out = []
        for n in range(sec.start, sec.end + 1):
            if any(s.line == n for s in self.sections):
                break
            out.append((n, self.lines[n - 1]))
        return out

    def title_line(self) -> int:
        for s in self.sections:
            if s.level == 1:
                return s.line
        return self.sections[0].line if self.sections else max(self.offset + 1, 1)

    def find(self, pattern: re.Pattern[str]) -> list[Section]:
        return [s for s in self.sections if pattern.search(s.title)]


def parse_markdown(text: str, body_start: int = 1) -> Markdown:
    """Headings and sections of ``text``; lines before ``body_start`` (front matter) are skipped."""
    lines = text.splitlines()
    heads: list[tuple[int, int, str]] = []
    fenced = False
    for n in range(body_start, len(lines) + 1):
        line = lines[n - 1]
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        m = HEADING.match(line)
        if m:
            title = re.sub(r"<!--.*?(-->|$)", "", m.group(2))
            title = re.sub(r"[*_`]", "", title).strip()
            heads.append((n, len(m.group(1)), title))
    sections = []
    for i, (n, level, title) in enumerate(heads):
        end = len(lines)
        for n2, level2, _ in heads[i + 1:]:
            if level2 <= level:
                end = n2 - 1
                break
        sections.append(Section(title=title, level=level, line=n, start=n + 1, end=end))
    return Markdown(lines=lines, sections=sections, offset=body_start - 1)


SCAN_START = "<!-- aiprivlint:scan -->"
SCAN_END = "<!-- /aiprivlint:scan -->"


def strip_comments(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines with HTML comments removed (a comment may span lines).

    Lines between ``<!-- aiprivlint:scan -->`` and ``<!-- /aiprivlint:scan -->`` are dropped too:
    ``aiprivlint init-card`` writes what its scan found there, which is evidence for the author to
    check, not the author's answer to the card's questions.
    """
    out = []
    inside = False
    in_scan = False
    for n, t in lines:
        if SCAN_START in t:
            in_scan = True
        if in_scan:
            if SCAN_END in t:
                in_scan = False
            out.append((n, ""))
            continue
        kept = ""
        rest = t
        while rest:
            if inside:
                i = rest.find("-->")
                if i < 0:
                    rest = ""
                else:
                    inside, rest = False, rest[i + 3:]
            else:
                i = rest.find("<!--")
                if i < 0:
                    kept, rest = kept + rest, ""
                else:
                    kept, rest, inside = kept + rest[:i], rest[i + 4:], True
        out.append((n, kept))
    return out


def meaningful(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines that say something: no placeholder, no headings, no comments, no blank lines."""
    out = []
    fenced = False
    for n, t in strip_comments(lines):
        s = t.strip()
        if FENCE.match(s):
            fenced = not fenced
            continue
        if fenced or not s or HEADING.match(s) or PLACEHOLDER.search(s):
            continue
        if not WORD.search(s) and s.lower().strip(".") not in ("no", "none", "n/a"):
            continue
        out.append((n, s))
    return out


def placeholder_line(lines: list[tuple[int, str]]) -> int:
    """The first line of ``lines`` that holds a template placeholder, else 0."""
    for n, t in strip_comments(lines):
        if PLACEHOLDER.search(t):
            return n
    return 0


def plain(lines: list[tuple[int, str]]) -> str:
    return " ".join(t for _, t in lines)
