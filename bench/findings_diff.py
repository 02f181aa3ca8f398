#!/usr/bin/env python3
"""What did a change do to the findings on real repositories?

Scans each corpus with two versions of aiprivlint (git revisions of this repository, or the
working tree) as a user would (default configuration, all rules, no cache) and lists, per rule,
what appeared and what disappeared. Each version runs from a temporary git worktree with its own
``src`` first on ``PYTHONPATH``; the JSON reports are kept in ``--out`` for the precision sheet
(``bench/precision.py``).

    python bench/findings_diff.py --before HEAD~5 --after WORKTREE /tmp/corpus/trl /tmp/corpus/opacus
    python bench/findings_diff.py --before v1 --after v2 --list 40 CORPUS...

A finding is keyed by (rule, path, line, message); one that keeps its place but changes its
message shows as "changed". A commit's reports in ``--out`` are reused on the next run (the
working tree is always scanned again). Nothing here prints a matched value: messages carry none.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _sha(rev: str) -> str | None:
    """The commit of ``rev``; None for the working tree (whose findings are never reused)."""
    if rev == "WORKTREE":
        return None
    return subprocess.run(["git", "-C", str(HERE), "rev-parse", "--verify", rev + "^{commit}"],
                          check=True, capture_output=True, text=True).stdout.strip()


def _tree(rev: str, keep: list[str]) -> Path:
    """The source tree of ``rev``: the working tree for WORKTREE, else a temporary worktree."""
    sha = _sha(rev)
    if sha is None:
        return HERE
    path = Path(tempfile.gettempdir()) / f"aiprivlint-diff-{sha[:12]}"
    if not (path / "src" / "aiprivlint").is_dir():
        subprocess.run(["git", "-C", str(HERE), "worktree", "add", "--detach", "-f", str(path), sha],
                       check=True, capture_output=True)
        keep.append(str(path))
    return path


def scan(tree: Path, corpus: Path, out: Path, sha: str | None = None) -> tuple[dict, float]:
    """Scan ``corpus`` with ``tree``; with ``sha`` (a commit), a report this script already made
    with that commit in ``out`` is reused (``out`` + ``.rev`` records the commit)."""
    stamp = out.with_suffix(".rev")
    if sha and out.exists() and stamp.exists() and stamp.read_text().strip() == sha:
        return json.loads(out.read_text(encoding="utf-8")), 0.0
    stamp.unlink(missing_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree / "src") + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "aiprivlint", "check", ".", "--format", "json", "--no-cache",
         "--exit-zero", "--quiet", "--output", str(out)],
        cwd=corpus, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"{tree} on {corpus}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    if sha:
        stamp.write_text(sha + "\n")
    return json.loads(out.read_text(encoding="utf-8")), wall


def keyed(doc: dict) -> collections.Counter:
    return collections.Counter((f["rule"], f["path"], f["line"], f["message"])
                               for f in doc["findings"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--before", required=True, help="a git revision, or WORKTREE")
    ap.add_argument("--after", default="WORKTREE", help="a git revision, or WORKTREE (default)")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "aiprivlint-diff",
                    help="where the JSON reports go: OUT/<before|after>/<corpus>.json")
    ap.add_argument("--list", type=int, default=25,
                    help="differences listed per corpus and rule (0: none, -1: all)")
    args = ap.parse_args()
    made: list[str] = []
    revs = {"before": args.before, "after": args.after}
    shas = {side: _sha(rev) for side, rev in revs.items()}
    trees = {side: _tree(rev, made) for side, rev in revs.items()}
    totals: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    try:
        for corpus in args.corpora:
            corpus = corpus.resolve()
            docs = {}
            for side, tree in trees.items():
                (args.out / side).mkdir(parents=True, exist_ok=True)
                docs[side], wall = scan(tree, corpus, args.out / side / f"{corpus.name}.json",
                                        shas[side])
                took = f"{wall:.1f} s" if wall else "reused"
                print(f"# {corpus.name} {side}: {len(docs[side]['findings'])} findings, "
                      f"{len(docs[side]['errors'])} errors, {took}")
            _compare(corpus.name, docs["before"], docs["after"], totals, args.list)
        _table("all corpora", totals)
    finally:
        for path in made:
            subprocess.run(["git", "-C", str(HERE), "worktree", "remove", "--force", path],
                           capture_output=True)
    return 0


def _compare(name: str, before: dict, after: dict, totals, limit: int) -> None:
    kb, ka = keyed(before), keyed(after)
    gone, new = kb - ka, ka - kb
    # a finding that stays at its place with another message is "changed", not gone + new
    place = lambda c: collections.Counter((r, p, ln) for (r, p, ln, _m) in c.elements())  # noqa: E731
    changed = place(gone) & place(new)
    rows: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for (rule, *_), n in kb.items():
        rows[rule]["before"] += n
    for (rule, *_), n in ka.items():
        rows[rule]["after"] += n
    for (rule, *_), n in changed.items():
        rows[rule]["changed"] += n
    for (rule, path, line, _m), n in gone.items():
        rows[rule]["disappeared"] += n
    for (rule, path, line, _m), n in new.items():
        rows[rule]["appeared"] += n
    for rule, row in rows.items():
        row["disappeared"] -= row["changed"]
        row["appeared"] -= row["changed"]
        totals[rule].update(row)
    _table(name, rows)
    if limit == 0:
        return
    for label, items in (("-", gone), ("+", new)):
        by_rule: dict[str, list] = collections.defaultdict(list)
        for key in sorted(items.elements()):
            by_rule[key[0]].append(key)
        for rule in sorted(by_rule):
            shown = by_rule[rule] if limit < 0 else by_rule[rule][:limit]
            for r, path, line, message in shown:
                print(f"  {label} {r} {path}:{line}  {message[:160]}")
            if len(shown) < len(by_rule[rule]):
                print(f"  {label} {rule} ... {len(by_rule[rule]) - len(shown)} more")


def _table(name: str, rows) -> None:
    print(f"\n## {name}\n")
    print("| rule | before | after | appeared | disappeared | changed message |")
    print("|---|---:|---:|---:|---:|---:|")
    total = collections.Counter()
    for rule in sorted(rows):
        r = rows[rule]
        total.update(r)
        print(f"| {rule} | {r['before']} | {r['after']} | {r['appeared']} | {r['disappeared']} "
              f"| {r['changed']} |")
    print(f"| **all** | {total['before']} | {total['after']} | {total['appeared']} | "
          f"{total['disappeared']} | {total['changed']} |\n")


if __name__ == "__main__":
    sys.exit(main())
