"""The HTML audit report: one self-contained page (inline CSS and SVG, no JavaScript, no CDN,
no external fonts) that works offline and prints cleanly, so a DPO can hand it on.

It formats an :class:`aiprivlint.audit.Audit`; it never decides what is a finding. Rule texts
are Markdown; they are rendered by the small safe renderer below (no dependency). Supported:
ATX headings, paragraphs, bullet and numbered lists (nested by indentation, with continuation
lines), fenced code blocks, inline code, links (``[text](url)`` and ``<url>``), bold and italics.
Every character of the input is HTML-escaped before any markup is added, and a link keeps its
target only when it is http(s), mailto or relative, so no rule text, path or message can inject
a tag, an attribute or a script URL. A Content-Security-Policy meta tag forbids scripts and
every network load on top of that.
"""

from __future__ import annotations

import re
from html import escape

from ..audit import MAX_EVIDENCE, SEVERITIES, Audit, FindingView, MitigationRow, RuleGroup, location

# --- Markdown subset ------------------------------------------------------------------------

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)\s*$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_LINK = re.compile(r"\[([^\]\n]+)\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)|<((?:https?://|mailto:)[^>\s]+)>")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])")
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|#|/|\.{1,2}/|[\w.\-]+(?:/|$|#))", re.IGNORECASE)


def safe_url(url: str) -> str | None:
    """The URL if it is http(s), mailto or relative; None for anything else (javascript:, data:)."""
    url = url.strip()
    if ":" in url.split("/", 1)[0] and not re.match(r"^(?:https?|mailto):", url, re.IGNORECASE):
        return None
    return url if _SAFE_URL.match(url) else None


def _emphasis(escaped: str) -> str:
    escaped = _BOLD.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", escaped)
    return _ITALIC.sub(lambda m: f"<em>{m.group(1)}</em>", escaped)


def _text(raw: str) -> str:
    """Escape, then links and emphasis (no code spans in ``raw``)."""
    out: list[str] = []
    pos = 0
    for m in _LINK.finditer(raw):
        out.append(_emphasis(escape(raw[pos:m.start()], quote=False)))
        label, url = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(3))
        target = safe_url(url)
        shown = _emphasis(escape(label, quote=False))
        if target is None:
            out.append(shown)
        else:
            out.append(f'<a href="{escape(target, quote=True)}" rel="noopener noreferrer">{shown}</a>')
        pos = m.end()
    out.append(_emphasis(escape(raw[pos:], quote=False)))
    return "".join(out)


def inline(raw: str) -> str:
    """Inline Markdown of one paragraph: code spans first (their content is only escaped)."""
    out: list[str] = []
    pos = 0
    for m in _CODE_SPAN.finditer(raw):
        out.append(_text(raw[pos:m.start()]))
        out.append(f"<code>{escape(m.group(2).strip(), quote=False)}</code>")
        pos = m.end()
    out.append(_text(raw[pos:]))
    return "".join(out)


