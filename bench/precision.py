#!/usr/bin/env python3
"""The precision study: draw a stratified random sample of findings, then score the judged sheet.

    # 1. reports: one JSON per corpus (bench/findings_diff.py --out DIR keeps them)
    python bench/precision.py sample DIR/after --n 160 --seed 7 --out bench/precision/after.tsv
    # 2. open every row at its line and fill in `verdict` (TP | debatable | FP) and `reason`
    # 3. per-rule table and volume-weighted shares
    python bench/precision.py score DIR/after bench/precision/after.tsv
    # after another change: a new sample that keeps the verdicts of findings judged before
    python bench/precision.py sample DIR2/after --reuse bench/precision/after.tsv --out NEW.tsv
    # 4. the true positives of one sheet that another run no longer reports
    python bench/precision.py kept bench/precision/before.tsv DIR/after

Strata are rules. Every rule gets up to ``--floor`` rows (all of them when it has fewer findings);
the rest of ``--n`` is shared in proportion to the square root of each rule's volume, up to
``--cap`` rows a rule, so a rule of thousands of findings does not take the whole sample. Rows are drawn at random within a rule.
Shares are weighted back by volume: share = sum over rules of (rule's share in its sample x the
rule's findings) / all findings. The sheet holds rule, place and message only (messages carry no
matched value).
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import math
import random
import re
import sys
from pathlib import Path

COLUMNS = ("id", "corpus", "rule", "severity", "path", "line", "message", "verdict", "reason")
VERDICTS = ("TP", "debatable", "FP")


CONFIDENCE = {"low": 0, "medium": 1, "high": 2}


def load(reports: Path, min_confidence: str = "low") -> list[dict]:
    """The findings of one JSON report per corpus, those below ``min_confidence`` left out
    (scan with ``--min-confidence low`` to score what users see by default and everything)."""
    rows = []
    for path in sorted(reports.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for f in doc["findings"]:
            if CONFIDENCE.get(f.get("confidence") or "medium", 1) < CONFIDENCE[min_confidence]:
                continue
            rows.append({"corpus": path.stem, "rule": f["rule"], "severity": f["severity"],
                         "path": f["path"], "line": f["line"], "message": f["message"]})
    return rows


def allocate(volumes: dict[str, int], n: int, floor: int, cap: int) -> dict[str, int]:
    take = {r: min(v, floor) for r, v in volumes.items()}
    left = n - sum(take.values())
    while left > 0:
        room = {r: min(volumes[r], cap) - take[r] for r in volumes if min(volumes[r], cap) > take[r]}
        if not room:
            break
        weights = {r: math.sqrt(volumes[r]) for r in room}
        total = sum(weights.values())
        grant = {r: min(room[r], max(1, int(left * w / total))) for r, w in weights.items()}
        for r in sorted(grant, key=lambda r: -weights[r]):
            g = min(grant[r], left)
            take[r] += g
            left -= g
            if left == 0:
                break
    return take


def cmd_sample(args) -> int:
    rows = load(args.reports)
    by_rule: dict[str, list[dict]] = collections.defaultdict(list)
    for r in rows:
        by_rule[r["rule"]].append(r)
    rng = random.Random(args.seed)
    plan = allocate({r: len(v) for r, v in by_rule.items()}, args.n, args.floor, args.cap)
    out = []
    for rule in sorted(plan):
        pool = sorted(by_rule[rule], key=lambda r: (r["corpus"], r["path"], r["line"], r["message"]))
        out.extend(rng.sample(pool, plan[rule]))
    known = {}
    for sheet in args.reuse or ():
        for row in read_sheet(sheet):
            if row["verdict"].strip() in VERDICTS:
                known[_key(row)] = (row["verdict"].strip(), row["reason"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    reused = 0
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        for i, r in enumerate(out, 1):
            verdict, reason = known.get(_key(r), ("", ""))
            reused += bool(verdict)
            w.writerow({**r, "id": i, "verdict": verdict, "reason": reason})
    print(f"{len(out)} rows from {len(rows)} findings -> {args.out}"
          + (f" ({reused} judged already in {', '.join(map(str, args.reuse))})" if known else ""))
    for rule in sorted(plan):
        print(f"  {rule}: {plan[rule]} of {len(by_rule[rule])}")
    return 0


def _key(row: dict) -> tuple:
    """One finding: the same rule, place and message is the same finding in another run (a
    message's "(low confidence: ...)" note apart: a finding keeps its verdict when a rule lowers
    its confidence)."""
    return (row["corpus"], row["rule"], row["path"], int(row["line"]), _plain(row["message"]))


def _plain(message: str) -> str:
    return re.sub(r" \(low confidence: [^()]*\)", "", message)


def read_sheet(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def cmd_score(args) -> int:
    reports = load(args.reports, args.min_confidence)
    volumes = collections.Counter(r["rule"] for r in reports)
    present = {_key(r) for r in reports}
    judged: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    bad = stale = 0
    for row in read_sheet(args.sheet):
        v = row["verdict"].strip()
        if v not in VERDICTS:
            bad += 1
            continue
        if _key(row) not in present:
            stale += 1  # judged in a run whose findings these reports no longer hold
            continue
        judged[row["rule"]][v] += 1
    total = sum(volumes.values())
    print("| rule | findings | judged | TP | debatable | FP | TP % | FP % |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    weighted = collections.Counter()
    unjudged = 0
    for rule in sorted(set(volumes) | set(judged)):
        c = judged[rule]
        n = sum(c.values())
        vol = volumes.get(rule, 0)
        if n:
            for v in VERDICTS:
                weighted[v] += vol * c[v] / n
            tp, fp = f"{100 * c['TP'] / n:.0f}", f"{100 * c['FP'] / n:.0f}"
        else:
            unjudged += vol
            tp = fp = "-"
        print(f"| {rule} | {vol} | {n} | {c['TP']} | {c['debatable']} | {c['FP']} | {tp} | {fp} |")
    base = total - unjudged
    if base:
        print(f"\nvolume-weighted over {base} findings ({unjudged} in unjudged rules): "
              + ", ".join(f"{v} {100 * weighted[v] / base:.1f} %" for v in VERDICTS))
    if bad:
        print(f"{bad} row(s) without a verdict", file=sys.stderr)
    if stale:
        print(f"{stale} judged row(s) not among these reports' findings: left out",
              file=sys.stderr)
    return 0


def _subject(message: str) -> str:
    """What a finding is about, without its counts: "Column 'x' holds personal data"."""
    return message.split(":")[0]


def cmd_kept(args) -> int:
    rows = load(args.reports)
    now = collections.Counter((r["corpus"], r["rule"], r["path"], int(r["line"])) for r in rows)
    # a data-file finding is at the first matching row: when a fix drops some values (the
    # placeholders of a column), the same column is reported at a later row
    subject = collections.Counter((r["corpus"], r["rule"], r["path"], _subject(r["message"]))
                                  for r in rows)
    lost = moved = 0
    for row in read_sheet(args.sheet):
        if row["verdict"].strip() != "TP":
            continue
        key = (row["corpus"], row["rule"], row["path"], int(row["line"]))
        if now[key]:
            continue
        if subject[(row["corpus"], row["rule"], row["path"], _subject(row["message"]))]:
            moved += 1
            print(f"moved TP: {row['corpus']} {row['rule']} {row['path']}:{row['line']}  "
                  f"{_subject(row['message'])[:100]} (still reported, at another line)")
            continue
        lost += 1
        print(f"lost TP: {row['corpus']} {row['rule']} {row['path']}:{row['line']}  "
              f"{row['message'][:120]}")
    print(f"{lost} judged true positive(s) no longer reported; {moved} reported at another line")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("reports", type=Path)
    s.add_argument("--n", type=int, default=160)
    s.add_argument("--floor", type=int, default=6)
    s.add_argument("--cap", type=int, default=30, help="at most this many rows of one rule")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--reuse", type=Path, action="append",
                   help="a judged sheet: its verdicts carry over to the same findings drawn again")
    s.set_defaults(fn=cmd_sample)
    c = sub.add_parser("score")
    c.add_argument("reports", type=Path)
    c.add_argument("sheet", type=Path)
    c.add_argument("--min-confidence", choices=tuple(CONFIDENCE), default="low",
                   help="score only findings at or above this confidence (medium: the default "
                   "view of aiprivlint check)")
    c.set_defaults(fn=cmd_score)
    k = sub.add_parser("kept")
    k.add_argument("sheet", type=Path)
    k.add_argument("reports", type=Path)
    k.set_defaults(fn=cmd_kept)
    args = ap.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
