"""Finding, Severity, Fact and fingerprints: the values that flow from checkers to reporters."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected one of: low, medium, high, critical)"
            ) from None

    def shift(self, steps: int) -> "Severity":
        return Severity(min(max(int(self) + steps, 1), 4))

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass
class Finding:
    """One red flag at one place.

    Checkers fill ``rule``, the position, ``message``, ``details`` and ``context``; the engine
    fills ``path`` (relative, ``/``-separated), the rule metadata, the severity after the user's
    risk profile, and the fingerprint.

    ``context`` is what the fingerprint is computed from (by default the stripped source line):
    it may hold the very value the finding is about, so it is never printed and never serialised.
    """

    rule: str
    line: int
    column: int
    message: str
    end_line: int = 0
    end_column: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    context: str = ""
    path: str = ""
    severity: Severity | None = None  # a checker may raise/lower the rule's base severity
    name: str = ""
    category: str = ""
    confidence: str = ""
    help_uri: str = ""
    fingerprint: str = ""

    def __post_init__(self) -> None:
        self.end_line = self.end_line or self.line
        self.end_column = self.end_column or self.column

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity.label if self.severity else None,
            "confidence": self.confidence,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "fingerprint": self.fingerprint,
            "help_uri": self.help_uri,
            "details": self.details,
        }

    # cache round-trip (internal: keeps context, which is hashed but never printed)
    def to_state(self) -> dict[str, Any]:
        state = asdict(self)
        state["severity"] = int(self.severity) if self.severity else None
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "Finding":
        state = dict(state)
        sev = state.pop("severity")
        finding = cls(**state)
        finding.severity = Severity(sev) if sev else None
        return finding


@dataclass
class Fact:
    """Something a checker learnt about a file, for the project rules of phase 2.

    ``kind`` is e.g. ``"dp-mechanism"``, ``"training-entry"``, ``"personal-data"``.
    """

    kind: str
    path: str
    line: int = 0
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScanError:
    path: str
    message: str
    kind: str = "error"  # parse | encoding | binary | too-large | io | internal

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind, "message": self.message}


def normalise_context(text: str) -> str:
    return " ".join(text.split())


def assign_fingerprints(findings: list[Finding]) -> None:
    """Give each finding a fingerprint that survives line moves.

    The hash covers the rule, the path, and the normalised context (the source line, or what
    the checker chose); identical contexts in one file are told apart by their order, like
    Bandit's baseline does. Findings must already be sorted.
    """
    seen: dict[tuple[str, str, str], int] = {}
    for f in findings:
        ctx = normalise_context(f.context) if f.context else f.message
        key = (f.rule, f.path, ctx)
        n = seen.get(key, 0)
        seen[key] = n + 1
        # surrogatepass: a lone surrogate (an undecodable byte kept by surrogateescape) hashes
        # like any other character instead of raising UnicodeEncodeError
        digest = hashlib.sha256(f"{f.rule}\0{f.path}\0{ctx}\0{n}".encode("utf-8", "surrogatepass")
                                ).hexdigest()
        f.fingerprint = digest[:20]
