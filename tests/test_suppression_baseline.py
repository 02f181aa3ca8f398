"""Inline suppressions (line, line above, file), unused suppressions, and baselines."""

from __future__ import annotations

import json
import shutil

from conftest import EMPTY_CONFIG, FIXTURES, run_cli, run_json

APP = FIXTURES / "core" / "app"


def test_line_and_line_above_suppressions_and_unused(tmp_path):
    shutil.copytree(APP, tmp_path / "app")
    _, doc = run_json("--config", str(EMPTY_CONFIG), "app", cwd=tmp_path)
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("AIP502", 7)]
    assert doc["summary"]["suppressed"] == 2
    assert doc["warnings"] == [{"path": "app/loader.py", "line": 11,
                                "message": "unused suppression for AIP502"}]
    text = run_cli("check", "--config", str(EMPTY_CONFIG), "app", cwd=tmp_path).stdout
    assert "app/loader.py:11: warning: unused suppression for AIP502" in text


def test_file_level_suppression(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("# aiprivlint: ignore-file[misuse]\nimport pickle\nx = pickle.loads(b)\n"
                   "y = pickle.load(f)\n")
    _, doc = run_json("--config", str(EMPTY_CONFIG), str(src))
    assert doc["findings"] == [] and doc["summary"]["suppressed"] == 2 and doc["warnings"] == []


def test_baseline_survives_line_moves_and_reports_new_and_stale(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import pickle\nx = pickle.loads(a)\ny = pickle.loads(b)\n")
    cfg = ("--config", str(EMPTY_CONFIG))
    proc = run_cli("baseline", *cfg, "-o", "base.json", ".", cwd=tmp_path)
    assert proc.returncode == 0
    base = json.loads((tmp_path / "base.json").read_text())
    assert len(base["findings"]) == 2
    # lines move, one finding is fixed, one is new
    src.write_text("import pickle\n\n\n# moved down\ny = pickle.loads(b)\nz = pickle.load(fh)\n")
    code, doc = run_json(*cfg, "--baseline", "base.json", ".", cwd=tmp_path)
    assert code == 1
    assert [(f["line"], f["rule"]) for f in doc["findings"]] == [(6, "AIP502")]
    assert doc["summary"]["baseline_matched"] == 1 and doc["summary"]["baseline_stale"] == 1
    text = run_cli("check", *cfg, "--baseline", "base.json", ".", cwd=tmp_path).stdout
    assert "1 in baseline, 1 stale baseline entry" in text
    missing = run_cli("check", *cfg, "--baseline", "nope.json", ".", cwd=tmp_path)
    assert missing.returncode == 2 and "baseline file not found" in missing.stderr


def test_identical_lines_get_distinct_fingerprints(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import pickle\nx = pickle.loads(a)\nx = pickle.loads(a)\n")
    _, doc = run_json("--config", str(EMPTY_CONFIG), str(src))
    fps = [f["fingerprint"] for f in doc["findings"]]
    assert len(fps) == 2 and len(set(fps)) == 2
