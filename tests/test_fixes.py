"""Automatic fixes (``check --fix`` / ``--unsafe-fixes`` / ``--diff``), against golden files.

``tests/fixtures/fixes/before`` holds files with findings; ``after`` is what ``--fix
--unsafe-fixes`` must make of them, ``after_safe`` what ``--fix`` alone must make. Every run goes
through the real command line in a subprocess, on a copy of the files.
"""

from __future__ import annotations

import ast
import io
import json
import shutil
import subprocess
import tokenize
from pathlib import Path

import pytest

from conftest import DATA, EMPTY_CONFIG, FIXTURES, ROOT, run_cli

FIXES = FIXTURES / "fixes"
BEFORE, AFTER, AFTER_SAFE = FIXES / "before", FIXES / "after", FIXES / "after_safe"
NOTEBOOK = "notebook_chat.ipynb"


def _copy(tmp_path: Path, name: str = "repo") -> Path:
    repo = tmp_path / name
    shutil.copytree(BEFORE, repo)
    return repo


def _check(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("check", "--config", str(EMPTY_CONFIG), *args, ".", cwd=repo)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _findings(repo: Path) -> list[dict]:
    proc = _check(repo, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def _fixable_rules() -> set[str]:
    proc = run_cli("rules", "--format", "json")
    return {r["id"] for r in json.loads(proc.stdout) if r["fixes"]}


def _comments(source: str) -> list[str]:
    return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type == tokenize.COMMENT]


@pytest.fixture(scope="module")
def fixed(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    repo = _copy(tmp_path_factory.mktemp("fixed"))
    return repo, _check(repo, "--fix", "--unsafe-fixes")


def test_unsafe_fixes_give_the_golden_files(fixed):
    repo, proc = fixed
    assert proc.returncode == 1, proc.stderr  # the findings without a fix remain
    assert _files(repo) == _files(AFTER)
    assert "aiprivlint: 24 fixed\n" in proc.stderr


def test_safe_fixes_only_with_fix(tmp_path):
    repo = _copy(tmp_path)
    proc = _check(repo, "--fix")
    assert _files(repo) == _files(AFTER_SAFE)
    assert "aiprivlint: 2 fixed (22 more with --unsafe-fixes)" in proc.stderr
    # only the files with a safe fix changed
    changed = {k for k, v in _files(repo).items() if _files(BEFORE)[k] != v}
    assert changed == {"AIP204_telemetry.py", NOTEBOOK}


def test_fixed_files_parse_and_keep_their_comments(fixed):
    repo, _ = fixed
    lost = []
    for path in sorted(repo.glob("*.py")):
        after = path.read_text(encoding="utf-8")
        ast.parse(after)  # still Python
        old = _comments((BEFORE / path.name).read_text(encoding="utf-8"))
        new = _comments(after)
        assert all(c in old for c in new), path
        lost += [c for c in old if c not in new]
    # a comment goes only with the argument it was written after, on its line (comment lines
    # and the comments of the arguments kept stay)
    assert sorted(lost) == sorted(["# custom modelling code", "# its tokenizer is custom code",
                                   "# needed for some models",
                                   "# the draft model is custom code too"])
    nb = json.loads((repo / NOTEBOOK).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            ast.parse("".join(l for l in cell["source"] if not l.startswith("%")))


def test_fixed_findings_are_gone_on_a_rescan(fixed):
    repo, _ = fixed
    remaining = _findings(repo)
    fixable = _fixable_rules()
    left = sorted((f["path"], f["rule"], f["line"]) for f in remaining if f["rule"] in fixable)
    # only the cases whose fix is not mechanical, or would break the code, are left
    assert {p for p, _, _ in left} == {"AIP501_nofix.py", "AIP502_nofix.py", "AIP503_nofix.py"}
    assert len(left) == 8, left


def test_a_second_fix_changes_nothing(fixed, tmp_path):
    repo, _ = fixed
    again = tmp_path / "again"
    shutil.copytree(repo, again)
    proc = _check(again, "--fix", "--unsafe-fixes")
    assert "aiprivlint: 0 fixed\n" in proc.stderr
    assert _files(again) == _files(AFTER)


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
@pytest.mark.parametrize("unsafe", [True, False])
def test_diff_applies_with_patch_and_writes_nothing(tmp_path, unsafe):
    repo = _copy(tmp_path)
    extra = ("--unsafe-fixes",) if unsafe else ()
    proc = _check(repo, "--diff", *extra)
    # exit code as without fixes: the scan has findings
    assert proc.returncode == _check(repo).returncode == 1
    assert _files(repo) == _files(BEFORE)  # nothing written
    assert proc.stdout.startswith("--- a/")
    patched = subprocess.run(["patch", "-p1", "--no-backup-if-mismatch"], input=proc.stdout,
                             cwd=repo, capture_output=True, text=True)
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert _files(repo) == _files(AFTER if unsafe else AFTER_SAFE)


def test_diff_paths_are_relative_to_the_current_folder(tmp_path):
    repo = _copy(tmp_path)
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--diff", "repo", cwd=tmp_path)
    assert "--- a/repo/AIP204_telemetry.py\n+++ b/repo/AIP204_telemetry.py\n" in proc.stdout
    assert "aiprivlint: 2 would be fixed (22 more with --unsafe-fixes)" in proc.stderr


def test_notebook_fix_changes_only_the_cell_source_strings(fixed):
    repo, _ = fixed
    before = (BEFORE / NOTEBOOK).read_text(encoding="utf-8")
    after = (repo / NOTEBOOK).read_text(encoding="utf-8")
    old_nb, new_nb = json.loads(before), json.loads(after)
    # outputs, metadata, other cells: equal as data ...
    for old, new in zip(old_nb["cells"], new_nb["cells"]):
        assert {k: v for k, v in old.items() if k != "source"} == \
               {k: v for k, v in new.items() if k != "source"}
    assert old_nb["metadata"] == new_nb["metadata"]
    changed = [i for i, (o, n) in enumerate(zip(old_nb["cells"], new_nb["cells"]))
               if o["source"] != n["source"]]
    assert changed == [2, 3]
    # ... and as bytes: every line but the changed source strings is the same text
    old_lines, new_lines = before.splitlines(), after.splitlines()
    import difflib

    diff = [l for l in difflib.unified_diff(old_lines, new_lines, lineterm="", n=0)
            if l[:1] in "+-" and not l.startswith(("---", "+++"))]
    assert diff == ['-    "                                   store=True)\\n",',
                    '+    "                                   store=False)\\n",',
                    '-    "    trust_remote_code=True,\\n",']
    # the non-ASCII text is written as it was (no \\u escapes)
    assert "café" in after and "héllo" in after


def test_every_rule_with_a_fix_has_a_golden_case():
    fixable = _fixable_rules()
    assert fixable == {"AIP204", "AIP301", "AIP501", "AIP502", "AIP503"}
    for rid in fixable:  # a golden file that differs from its case: the fix did something
        cases = [p for p in BEFORE.glob(f"{rid}_*.py") if "nofix" not in p.name]
        assert cases, rid
        for case in cases:
            assert (AFTER / case.name).read_bytes() != case.read_bytes(), case.name


def test_unsafe_fixes_without_fix_or_diff_is_an_error(tmp_path):
    repo = _copy(tmp_path)
    proc = _check(repo, "--unsafe-fixes")
    assert proc.returncode == 2
    assert "--unsafe-fixes needs --fix or --diff" in proc.stderr


def test_all_fixed_exits_0_like_ruff(tmp_path):
    (tmp_path / "chat.py").write_text(
        "from openai import OpenAI\nclient = OpenAI()\n"
        "client.responses.create(model='m', input='hi', store=True)\n", encoding="utf-8")
    assert _check(tmp_path).returncode == 1
    proc = _check(tmp_path, "--fix")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "store=False" in (tmp_path / "chat.py").read_text(encoding="utf-8")
    assert "Found 0 findings" in proc.stdout


def test_crlf_and_a_bom_are_kept(tmp_path):
    text = "\ufeffimport torch\r\nstate = torch.load('x.pt', weights_only=False)  # note\r\n"
    (tmp_path / "load.py").write_bytes(text.encode("utf-8"))
    proc = _check(tmp_path, "--fix", "--unsafe-fixes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "load.py").read_bytes() == text.replace(
        "weights_only=False", "weights_only=True").encode("utf-8")


def test_sarif_carries_fixes_that_validate_and_apply(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    repo = _copy(tmp_path)
    proc = _check(repo, "--format", "sarif")
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, json.loads((DATA / "sarif-schema-2.1.0.json").read_text()))
    results = doc["runs"][0]["results"]
    with_fix = [r for r in results if "fixes" in r]
    assert len(with_fix) == 24
    assert doc["runs"][0]["columnKind"] == "unicodeCodePoints"
    # the replacements, applied to the files, give the golden files
    by_file: dict[str, list] = {}
    for r in with_fix:
        (change,) = r["fixes"][0]["artifactChanges"]
        assert r["fixes"][0]["description"]["text"].endswith(("(safe fix)", "(unsafe fix)"))
        by_file.setdefault(change["artifactLocation"]["uri"], []).extend(change["replacements"])
    for uri, reps in by_file.items():
        lines = (repo / uri).read_text(encoding="utf-8").splitlines(keepends=True)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line))
        text = "".join(lines)
        spans = []
        for rep in reps:
            d = rep["deletedRegion"]
            spans.append((starts[d["startLine"] - 1] + d["startColumn"] - 1,
                          starts[d["endLine"] - 1] + d["endColumn"] - 1,
                          rep["insertedContent"]["text"]))
        for a, b, new in sorted(spans, reverse=True):
            text = text[:a] + new + text[b:]
        assert text == (AFTER / uri).read_text(encoding="utf-8"), uri


def test_rules_and_explain_show_the_fixes():
    proc = run_cli("rules")
    rows = {line.split()[0]: line.split()[-1] for line in proc.stdout.splitlines()[1:]}
    assert rows["AIP204"] == "safe+unsafe" and rows["AIP502"] == "unsafe" and rows["AIP101"] == "no"
    doc = {r["id"]: r for r in json.loads(run_cli("rules", "--format", "json").stdout)}
    assert doc["AIP204"]["fixable"] is True
    assert {f["applicability"] for f in doc["AIP204"]["fixes"]} == {"safe", "unsafe"}
    assert doc["AIP101"]["fixes"] == []
    text = run_cli("explain", "AIP501").stdout
    assert "## Automatic fixes" in text and "Drop trust_remote_code=True (unsafe)" in text


def test_programmatic_interface(tmp_path):
    """What the language server calls: fixes_for on a file's text and its findings, apply_fixes."""
    from aiprivlint.findings import Finding
    from aiprivlint.fixes import apply_fixes, fixes_for

    source = (BEFORE / "AIP502_loads.py").read_text(encoding="utf-8")
    findings = [Finding(**{k: f[k] for k in ("rule", "line", "column", "end_line", "end_column",
                                             "message", "details", "fingerprint")})
                for f in _findings(BEFORE) if f["path"] == "AIP502_loads.py"]
    fixes = fixes_for("AIP502_loads.py", source, findings)
    assert [f.finding for f in fixes] == [f.fingerprint for f in findings]
    assert {f.applicability for f in fixes} == {"unsafe"}
    first = fixes[0].edits[0]
    assert (first.line, first.column, first.new_text) == (18, 0, "    weights_only=True,\n")
    assert apply_fixes(source, fixes) == (AFTER / "AIP502_loads.py").read_text(encoding="utf-8")
    assert fixes_for("AIP502_loads.py", "def broken(:\n", findings) == []


def test_bad_fix_tables_are_rule_file_errors():
    from aiprivlint.fixes.spec import FixSpecError, parse_fix

    good = {"applicability": "safe", "description": "d", "why": "w", "action": "set-keyword",
            "keyword": "store", "value": "False"}
    assert parse_fix(good).keyword == "store"
    for bad in ({**good, "applicability": "maybe"}, {**good, "action": "delete-file"},
                {**good, "value": "False)"}, {**good, "colour": "red"},
                {**good, "exclude": "*load_tool"}, {**good, "exclude": [""]},
                {k: v for k, v in good.items() if k != "why"}):
        with pytest.raises(FixSpecError):
            parse_fix(bad)


def test_project_still_checks_itself_clean():
    proc = run_cli("check", "--quiet", str(ROOT))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_precommit_hook_with_fix_fails_when_it_changes_files(tmp_path):
    """``args: [--fix]`` as with Ruff's hook: the hook fixes the file and fails (pre-commit sees
    the change); once the fix is staged it passes. The hook is the one of .pre-commit-hooks.yaml
    (entry, types), run by real pre-commit from this checkout (language: system)."""
    import os
    import sys

    yaml = pytest.importorskip("yaml")
    pytest.importorskip("pre_commit")
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    repo = tmp_path / "project"
    repo.mkdir()
    config = {"repos": [{"repo": "local", "hooks": [{
        **{k: hook[k] for k in ("id", "name", "entry", "types")},
        "language": "system", "args": ["--fix"]}]}]}
    (repo / ".pre-commit-config.yaml").write_text(json.dumps(config), encoding="utf-8")
    (repo / "chat.py").write_text(
        "from openai import OpenAI\nclient = OpenAI()\n"
        "client.chat.completions.create(model='m', messages=[], store=True)  # keep\n",
        encoding="utf-8")
    (repo / "load.py").write_text("import torch\nstate = torch.load('c.pt', weights_only=False)\n",
                                  encoding="utf-8")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"), "NO_COLOR": "1",
           "AIPRIVLINT_NO_CACHE": "1",
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}

    def run(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--files", *files],
                              cwd=repo, capture_output=True, text=True, env=env, timeout=600)

    first = run("chat.py")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert "aiprivlint: 1 fixed" in first.stdout
    assert "store=False)  # keep" in (repo / "chat.py").read_text(encoding="utf-8")
    git("add", "chat.py")
    second = run("chat.py")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
    # an unsafe fix is not applied by --fix: the finding fails the hook, the file is unchanged
    before = (repo / "load.py").read_bytes()
    third = run("load.py")
    assert third.returncode == 1
    assert "AIP502" in third.stdout and "(1 more with --unsafe-fixes)" in third.stdout
    assert "files were modified" not in third.stdout
    assert (repo / "load.py").read_bytes() == before
