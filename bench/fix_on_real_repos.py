"""``check --fix`` on real repositories: copies, fixes, and checks of what the fixes did.

    python bench/fix_on_real_repos.py --corpus DIR [--corpus DIR ...] [--work /tmp/fixrun]

For each corpus, two copies in WORK (the corpus itself is never written to; the scans' cache goes
to WORK as well): ``check --fix`` on one, ``check --fix --unsafe-fixes`` on the other, then on
each a second run of the same command and a rescan without the cache. Every scan runs the
real command line from the copy's folder. Checked:

- every changed ``.py`` file still compiles (when the original did);
- a changed notebook is valid JSON with the original's cells, outputs and metadata: only the
  ``source`` of code cells differs, and a changed cell still parses (IPython syntax as the
  scanner reads it) when the original did;
- the findings a fix was planned for (``aiprivlint.fixes.fixes_for`` on the original files and
  findings) are gone on the rescan, and no finding is new (fingerprints);
- the second run says "0 fixed" and changes no byte.

Prints one JSON object per corpus and run (``safe``, ``unsafe``).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

SKIP = {".git", ".aiprivlint_cache"}


def files(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file (the scan cache and .git left out)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP)
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def cli(cwd: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "AIPRIVLINT_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "aiprivlint", "check", ".", "-j", "1", *args],
                          cwd=cwd, capture_output=True, text=True, env=env)


def fixed_count(stderr: str) -> tuple[int, int]:
    m = re.search(r"aiprivlint: (\d+) fixed(?: \((\d+) more with --unsafe-fixes\))?", stderr)
    if m is None:
        raise SystemExit(f"no fix summary in:\n{stderr}")
    return int(m.group(1)), int(m.group(2) or 0)


def planned(root: Path, report: dict, unsafe: bool) -> list:
    """The fixes of the original findings, as ``--fix`` plans its first round."""
    from aiprivlint.editor.workspace import finding_from_json
    from aiprivlint.fixes import fixes_for
    from aiprivlint.registry import load_rules

    rules = load_rules()
    by_path: dict[str, list] = {}
    for doc in report["findings"]:
        if rules.get(doc["rule"]) is not None and rules[doc["rule"]].fixes:
            by_path.setdefault(doc["path"], []).append(finding_from_json(doc))
    out = []
    for rel, found in sorted(by_path.items()):
        text = (root / rel).read_text(encoding="utf-8")
        out += [fx for fx in fixes_for(rel, text.lstrip("\ufeff"), found, rules)
                if unsafe or fx.applicability == "safe"]
    return out


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def _cell_code(cell: dict) -> str:
    from aiprivlint.notebook import ipython_to_python

    src = cell["source"]
    lines = "".join(src if isinstance(src, list) else [src]).split("\n")
    return "\n".join(ipython_to_python(lines))


def _compiles(path: Path) -> str | None:
    """None when the file compiles (what ``python -m py_compile`` checks, nothing written)."""
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def check_python(original: Path, changed: Path) -> str | None:
    if _compiles(original) is not None:
        return None  # the original does not compile on this Python: nothing to compare
    err = _compiles(changed)
    return f"does not compile: {err}" if err else None


def check_notebook(original: Path, changed: Path) -> str | None:
    try:
        new = json.loads(changed.read_text(encoding="utf-8"))
    except ValueError as exc:
        return f"not JSON any more: {exc}"
    old = json.loads(original.read_text(encoding="utf-8"))
    if {k: v for k, v in old.items() if k != "cells"} != {k: v for k, v in new.items() if k != "cells"}:
        return "notebook metadata changed"
    if len(old["cells"]) != len(new["cells"]):
        return "cells added or removed"
    for i, (a, b) in enumerate(zip(old["cells"], new["cells"])):
        if {k: v for k, v in a.items() if k != "source"} != {k: v for k, v in b.items() if k != "source"}:
            return f"cell {i}: outputs or metadata changed"
        if a["source"] != b["source"]:
            if a["cell_type"] != "code":
                return f"cell {i}: a {a['cell_type']} cell changed"
            if _parses(_cell_code(a)) and not _parses(_cell_code(b)):
                return f"cell {i}: does not parse any more"
    return None


def run(corpus: Path, work: Path, unsafe: bool) -> dict:
    name = corpus.name
    mode = "unsafe" if unsafe else "safe"
    copy = work / mode / name
    cache = work / "cache" / f"{mode}-{name}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.copytree(corpus, copy, symlinks=True, ignore=shutil.ignore_patterns(*SKIP))
    before = files(copy)
    orig = json.loads(cli(copy, cache, "--format", "json", "--exit-zero").stdout)
    plan = planned(copy, orig, unsafe)
    flags = ("--fix", "--unsafe-fixes") if unsafe else ("--fix",)
    first = cli(copy, cache, *flags, "--format", "json")
    fixed, held = fixed_count(first.stderr)
    after = files(copy)
    changed = sorted(k for k in after if before.get(k) != after[k])
    problems = {}
    for rel in changed:
        src = corpus / rel
        if rel.endswith(".py"):
            err = check_python(src, copy / rel)
        elif rel.endswith(".ipynb"):
            err = check_notebook(src, copy / rel)
        else:
            err = f"a {Path(rel).suffix or 'suffix-less'} file changed"
        if err:
            problems[rel] = err
    second = cli(copy, cache, *flags, "--format", "json")
    again = fixed_count(second.stderr)[0]
    unchanged = files(copy) == after
    rescan = json.loads(cli(copy, cache, "--format", "json", "--exit-zero", "--no-cache").stdout)
    old_fp = {f["fingerprint"] for f in orig["findings"]}
    new_fp = {f["fingerprint"] for f in rescan["findings"]}
    planned_fp = {fx.finding for fx in plan}
    return {
        "corpus": name, "run": " ".join(flags), "files_changed": len(changed),
        "python_files": sum(r.endswith(".py") for r in changed),
        "notebooks": sum(r.endswith(".ipynb") for r in changed),
        "fixed": fixed, "held_unsafe": held,
        "planned_by_rule": {f"{r} ({a})": n for (r, a), n in sorted(
            Counter((fx.rule, fx.applicability) for fx in plan).items())},
        "planned_findings_still_there": len(planned_fp & new_fp),
        "findings_gone": len(old_fp - new_fp), "findings_new": len(new_fp - old_fp),
        "second_run_fixed": again, "second_run_changed_nothing": unchanged,
        "problems": problems, "changed": changed,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="append", required=True, type=Path)
    ap.add_argument("--work", type=Path, default=Path("/tmp/fixrun"))
    args = ap.parse_args()
    for corpus in args.corpus:
        for unsafe in (False, True):
            print(json.dumps(run(corpus.resolve(), args.work, unsafe)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
