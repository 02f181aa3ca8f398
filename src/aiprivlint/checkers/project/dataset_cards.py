"""AIP106 dataset-card-missing and AIP107 dataset-card-privacy-gaps. Docs: rules/AIP106.toml,
rules/AIP107.toml.

How the checks work (phase 2, from facts only; see ``checkers/cards.py`` and
``checkers/python/publish_facts.py`` for where the facts come from):

**Datasets.** The data files of a project (``dataset-file`` facts, sizes from ``os.stat``) are
grouped by folder; split folders (``train/``, ``test/``, ``validation/`` ...) are folded into their
parent, so ``data/train/*.csv`` and ``data/test/*.csv`` are one dataset ``data/``. A group is a
dataset of real size when its files add up to at least ``DATASET_MIN_BYTES`` (100 KiB, about a
thousand rows of a small table), or when it is a Hugging Face ``save_to_disk`` folder. Smaller
groups are samples, and data under test, fixture, documentation or output folders (``tests/``,
``fixtures/``, ``docs/``, ``results/``, ``outputs/``, ``logs/``, ``runs/``, ``wandb/``,
``mlruns/``) or named as outputs (``results*.csv``, ``predictions*``, ``metrics*``) is not a
dataset to document. A local path given to a loader in code (``dataset-path``) that is not in the
repository (generated, downloaded, or git-ignored) is a dataset too, reported at the code line. A
relative path is looked up among all the files of the scan, from the code's folder and each folder
above it (a notebook in ``code/`` is often run from the module folder that holds ``data/``, which
may be outside the notebook's own project).

**Cards.** A dataset card (``dataset-card`` fact) documents the data in its folder and below; a
card declared in the ``dataset-cards`` option documents every dataset of the project (a declared
path that is not a scanned Markdown or JSON file, such as a PDF, is trusted as well). A data path
from code that is not in the repository is documented by any dataset card of the project, since
where it lives at run time is unknown.

**AIP106** reports each dataset of real size that no card documents: at its largest data file
(line 1), or at the first code line that loads it.

**AIP107** reports each gap of each dataset card at the line to edit (see ``cards/analysis.py``
and ``cards/croissant.py`` for what counts as answered), and, most important, a card that says
its data holds no personal information while AIP101 / AIP102 found personal data in the files it
documents (``personal-data`` facts from those rules): one HIGH finding at the sentence that says
so, naming what was found where (never a value).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ...cards.paths import is_under, join, norm_dir, relative_to
from ..cards import declared_card
from ...findings import Fact, Finding, Severity
from ...project import Project, ProjectRule

DATASET_MIN_BYTES = 100 * 1024
SPLIT_NAMES = {"train", "training", "test", "testing", "valid", "validation", "val", "dev",
               "eval", "evaluation", "splits", "shards", "parts", "partitions", "chunks",
               "default", "all", "holdout"}
NOT_DATASET_DIRS = {"tests", "testing", "fixtures", "__fixtures__", "testdata", "test_data",
                    "test-data", "docs", "doc", "results", "outputs", "output", "logs", "runs",
                    "wandb", "mlruns", "lightning_logs", "checkpoints", "site", "node_modules",
                    "snapshots", "__snapshots__", "golden"}
OUTPUT_NAME = re.compile(r"^(results?|predictions?|preds|metrics|scores|outputs?|history|log)([_\-.]|$)|"
                         r"[_\-](results?|predictions?|preds|metrics)([_\-.]|$)", re.I)
# json and txt files count as data only inside a data folder (of the project, not of the cwd)
DATA_DIRS = {"data", "datasets", "dataset", "corpus", "corpora", "raw", "processed", "samples"}
EVIDENCE_SOURCES = ("AIP101", "AIP102")


def _at(fact: Fact, line: int) -> Fact:
    return Fact(kind=fact.kind, path=fact.path, line=line, data=fact.data)


def _human(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"  # pragma: no cover


def _is_test_or_output(path_in_project: str, top_test: bool = True) -> bool:
    parts = path_in_project.split("/")
    folders = [p.lower() for p in parts[:-1]]
    if any(p in NOT_DATASET_DIRS for p in folders):
        return True
    if top_test and folders and folders[0] == "test":
        return True
    return bool(OUTPUT_NAME.search(parts[-1]))


def dataset_root(directory: str, project_root: str) -> str:
    """The dataset folder of a data file's folder: split folders fold into their parent."""
    d = norm_dir(directory)
    root = norm_dir(project_root)
    while d and d != root and posixpath.basename(d).lower() in SPLIT_NAMES:
        parent = norm_dir(posixpath.dirname(d))
        if not is_under(parent, root):
            break
        d = parent
    return d


