"""Bad input never crashes the run: it becomes an entry in ``errors`` and the scan goes on."""

from __future__ import annotations

import os
import shutil

from conftest import EMPTY_CONFIG, FIXTURES, run_cli

BAD = FIXTURES / "core" / "bad"


def test_bad_files_become_errors_and_scan_goes_on(tmp_path):
    work = tmp_path / "repo"
    shutil.copytree(BAD, work)
    os.symlink(work / "does_not_exist.py", work / "dangling.py")
    big = work / "huge.py"
    big.write_text("x = 1\n" * 200_000)  # 1.2 MB, over the max-file-size set below
    (tmp_path / "cfg.toml").write_text("max-file-size = 1000000\n")
    proc = run_cli("check", "--config", str(tmp_path / "cfg.toml"), "--format", "json", "repo",
                   cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # the good cells of the notebook still fire
    assert "Traceback" not in proc.stderr
    import json

    doc = json.loads(proc.stdout)
    kinds = {e["path"].split("/")[-1]: e["kind"] for e in doc["errors"]}
    assert kinds == {
        "dangling.py": "io",
        "huge.py": "too-large",
        "latin1.py": "encoding",
        "nul_bytes.py": "binary",
        "one_broken_cell.ipynb": "parse",
        "syntax_error.py": "parse",
        "truncated.ipynb": "parse",
    }
    # the notebook's other cells are still checked, at their raw .ipynb lines
    nb = [f for f in doc["findings"] if f["path"].endswith("one_broken_cell.ipynb")]
    assert [(f["details"]["cell"], f["line"]) for f in nb] == [(0, 10), (3, 39)]
    text = run_cli("check", "--config", str(tmp_path / "cfg.toml"), "repo", cwd=tmp_path)
    assert "repo/syntax_error.py: parse: cannot parse as Python" in text.stderr
    assert "Traceback" not in text.stderr


def test_binary_and_unknown_files_in_a_walk_are_skipped_silently(tmp_path):
    (tmp_path / "weights.bin").write_bytes(os.urandom(4096))
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(100))
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 0
    import json

    doc = json.loads(proc.stdout)
    assert doc["errors"] == [] and doc["summary"]["files_scanned"] == 0


def test_deeply_nested_code_is_an_error_not_a_silent_skip(tmp_path):
    """A chain too deep for Python's own parser (libcst parses it): the ast rules cannot check
    it, and the run says so; a chain ast can still parse is checked as usual."""
    import json

    (tmp_path / "deep.py").write_text("import torch\nx = " + "+".join(["torch.load(p)"] * 3000) + "\n")
    (tmp_path / "long.py").write_text("import pickle\ny = " + "+".join(["1"] * 900)
                                      + "\nz = pickle.loads(b)\n")
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "json", ".", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("deep.py", "parse")]
    assert "nests too deeply" in doc["errors"][0]["message"]
    assert [(f["path"], f["rule"], f["line"]) for f in doc["findings"]] == [("long.py", "AIP502", 3)]
