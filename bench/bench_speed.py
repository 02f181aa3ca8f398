#!/usr/bin/env python3
"""Speed benchmark: aiprivlint cold / warm / pre-commit case against Bandit and Semgrep.

Benchmarks are not tests: this prints medians and ratios, it asserts nothing.

The corpus is a real public ML repository laid out OUTSIDE the project tree, by default the
adap/flower monorepo (~1,200 Python files). Give either a laid-out folder, or a git directory (a
mirror or a clone's .git) to lay out from:

    python bench/bench_speed.py --corpus /tmp/corpus/flower
    python bench/bench_speed.py --git-dir /path/to/flower.git --corpus /tmp/corpus/flower
    python bench/bench_speed.py --git-url https://github.com/adap/flower --corpus /tmp/corpus/flower

Peers are installed with `pip install bandit semgrep` (skipped with a note when missing). Each
command is a whole process, run once untimed, then `--runs` times in turn with the others (so
that the machine's load drifts over all of them alike); medians of wall-clock and CPU seconds
(user + system, children included) are reported. Goals
(issue 6): cold <= Semgrep (ratio <= 1.0), warm <= 1 s, 10-file pre-commit case <= 0.8 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEMGREP_RULES = """\
rules:
  - id: aip501-trust-remote-code
    languages: [python]
    severity: WARNING
    message: trust_remote_code=True runs code from the model repository
    pattern: $F(..., trust_remote_code=True, ...)
  - id: aip502-torch-load
    languages: [python]
    severity: WARNING
    message: torch.load without weights_only=True
    patterns:
      - pattern: torch.load(...)
      - pattern-not: torch.load(..., weights_only=True, ...)
  - id: aip502-pickle
    languages: [python]
    severity: WARNING
    message: pickle deserialisation
    pattern-either:
      - pattern: pickle.load(...)
      - pattern: pickle.loads(...)
      - pattern: joblib.load(...)
  - id: aip503-safety-checker
    languages: [python]
    severity: WARNING
    message: safety checker disabled
    pattern-either:
      - pattern: $F(..., safety_checker=None, ...)
      - pattern: $F(..., requires_safety_checker=False, ...)
  - id: aip301-push-to-hub
    languages: [python]
    severity: WARNING
    message: public upload
    patterns:
      - pattern: $X.push_to_hub(...)
      - pattern-not: $X.push_to_hub(..., private=True, ...)
