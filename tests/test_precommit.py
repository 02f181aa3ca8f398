"""The pre-commit hook, run by real ``pre-commit try-repo`` against a temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _try_repo(repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "aiprivlint", "--files", *files],
        cwd=repo, capture_output=True, text=True, env=env, timeout=900,
    )


def test_hook_fails_on_a_bad_file_and_passes_on_a_clean_one(tmp_path):
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "train.py").write_text("import torch\nstate = torch.load('ckpt.pt', weights_only=False)\n")
    (repo / "clean.py").write_text("import torch\nstate = torch.load('ckpt.pt', weights_only=True)\n")
    _git(repo, "add", ".")
    home = tmp_path / "pre-commit-home"  # shared by both runs: the hook env is built once

    bad = _try_repo(repo, home, "train.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "train.py:2:9: AIP502 [high]" in bad.stdout
    assert "Failed" in bad.stdout

    good = _try_repo(repo, home, "clean.py")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
