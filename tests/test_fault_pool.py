"""Fault injection (issue 12): the process pool of a scan.

Workers die with the scan (``kill -9`` of the parent leaves no orphans) and the pool is no bigger
than twice the CPUs and the files (``--jobs 300`` on two files starts a few workers, not 300).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EMPTY_CONFIG, run_cli

FINDING = "import pickle\nx = pickle.loads(b)\n"
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def _children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid`` and that run its program: forked
    workers, not a ``git`` the scan runs meanwhile to read ignore rules (once it has exec'd)."""
    out = set()
    try:
        program = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return out
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z" and cmdline == program:
            out.add(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, just not reaped yet


@linux_only
def _scan_with_two_workers(tmp_path, *args: str, **popen) -> tuple[subprocess.Popen, set[int]]:
    """A scan of ``tmp_path`` with ``--jobs 2`` started in the background, and the pids of its
    workers once both are up (fewer if it ended first or took over a minute)."""
    env = {**os.environ, "NO_COLOR": "1", "AIPRIVLINT_NO_CACHE": "1"}
    scan = subprocess.Popen([sys.executable, "-m", "aiprivlint", "check", "--config", str(EMPTY_CONFIG),
                             "--jobs", "2", *args, "."], cwd=tmp_path, env=env, **popen)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    seen: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and scan.poll() is None:
        time.sleep(0.05)
        # in two polls in a row: a child forked to run git has the scan's command line only
        # until it execs
        now = _children(scan.pid)
        workers, seen = now & seen, now
    return scan, workers


def test_kill_9_of_a_scan_kills_its_workers(tmp_path):
    for i in range(300):
        (tmp_path / f"m{i}.py").write_text(FINDING * 40)
    scan, workers = _scan_with_two_workers(tmp_path, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
    try:
        assert len(workers) == 2, "the scan did not start two workers"
        os.kill(scan.pid, signal.SIGKILL)
        scan.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [w for w in workers if _alive(w)]
    finally:
        if scan.poll() is None:
            scan.kill()
    for w in survivors:  # clean up before failing: this test must not leave orphans either
        os.kill(w, signal.SIGKILL)
    assert survivors == [], "pool workers outlived their killed scan"


@linux_only
def test_a_worker_killed_mid_scan_loses_no_finding(tmp_path):
    # the OOM killer's way: a worker dies with SIGKILL while the scan runs; the files it had
    # are scanned again in a fresh pool, and the report is complete, with no error
    names = [f"m{i:03}.py" for i in range(300)]
    for n in names:
        (tmp_path / n).write_text(FINDING * 40)
    scan, workers = _scan_with_two_workers(tmp_path, "--format", "json", stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        assert scan.poll() is None, "the scan ended before a worker could be killed"
        os.kill(min(workers), signal.SIGKILL)
        out, err = scan.communicate(timeout=300)
    finally:
        if scan.poll() is None:
            scan.kill()
    assert scan.returncode == 1, err
    doc = json.loads(out)
    assert doc["errors"] == []
    assert sorted({f["path"] for f in doc["findings"]}) == names
    assert len(doc["findings"]) == 300 * 40


def test_jobs_300_on_two_files_starts_no_more_workers_than_files(tmp_path):
    (tmp_path / "a.py").write_text(FINDING)
    (tmp_path / "b.py").write_text("x = 1\n")
    start = time.monotonic()
    # a folder scan starts its pool before discovery (the file count unknown): capped by the CPUs
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--jobs", "300", ".", cwd=tmp_path)
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, proc.stderr
    # 300 workers each importing the checkers took minutes; a few take seconds
    assert elapsed < 60, f"--jobs 300 on two files took {elapsed:.0f} s"


def test_a_big_job_count_still_scans_every_file(tmp_path):
    # more files than POOL_MIN_FILES, given as files (the pool is made after discovery)
    names = [f"m{i}.py" for i in range(30)]
    for n in names:
        (tmp_path / n).write_text(FINDING)
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--jobs", "300", "--format", "json",
                   *names, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert sorted(f["path"] for f in json.loads(proc.stdout)["findings"]) == sorted(names)

