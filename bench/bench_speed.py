#!/usr/bin/env python3
"""Speed benchmark: aiprivlint cold / warm / pre-commit case against Bandit and Semgrep, on
several corpora, each reported and in total; and a generated 4 MB notebook of embedded images.

Benchmarks are not tests: this prints medians, ratios and peak memory, it asserts nothing.

Each corpus is a real public ML repository laid out OUTSIDE the project tree (by default the
adap/flower monorepo). Give laid-out folders, or for one corpus a git directory (a mirror or a
clone's .git) or URL to lay out from:

    python bench/bench_speed.py --corpus /tmp/corpus/flower --corpus /tmp/corpus/trl \
        --corpus /tmp/corpus/diffusers --corpus /tmp/corpus/cookbook
    python bench/bench_speed.py --git-dir /path/to/flower.git --corpus /tmp/corpus/flower

Peers are installed with `pip install bandit semgrep` (skipped with a note when missing). Each
command is a whole process, run once untimed, then `--runs` times in turn with the others (so
that the machine's load drifts over all of them alike); medians of wall-clock and CPU seconds
(user + system, children included) and the peak resident memory of the largest process of the
run are reported. Goals (issue 13): cold <= 1.0x Semgrep on each corpus and <= 0.7x in total,
<= 0.3x Bandit; warm <= 1 s; the 10-file pre-commit case <= 0.8 s; the 4 MB notebook <= 1 s;
peak memory <= 300 MB per process.
"""

from __future__ import annotations

import argparse
import os
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


def run_once(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds: user + system of the process and the children it waited
    for, peak resident MB of the largest of those processes)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = 0  # reaped by wait4
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def timed_round_robin(commands: list[tuple[str, list[str], dict, object]], cwd: Path,
                      runs: int) -> dict[str, tuple[float, float, float]]:
    """Median (wall, CPU) and the highest peak memory of each command. One untimed warm-up run
    each (it also writes the tools' bytecode caches), then the commands take turns, so that a
    slower or busier moment of the machine falls on all of them alike."""
    for _name, cmd, env, before in commands:
        if before:
            before()
        run_once(cmd, cwd, env)
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name, *_ in commands}
    for _ in range(runs):
        for name, cmd, env, before in commands:
            if before:
                before()
            samples[name].append(run_once(cmd, cwd, env))
    return {name: (statistics.median(w for w, _, _ in xs), statistics.median(c for _, c, _ in xs),
                   max(m for _, _, m in xs)) for name, xs in samples.items()}


def big_notebook(path: Path, megabytes: float = 4.0) -> None:
    """A notebook of embedded images: Markdown data URIs and image/png outputs (random bytes,
    base64), with a little code: what a plotting tutorial saved with its outputs looks like."""
    import base64
    import json
    import random

    rnd = random.Random(13)
    cells, size, i = [], 0, 0
    while size < megabytes * 1e6:
        img = base64.b64encode(rnd.randbytes(50_000)).decode()
        cells.append({"cell_type": "markdown", "metadata": {},
                      "source": [f"## Figure {i}\n", f"![fig](data:image/png;base64,{img})\n"]})
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": i,
                      "source": [f"import matplotlib.pyplot as plt\nplt.plot([1, 2, {i}])\n"],
                      "outputs": [{"output_type": "display_data", "metadata": {},
                                   "data": {"image/png": img, "text/plain": ["<Figure>"]}}]})
        size += 2 * len(img)
        i += 1
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))