class _Renderer:
    def __init__(self, heading_offset: int) -> None:
        self.offset = heading_offset
        self.out: list[str] = []
        self.para: list[str] = []
        self.lists: list[dict] = []  # {"tag", "indent", "li"}
        self.blank = False

    # paragraphs -----------------------------------------------------------------------------
    def flush(self) -> None:
        if not self.para:
            return
        text = inline(" ".join(p.strip() for p in self.para))
        self.para = []
        self.out.append(text if self.lists else f"<p>{text}</p>")

    # lists ----------------------------------------------------------------------------------
    def close_lists(self, to_indent: int = -1) -> None:
        while self.lists and self.lists[-1]["indent"] > to_indent:
            top = self.lists.pop()
            if top["li"]:
                self.out.append("</li>")
            self.out.append(f"</{top['tag']}>")

    def item(self, indent: int, marker: str, text: str) -> None:
        self.flush()
        tag = "ol" if marker[0].isdigit() else "ul"
        while self.lists and indent < self.lists[-1]["indent"]:
            self.close_lists(self.lists[-1]["indent"] - 1)
        top = self.lists[-1] if self.lists else None
        if top is None or indent > top["indent"] + 1:
            start = ""
            if tag == "ol" and marker[:-1] != "1":
                start = f' start="{int(marker[:-1])}"'
            self.out.append(f"<{tag}{start}>")
            self.lists.append({"tag": tag, "indent": indent, "li": False})
        elif top["tag"] != tag:
            self.close_lists(indent - 1)
            self.out.append(f"<{tag}>")
            self.lists.append({"tag": tag, "indent": indent, "li": False})
        top = self.lists[-1]
        if top["li"]:
            self.out.append("</li>")
        self.out.append("<li>")
        top["li"] = True
        self.para = [text]

    # blocks ---------------------------------------------------------------------------------
    def render(self, md: str) -> str:
        lines = md.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            fence = _FENCE.match(line)
            if fence:
                i = self.code_block(lines, i, fence)
                continue
            if not line.strip():
                self.flush()
                self.blank = True
                i += 1
                continue
            indent = len(line) - len(line.lstrip(" "))
            heading = _HEADING.match(line)
            item = _ITEM.match(line)
            if heading and not (self.lists and indent >= 2):
                self.flush()
                self.close_lists()
                level = min(6, len(heading.group(1)) + self.offset)
                self.out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            elif item:
                self.item(len(item.group(1)), item.group(2), item.group(3))
            elif self.lists and (indent >= 2 or not self.blank):
                if self.blank:  # a new paragraph inside the item
                    self.flush()
                    self.out.append("<br>")
                self.para.append(line)
            else:
                self.close_lists()
                self.para.append(line)
            self.blank = False
            i += 1
        self.flush()
        self.close_lists()
        return "\n".join(self.out)

    def code_block(self, lines: list[str], i: int, fence: re.Match) -> int:
        self.flush()
        indent, mark, lang = len(fence.group(1)), fence.group(2), fence.group(3)
        if self.lists and indent < 2 and self.blank:
            self.close_lists()
        body: list[str] = []
        i += 1
        while i < len(lines):
            close = _FENCE.match(lines[i])
            if close and close.group(2)[0] == mark[0] and len(close.group(2)) >= len(mark) \
                    and not close.group(3):
                i += 1
                break
            raw = lines[i]
            strip = min(indent, len(raw) - len(raw.lstrip(" ")))
            body.append(raw[strip:])
            i += 1
        cls = f' class="language-{escape(lang, quote=True)}"' if lang else ""
        self.out.append(f"<pre><code{cls}>{escape(chr(10).join(body), quote=False)}</code></pre>")
        self.blank = False
        return i


def markdown_to_html(md: str, heading_offset: int = 0) -> str:
    """Render the Markdown subset to HTML; headings are shifted down by ``heading_offset`` levels."""
    return _Renderer(heading_offset).render(md)


# --- the page -------------------------------------------------------------------------------

SEV_COLOR = {"critical": "#7f1d1d", "high": "#dc2626", "medium": "#f59e0b", "low": "#60a5fa"}
STATUS_CLASS = {"adopted": "ok", "partial": "warn", "missing": "bad", "absent": "none"}
MAX_WITH_CONTEXT = 25  # findings per rule shown with code; the rest in a compact table
STUDY_URL = "https://arxiv.org/abs/2510.00909"

