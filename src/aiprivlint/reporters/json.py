"""The JSON output contract of DESIGN.md."""

from __future__ import annotations

import json
from collections import Counter

from .. import __version__
from ..engine import Report


def summary(report: Report) -> dict:
    by_sev = Counter(f.severity.label for f in report.findings if f.severity)
    return {
        "files_scanned": report.files_scanned,
        "findings": len(report.findings),
        "by_severity": {k: by_sev.get(k, 0) for k in ("critical", "high", "medium", "low")},
        "by_rule": dict(sorted(Counter(f.rule for f in report.findings).items())),
        "errors": len(report.errors),
        "suppressed": report.suppressed,
        "in_test_code": report.in_test_code,
        "low_confidence": report.low_confidence,
        "baseline_matched": report.baseline_matched,
        "baseline_stale": report.baseline_stale,
        "new_since": report.new_since or None,
    }


def render_json(report: Report) -> str:
    doc = {
        "tool": {"name": "aiprivlint", "version": __version__},
        "findings": [f.to_dict() for f in report.findings],
        "errors": [e.to_dict() for e in report.errors],
        "warnings": [w.to_dict() for w in report.warnings],
        "project": [p.to_dict() for p in report.projects],
        "summary": summary(report),
    }
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
