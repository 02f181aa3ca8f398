"""Speed features must never change the findings: the text prefilter and the fast tree walk
give exactly the output of a run without them, over every fixture."""

from __future__ import annotations

from conftest import EMPTY_CONFIG, FIXTURES, run_cli


def _scan(*extra: str, env: dict | None = None) -> str:
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "json", *extra, str(FIXTURES),
                   env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def test_prefilter_does_not_change_findings():
    assert _scan() == _scan("--no-prefilter")


def test_fast_walk_equals_libcst_visitor():
    assert _scan() == _scan(env={"AIPRIVLINT_LIBCST_WALK": "1"})
