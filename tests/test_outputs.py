"""Output formats: the JSON contract, SARIF 2.1.0 (validated against the official schema),
GitHub annotations, and deterministic output."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import DATA, EMPTY_CONFIG, FIXTURES, run_cli

RULE_FIXTURES = FIXTURES / "rules"
FINDING_KEYS = {"rule", "name", "category", "severity", "confidence", "path", "line", "column",
                "end_line", "end_column", "message", "fingerprint", "help_uri", "details", "notebook"}


@pytest.fixture(scope="module")
def sarif_doc():
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "sarif", str(RULE_FIXTURES))
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_json_contract():
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "json", str(RULE_FIXTURES))
    doc = json.loads(proc.stdout)
    assert set(doc) >= {"tool", "findings", "errors", "summary"}
    assert doc["tool"]["name"] == "aiprivlint" and doc["tool"]["version"]
    assert doc["findings"]
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS
        assert not f["path"].startswith("/") and "\\" not in f["path"]
        assert f["severity"] in ("low", "medium", "high", "critical")
    assert doc["summary"]["findings"] == len(doc["findings"])


def test_sarif_validates_against_the_official_schema(sarif_doc):
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif_doc, schema)


def test_sarif_has_what_github_code_scanning_reads(sarif_doc):
    run = sarif_doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "AIP502" in rules
    r = rules["AIP502"]
    assert "weights_only=True" in r["help"]["markdown"] and r["helpUri"].startswith("https://")
    assert float(r["properties"]["security-severity"]) >= 7.0
    assert "misuse" in r["properties"]["tags"]
    for res in run["results"]:
        assert res["partialFingerprints"]["aiprivlint/v1"]
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1


def test_github_annotations(tmp_path):
    src = tmp_path / "m,1.py"
    src.write_text("import pickle\nx = pickle.loads(b)\n")
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "github", ".", cwd=tmp_path)
    first = proc.stdout.splitlines()[0]
    assert first.startswith("::error file=m%2C1.py,line=2,col=5,")
    assert "title=AIP502 unsafe-deserialization [high]::" in first
    assert proc.stdout.splitlines()[-1].startswith("Found 1 finding")


def test_sarif_output_alongside_another_format(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import pickle\nx = pickle.loads(b)\n")
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "github",
                   "--sarif-output", "out.sarif", ".", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout.startswith("::error ")
    doc = json.loads((tmp_path / "out.sarif").read_text())
    assert doc["runs"][0]["results"][0]["ruleId"] == "AIP502"


def test_output_is_deterministic_with_and_without_a_process_pool():
    outs = []
    for jobs in ("1", "2", "2"):
        proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "json", "--jobs", jobs,
                       str(FIXTURES))
        outs.append(proc.stdout)
    assert outs[0] == outs[1] == outs[2]
