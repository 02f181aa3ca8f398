"""Fault injection (issue 12): exit codes never pass a CI gate by mistake.

0 no finding at or above fail-on, 1 findings, 2 usage/config/internal error -- whatever the flags.
Every input is generated here; every run is the real command line in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EMPTY_CONFIG, run_cli

CFG = ("--config", str(EMPTY_CONFIG))
FINDING = "import pickle\nx = pickle.loads(b)\n"  # AIP502, high


def _project(tmp_path, pyproject: bytes | str | None = None):
    (tmp_path / "m.py").write_text(FINDING)
    if pyproject is not None:
        data = pyproject.encode() if isinstance(pyproject, str) else pyproject
        (tmp_path / "pyproject.toml").write_bytes(data)
    return tmp_path


def test_internal_error_exits_2_even_with_exit_zero(tmp_path):
    # a genuine internal error: a report that the output stream cannot encode (an ASCII stdout
    # and a finding in café.py) -- exit 2, never 0 or 1, with no traceback
    (tmp_path / "café.py").write_text(FINDING)
    proc = run_cli("check", *CFG, "--exit-zero", ".", cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert proc.returncode == 2
    assert "internal error: UnicodeEncodeError" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("extra", [(), ("--exit-zero", "--fail-on", "never")])
def test_a_path_that_does_not_exist_is_exit_2(tmp_path, extra):
    _project(tmp_path)
    proc = run_cli("check", *CFG, *extra, "m.py", "typo/", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "typo/: no such file or directory" in proc.stderr


def test_a_broken_symlink_named_by_the_user_is_exit_2(tmp_path):
    os.symlink("gone.py", tmp_path / "link.py")
    proc = run_cli("check", *CFG, "link.py", cwd=tmp_path)
    assert proc.returncode == 2 and "link.py: broken symlink" in proc.stderr


def _without_dac_override() -> list[str]:
    """A command prefix under which a chmod-000 folder is unreadable: none for a normal user; for
    root (CI containers), setpriv dropping the capabilities that let root read any file."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    if shutil.which("setpriv") is None or subprocess.run([*prefix, "true"], check=False).returncode:
        pytest.skip("running as root without setpriv: root reads a chmod-000 folder")
    return prefix


def _run_locked(args: list[str], cwd) -> subprocess.CompletedProcess:
    """The real command line, like conftest.run_cli, without the power to read locked folders."""
    env = {**os.environ, "NO_COLOR": "1", "AIPRIVLINT_NO_CACHE": "1"}
    return subprocess.run([*_without_dac_override(), sys.executable, "-m", "aiprivlint", *args],
                          cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.parametrize("git", [False, True])
def test_an_unreadable_folder_met_while_walking_is_an_error(tmp_path, git):
    _project(tmp_path)
    if git:  # git ls-files warns about the folder and goes on: still an error entry
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.py").write_text(FINDING)
    locked.chmod(0)
    try:
        proc = _run_locked(["check", *CFG, "--format", "json", "."], cwd=tmp_path)
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("locked", "io")]
    assert "cannot read folder" in doc["errors"][0]["message"]
    assert [f["path"] for f in doc["findings"]] == ["m.py"]


