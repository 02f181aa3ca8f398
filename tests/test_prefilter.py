"""Speed features must never change the findings: the text prefilter and the fast tree walk
give exactly the output of a run without them, over every fixture."""

from __future__ import annotations

from pathlib import Path

from conftest import EMPTY_CONFIG, FIXTURES, run_cli

POSITIONS = Path(__file__).parent / "data" / "positions"  # layouts no rule fixture has


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
    """Findings are positioned per statement line or top-level statement (shifted by ast's line
    and indentation); that must equal libcst's whole-module PositionProvider for every node of
    every Python fixture."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from aiprivlint.checkers.python import PythonRun, _child_fields
    from aiprivlint.checkers.python._ast_base import parse_ast

    checked = 0
    for path in [*sorted(FIXTURES.rglob("*.py")), *sorted(POSITIONS.glob("*.py"))]:
        source = path.read_text(encoding="utf-8", errors="replace")
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError:
            continue
        full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        run = PythonRun(None, module, None, source, parse_ast(source))
        stack = list(module.body)
        while stack:
            node = stack.pop()
            if not isinstance(node, cst.CSTNode):
                continue
            for name in _child_fields(type(node)):
                child = getattr(node, name, None)
                stack.extend(child if isinstance(child, (list, tuple)) else [child])
            rng = full[node]
            expected = (rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1)
            assert run.position(node) == expected, (path, type(node).__name__)
            checked += 1
    assert checked > 10_000


def test_libcst_is_imported_only_for_files_a_libcst_rule_can_fire_on(tmp_path):
    """The pre-commit case: a file that passes text prefilters but no ast gate is decided without
    importing libcst (0.2 s of start-up); a file with a libcst finding loads it."""
    import subprocess
    import sys

    clean = tmp_path / "train.py"
    clean.write_text("import logging\nimport torch\n\nmodel = torch.nn.Linear(4, 2)\n"
                     "logging.info('params: %d', sum(p.numel() for p in model.parameters()))\n")
    dirty = tmp_path / "load.py"  # AIP104 is a libcst rule
    dirty.write_text('SUPPORT_CONTACT = "marta.nowak@gmail.com"\n')
    code = ("import sys; from aiprivlint.cli import main; "
            "rc = main(['check', '--config', sys.argv[1], '--no-cache', '-j', '1', '-q', sys.argv[2]]); "
            "print('LOADED' if 'libcst._nodes' in sys.modules else 'NOT-LOADED', rc)")
    runs = {}
    for f in (clean, dirty):
        proc = subprocess.run([sys.executable, "-c", code, str(EMPTY_CONFIG), str(f)],
                              capture_output=True, text=True, cwd=tmp_path, check=False)
        runs[f.name] = proc.stdout.split()[-2:]
    assert runs == {"train.py": ["NOT-LOADED", "0"], "load.py": ["LOADED", "1"]}
