"""AIP201 training-without-dp. Docs live in rules/AIP201.toml.

How the check works: per project (nearest folder with its own pyproject.toml/setup.py), it joins
two kinds of facts of the same line: ``training-entry`` (``checkers/python/training_facts.py``:
HF/TRL trainers, Keras/Lightning/fastai fit, manual optimizer loops) and ``training-data`` (the
dataflow engine's trace of what that call trains on: data files read in the code, Hugging Face
or library datasets, personal columns selected as features; through functions, modules and
notebook cells). A training call is reported when the data it trains on carries personal-data
evidence, and no differential-privacy mechanism is configured for it:

* a data file in which AIP101 found personal values, or whose header AIP102 found personal
  (in the column the code selected, when it selected one; not in columns it dropped);
* a data file under a folder whose dataset card declares personal data;
* a personal field read into the features (``df[["age", "ethnicity"]]``).

Evidence elsewhere in the repository, in another notebook or in prose is not evidence for this
call: data the engine cannot trace (a loader built elsewhere, a remote dataset) is not
reported. A DP mechanism counts for a notebook only when the notebook configures it; for
modules, anywhere in the project (DP set up in a helper). Config ``personal-data = true`` makes
every training call without DP a finding (``false``: none).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from ...findings import Fact, Finding
from ...project import Project, ProjectRule, resolve_data_path

FRAMEWORK_LABEL = {
    "hf-trainer": "Hugging Face Trainer.train()",
    "trl": "TRL trainer .train()",
    "keras": "Keras fit()",
    "lightning": "Lightning Trainer.fit()",
    "manual-loop": "training loop with optimizer.step()",
}
FILE_SOURCES = ("AIP101", "AIP102")


def _evidence(item: dict, entry: Fact, project: Project, by_file: dict[str, list[Fact]],
              cards: list[tuple[str, Fact]]) -> tuple[str, list[Fact]] | None:
    """(what was traced, the evidence facts) for one traced datum, or None."""
    if item["kind"] == "field":
        return (f"personal field '{item['field']}' ({item['reason']}) read at "
                f"{entry.path}:{item['line']}", [])
    if item["kind"] != "file":
        return None
    target = resolve_data_path(str(item.get("path", "")), entry.path, project.root, set(by_file))
    found: list[Fact] = []
    if target is not None:
        found = by_file[target]
        columns = set(filter(None, str(item.get("column") or "").split(",")))
        if columns:
            found = [f for f in found if f.data.get("field") in (None, "")
                     or str(f.data.get("field")).rsplit(".", 1)[-1] in columns]
        dropped = set(item.get("dropped") or ())
        if dropped:
            found = [f for f in found if str(f.data.get("field")).rsplit(".", 1)[-1] not in dropped]
    shown = target or item.get("path")
    if found:
        entities = sorted({str(f.data.get("entity") or f.data.get("field")) for f in found})
        col = f", column '{item['column']}'" if item.get("column") else ""
        return (f"{shown}{col} ({item['read']}), where {'/'.join(sorted({f.data['source'] for f in found}))} "
                f"found {', '.join(entities[:4])}", found)
    # a file under a folder whose dataset card says it holds personal data
    base = target or posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), str(item.get("path"))))
    for cdir, card in cards:
        if cdir and (base == cdir or base.startswith(cdir.rstrip("/") + "/")):
            return (f"{shown} ({item['read']}), which the dataset card {card.path} declares as "
                    "personal data", [card])
    return None


class TrainingWithoutDP(ProjectRule):
    rule_id = "AIP201"
    depends_on = ("AIP101", "AIP102", "AIP103", "AIP107")  # AIP107: cards that declare personal data

    def decide(self, project: Project, emit: Callable[[Finding], None]) -> None:
        forced = project.options.get("personal-data")
        if forced is False:
            return
        dp = project.facts_of("dp-mechanism")
        by_file: dict[str, list[Fact]] = {}
        for f in project.facts_of("personal-data"):
            if f.data.get("source") in FILE_SOURCES:
                by_file.setdefault(f.path, []).append(f)
        cards = [(posixpath.dirname(f.path), f) for f in project.facts_of("personal-data")
                 if f.data.get("source") in ("card", "AIP107", "dataset-card")]
        data: dict[tuple[str, int], list[dict]] = {}
        for f in project.facts_of("training-data"):
            data.setdefault((f.path, f.line), []).extend(f.data.get("data") or [])
        scope = "this repository" if project.root == "." else f"project {project.root}"
        for entry in project.facts_of("training-entry"):
            if entry.path.endswith(".ipynb"):
                if any(d.path == entry.path for d in dp):
                    continue  # the notebook configures DP
            elif any(not d.path.endswith(".ipynb") for d in dp):
                continue
            traced, evidence = [], []
            seen = set()
            for item in data.get((entry.path, entry.line), []):
                key = tuple(sorted((k, str(v)) for k, v in item.items()))
                if key in seen:
                    continue
                seen.add(key)
                got = _evidence(item, entry, project, by_file, cards)
                if got is not None:
                    traced.append(got[0])
                    evidence.extend(got[1])
            if not traced and forced is not True:
                continue
            framework = str(entry.data.get("framework", ""))
            label = FRAMEWORK_LABEL.get(framework, str(entry.data.get("api", "training")))
            because = ("trains on " + "; ".join(traced[:3]) + (f"; and {len(traced) - 3} more"
                       if len(traced) > 3 else "")) if traced else \
                "trains in a project configured as handling personal data (personal-data = true)"
            emit(self.finding(
                self.rule_id, entry,
                f"{label} {because}, with no differential-privacy mechanism configured in "
                f"{scope}",
                details={"framework": framework, "api": entry.data.get("api"),
                         "project": project.root, "evidence_count": len(evidence),
                         "traced": traced[:10],
                         "evidence": [{"path": f.path, "line": f.line,
                                       "entity": f.data.get("entity"), "field": f.data.get("field")}
                                      for f in evidence[:10]]},
            ))
