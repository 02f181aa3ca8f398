"""Checkers: each looks at files of some kinds and only produces findings, facts and errors.

A checker never prints, never reads config files and never decides the exit code. New checker
modules in this package (and ``checkers/python/`` for code rules) are found automatically.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..findings import Fact, Finding, ScanError, Severity


class CheckerError(Exception):
    """Raised by a checker for bad input (unparseable, undecodable): becomes an ``errors`` entry."""

    def __init__(self, message: str, kind: str = "parse") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class FileContext:
    """What a checker gets for one file, and where it puts its results."""

    path: Path  # absolute path on disk
    rel: str  # path relative to the scan root, '/'-separated
    kinds: frozenset[str]
    selected: frozenset[str]  # rule ids the user selected
    options: dict[str, Any] = field(default_factory=dict)  # rule options from config
    findings: list[Finding] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    flow: dict | None = None  # the module's dataflow summary (flow rules), as plain data
    gather: frozenset[str] = frozenset()  # rules run only for the facts a project rule needs
    _text: str | None = None
    _data: bytes | None = None

    @property
    def data(self) -> bytes:
        if self._data is None:
            self._data = self.path.read_bytes()
        return self._data

    @property
    def text(self) -> str:
        """The file decoded as UTF-8 (a BOM is dropped); CheckerError when it is not UTF-8. A
        notebook's binary payloads are left out (``notebook.without_payloads``: same lines; the
        engine puts columns back where they are in the file)."""
        if self._text is None:
            try:
                self._text = self.data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise CheckerError(
                    f"not valid UTF-8 (byte {exc.start}); file skipped", kind="encoding"
                ) from None
            if "notebook" in self.kinds:
                from ..notebook import without_payloads

                self._text = without_payloads(self._text)
        return self._text

    def report(
        self,
        rule: str,
        line: int,
        column: int,
        message: str,
        *,
        end_line: int = 0,
        end_column: int = 0,
        details: dict[str, Any] | None = None,
        context: str | None = None,
        severity: Severity | None = None,
        confidence: str = "",
    ) -> None:
        """A finding; ``confidence`` "low" where the rule's evidence is weak (rules/<ID>.toml
        says when), else the rule's."""
        if rule not in self.selected:
            return
        if context is None:
            context = self.line_text(line)
        self.findings.append(
            Finding(rule=rule, line=line, column=column, message=message, end_line=end_line,
                    end_column=end_column, details=details or {}, context=context,
                    severity=severity, confidence=confidence)
        )

    def fact(self, kind: str, line: int = 0, **data: Any) -> None:
        self.facts.append(Fact(kind=kind, path=self.rel, line=line, data=data))

    def error(self, message: str, kind: str = "parse") -> None:
        self.errors.append(ScanError(path=self.rel, message=message, kind=kind))

    _lines: list[str] | None = None

    def line_text(self, line: int) -> str:
        if self._lines is None:
            try:
                self._lines = self.text.splitlines()
            except CheckerError:
                self._lines = []
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return ""


class FileChecker:
    """Base of every checker. Subclasses set ``rule_ids`` and ``kinds`` and implement ``check``."""

    rule_ids: ClassVar[tuple[str, ...]] = ()
    kinds: ClassVar[frozenset[str]] = frozenset()
    # Heavy optional imports (detect-secrets, pyarrow) belong inside check(), not at module top.

    def applies(self, ctx: FileContext) -> bool:
        return bool(self.kinds & ctx.kinds) and bool(set(self.rule_ids) & ctx.selected)

    def check(self, ctx: FileContext) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def prepare(self) -> None:
        """Import what ``check`` imports lazily. Each pool worker calls it when it starts,
        before its first file (the workers start while the main process walks the tree)."""


def lines_holding(text: str, pattern) -> list[tuple[int, str]]:
    """(1-based number, line) of each line of ``text`` (as ``str.splitlines`` cuts it) that
    holds a match of ``pattern``, found with one pass over the whole text: for readers whose
    every pattern needs a word on its line, so the lines without one are never looked at."""
    import bisect
    import itertools

    if pattern.search(text) is None:
        return []
    starts = list(itertools.accumulate(map(len, text.splitlines(keepends=True)), initial=0))
    lines = text.splitlines()
    found = sorted({bisect.bisect_right(starts, m.start()) for m in pattern.finditer(text)})
    return [(n, lines[n - 1]) for n in found]


def import_submodules(package: str) -> None:
    """Import every public module of ``package``, in name order (rules register by subclassing)."""
    pkg = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package}.{info.name}")


def all_subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(all_subclasses(sub))
    return out


def all_checkers() -> list[FileChecker]:
    """One instance of every concrete file checker (the Python runner included), in a stable order."""
    import_submodules(__name__)
    from .python import PythonChecker, all_code_rules
    from .python._flow_rule import all_flow_rules

    checkers: list[FileChecker] = [PythonChecker(all_code_rules(), all_flow_rules())]
    for cls in sorted(all_subclasses(FileChecker), key=lambda c: (c.__module__, c.__name__)):
        if cls is PythonChecker or not cls.rule_ids or getattr(cls, "abstract", False):
            continue
        checkers.append(cls())
    return checkers


def implemented_rule_ids() -> set[str]:
    from ..project import all_project_rules

    ids: set[str] = {r.rule_id for r in all_project_rules()}
    for checker in all_checkers():
        ids.update(checker.rule_ids)
    return ids
