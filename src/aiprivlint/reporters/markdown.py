"""The Markdown audit report (GitHub-flavoured): the same content as the HTML report, for a wiki,
a pull request or a ticket. It formats an :class:`aiprivlint.audit.Audit`; rule mitigations are
Markdown already and are included with their headings shifted below the report's own.
"""

from __future__ import annotations

import re

from ..audit import SEVERITIES, Audit, FindingView, MitigationRow, RuleGroup, location

MAX_WITH_CONTEXT = 25
BAR = 24  # characters of the widest bar
STUDY_URL = "https://arxiv.org/abs/2510.00909"
_SEV_MARK = {"critical": "🟥", "high": "🔴", "medium": "🟠", "low": "🔵"}
_STATUS_MARK = {"adopted": "✅", "partial": "🟡", "missing": "❌", "absent": "➖"}


def _cell(text: object) -> str:
    """Text safe inside a table cell: no pipes or newlines, no raw HTML."""
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


def _inline(text: object) -> str:
    """Text for a list item: one line, no raw HTML (CommonMark backslash escapes)."""
    return str(text).replace("\\", "\\\\").replace("\n", " ").replace("<", "\\<")


def _code(text: str) -> str:
    """An inline code span that survives backticks in ``text``."""
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


def _shift_headings(md: str, by: int) -> str:
    out, fence = [], None
    for line in md.split("\n"):
        m = re.match(r"^\s*(`{3,}|~{3,})", line)
        if m:
            fence = None if fence and m.group(1)[0] == fence else (fence or m.group(1)[0])
        if fence is None and re.match(r"^#{1,6}\s", line):
            line = "#" * by + line
        out.append(line)
    return "\n".join(out)


def _bar(n: int, most: int) -> str:
    if not n:
        return ""
    w = max(1, round(BAR * n / most))
    return "█" * w


def _summary(audit: Audit) -> list[str]:
    adj = ", ".join(f"{c.title} {c.adjustment:+d}" for c in audit.categories if c.adjustment)
    note = (f"Ordered by your risk profile ({adj}); ties keep the study's order." if adj else
            "No risk profile is configured: the categories keep the study's order.")
    most = max((c.total for c in audit.categories), default=0) or 1
    lines = ["## 1. Risk summary by category", "", note, "",
             "| Risk category | Profile | " + " | ".join(SEVERITIES) + " | Total | |",
             "|---|--:|" + "--:|" * len(SEVERITIES) + "--:|---|"]
    for c in audit.categories:
        counts = " | ".join(str(c.counts[s]) for s in SEVERITIES)
        lines.append(f"| **{_cell(c.title)}** | {c.adjustment:+d} | {counts} | **{c.total}** | "
                     f"`{_bar(c.total, most) or '·'}` |")
    lines.append("")
    return lines


def _evidence(row: MitigationRow) -> str:
    if not row.evidence:
        return "—"
    items = [f"{_code(ev.path + (f':{ev.line}' if ev.line else ''))} {_cell(ev.label)}"
             for ev in row.evidence[:6]]
    if len(row.evidence) > 6:
        items.append(f"and {len(row.evidence) - 6} more")
    return "<br>".join(items)


def _needed(row: MitigationRow) -> str:
    if row.needed:
        return "Needed: " + ", ".join(f"[{r}](#{r.lower()}) ×{n}" for r, n in row.needed.items())
    if not row.spec.needed_by:
        return "Optional"
    if len(row.not_run) == len(row.spec.needed_by):
        return f"Not checked ({', '.join(row.not_run)} not run)"
    return f"No finding calls for it ({', '.join(row.spec.needed_by)})"


def _mitigations(audit: Audit) -> list[str]:
    lines = ["## 2. Mitigation adoption", "",
             "The study found that developers know the technical privacy mitigations but rarely adopt "
             "them. Which ones this repository uses, with the evidence, and which are missing where the "
             "findings say they are needed:", "",
             "| Mitigation | Status | Evidence | Needed by findings |", "|---|---|---|---|"]
    for row in audit.mitigations:
        ev = _evidence(row)
        if row.notes:
            ev += "<br>" + "<br>".join(_cell(n) for n in row.notes)
        need = _needed(row)
        if row.status in ("missing", "partial"):
            need += "".join("<br>" + _cell(a) for a in row.advice)
        lines.append(f"| **{_cell(row.spec.title)}** | {_STATUS_MARK[row.status]} {row.status_text} | "
                     f"{ev} | {need} |")
    lines += ["", "_Evidence is found statically and is not proof of correct use; \"Not found\" means no "
              "evidence in the scanned files._", ""]
    return lines


