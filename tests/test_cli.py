"""The command line as a user runs it: commands, options, exit codes, configuration errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import EMPTY_CONFIG, FIXTURES, ROOT, run_cli, run_json

APP = FIXTURES / "core" / "app"


def test_version_and_module_entry_point():
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("aiprivlint ")


def test_no_command_prints_help_and_exits_2():
    proc = run_cli()
    assert proc.returncode == 2 and "check" in proc.stderr


def test_rules_table_and_json():
    proc = run_cli("rules")
    assert proc.returncode == 0
    header = proc.stdout.splitlines()[0].split()
    assert header == ["ID", "NAME", "CATEGORY", "SEVERITY", "FIXABLE"]
    assert "AIP502" in proc.stdout and "unsafe-deserialization" in proc.stdout
    doc = json.loads(run_cli("rules", "--format", "json").stdout)
    ids = [r["id"] for r in doc]
    assert ids == sorted(ids) and "AIP502" in ids
    assert {"id", "name", "category", "severity", "fixable"} <= set(doc[0])


def test_explain_known_and_unknown():
    proc = run_cli("explain", "aip502")
    assert proc.returncode == 0
    for part in ("AIP502 unsafe-deserialization", "Why is this a privacy risk?", "What to do",
                 "References", "weights_only=True"):
        assert part in proc.stdout
    bad = run_cli("explain", "AIP999")
    assert bad.returncode == 2 and "unknown rule" in bad.stderr and not bad.stdout


def test_exit_codes_and_fail_on(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import torch\nm = torch.load('x.pt')\n")  # one medium finding
    args = ("--config", str(EMPTY_CONFIG), str(src))
    assert run_cli("check", *args).returncode == 1
    assert run_cli("check", "--fail-on", "high", *args).returncode == 0
    assert run_cli("check", "--fail-on", "medium", *args).returncode == 1
    assert run_cli("check", "--exit-zero", *args).returncode == 0
    clean = tmp_path / "clean.py"
    clean.write_text("print('hello')\n")
    assert run_cli("check", "--config", str(EMPTY_CONFIG), str(clean)).returncode == 0
    assert run_cli("check", "--fail-on", "extreme", *args).returncode == 2


def test_text_output_format(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import torch\nm = torch.load('x.pt', weights_only=False)\n")
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "m.py", cwd=tmp_path)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("m.py:2:5: AIP502 [high] ")
    assert lines[1].startswith("  why: ") and "aiprivlint explain AIP502" in lines[2]
    assert lines[-1].startswith("Found 1 finding (1 high) in 1 file scanned")
    assert "\x1b[" not in proc.stdout  # no colours when not on a TTY
    quiet = run_cli("check", "-q", "--config", str(EMPTY_CONFIG), "m.py", cwd=tmp_path)
    assert "why:" not in quiet.stdout


def test_select_ignore_by_id_and_category(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import pickle\nx = pickle.loads(b)\n")
    base = ("--config", str(EMPTY_CONFIG), str(src))
    _, doc = run_json(*base)
    assert [f["rule"] for f in doc["findings"]] == ["AIP502"]
    _, doc = run_json("--ignore", "AIP502", *base)
    assert doc["findings"] == []
    _, doc = run_json("--ignore", "misuse", *base)
    assert doc["findings"] == []
    _, doc = run_json("--select", "memorization", *base)
    assert doc["findings"] == []
    _, doc = run_json("--select", "memorization", "--extend-select", "AIP5", *base)
    assert [f["rule"] for f in doc["findings"]] == ["AIP502"]
    bad = run_cli("check", "--select", "AIP999", *base)
    assert bad.returncode == 2 and "AIP999" in bad.stderr


def _project(tmp_path: Path, config: str, name: str = "pyproject.toml") -> Path:
    shutil.copytree(APP, tmp_path / "app")
    (tmp_path / name).write_text(config)
    return tmp_path


def test_config_found_upwards_and_cli_overrides(tmp_path):
    root = _project(tmp_path, '[project]\nname = "x"\n\n[tool.aiprivlint]\nignore = ["AIP502"]\n')
    _, doc = run_json("app/loader.py", cwd=root)
    assert doc["findings"] == []  # config found from the file's folder upwards
    _, doc = run_json("--select", "AIP502", "--config", str(root / "pyproject.toml"), "app", cwd=root)
    assert doc["findings"] == []  # ignore still applies on top of a CLI select
    (root / "pyproject.toml").write_text('[tool.aiprivlint]\nfail-on = "critical"\n')
    assert run_cli("check", "app", cwd=root).returncode == 0
    assert run_cli("check", "--fail-on", "low", "app", cwd=root).returncode == 1


def test_dot_config_file_and_exclude(tmp_path):
    root = _project(tmp_path, 'exclude = ["app/loader.py"]\n', name=".aiprivlint.toml")
    _, doc = run_json(".", cwd=root)
    assert doc["findings"] == []
    (root / ".aiprivlint.toml").write_text("exclude = []\n")
    _, doc = run_json(".", cwd=root)
    assert [f["path"] for f in doc["findings"]] == ["app/loader.py"]


def test_unknown_config_key_names_key_and_file(tmp_path):
    root = _project(tmp_path, '[tool.aiprivlint]\nselct = ["AIP502"]\n')
    proc = run_cli("check", ".", cwd=root)
    assert proc.returncode == 2
    assert "selct" in proc.stderr and "pyproject.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_rule_in_config_and_bad_toml(tmp_path):
    root = _project(tmp_path, '[tool.aiprivlint]\nignore = ["AIP777"]\n')
    proc = run_cli("check", ".", cwd=root)
    assert proc.returncode == 2 and "AIP777" in proc.stderr and "tool.aiprivlint.ignore" in proc.stderr
    (root / "pyproject.toml").write_text("[tool.aiprivlint\n")
    # a broken pyproject.toml is skipped when searching; given explicitly it is an error
    proc = run_cli("check", "--config", "pyproject.toml", ".", cwd=root)
    assert proc.returncode == 2 and "invalid TOML" in proc.stderr
    proc = run_cli("check", "--config", "missing.toml", ".", cwd=root)
    assert proc.returncode == 2 and "not found" in proc.stderr


def test_per_file_ignores(tmp_path):
    root = _project(tmp_path, '[tool.aiprivlint.per-file-ignores]\n"app/*.py" = ["AIP502"]\n')
    _, doc = run_json(".", cwd=root)
    assert doc["findings"] == [] and doc["summary"]["suppressed"] >= 1


def test_risk_profile_shifts_severity(tmp_path):
    root = _project(tmp_path, '[tool.aiprivlint.risk-profile]\nmisuse = 1\n')
    _, doc = run_json("app", cwd=root)
    assert {f["severity"] for f in doc["findings"]} == {"critical"}
    (root / "pyproject.toml").write_text('[tool.aiprivlint.risk-profile]\nmisuse = -2\n')
    _, doc = run_json("app", cwd=root)
    assert {f["severity"] for f in doc["findings"]} == {"low"}
    (root / "pyproject.toml").write_text('[tool.aiprivlint.risk-profile]\nprivacy = 1\n')
    proc = run_cli("check", "app", cwd=root)
    assert proc.returncode == 2 and "privacy" in proc.stderr


def test_output_file(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import pickle\nx = pickle.loads(b)\n")
    out = tmp_path / "report.json"
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "json", "--output", str(out), str(src))
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["findings"][0]["rule"] == "AIP502"


def test_missing_path_is_a_usage_error(tmp_path):
    # a path the user named that does not exist must not let a gate pass (issue 12): exit 2
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "json", "nope.py", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "nope.py: no such file or directory" in proc.stderr


def test_behaviour_rules_skip_test_code_by_default(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_io.py").write_text("import pickle\nx = pickle.loads(b)\n")
    (tmp_path / "conftest.py").write_text("import pickle\ny = pickle.loads(b)\n")
    (tmp_path / "train.py").write_text("import pickle\nz = pickle.loads(b)\n")
    (tmp_path / "pyproject.toml").write_text("[tool.aiprivlint]\n")
    _, doc = run_json(".", cwd=tmp_path)
    assert [f["path"] for f in doc["findings"]] == ["train.py"]
    assert doc["summary"]["in_test_code"] == 2
    text = run_cli("check", ".", cwd=tmp_path).stdout
    assert "2 in test code not shown" in text
    (tmp_path / "pyproject.toml").write_text('[tool.aiprivlint]\ntest-code = "check"\n')
    _, doc = run_json(".", cwd=tmp_path)
    assert [f["path"] for f in doc["findings"]] == ["conftest.py", "tests/test_io.py", "train.py"]
    (tmp_path / "pyproject.toml").write_text('[tool.aiprivlint]\ntest-code = "maybe"\n')
    proc = run_cli("check", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "test-code" in proc.stderr


def test_field_names_of_a_unit_tests_dummy_frame_are_not_reported_by_default(tmp_path):
    """AIP102 reports a schema where the code under test has it, not in the dummy frame a unit
    test builds with the same columns; test-code = "check" reports both."""
    frame = 'import pandas as pd\ndf = pd.DataFrame({"income": [1, 2], "label": [0, 1]})\n'
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_split.py").write_text(frame + "part = df[['income']]\n")
    (tmp_path / "features.py").write_text(frame + "X = df[['income']]\n")
    (tmp_path / "pyproject.toml").write_text("[tool.aiprivlint]\n")
    for speed in ([], ["--no-prefilter"]):  # what a rule skips is no speed feature
        _, doc = run_json(".", "--select", "AIP102", *speed, cwd=tmp_path)
        assert {f["path"] for f in doc["findings"]} == {"features.py"}
    (tmp_path / "pyproject.toml").write_text('[tool.aiprivlint]\ntest-code = "check"\n')
    _, doc = run_json(".", "--select", "AIP102", cwd=tmp_path)
    assert {f["path"] for f in doc["findings"]} == {"features.py", "tests/test_split.py"}


def test_the_repository_checks_itself_clean():
    """aiprivlint on its own repository, default command, the project's configuration: exit 0
    (what is suppressed there is documented in pyproject.toml)."""
    proc = run_cli("check", ".", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Found 0 findings" in proc.stdout
