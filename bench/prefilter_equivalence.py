#!/usr/bin/env python3
"""Do the prefilters (text ``needs`` and ast ``gate``) change anything on a real corpus?

Runs the engine twice over each corpus, all rules selected and the audit's facts on, once with the
prefilters and once without, and compares findings, facts and errors file by file. Prints counts,
every difference (rule, path, line: never a matched value) and the CPU seconds of each run.
Exit status 1 when the runs differ.

    python bench/prefilter_equivalence.py /tmp/corpus/flower /tmp/corpus/trl [--jobs 2] [--tests]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from aiprivlint.config import find_config, load_config, selected_rules
from aiprivlint.engine import Engine
from aiprivlint.registry import load_rules

_NOT_CHECKED = re.compile(r"^(AIP\d+, )*AIP\d+ not checked:")


def _run(root: Path, prefilter: bool, jobs: int, tests: bool) -> tuple[set, set, set, float]:
    rules = load_rules()
    cfg = load_config(find_config(root), rules)  # the corpus's own config, as a user runs it
    engine = Engine(cfg, rules, selected_rules(cfg, rules, set(rules)) | frozenset(rules),
                    jobs=jobs, prefilter=prefilter, cwd=root)
    engine.options["_audit"] = True
    if tests:
        engine.options["test-code"] = "check"
    t0 = time.process_time()
    report = engine.run([str(root)])
    cpu = time.process_time() - t0
    findings = {(f.path, f.line, f.column, f.rule, f.message) for f in report.findings}
    facts = {(f.path, f.line, f.kind, repr(sorted(f.data.items()))) for f in report.facts}
    # "AIP106, AIP502 not checked: <why>" (a file Python's own parser rejects) names the ast
    # rules whose text prefilter passed; without prefilters that is every selected one
    errors = {(e.path, e.kind, _NOT_CHECKED.sub("<rules> not checked:", e.message))
              for e in report.errors}
    return findings, facts, errors, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--tests", action="store_true", help='also test code (test-code = "check")')
    ap.add_argument("--jobs", type=int, default=1, help="1 (default) makes the CPU times comparable")
    args = ap.parse_args()
    differ = False
    for root in args.corpora:
        with_pf = _run(root, True, args.jobs, args.tests)
        without = _run(root, False, args.jobs, args.tests)
        print(f"{root}: findings {len(with_pf[0])}/{len(without[0])}, facts {len(with_pf[1])}/"
              f"{len(without[1])}, errors {len(with_pf[2])}/{len(without[2])} (prefiltered/full); "
              f"CPU {with_pf[3]:.1f} s / {without[3]:.1f} s (main process)")
        for name, a, b in zip(("finding", "fact", "error"), with_pf[:3], without[:3]):
            for item in sorted(b - a):
                differ = True
                print(f"  only without prefilter: {name} {item[:4]}")
            for item in sorted(a - b):
                differ = True
                print(f"  only with prefilter:    {name} {item[:4]}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
