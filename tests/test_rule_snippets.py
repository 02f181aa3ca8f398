"""Each code rule's VALID / INVALID snippets (kept next to the rule, like Fixit's) become tests."""

from __future__ import annotations

import pytest

from aiprivlint.checkers.python import all_code_rules
from aiprivlint.checkers.python._flow_rule import all_flow_rules
from aiprivlint.config import Config
from aiprivlint.engine import Engine
from aiprivlint.project import all_project_rules
from aiprivlint.registry import load_rules

RULES = load_rules()
# facts-only rules (no rule id, no findings) are tested by their EMITS / SILENT snippets in
# test_audit.py; code rules that gather facts for a project rule (AIP201's TrainingFacts) cannot
# fire on one snippet and are tested through the project rule's fixtures and test_training_facts.py
PROJECT_RULE_IDS = {r.rule_id for r in all_project_rules()}
# rules with a code half that reports on one file and a project half (AIP302's files, AIP502's
# artefacts other modules write): their snippets run through the whole engine all the same
BOTH_HALVES = {"AIP302", "AIP502"}
CODE_RULES = [cls for cls in [*all_code_rules(), *all_flow_rules()]
              if not cls.facts_only and (cls.rule_id not in PROJECT_RULE_IDS
                                         or cls.rule_id in BOTH_HALVES)]
CASES = [(cls, "valid", i, code) for cls in CODE_RULES for i, code in enumerate(cls.VALID)]
CASES += [(cls, "invalid", i, code) for cls in CODE_RULES for i, code in enumerate(cls.INVALID)]


@pytest.mark.parametrize("cls,kind,index,code", CASES,
                         ids=[f"{c.rule_id}-{c.__name__}-{k}-{i}" for c, k, i, _ in CASES])
def test_snippet(tmp_path, cls, kind, index, code):
    src = tmp_path / "snippet.py"
    src.write_text(code + "\n", encoding="utf-8")
    engine = Engine(Config(root=tmp_path), RULES, frozenset({cls.rule_id}), jobs=1, cwd=tmp_path)
    report = engine.run([str(src)])
    assert report.errors == []
    hits = [f for f in report.findings if f.rule == cls.rule_id]
    if kind == "valid":
        assert hits == [], f"{cls.rule_id} fired on VALID snippet:\n{code}\n{[h.message for h in hits]}"
    else:
        assert hits, f"{cls.rule_id} did not fire on INVALID snippet:\n{code}"


def test_every_code_rule_has_snippets():
    for cls in CODE_RULES:
        assert cls.VALID and cls.INVALID, f"{cls.__name__} needs VALID and INVALID snippets"
