"""The audit report (issue 12): it names the commit it audited, shows one finding per column and
entity, recommends mitigations that fit the sink, never reports "3/8 mitigations" as good news,
masks every line it shows with the scan's detectors, and does not overflow its boxes.

Planted values are built from parts at run time, so this file holds none in clear.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EMPTY_CONFIG, FIXTURES, run_cli



def _valid(module, digits: int, n: int, start: int) -> list[str]:
    """``n`` numbers of ``digits`` digits that pass ``module``'s checksum, built at run time."""
    out, k = [], start
    while len(out) < n:
        k += 7919
        value = str(k).zfill(digits)[-digits:]
        if value[0] != "0" and module.is_valid(value):
            out.append(value)
    return out


from stdnum.nl import bsn  # noqa: E402 - python-stdnum is a dependency of aiprivlint
from stdnum.pl import pesel  # noqa: E402

BSNS = _valid(bsn, 9, 6, 612_345_678)
PESELS = _valid(pesel, 11, 6, 44_051_401_350)
IBAN = "DE89 3704 " + "0044 0532 0130 00"
NAME = "Maria " + "Gonzalez"
PERSON_IN_COMMENT = "Jonas " + "Becker"
MAIL = "anna.schmidt" + "@" + "posteo.de"
WORD = "Xq7#mZ9!" + "pL2@wR4v"  # a password, planted in the scanned file
OPENAI_KEY = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUvWx"
IGNORE = "aiprivlint" + ": ignore"  # an inline suppression in the generated file, not in this one
PLANTED = (IBAN, IBAN.replace(" ", ""), NAME, PERSON_IN_COMMENT, MAIL, WORD, OPENAI_KEY,
           "3704 0044")

# a service that logs the streamed reply of an LLM (AIP203), as its rule fixture has it
STREAM_WORKER = re.sub(r"\s*# expect: AIP\d+", "", (
    FIXTURES / "rules" / "AIP203" / "fire" / "stream_worker.py").read_text(encoding="utf-8"))


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


