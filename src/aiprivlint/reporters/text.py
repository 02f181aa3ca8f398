"""Human output: ``path:line:col: AIP203 [high] message`` plus a why/fix hint and a summary."""

from __future__ import annotations

from collections import Counter

from ..engine import Report
from ..registry import Rule

_SEV_COLOR = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render_text(report: Report, rules: dict[str, Rule], *, color: bool = False,
                quiet: bool = False) -> str:
    def c(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    hinted: set[str] = set()
    for f in report.findings:
        sev = f.severity.label if f.severity else "?"
        where = c(_BOLD, f"{f.path}:{f.line}:{f.column}:") + (f" [{f.cell_label}]" if f.cell else "")
        lines.append(f"{where} {c(_BOLD, f.rule)} {c(_SEV_COLOR.get(sev, ''), f'[{sev}]')} {f.message}")
        if not quiet and f.rule not in hinted:
            hinted.add(f.rule)
            rule = rules[f.rule]
            lines.append(c(_DIM, f"  why: {rule.summary}"))
            lines.append(c(_DIM, f"  fix: run `aiprivlint explain {f.rule}` for the risk and the mitigation"))
    for w in report.warnings:
        lines.append(f"{w.path}:{w.line}: warning: {w.message}")
    if not quiet or report.findings:
        lines.append(summary_line(report))
    return "\n".join(lines) + ("\n" if lines else "")


def summary_line(report: Report) -> str:
    n = len(report.findings)
    by_sev = Counter(f.severity.label for f in report.findings if f.severity)
    parts = [f"{by_sev[s]} {s}" for s in ("critical", "high", "medium", "low") if by_sev.get(s)]
    head = f"Found {n} finding{'s' if n != 1 else ''}" + (f" ({', '.join(parts)})" if parts else "")
    head += f" in {report.files_scanned} file{'s' if report.files_scanned != 1 else ''} scanned."
    extra = []
    if report.suppressed:
        extra.append(f"{report.suppressed} suppressed")
    if report.in_test_code:
        extra.append(f"{report.in_test_code} in test code not shown (test-code = \"check\" shows them)")
    if report.low_confidence:
        extra.append(f"{report.low_confidence} of low confidence not shown (--min-confidence low "
                     "shows them)")
    if report.new_since:
        extra.append(f"{report.baseline_matched} already present at {report.new_since}, "
                     f"{report.baseline_stale} fixed since")
    elif report.baseline_stale is not None:
        extra.append(f"{report.baseline_matched} in baseline, {report.baseline_stale} stale baseline "
                     f"entr{'ies' if report.baseline_stale != 1 else 'y'}")
    if report.errors:
        extra.append(f"{len(report.errors)} file error{'s' if len(report.errors) != 1 else ''}")
    return head + (f" {'; '.join(extra)}." if extra else "")
