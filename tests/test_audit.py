"""``aiprivlint audit``: the facts-only mitigation rule, the audit model, the HTML and Markdown
reports through the real CLI, and the HTML page in a real headless browser (Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aiprivlint.audit import category_order
from aiprivlint.checkers import all_checkers
from aiprivlint.checkers.python import PythonChecker, all_code_rules
from aiprivlint.checkers.python.mitigation_facts import MitigationFacts
from aiprivlint.config import Config
from aiprivlint.engine import Engine
from aiprivlint.redact import scrub
from aiprivlint.registry import CATEGORIES, load_rules
from aiprivlint.reporters.html import markdown_to_html
from conftest import FIXTURES, run_cli

RULES = load_rules()
AUDIT_REPO = FIXTURES / "audit" / "support_assistant"
REL = "tests/fixtures/audit/support_assistant"
MITIGATION_KINDS = ("pseudonymisation", "trace-masking", "pinned-revision", "safe-serialization")
PHONE_DIGITS = "12 34 56 78"  # the phone number in serve.py: must never be printed


def _facts(tmp_path: Path, code: str, audit: bool = True):
    src = tmp_path / "snippet.py"
    src.write_text(code + "\n", encoding="utf-8")
    engine = Engine(Config(root=tmp_path), RULES, frozenset({"AIP502"}), jobs=1, cwd=tmp_path)
    if audit:
        engine.options["_audit"] = True
    report = engine.run([str(src)])
    assert report.errors == []
    return [f for f in report.facts if f.kind in MITIGATION_KINDS]


# --- the facts-only rule ----------------------------------------------------------------------

@pytest.mark.parametrize("code,kind", MitigationFacts.EMITS,
                         ids=[f"emits-{i}-{k}" for i, (_, k) in enumerate(MitigationFacts.EMITS)])
def test_mitigation_fact_emitted(tmp_path, code, kind):
    facts = _facts(tmp_path, code)
    assert [f.kind for f in facts] == [kind], code
    assert facts[0].line >= 1 and facts[0].data.get("api")


@pytest.mark.parametrize("code", MitigationFacts.SILENT,
                         ids=[f"silent-{i}" for i in range(len(MitigationFacts.SILENT))])
def test_mitigation_fact_silent(tmp_path, code):
    assert _facts(tmp_path, code) == [], code


def test_facts_only_rule_runs_only_for_the_audit(tmp_path):
    code, _kind = MitigationFacts.EMITS[0]
    assert _facts(tmp_path, code, audit=False) == []
    assert MitigationFacts in all_code_rules()
    python = next(c for c in all_checkers() if isinstance(c, PythonChecker))
    assert "" not in python.rule_ids and MitigationFacts.rule_id == ""
    # a data-only selection still runs the Python checker for the facts during an audit
    src = tmp_path / "redact.py"
    src.write_text(code + "\n", encoding="utf-8")
    engine = Engine(Config(root=tmp_path), RULES, frozenset({"AIP101"}), jobs=1, cwd=tmp_path)
    engine.options["_audit"] = True
    assert [f.kind for f in engine.run([str(src)]).facts] == ["pseudonymisation"]


# --- pieces -----------------------------------------------------------------------------------

def test_category_order_follows_risk_profile():
    assert category_order({}) == list(CATEGORIES)
    assert category_order({"misuse": 1, "memorization": 2}) == [
        "memorization", "misuse", "data-management", "downstream-use", "inference-attacks"]
    # ties keep the study's order; negative adjustments go last
    assert category_order({"data-management": -1, "inference-attacks": 1})[0] == "inference-attacks"
    assert category_order({"data-management": -1})[-1] == "data-management"


def test_markdown_subset_is_safe():
    html = markdown_to_html(
        "# Title <script>alert(1)</script>\n\nUse **bold**, `a<b>` and [x](javascript:alert(1)) "
        "or [docs](https://example.org/a?b=1&c=\"2\").\n\n- one\n- two\n  continued\n\n"
        "```python\n<img src=x onerror=alert(1)>\n```\n<b onclick=x>raw</b>\n", heading_offset=2)
    assert "<script" not in html and "<img" not in html and "<b " not in html
    assert "javascript:" not in html  # an unsafe link keeps its text, loses its target
    assert "<h3>Title &lt;script&gt;alert(1)&lt;/script&gt;</h3>" in html
    assert "<strong>bold</strong>" in html and "<code>a&lt;b&gt;</code>" in html
    assert 'href="https://example.org/a?b=1&amp;c=&quot;2&quot;"' in html
    assert "<ul>" in html and "two continued" in html
    assert '<pre><code class="language-python">&lt;img src=x onerror=alert(1)&gt;</code></pre>' in html


def test_every_rule_mitigation_renders():
    for rule in RULES.values():
        html = markdown_to_html(rule.mitigation, 3)
        assert "<pre><code" in html, rule.id  # every mitigation has a before/after example
        assert html.count("<ul>") == html.count("</ul>") and html.count("<li>") == html.count("</li>")


def test_scrub_masks_values_in_code_lines():
    line = ('send("anna.schmidt@posteo.de", "+49 151 23456789", '
            'key="sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv")')
    out = scrub(line)
    assert "anna.schmidt" not in out and "23456789" not in out and "Ab3dEf6hIj9kLm2nOp5qRs8tUv" not in out
    assert scrub('model = AutoModel.from_pretrained("bert-base-uncased")') == \
        'model = AutoModel.from_pretrained("bert-base-uncased")'


# --- the CLI ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def html_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "report.html"
    proc = run_cli("audit", REL, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "scanning [" not in proc.stderr  # no progress bar when stderr is not a TTY
    return out


@pytest.fixture(scope="module")
def md_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "report.md"
    proc = run_cli("audit", REL, "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return out


def _row(html: str, title: str) -> str:
    m = re.search(r"<tr><td><strong>" + re.escape(title) + r"</strong>.*?</tr>", html, re.S)
    assert m, title
    return m.group(0)


def test_html_report_sections_and_offline(html_report):
    html = html_report.read_text(encoding="utf-8")
    for section in ('id="summary"', 'id="mitigations"', 'id="findings"', 'id="scope"'):
        assert section in html
    assert "<svg" in html and "Findings per risk category" in html
    # works offline: no script, no external resource, a CSP that forbids them
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//[^"']*\.(css|js|woff2?|ttf)""", html)
    # no stylesheet loads anything: <style> blocks and style="" attributes hold no
    # @import or url(); a rule's text may well show code that calls download_url(...)
    css = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S) + re.findall(r'style="([^"]*)"', html)
    assert css and not any("@import" in c or "url(" in c for c in css)
    assert "default-src 'none'" in html


