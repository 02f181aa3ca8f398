"""Rule files: every checker's rule id has a rule file, every rule file has a checker, and every
rule file is complete."""

from __future__ import annotations

from aiprivlint.checkers import implemented_rule_ids
from aiprivlint.registry import CATEGORIES, load_rules, rules_dir


def test_rule_files_and_checkers_match():
    rules = load_rules()
    implemented = implemented_rule_ids()
    assert implemented - set(rules) == set(), "checkers without a rule file"
    assert set(rules) - implemented == set(), "rule files without a checker"


def test_rule_files_are_complete():
    for rule in load_rules().values():
        assert rule.category in CATEGORIES
        assert len(rule.risk) > 200, f"{rule.id}: the risk text is the product; say more"
        assert "```" in rule.mitigation, f"{rule.id}: mitigation needs a before/after example"
        assert rule.references and all(r.url.startswith("https://") for r in rule.references)
        assert any("2510.00909" in r.url for r in rule.references), f"{rule.id}: cite the study"


def test_rules_dir_is_the_repository_rules_folder():
    assert (rules_dir() / "AIP502.toml").is_file()


def test_readme_lists_every_rule():
    readme = (rules_dir().parent / "README.md").read_text(encoding="utf-8")
    for rid in load_rules():
        assert f"[{rid}](rules/{rid}.toml)" in readme, f"README rule table misses {rid}"


def test_preview_rules_run_only_when_selected_by_their_id(tmp_path):
    import json

    from conftest import EMPTY_CONFIG, run_cli

    preview = sorted(rid for rid, r in load_rules().items() if r.preview)
    assert preview, "no preview rule left: drop this test or keep one preview fixture"
    rid = preview[0]
    fixtures = rules_dir().parent / "tests" / "fixtures" / "rules" / rid / "fire"

    def ran(*args: str) -> set[str]:
        proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "json", *args,
                       str(fixtures))
        assert proc.returncode in (0, 1), proc.stderr
        return {f["rule"] for f in json.loads(proc.stdout)["findings"]}

    assert rid not in ran()  # not by default
    assert rid not in ran("--select", "ALL") and rid not in ran("--select", rid[:4])
    assert rid in ran("--extend-select", rid) and rid in ran("--select", rid)
    listed = json.loads(run_cli("rules", "--format", "json").stdout)
    assert {r["id"] for r in listed if r["preview"]} == set(preview)