def test_an_unreadable_folder_named_by_the_user_is_exit_2(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        proc = _run_locked(["check", *CFG, "locked"], cwd=tmp_path)
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 2 and "locked: cannot read" in proc.stderr


@pytest.mark.parametrize("pyproject, where", [
    ('[tool.aiprivlint\nignore = ["AIP502"]\n', "invalid TOML: Expected ']'"),
    (b'[tool.aiprivlint]\nignore = ["AIP502"]\n# caf\xe9\n', "pyproject.toml:3: not UTF-8"),
])
def test_a_pyproject_that_cannot_be_read_is_exit_2(tmp_path, pyproject, where):
    # silently falling back to the defaults would drop the ignore list (or keep it by luck)
    _project(tmp_path, pyproject)
    proc = run_cli("check", "--exit-zero", ".", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert where in proc.stderr and str(tmp_path / "pyproject.toml") in proc.stderr
    if isinstance(pyproject, str):
        assert "line 1" in proc.stderr


@pytest.mark.parametrize("line, key", [
    ("max-rows = -1", "max-rows"),
    ("max-file-size = -5", "max-file-size"),
    ("max-epsilon = nan", "max-epsilon"),
    ("max-delta = 1.5", "max-delta"),
    ("min-noise-multiplier = -0.1", "min-noise-multiplier"),
    ("max-file-size = true", "max-file-size"),
])
def test_numeric_options_out_of_range_or_type_are_exit_2(tmp_path, line, key):
    _project(tmp_path, f"[tool.aiprivlint]\n{line}\n")
    proc = run_cli("check", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"pyproject.toml: tool.aiprivlint.{key}:" in proc.stderr


def test_numeric_options_in_range_are_accepted(tmp_path):
    _project(tmp_path, "[tool.aiprivlint]\nmax-rows = 1\nmax-file-size = 1000\nmax-epsilon = 0.5\n"
                       "max-delta = 1e-6\nmin-noise-multiplier = 0\n")
    proc = run_cli("check", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr


@pytest.mark.parametrize("args, pyproject, code", [
    (("--fail-on", "never"), None, 0),
    ((), '[tool.aiprivlint]\nfail-on = "never"\n', 0),
    (("--fail-on", "high"), '[tool.aiprivlint]\nfail-on = "never"\n', 1),  # the command line wins
    ((), '[tool.aiprivlint]\nfail-on = "sometimes"\n', 2),
])
def test_fail_on_never(tmp_path, args, pyproject, code):
    _project(tmp_path, pyproject)
    cfg = () if pyproject else CFG
    proc = run_cli("check", *cfg, *args, "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == code, proc.stderr
    if code == 0:  # the findings are still reported
        assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["AIP502"]


def test_fail_on_never_still_exits_2_on_errors(tmp_path):
    proc = run_cli("check", *CFG, "--fail-on", "never", "typo.py", cwd=tmp_path)
    assert proc.returncode == 2


def test_jobs_must_not_be_negative(tmp_path):
    _project(tmp_path)
    proc = run_cli("check", *CFG, "--jobs", "-3", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "--jobs" in proc.stderr


def _rules(doc: dict) -> set[str]:
    return {f["rule"] for f in doc["findings"]}


def _people() -> str:
    """60 made-up e-mail addresses, one a line (built from parts: no address in this source)."""
    names = ["anna", "ben", "clara", "david", "emma", "felix", "greta", "hans", "ida", "jonas"]
    domain = "gmail" + ".com"
    return "".join(f"{n}.{m}{i}@{domain}\n" for i in range(3) for n in names for m in ("schmidt", "weber"))


def test_the_named_folder_counts_as_a_data_folder(tmp_path):
    # e-mail addresses in a .txt file are personal data when the file is in a data folder,
    # whether the user names the folder's parent, the folder, or runs from inside it
    data = tmp_path / "data"
    data.mkdir()
    (data / "people.txt").write_text(_people())
    runs = {
        "parent": run_cli("check", *CFG, "--format", "json", ".", cwd=tmp_path),
        "named": run_cli("check", *CFG, "--format", "json", "data", cwd=tmp_path),
        "inside": run_cli("check", *CFG, "--format", "json", ".", cwd=data),
    }
    rules = {name: _rules(json.loads(p.stdout)) for name, p in runs.items()}
    assert rules["parent"] == {"AIP101"}, runs["parent"].stderr  # personal data in the .txt file
    assert rules["named"] == rules["parent"] and rules["inside"] == rules["parent"]
    assert all(p.returncode == 1 for p in runs.values())


def test_a_folder_above_the_scanned_one_does_not_count(tmp_path):
    # a checkout under /data/... is not a data folder: only the named folder and below count
    repo = tmp_path / "data" / "repo"
    repo.mkdir(parents=True)
    (repo / "notes.txt").write_text(_people())
    proc = run_cli("check", *CFG, "--format", "json", ".", cwd=repo)
    assert "AIP101" not in _rules(json.loads(proc.stdout))
