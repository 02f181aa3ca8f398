"""SARIF 2.1.0 for GitHub code scanning: rules carry the mitigation as ``help.markdown``."""

from __future__ import annotations

import json
from urllib.parse import quote

from .. import __version__
from ..engine import Report
from ..findings import Severity
from ..registry import SECURITY_SEVERITY, Rule

INFO_URI = "https://github.com/aiprivlint/aiprivlint"
LEVEL = {Severity.LOW: "note", Severity.MEDIUM: "warning", Severity.HIGH: "error",
         Severity.CRITICAL: "error"}
PRECISION = {"high": "high", "medium": "medium", "low": "low"}


def artifact_uri(path: str) -> str:
    """A path as a SARIF ``artifactLocation.uri``: a percent-encoded URI reference (RFC 3986).

    Every byte but unreserved characters and ``/`` is encoded (a space, ``%``, ``#``, ``?``,
    ``[``, ``:``, ``\\``...); non-ASCII as UTF-8, and a file name that is not UTF-8 (kept by Python as
    surrogate escapes) as its original bytes."""
    return quote(path, safe="/", encoding="utf-8", errors="surrogateescape")


def rule_descriptor(rule: Rule) -> dict:
    refs = "\n".join(f"- [{r.title}]({r.url})" for r in rule.references)
    markdown = (f"**{rule.id} {rule.name}** ({rule.category})\n\n{rule.summary}\n\n"
                f"## Why is this a privacy risk?\n\n{rule.risk}\n\n## What to do\n\n{rule.mitigation}"
                f"\n\n## References\n\n{refs}\n")
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.risk},
        "help": {"text": f"{rule.summary}\n\n{rule.mitigation}", "markdown": markdown},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["privacy", "security", rule.category],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": PRECISION[rule.confidence],
            "problem.severity": "error" if rule.severity >= Severity.HIGH else "warning",
        },
    }


def sarif_fix(path: str, fix) -> dict:
    """A fix as SARIF: its edits as replacements (1-based columns; an insertion deletes an
    empty region)."""
    return {
        "description": {"text": f"{fix.description} ({fix.applicability} fix)"},
        "artifactChanges": [{
            "artifactLocation": {"uri": artifact_uri(path)},
            "replacements": [{
                "deletedRegion": {"startLine": e.line, "startColumn": e.column + 1,
                                  "endLine": e.end_line, "endColumn": e.end_column + 1},
                "insertedContent": {"text": e.new_text},
            } for e in fix.edits],
        }],
    }


def render_sarif(report: Report, rules: dict[str, Rule]) -> str:
    ids = sorted(set(report.selected) | {f.rule for f in report.findings})
    index = {rid: i for i, rid in enumerate(ids)}
    results = []
    for f in report.findings:
        sev = f.severity or rules[f.rule].severity
        location: dict = {
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(f.path)},
                "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1),
                           "endLine": max(f.end_line, f.line, 1),
                           "endColumn": max(f.end_column, 1)},
            }
        }
        if f.cell:  # a notebook: the cell and its line beside the raw .ipynb line
            location["logicalLocations"] = [{"name": f.cell_label,
                                             "fullyQualifiedName": f"{f.path}:{f.cell_label}"}]
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVEL[sev],
            "message": {"text": f"{f.message} ({f.cell_label})" if f.cell else f.message},
            "locations": [location],
            "partialFingerprints": {"aiprivlint/v1": f.fingerprint},
            "properties": {
                "severity": sev.label,
                "security-severity": SECURITY_SEVERITY[sev],
                "category": f.category,
                "details": f.details,
                **({"notebookCell": f.cell, "notebookCellLine": f.cell_line} if f.cell else {}),
            },
        }
        fix = report.fixes.get(f.fingerprint)
        if fix is not None:
            result["fixes"] = [sarif_fix(f.path, fix)]
        results.append(result)
    notifications = [{
        "level": "warning",
        "message": {"text": f"{e.kind}: {e.message}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(e.path)}}}],
    } for e in report.errors]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "aiprivlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFO_URI,
                "rules": [rule_descriptor(rules[rid]) for rid in ids],
            }},
            "automationDetails": {"id": "aiprivlint/"},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
