"""``check --new-since REV`` on a real git repository whose history the test builds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import run_cli

LOAD = "import pickle\n\n\ndef load(path):\n    return pickle.load(open(path, 'rb'))\n"
REMOVED = "import joblib\n\nmodel = joblib.load('model.joblib')\n"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def make_repo(root: Path) -> tuple[Path, str]:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "dev@example.invalid")
    git(repo, "config", "user.name", "dev")
    (repo / "train.py").write_text(LOAD)
    (repo / "serve.py").write_text(REMOVED)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    return repo, git(repo, "rev-parse", "HEAD")


def change(repo: Path) -> None:
    """A commit that inserts lines above the old finding and removes serve.py, then uncommitted
    work: a new finding in train.py and an untracked file with one."""
    (repo / "train.py").write_text("# Loading checkpoints.\n# (unrelated edit)\n\n" + LOAD)
    (repo / "serve.py").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "move")
    (repo / "train.py").write_text((repo / "train.py").read_text()
                                   + "\n\ndef load_raw(blob):\n    return pickle.loads(blob)\n")
    (repo / "extra.py").write_text("import torch\n\nstate = torch.load('ckpt.pt')\n")


def findings(doc: dict) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["rule"]) for f in doc["findings"]]


def test_moved_is_old_added_is_new_removed_is_gone(tmp_path):
    repo, base = make_repo(tmp_path)
    change(repo)
    everything = run_cli("check", "--format", "json", ".", cwd=repo)
    assert {(p, r) for p, _, r in findings(json.loads(everything.stdout))} == {
        ("train.py", "AIP502"), ("extra.py", "AIP502")}
    assert len(json.loads(everything.stdout)["findings"]) == 3

    proc = run_cli("check", "--format", "json", "--new-since", base, ".", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    # the moved pickle.load (line 5 -> 8) is not new; the uncommitted pickle.loads and the
    # untracked file are
    assert findings(doc) == [("extra.py", 3, "AIP502"), ("train.py", 12, "AIP502")]
    assert doc["summary"]["baseline_matched"] == 1
    assert doc["summary"]["baseline_stale"] == 1  # serve.py's finding is gone
    assert doc["summary"]["new_since"] == base
    text = run_cli("check", "--new-since", base, ".", cwd=repo).stdout
    assert f"1 already present at {base}, 1 fixed since" in text

    # against the last commit only the uncommitted work is new
    doc = json.loads(run_cli("check", "--format", "json", "--new-since", "HEAD", ".",
                             cwd=repo).stdout)
    assert findings(doc) == [("extra.py", 3, "AIP502"), ("train.py", 12, "AIP502")]
    assert doc["summary"]["baseline_stale"] == 0

    # after committing everything, nothing is new since HEAD
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "work")
    proc = run_cli("check", "--format", "json", "--new-since", "HEAD", ".", cwd=repo)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []
    # the temporary worktrees are gone
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_paths_shown_from_outside_the_repository_and_a_subfolder(tmp_path):
    repo, base = make_repo(tmp_path)
    change(repo)
    doc = json.loads(run_cli("check", "--format", "json", "--new-since", base, "repo",
                             cwd=tmp_path).stdout)
    assert findings(doc) == [("repo/extra.py", 3, "AIP502"), ("repo/train.py", 12, "AIP502")]
    (repo / "pkg").mkdir()
    (repo / "pkg" / "io.py").write_text(LOAD)
    git(repo, "add", "pkg")
    git(repo, "commit", "-q", "-m", "pkg")
    (repo / "pkg" / "io.py").write_text("# moved\n" + LOAD)
    doc = json.loads(run_cli("check", "--format", "json", "--new-since", "HEAD", ".",
                             cwd=repo / "pkg").stdout)
    assert doc["findings"] == [] and doc["summary"]["baseline_matched"] == 1


def test_the_cache_is_read_for_unchanged_files_and_never_gets_the_checkout(tmp_path):
    repo, base = make_repo(tmp_path)
    change(repo)
    env = {"AIPRIVLINT_NO_CACHE": ""}
    runs = [json.loads(run_cli("check", "--format", "json", "--new-since", base, ".",
                               cwd=repo, env=env).stdout) for _ in range(2)]
    cold = json.loads(run_cli("check", "--format", "json", "--no-cache", "--new-since", base,
                              ".", cwd=repo).stdout)
    assert runs[0] == runs[1] == cold
    keys = set()
    for f in (repo / ".aiprivlint_cache").glob("results-*.json"):
        keys |= set(json.loads(f.read_text())["files"])
    assert keys and all(Path(k).parent == repo.resolve() for k in keys), keys


def test_clear_errors_and_the_worktree_is_removed_on_error(tmp_path):
    repo, base = make_repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.py").write_text("x = 1\n")
    proc = run_cli("check", "--new-since", "HEAD", str(outside))
    assert proc.returncode == 2 and "is not in a git repository" in proc.stderr
    proc = run_cli("check", "--new-since", "no-such-branch", ".", cwd=repo)
    assert proc.returncode == 2 and "'no-such-branch' does not resolve to a commit" in proc.stderr
    proc = run_cli("check", "--new-since=--all", ".", cwd=repo)  # never an option of git's
    assert proc.returncode == 2 and "'--all' is not a revision" in proc.stderr
    proc = run_cli("check", "--new-since", "HEAD", "--baseline", "b.json", ".", cwd=repo)
    assert proc.returncode == 2 and "use one of them" in proc.stderr
    # the second path is outside the repository: found once the worktree exists
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    proc = run_cli("check", "--new-since", base, ".", str(outside), cwd=repo,
                   env={"TMPDIR": str(tmp)})
    assert proc.returncode == 2 and "is not in the git repository" in proc.stderr
    assert list(tmp.iterdir()) == []
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