"""


def lay_out(git_dir: str | None, git_url: str | None, dest: Path) -> None:
    if dest.exists() and any(dest.iterdir()):
        return
    dest.mkdir(parents=True, exist_ok=True)
    if git_url:
        subprocess.run(["git", "clone", "--depth", "1", git_url, str(dest)], check=True)
        return
    if not git_dir:
        sys.exit(f"{dest} is empty: give --git-dir or --git-url to lay out the corpus")
    # git archive fails on snapshots that lack a blob; cat-file --batch skips those
    tree = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "HEAD"],
                          capture_output=True, check=True).stdout
    entries = []
    for rec in tree.split(b"\0"):
        if rec:
            meta, path = rec.split(b"\t", 1)
            mode, typ, sha = meta.split()
            if typ == b"blob" and mode != b"120000":
                entries.append((sha, path.decode("utf-8", "surrogateescape")))
    proc = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for sha, path in entries:
        proc.stdin.write(sha + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    proc.stdin.close()
    proc.wait()
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "add", "-A"], check=True, capture_output=True)


def run_once(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def timed_round_robin(commands: list[tuple[str, list[str], dict, object]], cwd: Path,
                      runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of each command. One untimed warm-up run each (it also writes the
    tools' bytecode caches), then the commands take turns, so that a slower or busier moment
    of the machine falls on all of them alike."""
    for _name, cmd, env, before in commands:
        if before:
            before()
        run_once(cmd, cwd, env)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in commands}
    for _ in range(runs):
        for name, cmd, env, before in commands:
            if before:
                before()
            samples[name].append(run_once(cmd, cwd, env))
    return {name: (statistics.median(w for w, _ in xs), statistics.median(c for _, c in xs))
            for name, xs in samples.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.path.join(tempfile.gettempdir(), "corpus", "flower"))
    ap.add_argument("--git-dir")
    ap.add_argument("--git-url")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=0, help="aiprivlint --jobs (default: CPU count)")
    args = ap.parse_args()

    corpus = Path(args.corpus).resolve()
    project = Path(__file__).resolve().parents[1]
    if corpus == project or project in corpus.parents:
        sys.exit("lay the corpus out outside the project tree")
    lay_out(args.git_dir, args.git_url, corpus)
    py_files = sorted(p for p in corpus.rglob("*.py") if ".git" not in p.parts)
    print(f"corpus: {corpus} ({len(py_files)} Python files), {os.cpu_count()} CPUs, "
          f"{args.runs} runs each, in turn; medians\n")

    work = Path(tempfile.mkdtemp(prefix="aiprivlint-bench-"))
    cache_dir = work / "cache"
    env = {**os.environ, "AIPRIVLINT_CACHE_DIR": str(cache_dir), "NO_COLOR": "1"}
    env.pop("AIPRIVLINT_NO_CACHE", None)
    # every tool runs as installed, with its bytecode cache (pip writes one at install; an
    # editable install of aiprivlint writes its own on the warm-up run)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    base = [sys.executable, "-m", "aiprivlint", "check", ".", "--format", "json", "--exit-zero", *jobs]
    ten = [str(p.relative_to(corpus)) for p in py_files[:: max(1, len(py_files) // 10)][:10]]

    def clear_cache() -> None:
        shutil.rmtree(cache_dir, ignore_errors=True)

    def fill_cache() -> None:
        if not cache_dir.exists():
            subprocess.run(base, cwd=corpus, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

    commands: list[tuple[str, list[str], dict, object]] = [
        ("aiprivlint cold (all rules)", base, env, clear_cache),
        ("aiprivlint warm (cache)", base, env, fill_cache),
        ("aiprivlint 10 files (pre-commit, no cache)",
         [sys.executable, "-m", "aiprivlint", "check", "--no-cache", "--exit-zero", *ten], env, None),
    ]
    notes: list[tuple[str, str]] = []
    bandit = shutil.which("bandit")
    if bandit:
        commands.append(("bandit -r (all tests)", [bandit, "-r", ".", "-q", "-f", "json", "-o",
                                                   str(work / "bandit.json")], env, None))
    else:
        notes.append(("bandit", "not installed: pip install bandit"))
    semgrep = shutil.which("semgrep")
    if semgrep:
        rules = work / "rules.yaml"
        rules.write_text(SEMGREP_RULES)
        commands.append(("semgrep (5 patterns for 4 of our rules)",
                         [semgrep, "scan", "--config", str(rules), "--metrics=off",
                          "--disable-version-check", "--quiet", "--json", "-o",
                          str(work / "semgrep.json"), "."],
                         {**env, "SEMGREP_SEND_METRICS": "off"}, None))
    else:
        notes.append(("semgrep", "not installed: pip install semgrep"))
    times = timed_round_robin(commands, corpus, args.runs)

    bandit_t = next((w for n, (w, _) in times.items() if n.startswith("bandit")), None)
    semgrep_t = next((w for n, (w, _) in times.items() if n.startswith("semgrep")), None)
    print(f"{'command':45} {'wall s':>7} {'CPU s':>7} {'/bandit':>8} {'/semgrep':>9}")
    for name, (wall, cpu) in times.items():
        rb = f"{wall / bandit_t:.2f}" if bandit_t else "-"
        rs = f"{wall / semgrep_t:.2f}" if semgrep_t else "-"
        print(f"{name:45} {wall:7.2f} {cpu:7.2f} {rb:>8} {rs:>9}")
    for name, note in notes:
        print(f"{name:45} {'-':>7}  {note}")
    print("\ngoals: cold/semgrep <= 1.0, warm <= 1 s, 10 files <= 0.8 s (wall, medians)")
    cold = times.get("aiprivlint cold (all rules)")
    if semgrep_t and cold:
        print(f"cold/semgrep = {cold[0] / semgrep_t:.2f}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
