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


def _run_scan_step(tmp_path: Path, fail_on: str) -> tuple[subprocess.CompletedProcess, dict]:
    step = next(s for s in _action()["runs"]["steps"] if s.get("name") == "Scan")
    out = tmp_path / "github_output"
    out.write_text("")
    env = {**os.environ, "GITHUB_OUTPUT": str(out), "AIPRIVLINT_PATHS": ".",
           "AIPRIVLINT_FAIL_ON": fail_on, "AIPRIVLINT_ARGS": "", "AIPRIVLINT_SARIF": "aiprivlint.sarif"}
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
