"""``check --new-since REV``: report only the findings that were not there at REV.

The same paths are scanned, with the same configuration, in a temporary ``git worktree`` of
REV (always removed afterwards); the fingerprints found there are the baseline the current
scan is filtered by (``engine.apply_baseline``, as for ``--baseline FILE``), like Semgrep's
``--baseline-commit``. A fingerprint hashes the rule, the path and the finding's source line,
not its line number, so a finding that only moved (lines inserted above it) is not new. The
work tree as it is, uncommitted changes included, is "now".

The checkout of REV is scanned as if it were the work tree: its paths are shown relative to the
same folder, its configuration root is the same folder in it, and its files are answered from
the work tree's cache when their content is the same (read only: nothing of REV is stored).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from .config import Config, ConfigError
from .discovery import display_path
from .findings import Finding, assign_fingerprints

GIT_TIMEOUT = 300


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=GIT_TIMEOUT, check=False,
                              env={**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    except FileNotFoundError:
        raise ConfigError("--new-since needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"--new-since: `git {args[0]}` took over {GIT_TIMEOUT} s") from None


def repository_of(path: str) -> Path:
    """The top folder of the git work tree ``path`` is in; ConfigError when it is in none."""
    p = Path(os.path.abspath(path))
    folder = p if p.is_dir() else p.parent
    proc = _git(["rev-parse", "--show-toplevel"], folder)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise ConfigError(f"--new-since: {path} is not in a git repository")
    return Path(proc.stdout.strip()).resolve()


def resolve(top: Path, rev: str) -> str:
    """The commit ``rev`` names; ConfigError when it names none."""
    if rev.startswith("-"):
        raise ConfigError(f"--new-since: {rev!r} is not a revision")
    proc = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], top)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise ConfigError(f"--new-since: {rev!r} does not resolve to a commit in {top} "
                          "(a shallow clone may not have it: fetch it, e.g. fetch-depth: 0)")
    return proc.stdout.strip()


@contextlib.contextmanager
def worktree(top: Path, commit: str) -> Iterator[Path]:
    """A detached checkout of ``commit`` in a temporary folder, removed however the block ends.
    The folder has the work tree's name: a file's kinds may depend on its folder's name."""
    tmp = Path(tempfile.mkdtemp(prefix="aiprivlint-new-since-")).resolve()
    tree = tmp / top.name
    try:
        proc = _git(["worktree", "add", "--detach", "--quiet", str(tree), commit], top)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["git failed"])[-1]
            raise ConfigError(f"--new-since: cannot check out {commit[:12]}: {last}")
        yield tree
    finally:
        _git(["worktree", "remove", "--force", str(tree)], top)
        shutil.rmtree(tmp, ignore_errors=True)
        _git(["worktree", "prune"], top)


def _inside(path: Path, top: Path) -> Path | None:
    try:
        return path.relative_to(top)
    except ValueError:
        return None


def revision(rev: str, paths: list[str]) -> tuple[Path, str]:
    """(the repository's top folder, the commit ``rev`` names) for a scan of ``paths``:
    checked before the scan, so that a typo fails at once."""
    top = repository_of(paths[0])
    return top, resolve(top, rev)


def fingerprints_at(top: Path, commit: str, paths: list[str], cfg: Config, make_engine) -> set[str]:
    """The fingerprints of the findings of ``paths`` at ``commit``. ``make_engine(cfg, cwd)``
    builds the engine of the current run for another configuration root and cwd."""
    with worktree(top, commit) as tree:
        mapped = []
        for given in paths:
            rel = _inside(Path(os.path.realpath(given)), top)
            if rel is None:
                raise ConfigError(f"--new-since: {given} is not in the git repository at {top}")
            if (tree / rel).exists():  # a folder or file added since REV: nothing there at REV
                mapped.append(str(tree / rel))
        cwd = Path.cwd().resolve()
        cwd_rel = _inside(cwd, top)
        root_rel = _inside(cfg.root.resolve(), top)
        engine = make_engine(replace(cfg, root=tree / root_rel) if root_rel is not None else cfg,
                             tree / cwd_rel if cwd_rel is not None else cwd)
        if cwd_rel is not None:  # the same displayed paths: the work tree's entries answer
            engine.cache_alias = lambda p: top / p.relative_to(tree) if p.is_relative_to(tree) else p
        else:
            engine.cache_dir = None
        if not mapped:
            return set()
        report = engine.run(mapped)
    findings = report.findings
    if cwd_rel is None:  # the work tree is not below the cwd: shown as the work tree's file
        for f in findings:
            shown = Path(f.path) if Path(f.path).is_absolute() else cwd / f.path
            rel = _inside(Path(os.path.normpath(shown)), tree)
            if rel is not None:
                f.path = display_path(top / rel, cwd)
        findings.sort(key=Finding.sort_key)
        assign_fingerprints(findings)
    return {f.fingerprint for f in findings}