@dataclass
class Dataset:
    folder: str
    files: list[Fact] = field(default_factory=list)
    saved: bool = False

    @property
    def size(self) -> int:
        return sum(int(f.data.get("size") or 0) for f in self.files)


def declared_everything(project: Project) -> bool:
    """Whether the user declared cards that document every dataset of the project."""
    if any(f.data.get("declared") for f in project.facts_of("dataset-card")):
        return True
    entries = [e for e in (project.options.get("dataset-cards") or []) if isinstance(e, str)]
    seen = {f.path for f in project.facts_of("dataset-card")}
    # a declared card aiprivlint cannot read (PDF, outside the scan): trusted
    return any(not any(declared_card(s, [e]) for s in seen) for e in entries)


def card_dirs(project: Project) -> list[str]:
    return [norm_dir(f.data.get("dir", posixpath.dirname(f.path)))
            for f in project.facts_of("dataset-card")]


def datasets_of(project: Project) -> list[Dataset]:
    groups: dict[str, Dataset] = {}
    for f in project.facts_of("dataset-file"):
        rel = relative_to(f.path, project.root)
        if _is_test_or_output(rel):
            continue
        if rel.lower().endswith((".json", ".txt")) and not f.data.get("saved_dataset") and not any(
                part.lower() in DATA_DIRS for part in rel.split("/")[:-1]):
            continue
        folder = dataset_root(f.data.get("dir", posixpath.dirname(f.path)), project.root)
        ds = groups.setdefault(folder, Dataset(folder))
        if f.data.get("saved_dataset"):
            ds.saved = True
        ds.files.append(f)
    return [groups[k] for k in sorted(groups)]


class DatasetCardMissing(ProjectRule):
    rule_id = "AIP106"
    depends_on = ()

    def decide(self, project: Project, emit: Callable[[Finding], None]) -> None:
        if declared_everything(project):
            return
        cards = card_dirs(project)
        for ds in datasets_of(project):
            uncovered = [f for f in ds.files
                         if not any(is_under(f.data.get("dir", ""), c) for c in cards)]
            if not uncovered:
                continue
            size = sum(int(f.data.get("size") or 0) for f in uncovered)
            if size < DATASET_MIN_BYTES and not ds.saved:
                continue
            anchor = max(uncovered, key=lambda f: (int(f.data.get("size") or 0), f.path))
            where = f"'{ds.folder}/'" if ds.folder else "the scan root"
            what = ("a saved Hugging Face dataset" if ds.saved and size < DATASET_MIN_BYTES else
                    f"{len(uncovered)} data file(s), {_human(size)}")
            emit(self.finding(
                self.rule_id, _at(anchor, 1),
                f"dataset folder {where} holds {what} and no dataset card documents it: add a "
                f"README.md with Hugging Face dataset-card metadata, a datasheet.md or a Croissant "
                f"metadata.json there (`aiprivlint init-card dataset {ds.folder or '.'}` writes "
                f"one pre-filled from this scan)",
                details={"dataset": ds.folder, "files": len(uncovered), "bytes": size,
                         "project": project.root},
                context=f"AIP106:dataset:{relative_to(ds.folder, project.root)}",
            ))
        self._code_paths(project, cards, emit)

    def _code_paths(self, project: Project, cards: list[str], emit) -> None:
        if cards:
            return  # data outside the repository: any dataset card of the project documents it
        paths = sorted(project.facts_of("dataset-path"), key=lambda f: (
            str(f.data.get("loader", "")).startswith("pandas"), f.path, f.line))
        if not paths:
            return
        files = [norm_dir(p) for p in project.scanned or project.files]
        reported: set[str] = set()
        for fact in paths:  # dataset loaders first: a pandas read is the weaker evidence
            raw = str(fact.data.get("path", ""))
            if not raw:
                continue
            lit = re.split(r"[*?\[]", raw, maxsplit=1)[0]  # a glob: its fixed prefix
            candidates = {join(project.root, lit)} | {join(d, lit) for d in _folders_up(
                posixpath.dirname(fact.path))}
            if any(f == c or f.startswith(c.rstrip("/") + "/") or (lit != raw and f.startswith(c))
                   for c in candidates for f in files):
                continue  # in the repository: the data-file check decides, with its size rule
            target = relative_to(join(posixpath.dirname(fact.path), lit), project.root)
            folder = posixpath.dirname(target) if DATA_FILE.search(target) else target
            if folder in reported:
                continue
            reported.add(folder)
            emit(self.finding(
                self.rule_id, fact,
                f"{fact.data.get('loader', 'code')} reads local data '{raw}' that is not in the "
                f"repository, and the project has no dataset card documenting it: add a dataset "
                f"card (README.md with dataset-card metadata, datasheet.md or Croissant "
                f"metadata.json) beside the data, or declare where it is in the `dataset-cards` "
                f"option",
                details={"path": raw, "loader": fact.data.get("loader"), "project": project.root},
                context=f"AIP106:path:{folder}",
            ))


