from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DATA = ROOT / "tests" / "data"
# An empty config, so the repository's own [tool.aiprivlint] (which excludes the fixtures) is not used.
EMPTY_CONFIG = DATA / "empty.aiprivlint.toml"


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            input: str | None = None, timeout: float = 600,
            preexec_fn=None) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would, in a subprocess (``preexec_fn``: e.g. a
    resource limit set in the child before it starts)."""
    # tests are hermetic: no cache unless a test asks for one (test_cache.py)
    full_env = {**os.environ, "NO_COLOR": "1", "AIPRIVLINT_NO_CACHE": "1", **(env or {})}
    full_env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-m", "aiprivlint", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, env=full_env, input=input,
                          timeout=timeout, preexec_fn=preexec_fn)


def run_json(*args: str, cwd: Path | None = None, env: dict | None = None) -> tuple[int, dict]:
    proc = run_cli("check", "--format", "json", *args, cwd=cwd, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def cli():
    return run_cli
