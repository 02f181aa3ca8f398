"""Reporters: each only formats a Report; none decides what is a finding."""

from __future__ import annotations

from ..engine import Report
from ..registry import Rule

FORMATS = ("text", "json", "sarif", "github")


def render(fmt: str, report: Report, rules: dict[str, Rule], *, color: bool = False,
           quiet: bool = False) -> str:
    if fmt == "json":
        from .json import render_json

        return render_json(report)
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(report, rules)
    if fmt == "github":
        from .github import render_github

        return render_github(report, rules)
    from .text import render_text

    return render_text(report, rules, color=color, quiet=quiet)