def test_html_categories_follow_risk_profile(html_report):
    html = html_report.read_text(encoding="utf-8")
    summary = html.split('id="summary"', 1)[1].split('id="mitigations"', 1)[0]
    table = summary.split("<tbody>", 1)[1]
    positions = [table.index(title) for title in (
        "Data memorization and leakage", "Misuse via harmful applications", "Data management",
        "Unintended downstream usage", "Adversarial inference and inversion")]
    assert positions == sorted(positions)
    assert "+2" in summary and "+1" in summary


def test_html_mitigation_adoption(html_report):
    html = html_report.read_text(encoding="utf-8")
    dp = _row(html, "Differential privacy")
    assert "Adopted, findings remain" in dp and "train.py:18" in dp and "AIP202" in dp
    assert "target_epsilon = 50.0 is outside the budget" in dp and "ε ≤ 10.0" in dp
    pseudo = _row(html, "Pseudonymisation / redaction")
    assert "redact.py:6" in pseudo and "presidio AnonymizerEngine" in pseudo
    assert "Adopted" in pseudo
    trace = _row(html, "Trace masking")
    assert "serve.py:8" in trace and "LANGSMITH_HIDE_INPUTS" in trace and "AIP203" in trace
    pinned = _row(html, "Pinned model revisions")
    assert "train.py:11" in pinned and "from_pretrained" in pinned
    safe = _row(html, "Safe serialisation")
    assert "train.py:4" in safe and "safetensors" in safe
    assert "AIP502</a> × 3" in safe and "Adopted, findings remain" in safe
    fed = _row(html, "Federated learning")
    assert "Not found" in fed


def test_html_findings_grouped_with_mitigation_and_context(html_report):
    html = html_report.read_text(encoding="utf-8")
    findings = html.split('id="findings"', 1)[1]
    article = findings.split('<article class="rule" id="AIP502">', 1)[1].split("</article>", 1)[0]
    assert "What to do" in article and "<pre><code" in article  # the rendered mitigation
    assert "arxiv.org/abs/2510.00909" in article
    assert article.count('<div class="finding ') == 3
    # code context around the finding, the finding line marked
    assert '<tr class="hit"><td class="n">38</td><td>    state = torch.load(path, map_location=&quot;cpu&quot;)' \
        in article
    # notebook context is the cell's code, not its JSON
    assert "ckpt = torch.load(&quot;checkpoints/last.pt&quot;)" in article
    assert "\\n" not in article.split("inspect_checkpoint.ipynb:18", 1)[1].split("</table>", 1)[0]
    # serve.py:13 holds a phone number: hidden from the context of the finding on line 14
    serve = article.split("serve.py:14", 1)[1].split("</table>", 1)[0]
    assert "line hidden" in serve and "GREETING" not in serve


