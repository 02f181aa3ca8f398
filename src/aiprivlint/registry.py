"""Loads ``rules/*.toml`` into Rule objects: the one source of rule metadata."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .findings import Severity
from .fixes.spec import FixSpec, FixSpecError, parse_fixes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CATEGORIES = (
    "data-management",
    "memorization",
    "downstream-use",
    "inference-attacks",
    "misuse",
)
CONFIDENCES = ("low", "medium", "high")
RULE_ID = re.compile(r"^AIP\d{3}$")
REQUIRED = ("id", "name", "category", "severity", "confidence", "summary", "risk", "mitigation",
            "references", "fixable")
DOCS_BASE = "https://github.com/aiprivlint/aiprivlint/blob/main/rules/"

# GitHub code scanning maps security-severity to levels: >=9 critical, >=7 high, >=4 medium.
SECURITY_SEVERITY = {Severity.LOW: "3.0", Severity.MEDIUM: "5.5", Severity.HIGH: "8.0",
                     Severity.CRITICAL: "9.5"}


class RuleFileError(Exception):
    pass


@dataclass(frozen=True)
class Reference:
    title: str
    url: str


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    category: str
    severity: Severity
    confidence: str
    summary: str
    risk: str
    mitigation: str
    references: tuple[Reference, ...]
    fixable: bool
    help_uri: str = ""
    fixes: tuple[FixSpec, ...] = ()  # the [[fix]] tables (aiprivlint/fixes/spec.py)
    source: str = field(default="", compare=False)
    # a preview rule runs only when its id is named in select / extend-select: its findings
    # review has not reached the precision bar yet (its rule file says why)
    preview: bool = False


def rules_dir() -> Path:
    """The shipped rules: inside the wheel at ``aiprivlint/rules``, or ``rules/`` in a checkout."""
    packaged = Path(__file__).parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def _parse(path: Path) -> Rule:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleFileError(f"{path}: cannot read rule file: {exc}") from None
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise RuleFileError(f"{path}: missing field(s): {', '.join(missing)}")
    extra = sorted(set(data) - set(REQUIRED) - {"help_uri", "fix", "preview"})
    if extra:
        raise RuleFileError(f"{path}: unknown field(s): {', '.join(extra)}")
    rid = data["id"]
    if not RULE_ID.match(str(rid)) or path.stem != rid:
        raise RuleFileError(f"{path}: id {rid!r} must look like AIP123 and match the file name")
    if data["category"] not in CATEGORIES:
        raise RuleFileError(f"{path}: unknown category {data['category']!r}")
    if data["confidence"] not in CONFIDENCES:
        raise RuleFileError(f"{path}: unknown confidence {data['confidence']!r}")
    try:
        severity = Severity.parse(data["severity"])
    except ValueError as exc:
        raise RuleFileError(f"{path}: {exc}") from None
    for key in ("name", "summary", "risk", "mitigation"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise RuleFileError(f"{path}: field {key!r} must be a non-empty string")
    refs = data["references"]
    if not isinstance(refs, list) or not refs or not all(
        isinstance(r, dict) and set(r) == {"title", "url"} for r in refs
    ):
        raise RuleFileError(f"{path}: references must be a non-empty list of {{title, url}}")
    if not isinstance(data["fixable"], bool):
        raise RuleFileError(f"{path}: fixable must be true or false")
    if not isinstance(data.get("preview", False), bool):
        raise RuleFileError(f"{path}: preview must be true or false")
    try:
        fixes = parse_fixes(data.get("fix", []))
    except FixSpecError as exc:
        raise RuleFileError(f"{path}: {exc}") from None
    if data["fixable"] != bool(fixes):
        raise RuleFileError(f"{path}: fixable must be true exactly when the rule has [[fix]] tables")
    return Rule(
        id=rid,
        name=data["name"],
        category=data["category"],
        severity=severity,
        confidence=data["confidence"],
        summary=data["summary"].strip(),
        risk=data["risk"].strip(),
        mitigation=data["mitigation"].strip(),
        references=tuple(Reference(r["title"], r["url"]) for r in refs),
        fixable=data["fixable"],
        fixes=fixes,
        help_uri=data.get("help_uri") or f"{DOCS_BASE}{rid}.toml",
        source=str(path),
        preview=data.get("preview", False),
    )


@lru_cache(maxsize=None)
def load_rules(directory: str | None = None) -> dict[str, Rule]:
    base = Path(directory) if directory else rules_dir()
    rules = {}
    for path in sorted(base.glob("AIP*.toml")):
        rule = _parse(path)
        rules[rule.id] = rule
    if not rules:
        raise RuleFileError(f"no rule files found in {base}")
    return rules