CSS = """
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --soft:#f8fafc; --accent:#1e3a8a;
  --critical:#7f1d1d; --high:#dc2626; --medium:#b45309; --low:#2563eb;
  --ok:#15803d; --warn:#b45309; --bad:#b91c1c; --none:#6b7280; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #eef1f5; overflow-wrap: anywhere;
  font: 15px/1.55 "Segoe UI", "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
.page { max-width: 1080px; margin: 0 auto; background: #fff; padding: 0 48px 40px;
  box-shadow: 0 0 0 1px var(--line); }
header.cover { margin: 0 -48px; padding: 36px 48px 28px; background: var(--accent); color: #fff; }
header.cover .kicker { text-transform: uppercase; letter-spacing: .12em; font-size: 12px; opacity: .8; }
header.cover h1 { margin: 6px 0 10px; font-size: 30px; line-height: 1.2; font-weight: 650; }
header.cover h1 code { background: rgba(255,255,255,.14); color: #fff; padding: 1px 8px; border-radius: 4px; }
header.cover .meta { margin: 0; font-size: 13.5px; opacity: .9; }
h2 { font-size: 22px; margin: 38px 0 6px; padding-bottom: 6px; border-bottom: 2px solid var(--accent);
  color: var(--accent); }
h3 { font-size: 18px; margin: 0; }
h4, h5, h6 { font-size: 15px; margin: 16px 0 6px; }
p { margin: 8px 0; }
a { color: #1d4ed8; }
code { font: 13px/1.4 "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace;
  background: #f1f5f9; padding: 1px 4px; border-radius: 3px; }
pre { background: #0f172a; color: #e2e8f0; padding: 12px 14px; border-radius: 6px; overflow-x: auto;
  font: 12.5px/1.5 "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
pre code { background: none; padding: 0; color: inherit; font: inherit; white-space: pre; }
.lead { color: #374151; max-width: 860px; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
.kpis { display: grid; grid-template-columns: repeat(6, 1fr); gap: 12px; margin: 24px 0 8px; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--soft); }
.kpi .n { font-size: 26px; font-weight: 700; line-height: 1.1; }
.kpi .l { font-size: 12.5px; color: var(--muted); }
.kpi.critical .n { color: var(--critical); } .kpi.high .n { color: var(--high); }
.kpi.medium .n { color: var(--medium); } .kpi.low .n { color: var(--low); }
.kpi.miss .n { color: var(--ink); }
nav.toc { margin: 14px 0 0; font-size: 14px; color: var(--muted); }
nav.toc a { margin-right: 18px; text-decoration: none; }
table { border-collapse: collapse; width: 100%; margin: 12px 0; font-size: 14px; }
table.fixed { table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-size: 12.5px; text-transform: uppercase; letter-spacing: .04em;
  color: #4b5563; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.zero { color: #c0c6cf; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  white-space: nowrap; border: 1px solid transparent; }
.sev-critical { background: #fee2e2; color: var(--critical); border-color: #fca5a5; }
.sev-high { background: #fee2e2; color: var(--high); border-color: #fecaca; }
.sev-medium { background: #fef3c7; color: var(--medium); border-color: #fde68a; }
.sev-low { background: #dbeafe; color: var(--low); border-color: #bfdbfe; }
.st-ok { background: #dcfce7; color: var(--ok); } .st-warn { background: #fef3c7; color: var(--warn); }
.st-bad { background: #fee2e2; color: var(--bad); } .st-none { background: #f3f4f6; color: var(--none); }
.tag { display: inline-block; font-size: 12px; color: #374151; background: #f3f4f6; border-radius: 4px;
  padding: 0 6px; margin-right: 4px; }
.chart { margin: 14px 0 4px; }
.chart svg { width: 100%; height: auto; display: block; }
ul.evidence { margin: 0; padding-left: 16px; }
ul.evidence li { margin: 2px 0; }
.loc { font: 12.5px/1.4 "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; color: #374151;
  word-break: break-all; }
article.rule { border: 1px solid var(--line); border-radius: 10px; margin: 22px 0; overflow: hidden;
  break-inside: auto; }
article.rule > header { padding: 14px 18px; background: var(--soft); border-bottom: 1px solid var(--line); }
article.rule > header .id { font-weight: 700; color: var(--accent); margin-right: 6px; }
article.rule > header .meta { margin-top: 6px; }
.rule-body { padding: 4px 18px 14px; }
.cols { display: grid; grid-template-columns: 5fr 6fr; gap: 28px; }
.cols > div { min-width: 0; }
.section-label { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
  margin: 14px 0 4px; font-weight: 600; }
.mitigation pre { font-size: 12px; }
.mitigation pre code { white-space: pre-wrap; overflow-wrap: anywhere; }
.risk { font-size: 14px; color: #374151; }
table.fixed td { overflow-wrap: anywhere; }
table.fixed .badge { white-space: normal; text-align: center; }
.refs { font-size: 13px; margin: 4px 0 0; padding-left: 18px; }
.finding { border-left: 4px solid var(--line); padding: 6px 0 6px 12px; margin: 14px 0; break-inside: avoid; }
.finding.f-critical { border-left-color: var(--critical); } .finding.f-high { border-left-color: var(--high); }
.finding.f-medium { border-left-color: #f59e0b; } .finding.f-low { border-left-color: #60a5fa; }
.finding .msg { margin: 4px 0 6px; }
table.code { width: 100%; border-collapse: collapse; margin: 4px 0 0; background: #0f172a; border-radius: 6px;
  overflow: hidden; font: 12.5px/1.55 "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
table.code td { border: 0; padding: 0 10px; color: #e2e8f0; white-space: pre-wrap; word-break: break-word; }
table.code td.n { width: 1%; text-align: right; color: #64748b; user-select: none; padding-right: 12px;
  border-right: 1px solid #1e293b; white-space: nowrap; }
table.code tr.hit td { background: #3b1d1d; } table.code tr.hit td.n { color: #fca5a5; }
table.code tr:first-child td { padding-top: 6px; } table.code tr:last-child td { padding-bottom: 6px; }
table.code td.hidden { color: #94a3b8; font-style: italic; }
.masked { background: #fff7ed; border: 1px solid #fed7aa; border-radius: 6px; padding: 8px 12px; font-size: 13.5px; }
.masked code { background: #ffedd5; }
.masked .k { color: var(--muted); margin-right: 4px; }
.masked span.item { margin-right: 16px; display: inline-block; max-width: 100%; }
table.more { table-layout: fixed; } table.more td { font-size: 13px; }
table.more td:first-child { width: 92px; } table.more td.loc { width: 38%; }
.note { border-left: 4px solid var(--accent); background: #eff6ff; padding: 10px 14px; border-radius: 0 6px 6px 0;
  margin: 14px 0; font-size: 14px; }
footer { margin-top: 40px; padding-top: 14px; border-top: 1px solid var(--line); font-size: 12.5px;
  color: var(--muted); }
.empty { padding: 18px; text-align: center; color: var(--muted); border: 1px dashed var(--line); border-radius: 8px; }
@media (max-width: 820px) { .page { padding: 0 16px 24px; } header.cover { margin: 0 -16px; padding: 24px 16px; }
  .kpis { grid-template-columns: repeat(3, 1fr); } .cols { grid-template-columns: 1fr; }
  th, td { padding: 6px 5px; } th { letter-spacing: 0; font-size: 11px; } }
@media print { body { background: #fff; font-size: 12px; } .page { box-shadow: none; max-width: none; padding: 0; }
  header.cover { margin: 0; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  nav.toc { display: none; } h2 { break-after: avoid; } article.rule > header { break-after: avoid; }
  .badge, .kpi, table.code, pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _sev_badge(label: str) -> str:
    return f'<span class="badge sev-{_e(label)}">{_e(label)}</span>'


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _chart(audit: Audit) -> str:
    """Horizontal stacked bars: findings per category by severity (inline SVG)."""
    row_h, top, label_w, bar_w, width = 38, 34, 270, 560, 900
    height = top + row_h * len(audit.categories) + 8
    most = max((c.total for c in audit.categories), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="chart-title" font-family="inherit">',
             '<title id="chart-title">Findings per risk category, by severity</title>']
    x = label_w
    for sev in SEVERITIES:  # legend
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" rx="2" fill="{SEV_COLOR[sev]}"/>'
                     f'<text x="{x + 18}" y="16.5" font-size="13" fill="#374151">{sev}</text>')
        x += 96
    for i, cat in enumerate(audit.categories):
        y = top + i * row_h
        parts.append(f'<text x="0" y="{y + 19}" font-size="14" fill="#1f2937">{_e(cat.title)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="22" rx="3" fill="#f1f5f9"/>')
        x = float(label_w)
        for sev in SEVERITIES:
            n = cat.counts[sev]
            if not n:
                continue
            w = bar_w * n / most
            parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="22" fill="{SEV_COLOR[sev]}">'
                         f'<title>{_e(cat.title)}: {n} {sev}</title></rect>')
            if w >= 22:
                ink = "#fff" if sev in ("critical", "high") else "#111827"
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 19.5}" font-size="12" text-anchor="middle" '
                             f'fill="{ink}" font-weight="600">{n}</text>')
            x += w
        total = f"{cat.total}" if cat.total else "none"
        parts.append(f'<text x="{label_w + bar_w + 12}" y="{y + 20}" font-size="14" font-weight="600" '
                     f'fill="{"#1f2937" if cat.total else "#9ca3af"}">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _summary(audit: Audit) -> str:
    adj = ", ".join(f"{c.title} {c.adjustment:+d}" for c in audit.categories if c.adjustment)
    order_note = (f"Ordered by your risk profile ({_e(adj)}); categories with the same adjustment keep "
                  "the study's order." if adj else
                  "No risk profile is configured, so the categories keep the study's order. Set "
                  "<code>risk-profile</code> in the configuration to rank them for your organisation.")
    rows = []
    for cat in audit.categories:
        cells = "".join(f'<td class="num{" zero" if not cat.counts[s] else ""}">{cat.counts[s]}</td>'
                        for s in SEVERITIES)
        rules = " ".join(f'<a class="tag" href="#{_e(r)}">{_e(r)}</a>' for r in cat.rules) or \
            '<span class="muted">—</span>'
        rows.append(f"<tr><td><strong>{_e(cat.title)}</strong><br><span class='muted small'>"
                    f"{_e(cat.description)}</span></td>"
                    f'<td class="num">{cat.adjustment:+d}</td>{cells}'
                    f'<td class="num"><strong>{cat.total}</strong></td><td>{rules}</td></tr>')
    head = "".join(f'<th class="num">{s}</th>' for s in SEVERITIES)
    return (
        '<section id="summary"><h2>1. Risk summary by category</h2>'
        f'<p class="lead">The five risk categories of the study, with the findings in each. {order_note}</p>'
        f'<div class="chart">{_chart(audit)}</div>'
        f'<table><thead><tr><th>Risk category</th><th class="num">Profile</th>{head}'
        '<th class="num">Total</th><th>Rules</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></section>'
    )


def _evidence(row: MitigationRow) -> str:
    if not row.evidence:
        return '<span class="muted">No evidence found in the scanned files.</span>'
    items = [f'<li><span class="loc">{_e(ev.path)}{":" + str(ev.line) if ev.line else ""}</span> '
             f'<span class="muted">— {_e(ev.label)}</span></li>' for ev in row.evidence[:MAX_EVIDENCE]]
    more = len(row.evidence) - MAX_EVIDENCE
    if more > 0:
        items.append(f'<li class="muted">and {_plural(more, "more place")}</li>')
    return f'<ul class="evidence">{"".join(items)}</ul>'


def _needed(row: MitigationRow) -> str:
    if row.needed:
        links = ", ".join(f'<a href="#{_e(r)}">{_e(r)}</a> × {n}' for r, n in row.needed.items())
        return f"Needed: {links}"
    if not row.spec.needed_by:
        return '<span class="muted">Optional: no rule calls for it on its own.</span>'
    if row.not_run and len(row.not_run) == len(row.spec.needed_by):
        return f'<span class="muted">Not checked ({_e(", ".join(row.not_run))} not run).</span>'
    return (f'<span class="muted">No finding calls for it '
            f'({_e(", ".join(row.spec.needed_by))}).</span>')


def _mitigations(audit: Audit) -> str:
    rows = []
    for row in audit.mitigations:
        st = STATUS_CLASS[row.status]
        notes = "".join(f'<div class="small muted">{_e(n)}</div>' for n in row.notes)
        what = ("<br>".join(inline(a) for a in row.advice)
                if row.status in ("missing", "partial") else "")
        rows.append(
            f'<tr><td><strong>{_e(row.spec.title)}</strong><br><span class="muted small">'
            f'{_e(row.spec.purpose)}</span></td>'
            f'<td><span class="badge st-{st}">{_e(row.status_text)}</span></td>'
            f'<td>{_evidence(row)}{notes}</td>'
            f'<td class="small">{_needed(row)}{"<br>" + what if what else ""}</td></tr>')
    return (
        '<section id="mitigations"><h2>2. Mitigation adoption</h2>'
        '<p class="lead">The study found that developers know the technical privacy mitigations but '
        'rarely adopt them. This table shows which ones this repository uses, with the file and line '
        'where each was found, and which are missing where the findings say they are needed.</p>'
        '<table class="fixed"><thead><tr><th style="width:22%">Mitigation</th><th style="width:15%">Status</th>'
        '<th style="width:36%">Evidence</th><th>Needed by findings</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
        '<p class="small muted">Evidence is found statically and is not proof of correct use; '
        '"Not found" means no evidence in the scanned files, not that the mitigation is absent '
        'from your infrastructure.</p></section>'
    )


def _code(view: FindingView) -> str:
    if view.masked_only:
        items = []
        if view.sample:
            items.append(f'<span class="item"><span class="k">Masked sample</span><code>{_e(view.sample)}</code></span>')
        items += [f'<span class="item"><span class="k">{_e(k)}</span>{_e(v)}</span>' for k, v in view.facts]
        items.append('<span class="item muted">Code not shown: the line holds the detected value.</span>')
        return f'<div class="masked">{"".join(items)}</div>'
    if not view.context:
        return ""
    rows = []
    for ln in view.context:
        cls = ' class="hit"' if ln.hit else ""
        text = ('<td class="hidden">(line hidden: it holds a detected value)</td>' if ln.hidden
                else f"<td>{_e(ln.text) or ' '}</td>")
        rows.append(f'<tr{cls}><td class="n">{ln.number}</td>{text}</tr>')
    return f'<table class="code">{"".join(rows)}</table>'


def _finding(view: FindingView) -> str:
    f = view.finding
    sev = f.severity.label if f.severity else "low"
    return (f'<div class="finding f-{sev}"><div>{_sev_badge(sev)} '
            f'<span class="loc">{_e(location(f))}</span></div>'
            f'<p class="msg">{_e(f.message)}</p>{_code(view)}</div>')


def _group(group: RuleGroup) -> str:
    rule = group.rule
    counts = ", ".join(f"{n} {s}" for s, n in group.counts.items() if n)
    refs = "".join(
        f'<li><a href="{_e(u)}" rel="noopener noreferrer">{_e(r.title)}</a></li>'
        if (u := safe_url(r.url)) else f"<li>{_e(r.title)}</li>" for r in rule.references)
    shown = group.findings[:MAX_WITH_CONTEXT]
    rest = group.findings[MAX_WITH_CONTEXT:]
    more = ""
    if rest:
        rows = "".join(
            f'<tr><td>{_sev_badge(v.finding.severity.label if v.finding.severity else "low")}</td>'
            f'<td class="loc">{_e(location(v.finding))}</td><td>{_e(v.finding.message)}</td></tr>'
            for v in rest)
        more = (f'<div class="section-label">{_plural(len(rest), "more finding")}</div>'
                f'<table class="more"><tbody>{rows}</tbody></table>')
    return (
        f'<article class="rule" id="{_e(rule.id)}"><header>'
        f'<h3><span class="id">{_e(rule.id)}</span>{_e(rule.name)}</h3>'
        f'<div class="meta">{_sev_badge(group.top_severity)} '
        f'<span class="tag">{_e(rule.category)}</span><span class="tag">confidence: {_e(rule.confidence)}</span>'
        f'<span class="tag">{_plural(len(group.findings), "finding")} ({_e(counts)})</span></div>'
        f'<p class="small" style="margin:8px 0 0">{_e(rule.summary)}</p></header>'
        '<div class="rule-body"><div class="cols">'
        f'<div class="risk"><div class="section-label">Why this is a privacy risk</div>{markdown_to_html(rule.risk, 3)}'
        f'<div class="section-label">References</div><ul class="refs">{refs}</ul></div>'
        f'<div class="mitigation"><div class="section-label">What to do</div>'
        f'{markdown_to_html(rule.mitigation, 3)}</div></div>'
        f'<div class="section-label">Findings</div>{"".join(_finding(v) for v in shown)}{more}'
        '</div></article>'
    )


def _findings(audit: Audit) -> str:
    if not audit.groups:
        body = '<div class="empty">No findings. Nothing in the scanned files matched a selected rule.</div>'
    else:
        body = "".join(_group(g) for g in audit.groups)
    return ('<section id="findings"><h2>3. Findings by rule</h2>'
            '<p class="lead">Each rule with why it matters, what to do, and where it fired. Lines that '
            'hold personal data or a secret are never shown: only a masked sample.</p>'
            f'{body}</section>')


def _scope(audit: Audit) -> str:
    errs = ""
    if audit.errors:
        rows = "".join(f'<tr><td class="loc">{_e(e.path)}</td><td>{_e(e.kind)}</td><td>{_e(e.message)}</td></tr>'
                       for e in audit.errors)
        errs = (f'<div class="section-label">Files not fully scanned ({len(audit.errors)})</div>'
                f'<table><thead><tr><th>File</th><th>Kind</th><th>Reason</th></tr></thead>'
                f'<tbody>{rows}</tbody></table>')
    warns = ""
    if audit.warnings:
        rows = "".join(f'<tr><td class="loc">{_e(w.path)}:{w.line}</td><td>{_e(w.message)}</td></tr>'
                       for w in audit.warnings)
        warns = (f'<div class="section-label">Suppression warnings ({len(audit.warnings)})</div>'
                 f'<table><tbody>{rows}</tbody></table>')
    return (
        '<section id="scope"><h2>4. Scope and method</h2>'
        f'<p>aiprivlint {_e(audit.version)} read {_plural(audit.files_scanned, "file")} in '
        f'<code>{_e(audit.target)}</code> ({_plural(audit.projects, "project")}) with '
        f'{_plural(audit.rules_run, "rule")}, without running any code and without network access. '
        f'{_plural(audit.suppressed, "finding")} suppressed by inline comments, per-file ignores or '
        'the configuration are not listed.</p>'
        f'<p>The risk categories and the mitigations follow Klymenko et al., <a href="{STUDY_URL}" '
        'rel="noopener noreferrer">“We are not Future-ready”: Understanding AI Privacy Risks and '
        'Existing Mitigation Strategies from the Perspective of AI Developers in Europe</a> '
        '(SOUPS 2025). A static linter finds red flags, not proof: review each finding in its context. '
        'Run <code>aiprivlint explain RULE</code> for the full text of a rule.</p>'
        f'{errs}{warns}</section>'
    )


def render_html(audit: Audit) -> str:
    total = audit.findings
    kpis = [
        ("", total, "findings"),
        ("critical", audit.counts["critical"], "critical"),
        ("high", audit.counts["high"], "high"),
        ("medium", audit.counts["medium"], "medium"),
        ("low", audit.counts["low"], "low"),
        # what is missing, in neutral ink: never "3/8 found" in green, which reads as good news
        ("miss", audit.missing, f"of {_plural(audit.needed, 'needed mitigation')} missing"
         if audit.needed else "mitigations the findings call for"),
    ]
    kpi_html = "".join(f'<div class="kpi {c}"><div class="n">{_e(n)}</div><div class="l">{_e(l)}</div></div>'
                       for c, n, l in kpis)
    low = audit.counts["low"]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'style-src \'unsafe-inline\'; img-src data:">'
        '<meta name="generator" content="aiprivlint">'
        f'<title>Privacy audit — {_e(audit.target)}</title><style>{CSS}</style></head><body>'
        '<div class="page"><header class="cover"><div class="kicker">aiprivlint · privacy audit</div>'
        f'<h1>Privacy audit of <code>{_e(audit.target)}</code></h1>'
        f'<p class="meta">Generated {_e(audit.generated)} · aiprivlint {_e(audit.version)} · '
        f'{_plural(audit.files_scanned, "file")} scanned · {_plural(audit.rules_run, "rule")} run'
        f'{" · " + _plural(len(audit.errors), "file error") if audit.errors else ""}</p>'
        f'<p class="meta">Audited: {_e(audit.revision.text)}</p></header>'
        f'<div class="kpis">{kpi_html}</div>'
        f'<p class="small muted">{_plural(total, "finding")} in total: '
        f'{audit.counts["critical"]} critical, {audit.counts["high"]} high, {audit.counts["medium"]} medium, '
        f'{low} low (after the risk profile).</p>'
        '<nav class="toc"><a href="#summary">1. Risk summary</a><a href="#mitigations">2. Mitigation '
        'adoption</a><a href="#findings">3. Findings by rule</a><a href="#scope">4. Scope and method</a></nav>'
        f'{_summary(audit)}{_mitigations(audit)}{_findings(audit)}{_scope(audit)}'
        '<footer>This report contains no detected personal data or secret in clear: values are masked, '
        'and lines that hold them are not shown. It was produced offline by aiprivlint and needs no '
        'network or JavaScript to view or print.</footer>'
        '</div></body></html>\n'
    )
