"""The composite GitHub Action: its scan step writes SARIF and annotations in one run, and the
job fails by fail-on only in the last step, after the SARIF upload."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from conftest import ROOT


def _action():
    return yaml.safe_load((ROOT / "action.yml").read_text())


def test_steps_order_scan_upload_gate():
    steps = _action()["runs"]["steps"]
    names = [s.get("name") for s in steps]
    assert names.index("Scan") < names.index("Upload SARIF") < names.index("Gate")
    upload = steps[names.index("Upload SARIF")]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["if"].startswith("always()") and steps[names.index("Gate")]["if"] == "always()"


def _run_scan_step(tmp_path: Path, fail_on: str, new_since: str = "",
                   out: Path | None = None) -> tuple[subprocess.CompletedProcess, dict]:
    step = next(s for s in _action()["runs"]["steps"] if s.get("name") == "Scan")
    # the step's environment maps every input it reads
    assert step["env"]["AIPRIVLINT_NEW_SINCE"] == "${{ inputs.new-since }}"
    out = out or tmp_path / "github_output"
    out.write_text("")
    env = {**os.environ, "GITHUB_OUTPUT": str(out), "AIPRIVLINT_PATHS": ".",
           "AIPRIVLINT_FAIL_ON": fail_on, "AIPRIVLINT_ARGS": "", "AIPRIVLINT_SARIF": "aiprivlint.sarif",
           "AIPRIVLINT_NEW_SINCE": new_since}
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    return proc, outputs


def test_scan_step_writes_sarif_and_keeps_the_exit_code_for_the_gate(tmp_path):
    (tmp_path / "train.py").write_text("import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n")
    proc, outputs = _run_scan_step(tmp_path, "low")
    assert proc.returncode == 0, proc.stderr  # the step itself never fails
    assert outputs["exit-code"] == "1"
    assert "::error file=train.py,line=2" in proc.stdout
    assert (tmp_path / "aiprivlint.sarif").read_text().count('"ruleId": "AIP502"') == 1
    proc, outputs = _run_scan_step(tmp_path, "critical")
    assert outputs["exit-code"] == "0"
    proc, outputs = _run_scan_step(tmp_path, "never")
    assert outputs["exit-code"] == "0"


def test_new_since_input_reports_only_what_the_pull_request_adds(tmp_path):
    assert _action()["inputs"]["new-since"]["default"] == ""
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                              text=True).stdout.strip()

    git("init", "-q")
    git("config", "user.email", "dev@example.invalid")
    git("config", "user.name", "dev")
    (repo / "train.py").write_text("import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    base = git("rev-parse", "HEAD")
    (repo / "train.py").write_text("import pickle\n\nmodel = pickle.load(open('m.pkl', 'rb'))\n"
                                   "extra = pickle.load(open('x.pkl', 'rb'))\n")
    git("commit", "-q", "-am", "pull request")
    output = tmp_path / "github_output"
    proc, outputs = _run_scan_step(repo, "low", new_since=base, out=output)
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "1"
    assert "::error file=train.py,line=4" in proc.stdout
    assert "line=3" not in proc.stdout  # the moved finding was there at the base
    proc, outputs = _run_scan_step(repo, "low", new_since=git("rev-parse", "HEAD"), out=output)
    assert outputs["exit-code"] == "0" and "::error" not in proc.stdout
    proc, outputs = _run_scan_step(repo, "low", out=output)  # empty: every finding
    assert proc.stdout.count("::error file=train.py") == 2
    proc, outputs = _run_scan_step(repo, "low", new_since="no-such-rev", out=output)
    assert outputs["exit-code"] == "2" and "does not resolve" in proc.stderr