def test_reports_never_print_detected_values(html_report, md_report):
    for path in (html_report, md_report):
        text = path.read_text(encoding="utf-8")
        assert PHONE_DIGITS not in text and "6 12 34" not in text
    html = html_report.read_text(encoding="utf-8")
    if 'id="AIP104"' in html:  # the PII-literal rule found the phone number: masked sample only
        article = html.split('id="AIP104"', 1)[1].split("</article>", 1)[0]
        assert "Masked sample" in article and "Code not shown" in article
        assert '<table class="code">' not in article


def test_markdown_report(md_report):
    md = md_report.read_text(encoding="utf-8")
    assert md.startswith(f"# Privacy audit of `{REL}`")
    for heading in ("## 1. Risk summary by category", "## 2. Mitigation adoption",
                    "## 3. Findings by rule", "## 4. Scope and method", "### AIP502"):
        assert heading in md
    assert md.index("| **Data memorization and leakage**") < md.index("| **Misuse via harmful applications**")
    assert "`tests/fixtures/audit/support_assistant/redact.py:6` presidio AnonymizerEngine" in md
    assert ">38 |     state = torch.load(path, map_location=\"cpu\")" in md
    assert "#### What to do" in md and "```python" in md
    assert "<script" not in md


def test_audit_exit_codes(tmp_path):
    proc = run_cli("audit", REL, "--out", str(tmp_path / "report.txt"))
    assert proc.returncode == 2 and "cannot tell the format" in proc.stderr
    proc = run_cli("audit", REL, "--out", str(tmp_path / "report.txt"), "--format", "md")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "report.txt").read_text(encoding="utf-8").startswith("# Privacy audit")
    proc = run_cli("audit", REL, "--out", str(tmp_path / "missing" / "dir" / "report.html"))
    assert proc.returncode == 2 and "cannot write" in proc.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('risk-profile = { privacy = 1 }\n', encoding="utf-8")
    proc = run_cli("audit", REL, "--config", str(bad), "--out", str(tmp_path / "r.html"))
    assert proc.returncode == 2 and "unknown risk category" in proc.stderr
    # a repository with findings is still exit 0: the audit is a report, not a gate
    proc = run_cli("audit", REL, "--out", str(tmp_path / "r.html"))
    assert proc.returncode == 0 and (tmp_path / "r.html").stat().st_size > 10_000


def test_audit_progress_bar_only_on_a_tty(tmp_path):
    pty = pytest.importorskip("pty")
    repo = tmp_path / "repo"
    repo.mkdir()
    for i in range(45):
        (repo / f"step_{i:02d}.py").write_text("import torch\nsd = torch.load('a.pt')\n", encoding="utf-8")

    def run(extra_env: dict, *args: str) -> str:
        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        env.update({"NO_COLOR": "1", "AIPRIVLINT_NO_CACHE": "1", **extra_env})
        proc = subprocess.run([sys.executable, "-m", "aiprivlint", "audit", str(repo), "--out",
                               str(tmp_path / "r.html"), "-j", "1", *args],
                              stdout=subprocess.PIPE, stderr=slave, env=env, timeout=600)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        assert proc.returncode == 0
        return b"".join(chunks).decode("utf-8", "replace")

    assert "scanning [" in run({})
    assert "scanning [" not in run({"CI": "true"})
    assert "scanning [" not in run({}, "--quiet")


# --- a real browser ---------------------------------------------------------------------------

def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _browser(html: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", *args, html.resolve().as_uri()],
        capture_output=True, text=True, timeout=180)


def test_html_report_in_headless_chromium(html_report, tmp_path):
    png = tmp_path / "report.png"
    shot = _browser(html_report, tmp_path, f"--screenshot={png}", "--window-size=1280,2000")
    assert png.is_file() and png.stat().st_size > 20_000, shot.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = _browser(html_report, tmp_path, "--dump-dom").stdout
    for needle in ('<section id="summary">', '<section id="mitigations">', '<section id="findings">',
                   '<section id="scope">', "<svg", 'id="AIP502"', "Mitigation adoption",
                   "Risk summary by category", "Findings by rule"):
        assert needle in dom, needle
    assert "<script" not in dom.lower()
    assert PHONE_DIGITS not in dom
