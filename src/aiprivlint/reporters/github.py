"""GitHub Actions workflow-command annotations (``::error file=...,line=...,title=...::msg``)."""

from __future__ import annotations

from ..engine import Report
from ..findings import Severity
from ..registry import Rule
from .text import summary_line

COMMAND = {Severity.LOW: "notice", Severity.MEDIUM: "warning", Severity.HIGH: "error",
           Severity.CRITICAL: "error"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, rules: dict[str, Rule]) -> str:
    lines = []
    for f in report.findings:
        sev = f.severity or rules[f.rule].severity
        props = (f"file={_prop(f.path)},line={f.line},col={f.column},endLine={f.end_line},"
                 f"endColumn={f.end_column},title={_prop(f'{f.rule} {f.name} [{sev.label}]')}")
        cell = f"{f.cell_label}: " if f.cell else ""
        msg = f"{cell}{f.message} (run `aiprivlint explain {f.rule}`)"
        lines.append(f"::{COMMAND[sev]} {props}::{_data(msg)}")
    for e in report.errors:
        lines.append(f"::warning file={_prop(e.path)},title={_prop('aiprivlint ' + e.kind)}::{_data(e.message)}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