DATA_FILE = re.compile(r"\.[A-Za-z0-9]{2,8}$")


def _evidence_text(evidence: list[Fact], limit: int = 3) -> str:
    parts = []
    for f in evidence[:limit]:
        what = f.data.get("entity") or f.data.get("category") or "personal data"
        fld = f.data.get("field")
        src = f.data.get("source", "")
        parts.append(f"{src} found {what}" + (f" in field '{fld}'" if fld else "") + f" of {f.path}")
    more = len(evidence) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


class DatasetCardPrivacyGaps(ProjectRule):
    rule_id = "AIP107"
    depends_on = ("AIP101", "AIP102")

    def decide(self, project: Project, emit: Callable[[Finding], None]) -> None:
        cards = project.facts_of("dataset-card")
        dirs = [norm_dir(c.data.get("dir", posixpath.dirname(c.path))) for c in cards]
        evidence = [f for f in project.facts_of("personal-data")
                    if f.data.get("source") in EVIDENCE_SOURCES]
        for card, cdir in zip(cards, dirs):
            name = card.data.get("title") or card.path
            for gap in card.data.get("gaps", []):
                emit(self.finding(
                    self.rule_id, _at(card, int(gap.get("line") or card.line)),
                    (f"dataset card template (every card generated from it) does not say what a "
                     f"privacy review needs: " if card.data.get("format") == "template" else
                     "dataset card does not say what a privacy review needs: ") + gap["message"],
                    details={"gap": gap["gap"], "card": card.path, "format": card.data.get("format"),
                             "placeholder": bool(gap.get("placeholder"))},
                    context=f"AIP107:{gap['gap']}",
                ))
            if not card.data.get("says_no_personal_data"):
                continue
            # the evidence this card documents: under its folder, and not under a deeper card
            mine = []
            for ev in evidence:
                d = posixpath.dirname(ev.path)
                if not is_under(d, cdir):
                    continue
                deeper = [o for o in dirs if o != cdir and is_under(o, cdir) and is_under(d, o)]
                if not deeper:
                    mine.append(ev)
            if not mine:
                continue
            entities = sorted({str(e.data.get("entity") or e.data.get("category") or "")
                               for e in mine} - {""})
            emit(self.finding(
                self.rule_id, _at(card, int(card.data.get("no_personal_line") or card.line)),
                f"dataset card says the data holds no personal information, but "
                f"{_evidence_text(mine)}: correct the card, or remove or anonymise the data",
                details={"gap": "contradiction", "card": card.path, "title": name,
                         "entities": entities, "evidence_count": len(mine),
                         "evidence": [{"path": e.path, "line": e.line, "entity": e.data.get("entity"),
                                       "field": e.data.get("field"), "source": e.data.get("source")}
                                      for e in mine[:10]]},
                severity=Severity.HIGH,
                context="AIP107:contradiction",
            ))


def _folders_up(folder: str) -> list[str]:
    """``folder`` and each folder above it."""
    out = [folder]
    while folder:
        parent = posixpath.dirname(folder)
        if parent == folder:
            break
        folder = parent
        out.append(folder)
    return out
