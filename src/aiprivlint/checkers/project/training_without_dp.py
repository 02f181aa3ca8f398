"""AIP201 training-without-dp. Docs live in rules/AIP201.toml.

How the check works: per project (nearest folder with its own pyproject.toml/setup.py), it reads
the facts that the per-file checkers gathered: ``personal-data`` (AIP101/AIP102/AIP103 and dataset
cards), ``dp-mechanism`` (Opacus, TF-Privacy, jax-privacy, dp-transformers, Flower DP) and
``training-entry`` (HF/TRL trainers, Keras fit, Lightning fit, manual optimizer loops). A project
that handles personal data and configures no DP mechanism gets one finding per training entry
point. Config ``personal-data = true/false`` overrides the evidence.
"""

from __future__ import annotations

from collections.abc import Callable

from ...findings import Fact, Finding
from ...project import Project, ProjectRule

FRAMEWORK_LABEL = {
    "hf-trainer": "Hugging Face Trainer.train()",
    "trl": "TRL trainer .train()",
    "keras": "Keras fit()",
    "lightning": "Lightning Trainer.fit()",
    "manual-loop": "training loop with optimizer.step()",
}


def _evidence_text(evidence: list[Fact], limit: int = 3) -> str:
    parts = []
    for f in evidence[:limit]:
        what = f.data.get("entity") or f.data.get("category") or "personal data"
        field = f.data.get("field")
        src = f.data.get("source", "")
        label = f"{what}" + (f" in field '{field}'" if field else "")
        parts.append(f"{label} at {f.path}:{f.line}" + (f" ({src})" if src else ""))
    more = len(evidence) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


class TrainingWithoutDP(ProjectRule):
    rule_id = "AIP201"
    depends_on = ("AIP101", "AIP102", "AIP103", "AIP107")  # AIP107: cards that declare personal data

    def decide(self, project: Project, emit: Callable[[Finding], None]) -> None:
        handles, why, evidence = project.personal_data
        if not handles or project.facts_of("dp-mechanism"):
            return
        if evidence:
            because = f"personal data found: {_evidence_text(evidence)}"
        else:
            because = why
        scope = "this repository" if project.root == "." else f"project {project.root}"
        for entry in project.facts_of("training-entry"):
            framework = str(entry.data.get("framework", ""))
            label = FRAMEWORK_LABEL.get(framework, str(entry.data.get("api", "training")))
            emit(self.finding(
                self.rule_id, entry,
                f"{label} trains on personal data with no differential-privacy mechanism "
                f"configured in {scope} ({because})",
                details={"framework": framework, "api": entry.data.get("api"),
                         "project": project.root, "evidence_count": len(evidence),
                         "evidence": [{"path": f.path, "line": f.line,
                                       "entity": f.data.get("entity"), "field": f.data.get("field")}
                                      for f in evidence[:10]]},
            ))