def _fence(body: str, lang: str = "") -> list[str]:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", body)), default=0) + 1)
    return [f"{ticks}{lang}", body, ticks]


def _finding(view: FindingView) -> list[str]:
    f = view.finding
    sev = f.severity.label if f.severity else "low"
    lines = [f"- {_SEV_MARK.get(sev, '')} **{sev}** {_code(location(f))}: {_inline(f.message)}"]
    if view.masked_only:
        parts = [f"masked sample {_code(view.sample)}"] if view.sample else []
        parts += [f"{k.lower()} {_code(v)}" for k, v in view.facts]
        parts.append("code not shown: the line holds the detected value")
        lines.append("  " + "; ".join(parts))
    elif view.context:
        width = len(str(view.context[-1].number))
        body = "\n".join(
            f"{'>' if ln.hit else ' '}{str(ln.number).rjust(width)} | "
            + ("(line hidden: it holds a detected value)" if ln.hidden else ln.text)
            for ln in view.context)
        lines += ["", *("  " + x for x in "\n".join(_fence(body)).split("\n")), ""]
    return lines


def _group(g: RuleGroup) -> list[str]:
    rule = g.rule
    counts = ", ".join(f"{n} {s}" for s, n in g.counts.items() if n)
    lines = [f"### {rule.id}", "", f"**{rule.name}** · {rule.category} · severity up to "
             f"**{g.top_severity}** · {_plural(len(g.findings), 'finding')} ({counts})", "",
             f"> {rule.summary}", "", "#### Why this is a privacy risk", "", _shift_headings(rule.risk, 4), "",
             "#### What to do", "", _shift_headings(rule.mitigation, 4), "", "#### Findings", ""]
    for view in g.findings[:MAX_WITH_CONTEXT]:
        lines += _finding(view)
    rest = g.findings[MAX_WITH_CONTEXT:]
    if rest:
        lines += ["", f"{_plural(len(rest), 'more finding')}:", ""]
        lines += [f"- **{v.finding.severity.label if v.finding.severity else 'low'}** "
                  f"{_code(location(v.finding))}: {_inline(v.finding.message)}" for v in rest]
    lines += ["", "References: " + " · ".join(f"[{_cell(r.title)}]({r.url})" for r in rule.references), ""]
    return lines


def render_markdown(audit: Audit) -> str:
    c = audit.counts
    lines = [f"# Privacy audit of {_code(audit.target)}", "",
             f"Generated {audit.generated} · aiprivlint {audit.version} · "
             f"{_plural(audit.files_scanned, 'file')} scanned · {_plural(audit.rules_run, 'rule')} run", "",
             f"Audited: {_inline(audit.revision.text)}", "",
             f"**{_plural(audit.findings, 'finding')}**: {c['critical']} critical, {c['high']} high, "
             f"{c['medium']} medium, {c['low']} low · {audit.mitigation_summary}", ""]
    lines += _summary(audit)
    lines += _mitigations(audit)
    lines += ["## 3. Findings by rule", "",
              "Lines that hold personal data or a secret are never shown: only a masked sample.", ""]
    if not audit.groups:
        lines += ["No findings.", ""]
    for g in audit.groups:
        lines += _group(g)
    lines += ["## 4. Scope and method", "",
              f"aiprivlint read {_plural(audit.files_scanned, 'file')} ({_plural(audit.projects, 'project')}) "
              f"without running code or using the network; {_plural(audit.suppressed, 'suppressed finding')} "
              "not listed. Categories and mitigations follow Klymenko et al., *We are not Future-ready* "
              f"(SOUPS 2025), {STUDY_URL}. A static linter finds red flags, not proof.", ""]
    if audit.errors:
        lines += [f"Files not fully scanned ({len(audit.errors)}):", ""]
        lines += [f"- {_code(e.path)} {e.kind}: {_inline(e.message)}" for e in audit.errors]
        lines.append("")
    if audit.warnings:
        lines += [f"Suppression warnings ({len(audit.warnings)}):", ""]
        lines += [f"- {_code(f'{w.path}:{w.line}')} {_inline(w.message)}" for w in audit.warnings]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
