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
    ``message`` and ``details`` are shown: personal data and key shapes in them (a name quoted
    from the file that is itself data) are masked when the finding is made (``redact``).
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
    # in a notebook: the cell (1-based, counting every cell) and the line within its source
    # (1-based; 0 = in the cell's stored output), beside the raw .ipynb line; 0 elsewhere
    cell: int = 0
    cell_line: int = 0

    def __post_init__(self) -> None:
        from .redact import redact_details, redact_shown

        self.end_line = self.end_line or self.line
        self.end_column = self.end_column or self.column
        # a name quoted in the message can itself be data (an e-mail used as a dict key)
        self.message = redact_shown(self.message)
        self.details = redact_details(self.details)

    @property
    def cell_label(self) -> str:
        """``cell 12:3`` (line 3 of the 12th cell), ``cell 12 output``, or "" outside notebooks."""
        if not self.cell:
            return ""
        return f"cell {self.cell}:{self.cell_line}" if self.cell_line else f"cell {self.cell} output"

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
            "notebook": self._notebook_position(),
        }

    def _notebook_position(self) -> dict[str, Any] | None:
        if not self.cell:
            return None
        if self.cell_line:
            return {"cell": self.cell, "line": self.cell_line}
        return {"cell": self.cell, "output": True}

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


_KEY_PREFIX = "ctx:sha256:"


def context_key(text: str) -> str:
    """What a fingerprint hashes of a context: the digest of the normalised text, so that the
    cache can store the digest instead of a source line that may hold a value. Idempotent."""
    if text.startswith(_KEY_PREFIX):
        return text
    return _KEY_PREFIX + hashlib.sha256(normalise_context(text).encode("utf-8", "surrogatepass")
                                        ).hexdigest()


def assign_fingerprints(findings: list[Finding]) -> None:
    """Give each finding a fingerprint that survives line moves.

    The hash covers the rule, the path, and the digest of the normalised context (the source
    line, or what the checker chose: :func:`context_key`); identical contexts in one file are
    told apart by their order, like Bandit's baseline does. Findings must already be sorted.
    """
    seen: dict[tuple[str, str, str], int] = {}
    for f in findings:
        ctx = context_key(f.context) if f.context else f.message
        key = (f.rule, f.path, ctx)
        n = seen.get(key, 0)
        seen[key] = n + 1
        # surrogatepass: a lone surrogate (an undecodable byte kept by surrogateescape) hashes
        # like any other character instead of raising UnicodeEncodeError
        digest = hashlib.sha256(f"{f.rule}\0{f.path}\0{ctx}\0{n}".encode("utf-8", "surrogatepass")
                                ).hexdigest()
        f.fingerprint = digest[:20]