def bench_corpus(corpus: Path, runs: int, jobs: list[str], work: Path
                 ) -> dict[str, tuple[float, float, float]]:
    py_files = sorted(p for p in corpus.rglob("*.py") if ".git" not in p.parts)
    notebooks = sorted(p for p in corpus.rglob("*.ipynb") if ".git" not in p.parts)
    print(f"## {corpus.name} ({len(py_files)} Python files, {len(notebooks)} notebooks)\n")
    cache_dir = work / "cache"
    env = {**os.environ, "AIPRIVLINT_CACHE_DIR": str(cache_dir), "NO_COLOR": "1"}
    env.pop("AIPRIVLINT_NO_CACHE", None)
    # every tool runs as installed, with its bytecode cache (pip writes one at install; an
    # editable install of aiprivlint writes its own on the warm-up run)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    base = [sys.executable, "-m", "aiprivlint", "check", ".", "--format", "json", "--exit-zero", *jobs]
    # the pre-commit case: ten of the files a commit holds, spread over the corpus (its
    # notebooks where it has no Python files)
    sample = py_files or notebooks
    ten = [str(p.relative_to(corpus)) for p in sample[:: max(1, len(sample) // 10)][:10]]

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
    bandit = shutil.which("bandit")
    if bandit:
        commands.append(("bandit -r (all tests)", [bandit, "-r", ".", "-q", "-f", "json", "-o",
                                                   str(work / "bandit.json")], env, None))
    semgrep = shutil.which("semgrep")
    if semgrep:
        rules = work / "rules.yaml"
        rules.write_text(SEMGREP_RULES)
        commands.append(("semgrep (5 patterns for 4 of our rules)",
                         [semgrep, "scan", "--config", str(rules), "--metrics=off",
                          "--disable-version-check", "--quiet", "--json", "-o",
                          str(work / "semgrep.json"), "."],
                         {**env, "SEMGREP_SEND_METRICS": "off"}, None))
    times = timed_round_robin(commands, corpus, runs)
    clear_cache()
    _table(times)
    return times


def _peer(times: dict, prefix: str) -> float | None:
    return next((w for n, (w, _, _) in times.items() if n.startswith(prefix)), None)


def _table(times: dict[str, tuple[float, float, float]]) -> None:
    bandit_t, semgrep_t = _peer(times, "bandit"), _peer(times, "semgrep")
    print(f"{'command':45} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'/bandit':>8} {'/semgrep':>9}")
    for name, (wall, cpu, mem) in times.items():
        rb = f"{wall / bandit_t:.2f}" if bandit_t else "-"
        rs = f"{wall / semgrep_t:.2f}" if semgrep_t else "-"
        print(f"{name:45} {wall:7.2f} {cpu:7.2f} {mem:8.0f} {rb:>8} {rs:>9}")
    print()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append",
                    help="a laid-out corpus folder (repeat for several; default: flower)")
    ap.add_argument("--git-dir")
    ap.add_argument("--git-url")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=0, help="aiprivlint --jobs (default: CPU count)")
    args = ap.parse_args()

    corpora = [Path(c).resolve() for c in (args.corpus or
                                           [os.path.join(tempfile.gettempdir(), "corpus", "flower")])]
    project = Path(__file__).resolve().parents[1]
    for corpus in corpora:
        if corpus == project or project in corpus.parents:
            sys.exit("lay the corpora out outside the project tree")
    if args.git_dir or args.git_url:
        if len(corpora) != 1:
            sys.exit("--git-dir / --git-url lay out one corpus: give one --corpus with them")
    for corpus in corpora:
        lay_out(args.git_dir, args.git_url, corpus)
    missing = [n for n in ("bandit", "semgrep") if not shutil.which(n)]
    print(f"{len(corpora)} corpora, {os.cpu_count()} CPUs, {args.runs} runs each, in turn; medians"
          + (f"; not installed: {', '.join(missing)} (pip install {' '.join(missing)})" if missing else "")
          + "\n")
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    work = Path(tempfile.mkdtemp(prefix="aiprivlint-bench-"))
    total: dict[str, list[float]] = {}
    for corpus in corpora:
        for name, (wall, cpu, mem) in bench_corpus(corpus, args.runs, jobs, work).items():
            t = total.setdefault(name, [0.0, 0.0, 0.0])
            t[0], t[1], t[2] = t[0] + wall, t[1] + cpu, max(t[2], mem)
    if len(corpora) > 1:
        print("## total (sums of the medians; peak: the highest)\n")
        _table({name: (w, c, m) for name, (w, c, m) in total.items()})

    nb_dir = work / "notebook"
    nb_dir.mkdir()
    big_notebook(nb_dir / "figures.ipynb")
    nb = timed_round_robin([("aiprivlint, a 4 MB notebook of embedded images",
                             [sys.executable, "-m", "aiprivlint", "check", "--no-cache",
                              "--exit-zero", "figures.ipynb"], dict(os.environ), None)],
                           nb_dir, args.runs)
    _table(nb)
    print("goals: cold/semgrep <= 1.0 on each corpus and <= 0.7 in total, cold/bandit <= 0.3, "
          "warm <= 1 s, 10 files <= 0.8 s, the 4 MB notebook <= 1 s, peak <= 300 MB per process")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
