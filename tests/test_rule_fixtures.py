"""Every rule fires on its must-fire fixtures and stays quiet on its must-stay-quiet fixtures,
through the real CLI.

Layout: ``tests/fixtures/rules/<ID>/fire/*`` and ``tests/fixtures/rules/<ID>/quiet/*``.
In a fire fixture, the lines that must be reported carry ``expect: <ID>`` (in a comment, or inside
a notebook's code cell), or ``expect-low: <ID>`` where the finding must have low confidence (not
shown unless ``--min-confidence low``); the rule's findings in that file must be exactly those
lines. The fixtures are scanned with ``--min-confidence low`` and every preview rule selected: a
quiet fixture has no finding at any confidence. A file that cannot hold a comment (CSV, parquet) may have a sidecar
``<name>.expect`` with one ``LINE ID`` (or ``LINE ID low``) per line; with neither, at least one finding of the rule is required, except in the
fixtures of project rules (AIP201, ...) and in cases made of several files (a folder under
``fire/``): those are small projects, and their unmarked files are support files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from aiprivlint.project import all_project_rules
from aiprivlint.registry import load_rules
from conftest import EMPTY_CONFIG, FIXTURES, ROOT, run_json

RULES_FIXTURES = FIXTURES / "rules"
EXPECT = re.compile(r"expect(-low)?:\s*((?:AIP\d{3}[,\s]*)+)")


def _cases():
    if not RULES_FIXTURES.is_dir():
        return []
    out = []
    for rule_dir in sorted(p for p in RULES_FIXTURES.iterdir() if p.is_dir()):
        for kind in ("fire", "quiet"):
            base = rule_dir / kind
            if base.is_dir():
                for f in sorted(p for p in base.rglob("*") if p.is_file() and p.suffix != ".expect"):
                    out.append((rule_dir.name, kind, f))
    return out


CASES = _cases()
PROJECT_RULES = {r.rule_id for r in all_project_rules()}


@pytest.fixture(scope="module")
def fixture_report():
    preview = ",".join(sorted(rid for rid, r in load_rules().items() if r.preview))
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--min-confidence", "low",
                      *(["--extend-select", preview] if preview else []), str(RULES_FIXTURES))
    by_file = defaultdict(list)
    for f in doc["findings"]:
        by_file[f["path"]].append(f)
    return by_file, doc


def _expected_lines(path: Path, rule: str) -> dict[int, bool] | None:
    """The lines that must be reported, each with whether its finding is of low confidence."""
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        lines = {}
        for row in sidecar.read_text().splitlines():
            parts = row.split()
            if len(parts) in (2, 3) and parts[1] == rule:
                lines[int(parts[0])] = parts[2:] == ["low"]
        return lines
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    lines = {}
    for n, line in enumerate(text.splitlines(), start=1):
        m = EXPECT.search(line)
        if m and rule in re.findall(r"AIP\d{3}", m.group(2)):
            lines[n] = bool(m.group(1))
    return lines or None


@pytest.mark.parametrize("rule,kind,path", CASES,
                         ids=[f"{r}-{k}-{p.name}" for r, k, p in CASES])
def test_fixture(fixture_report, rule, kind, path):
    by_file, _ = fixture_report
    rel = path.relative_to(ROOT).as_posix()
    found = [f for f in by_file.get(rel, []) if f["rule"] == rule]
    got = sorted(f["line"] for f in found)
    if kind == "quiet":
        assert got == [], f"{rule} must stay quiet on {rel}, fired at lines {got}"
        return
    expected = _expected_lines(path, rule)
    in_case_folder = path.parent != RULES_FIXTURES / rule / kind
    if expected is None and (rule in PROJECT_RULES or in_case_folder):
        # a project rule's fixture, or any case made of several files (a folder), is a small
        # project: files without markers are its support files (data, configs, an
        # __init__.py), and the rule must not fire on them
        assert got == [], f"{rule} fired on unmarked support file {rel} at lines {got}"
    elif expected is None:
        assert got, f"{rule} must fire on {rel}"
    else:
        assert set(got) == set(expected), \
            f"{rule} on {rel}: expected lines {sorted(expected)}, got {got}"
        low = {f["line"]: f["confidence"] == "low" for f in found}
        assert low == expected, f"{rule} on {rel}: low confidence expected at lines " \
            f"{sorted(n for n, v in expected.items() if v)}, found at {sorted(n for n, v in low.items() if v)}"


def test_every_rule_has_fire_and_quiet_fixtures():
    from aiprivlint.checkers import implemented_rule_ids

    for rid in sorted(implemented_rule_ids()):
        for kind in ("fire", "quiet"):
            d = RULES_FIXTURES / rid / kind
            assert d.is_dir() and any(p.is_file() for p in d.rglob("*")), \
                f"{rid} has no {kind} fixtures in {d}"


def test_fixture_scan_has_no_unexpected_errors(fixture_report):
    _, doc = fixture_report
    unexpected = [e for e in doc["errors"] if "/bad/" not in e["path"]]
    assert unexpected == []