def _audit(root: Path, out: Path, *paths: str) -> subprocess.CompletedProcess:
    proc = run_cli("audit", "--config", str(EMPTY_CONFIG), *(paths or (".",)), "--out", str(out),
                   cwd=root)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A repository with a national-id column of two kinds, a training call, a logging sink,
    and values planted next to findings; committed with git, then audited to HTML and MD."""
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    root = tmp_path_factory.mktemp("proj")
    rows = ["name,national_id,email"] + [
        f"Person {i},{v},user{i}@web.de" for i, v in enumerate(BSNS + PESELS)]
    (root / "people.csv").write_text("\n".join(rows) + "\n")
    (root / "train.py").write_text(
        "import pickle\n"
        "import pandas as pd\n"
        "from transformers import Trainer\n"
        "df = pd.read_csv('people.csv')\n"
        "print('loading')\n"
        f"iban = '{IBAN}'  # {IGNORE}[AIP104]\n"  # two lines above a finding
        "trainer = Trainer(model=None, train_dataset=df)\n"
        "trainer.train()\n"  # line 8: AIP201
        f"# ask {PERSON_IN_COMMENT} or {MAIL} about it  # {IGNORE}[AIP104]\n"
        f"password = '{WORD}'  # {IGNORE}[AIP105]\n"
        f"OPENAI_API_KEY = '{OPENAI_KEY}'  # {IGNORE}[AIP105]\n"
        "state = pickle.load(open('model.pkl', 'rb'))\n"  # line 12: AIP502
        f"owner = {{'full_name': '{NAME}'}}  # {IGNORE}[AIP104]\n")
    (root / "serve.py").write_text(STREAM_WORKER)
    _git(root, "init", "-q", ".")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "init")
    sha = _git(root, "rev-parse", "HEAD").strip()
    out = tmp_path_factory.mktemp("out")
    procs = {fmt: _audit(root, out / f"audit.{fmt}") for fmt in ("md", "html")}
    reports = {fmt: (out / f"audit.{fmt}").read_text(encoding="utf-8") for fmt in ("md", "html")}
    return root, sha, reports, procs


def test_the_audit_names_the_commit_and_the_dirty_state(project, tmp_path):
    root, sha, reports, _ = project
    for fmt, text in reports.items():
        assert f"commit {sha}, clean work tree" in text, fmt
    (root / "train.py").write_text((root / "train.py").read_text() + "# changed\n")
    try:
        md = _audit(root, tmp_path / "dirty.md")
        text = (tmp_path / "dirty.md").read_text()
        assert f"commit {sha} with uncommitted changes (1 file modified or untracked)" in text
    finally:
        _git(root, "checkout", "--", "train.py")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "m.py").write_text("import pickle\nx = pickle.load(open('a.pkl', 'rb'))\n")
    _audit(plain, tmp_path / "plain.html")
    assert "not a git repository" in (tmp_path / "plain.html").read_text()
    assert md.returncode == 0


def test_one_finding_per_column_and_entity(project):
    root, _, reports, _ = project
    # the scan has one finding per national-id kind ...
    scan = json.loads(run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP101",
                              "--format", "json", ".", cwd=root).stdout)
    kinds = {f["details"]["id_type"]: f["details"]["matches"] for f in scan["findings"]
             if f["details"]["field"] == "national_id"}
    assert {"nl.bsn", "pl.pesel"} <= set(kinds), kinds
    # ... the audit one per column and entity, naming the kinds
    md = reports["md"]
    rows = [line for line in md.splitlines() if "Column 'national_id'" in line]
    assert len(rows) == 1, rows
    assert (f"{sum(kinds.values())} values detected as national identification numbers of "
            f"{len(kinds)} kinds") in rows[0]
    assert f"Dutch BSN: {kinds['nl.bsn']}" in rows[0] and f"Polish PESEL: {kinds['pl.pesel']}" in rows[0]
    html = reports["html"]
    assert len(re.findall(r"Column (?:&#x27;|')national_id(?:&#x27;|') holds", html)) == 1


def _row(text: str, title: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| **{title}**"))


def test_mitigations_fit_the_sink(project):
    _, _, reports, _ = project
    md = reports["md"]
    dp = _row(md, "Differential privacy")
    assert "Needed: [AIP201]" in dp and "Opacus" in dp  # a training call: DP
    redact = _row(md, "Pseudonymisation / redaction")
    # a model output written to an application log: redaction / a log filter, not trace masking
    assert "[AIP203](#aip203)" in redact and "logging.Filter" in redact
    trace = _row(md, "Trace masking")
    assert "Needed" not in trace and "LANGSMITH_HIDE_INPUTS" not in trace


def test_mitigations_are_never_good_news_as_a_fraction(project):
    _, _, reports, procs = project
    for fmt, text in reports.items():
        assert "mitigations found" not in text, fmt
        assert not re.search(r"\b\d+\s*/\s*\d+\b\s*(?:</div>)?\s*(?:<div[^>]*>)?\s*mitigations", text)
    assert "3 of 3 mitigations the findings call for missing" in reports["md"]
    kpi = reports["html"].split('<div class="kpi miss">', 1)[1].split("</div></div>", 1)[0]
    assert "of 3 needed mitigations missing" in kpi and ">3<" in kpi
    assert ".kpi.miss .n { color: var(--ink); }" in reports["html"]  # neutral, not green
    assert "mitigations found" not in procs["md"].stderr


def test_context_lines_are_masked_with_the_scans_detectors(project):
    _, _, reports, _ = project
    for fmt, text in reports.items():
        for value in PLANTED:
            assert value not in text, (fmt, value[:4])
    md = reports["md"]
    # the lines are shown (the context of the pickle.load and Trainer.train findings), masked
    load = md.split("`train.py:12`", 1)[1].split("```", 2)[1]
    assert "password = '…(hidden)'" in load and "OPENAI_API_KEY = '…(hidden)'" in load
    assert "owner = {'full_name': 'M*** G***'}" in load
    train = md.split("`train.py:8`", 1)[1].split("```", 2)[1]
    assert "iban = 'DE89 37" in train and "# ask J*** B*** or a***@p***.de about it" in train


def test_the_html_report_does_not_overflow_its_boxes(tmp_path):
    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                     if shutil.which(n)), None)
    if chromium is None:
        pytest.skip("chromium not installed")
    long_dir = tmp_path / ("a_folder_name_without_any_place_to_break_it_" * 3)
    long_dir.mkdir()
    for i in range(27):  # over 25: the compact 'more findings' table too
        (long_dir / (f"m{i}_" + "module_with_an_extremely_long_file_name_" * 3 + ".py")).write_text(
            "import pickle\nobj = pickle.load(open('" + "x" * 150 + ".pkl', 'rb'))\n")
    # a masked-sample box naming a long field (AIP104: the literal is bound to it)
    field = "contact_email_address_of_the_customer_who_signed_up_for_the_newsletter" * 2
    (tmp_path / "contacts.py").write_text(f"{field} = 'anna.schmidt' '@' 'posteo.de'\n"
                                          f"{field}_2 = '{MAIL}'\n")
    out = tmp_path / "audit.html"
    _audit(tmp_path, out)
    # a copy with a script that lists every element leaving the page or its own box
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", out.read_text())
    probe = """<script>
const page = document.querySelector('.page').getBoundingClientRect(); const bad = [];
for (const el of document.querySelectorAll('.page *')) {
  if (el.closest('pre') || el.closest('svg')) continue;
  const r = el.getBoundingClientRect(); if (!r.width) continue;
  const cs = getComputedStyle(el);
  const clips = ['auto', 'scroll', 'hidden'].includes(cs.overflowX);
  if (r.right > page.right + 1 || (!clips && el.clientWidth && el.scrollWidth > el.clientWidth + 1))
    bad.push(el.tagName + '.' + el.className + ' ' + (el.textContent || '').slice(0, 30));
}
document.body.setAttribute('data-overflow', JSON.stringify(bad.slice(0, 10)));
</script></body>"""
    probed = tmp_path / "probe.html"
    probed.write_text(html.replace("</body>", probe))
    for width in (1280, 700):
        dom = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},3000",
             "--virtual-time-budget=3000", "--dump-dom", probed.as_uri()],
            capture_output=True, text=True, timeout=180).stdout
        m = re.search(r'data-overflow="([^"]*)"', dom)
        assert m is not None, dom[-500:]
        assert m.group(1) == "[]", (width, m.group(1))
