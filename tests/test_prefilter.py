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


def test_statement_positions_equal_libcst_position_provider():
    """Findings are positioned per top-level statement (shifted by ast's line); that must equal
    libcst's whole-module PositionProvider for every node of every Python fixture."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from aiprivlint.checkers.python import PythonRun, _all_nodes
    from aiprivlint.checkers.python._ast_base import parse_ast

    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        source = path.read_text(encoding="utf-8", errors="replace")
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError:
            continue
        full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        run = PythonRun(None, module, None, source, parse_ast(source))
        for node in _all_nodes(module):
            if node is module:
                continue
            rng = full[node]
            expected = (rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1)
            assert run.position(node) == expected, (path, type(node).__name__)
            checked += 1
    assert checked > 10_000
