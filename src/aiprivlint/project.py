"""Phase 2: group facts by project and run the project rules.

A project is the nearest folder with its own ``pyproject.toml``, ``setup.py`` or ``setup.cfg``
(else the scan root), so a monorepo of examples is many projects. Project rules decide from facts
alone (never by re-reading files), so they stay correct with a process pool and a cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import posixpath

from .discovery import relative_posix
from .findings import Fact, Finding, Severity

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass
class Project:
    root: str  # display path of the project folder ("." for the cwd)
    files: list[str] = field(default_factory=list)
    # every file of the scan, in all projects (shared; read-only): where a path a project's code
    # names may be found outside the project's own folder
    scanned: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    def facts_of(self, *kinds: str) -> list[Fact]:
        return [f for f in self.facts if f.kind in kinds]

    @property
    def personal_data(self) -> tuple[bool, str, list[Fact]]:
        """(handles personal data?, why, evidence facts). Config ``personal-data`` overrides."""
        forced = self.options.get("personal-data")
        evidence = self.facts_of("personal-data")
        if forced is True:
            return True, "config personal-data = true", evidence
        if forced is False:
            return False, "config personal-data = false", []
        if evidence:
            return True, "evidence found", evidence
        return False, "no evidence found", []

    def to_dict(self) -> dict[str, Any]:
        handles, why, evidence = self.personal_data

        def brief(f: Fact) -> dict[str, Any]:
            d = {"path": f.path, "line": f.line}
            d.update({k: v for k, v in sorted(f.data.items()) if isinstance(v, (str, int, float, bool))})
            return d

        return {
            "root": self.root,
            "files": len(self.files),
            "personal_data": {"value": handles, "reason": why,
                              "evidence": [brief(f) for f in evidence]},
            "privacy_mechanisms": [brief(f) for f in self.facts_of("dp-mechanism", "pseudonymisation")],
            "federated_learning": [brief(f) for f in self.facts_of("federated")],
            "training_entry_points": [brief(f) for f in self.facts_of("training-entry")],
            "dataset_cards": [_card(f) for f in self.facts_of("dataset-card")],
            "model_cards": [_card(f) for f in self.facts_of("model-card")],
        }


def _card(f: Fact) -> dict[str, Any]:
    """A dataset or model card in the JSON ``project`` section: where, which form, what is missing."""
    return {"path": f.path, "line": f.line, "format": f.data.get("format"),
            "title": f.data.get("title", ""),
            "gaps": [g.get("gap") for g in f.data.get("gaps", [])],
            "says_no_personal_data": bool(f.data.get("says_no_personal_data"))}


class ProjectRule:
    """Base of project rules: ``decide`` looks at one project's facts and emits findings."""

    rule_id: ClassVar[str] = ""
    depends_on: ClassVar[tuple[str, ...]] = ()  # rules whose checkers must run to gather facts

    def decide(self, project: Project, emit: Callable[[Finding], None]) -> None:  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def finding(rule: str, fact: Fact, message: str, *, details: dict | None = None,
                severity: Severity | None = None, context: str | None = None) -> Finding:
        f = Finding(rule=rule, line=max(fact.line, 1), column=1, message=message,
                    details=details or {}, severity=severity,
                    context=context or f"{fact.kind}:{sorted(fact.data.items())}")
        f.path = fact.path
        return f


def all_project_rules() -> list[ProjectRule]:
    from .checkers import import_submodules

    import_submodules("aiprivlint.checkers.project")
    subs = sorted(ProjectRule.__subclasses__(), key=lambda c: (c.rule_id, c.__name__))
    return [cls() for cls in subs if cls.rule_id]


def project_root_of(path: Path, stop: Path, cache: dict[Path, Path]) -> Path:
    """The nearest folder at or above ``path``'s folder with a project marker, not above ``stop``."""
    folder = path.parent
    trail = []
    found = stop
    while True:
        if folder in cache:
            found = cache[folder]
            break
        trail.append(folder)
        if any((folder / m).is_file() for m in PROJECT_MARKERS):
            found = folder
            break
        if folder == stop or folder.parent == folder or relative_posix(folder, stop) is None:
            found = stop
            break
        folder = folder.parent
    for d in trail:
        cache[d] = found
    return found


def _norm(path: str) -> str:
    path = posixpath.normpath(path.replace("\\", "/"))
    return "" if path == ".." or path.startswith("../") else path


def resolve_data_path(literal: str, code_path: str, root: str, files: set[str]) -> str | None:
    """The file of ``files`` a path written in code (``pd.read_csv("data/x.csv")`` in
    ``code_path``) names: relative to the code's folder, the project root or the scan root; else
    the one file whose path ends with it. None when none or several match."""
    if not literal or literal.startswith("/"):
        literal = literal.lstrip("/")
        tail = [f for f in files if f.endswith("/" + literal) or f == literal]
        return tail[0] if len(tail) == 1 else None
    here = posixpath.dirname(code_path)
    for base in (here, root if root != "." else "", ""):
        cand = _norm(posixpath.join(base, literal) if base else literal)
        if cand in files:
            return cand
    clean = _norm(literal)
    tail = [f for f in files if clean and f.endswith("/" + clean)]
    return tail[0] if len(tail) == 1 else None
