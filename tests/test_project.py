"""Project facts and project rules: the nearest enclosing project is the scope, and the JSON
output shows each project's facts."""

from __future__ import annotations

import shutil

from conftest import EMPTY_CONFIG, FIXTURES, run_json

MONOREPO = FIXTURES / "projects" / "monorepo"


def test_monorepo_is_many_projects_and_only_the_non_dp_one_fires(tmp_path):
    shutil.copytree(MONOREPO, tmp_path / "monorepo")
    _, doc = run_json("--config", str(EMPTY_CONFIG), "monorepo", cwd=tmp_path)
    aip201 = [(f["path"], f["line"]) for f in doc["findings"] if f["rule"] == "AIP201"]
    assert aip201 == [("monorepo/examples/plain-example/train.py", 10)]
    projects = {p["root"]: p for p in doc["project"]}
    assert set(projects) == {"monorepo", "monorepo/examples/dp-example",
                             "monorepo/examples/plain-example"}
    dp = projects["monorepo/examples/dp-example"]
    assert dp["personal_data"]["value"] is True
    assert [m["framework"] for m in dp["privacy_mechanisms"]] == ["opacus"] * len(dp["privacy_mechanisms"])
    assert dp["privacy_mechanisms"] and dp["training_entry_points"]
    plain = projects["monorepo/examples/plain-example"]
    assert plain["privacy_mechanisms"] == [] and plain["personal_data"]["evidence"]
    # no value from the data file leaks into the project facts
    assert "lena.schmidt" not in str(doc) and "web.de" not in str(doc)


def test_config_personal_data_switch(tmp_path):
    shutil.copytree(MONOREPO / "examples" / "plain-example", tmp_path / "plain")
    off = tmp_path / "off.toml"
    off.write_text("personal-data = false\n")
    _, doc = run_json("--config", str(off), "plain", cwd=tmp_path)
    assert not [f for f in doc["findings"] if f["rule"] == "AIP201"]
    assert doc["project"][0]["personal_data"] == {"value": False, "reason": "config personal-data = false",
                                                  "evidence": []}
    (tmp_path / "plain" / "data" / "patients.csv").unlink()
    on = tmp_path / "on.toml"
    on.write_text("personal-data = true\n")
    _, doc = run_json("--config", str(on), "plain", cwd=tmp_path)
    assert [f["line"] for f in doc["findings"] if f["rule"] == "AIP201"] == [10]
    _, doc = run_json("--config", str(EMPTY_CONFIG), "plain", cwd=tmp_path)
    assert not [f for f in doc["findings"] if f["rule"] == "AIP201"]


def test_selecting_only_aip201_still_gathers_its_evidence(tmp_path):
    shutil.copytree(MONOREPO / "examples" / "plain-example", tmp_path / "plain")
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP201", "plain", cwd=tmp_path)
    assert {f["rule"] for f in doc["findings"]} == {"AIP201"}
