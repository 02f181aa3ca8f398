"""Fault injection (issue 12): one file's parser, name or config must never take the run down.

Every input is generated here; every run is the real command line in a subprocess.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from conftest import EMPTY_CONFIG, run_cli

CFG = ("--config", str(EMPTY_CONFIG))
FINDING = "import pickle\nx = pickle.loads(b)\n"  # AIP502 on line 2


def _rules_at(doc: dict) -> set[tuple[str, str]]:
    return {(f["path"], f["rule"]) for f in doc["findings"]}


def _errors(doc: dict) -> dict[str, str]:
    return {e["path"]: e["kind"] for e in doc["errors"]}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_deep_nesting_is_a_file_error_and_the_scan_goes_on(tmp_path, jobs):
    # each of these overflows libcst's native parser (a segfault): a list 3000 deep, 100k unary
    # minus (too deep for CPython's parser too), `a and a and ...` 20k long (flat in CPython's
    # ast); the guard must stop them before libcst, in this process (--jobs 1) and in a worker
    (tmp_path / "deep.py").write_text(FINDING + "y = " + "[" * 3000 + "]" * 3000 + "\n")
    (tmp_path / "unary.py").write_text(FINDING + "y = " + "-" * 100_000 + "1\n")
    (tmp_path / "chain.py").write_text(FINDING + "y = " + " and ".join(["a"] * 20_000) + "\n")
    (tmp_path / "ok.py").write_text(FINDING)
    proc = run_cli("check", *CFG, "--no-prefilter", "--jobs", jobs, "--format", "json", ".",
                   cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    # chain.py parses with CPython's parser: its ast rules (AIP502) still run
    assert _rules_at(doc) == {("ok.py", "AIP502"), ("chain.py", "AIP502")}
    assert _errors(doc) == {"deep.py": "parse", "unary.py": "parse", "chain.py": "parse"}
    messages = {e["path"]: e["message"] for e in doc["errors"]}
    assert "nested more than 200 deep (line 3)" in messages["deep.py"]
    assert "nests too deeply" in messages["unary.py"]
    assert "more than 1000 and/or operators in one chain (line 3)" in messages["chain.py"]


def test_brackets_in_strings_and_comments_are_not_nesting(tmp_path):
    # the guard counts brackets outside strings and comments: this file is ordinary Python
    opens = "(" * 500
    (tmp_path / "m.py").write_text(f'# {opens}\ns = "{opens}"\nt = """\n{opens}\n"""\n' + FINDING)
    proc = run_cli("check", *CFG, "--no-prefilter", "--format", "json", "m.py", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert proc.returncode == 1 and doc["errors"] == [] and _rules_at(doc) == {("m.py", "AIP502")}


def test_a_worker_that_dies_is_a_file_error_and_every_other_finding_is_kept(tmp_path):
    # a genuine crash: with the guard off (AIPRIVLINT_TEST_NO_PARSE_GUARD, for tests only) a list
    # 3000 deep reaches libcst's native parser, which segfaults the worker; --no-prefilter sends
    # every file to libcst
    (tmp_path / "boom.py").write_text(FINDING + "y = " + "[" * 3000 + "]" * 3000 + "\n")
    for i in range(5):
        (tmp_path / f"f{i}.py").write_text(FINDING)
    sarif = tmp_path / "out.sarif"
    proc = run_cli("check", *CFG, "--no-prefilter", "--jobs", "2", "--format", "json",
                   "--sarif-output", str(sarif), ".", cwd=tmp_path,
                   env={"AIPRIVLINT_TEST_NO_PARSE_GUARD": "1"})
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert _rules_at(doc) == {(f"f{i}.py", "AIP502") for i in range(5)}
    assert _errors(doc) == {"boom.py": "crash"}
    assert "internal error" not in proc.stderr
    runs = json.loads(sarif.read_text(encoding="utf-8"))["runs"]
    assert len(runs[0]["results"]) == 5


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that stores any bytes as a name")
def test_non_utf8_file_name_is_scanned_and_every_output_is_utf8(tmp_path):
    name = os.fsdecode(b"caf\xe9.py")  # Latin-1 bytes, not UTF-8: a lone surrogate in Python
    (tmp_path / name).write_text(FINDING)
    (tmp_path / "ok.py").write_text(FINDING)
    shown = "caf\\xe9.py"  # Python's backslashreplace form (see discovery.display_path)
    for fmt in ("json", "text"):
        proc = run_cli("check", *CFG, "--format", fmt, "--output", fmt, "--sarif-output", "sarif", ".",
                       cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        out = {f: (tmp_path / f).read_bytes().decode("utf-8") for f in (fmt, "sarif")}  # no raw 0xE9
        if fmt == "json":
            doc = json.loads(out["json"])
            found = {f["path"]: f["fingerprint"] for f in doc["findings"]}
            assert set(found) == {shown, "ok.py"} and all(found.values())
            assert doc["errors"] == []
        else:
            assert shown in out["text"]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in json.loads(out["sarif"])["runs"][0]["results"]}
        assert uris - {"ok.py"} <= {shown, "caf%5Cxe9.py"} and len(uris) == 2  # maybe percent-encoded


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that stores any bytes as a name")
def test_audit_of_a_non_utf8_folder_writes_a_utf8_report(tmp_path):
    folder = os.fsdecode(b"proj\xe9")
    (tmp_path / folder).mkdir()
    (tmp_path / folder / "m.py").write_text(FINDING)
    proc = run_cli("audit", *CFG, "--out", "audit.md", folder, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "proj\\xe9" in (tmp_path / "audit.md").read_bytes().decode("utf-8")


def test_symlink_loop_as_first_path_is_a_usage_error(tmp_path):
    os.symlink("loop", tmp_path / "loop")
    (tmp_path / "ok.py").write_text(FINDING)
    proc = run_cli("check", "loop", "ok.py", cwd=tmp_path)  # no --config: config discovery runs
    assert proc.returncode == 2
    assert "loop: symlink loop" in proc.stderr and "Traceback" not in proc.stderr


def test_symlink_loop_met_while_walking_is_an_error_entry(tmp_path):
    os.symlink("loop", tmp_path / "loop")
    (tmp_path / "ok.py").write_text(FINDING)
    proc = run_cli("check", *CFG, "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert _rules_at(doc) == {("ok.py", "AIP502")} and "loop" in _errors(doc)


@pytest.mark.parametrize("toml", ["[tool]\naiprivlint = 5\n", "tool = 5\n", 'tool = "x"\n'])
def test_pyproject_with_a_tool_that_is_not_a_table_is_exit_2(tmp_path, toml):
    (tmp_path / "pyproject.toml").write_text(toml)
    (tmp_path / "m.py").write_text(FINDING)
    proc = run_cli("check", "--exit-zero", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert "pyproject.toml: tool" in proc.stderr and "must be a table" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
