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
