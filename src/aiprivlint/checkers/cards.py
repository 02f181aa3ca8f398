"""Facts for AIP106 / AIP107 / AIP303: dataset cards, model cards and data files.

Phase 1 only gathers; the project rules in ``checkers/project/dataset_cards.py`` and
``model_cards.py`` decide. Per file:

* a Markdown card (``README.md`` with Hugging Face card metadata, ``datasheet.md``,
  ``dataset_card.md``, ``model_card.md``, a file titled "Dataset Card for ..." / "Model Card
  for ...", or a file declared in the ``dataset-cards`` option) becomes a ``dataset-card`` or
  ``model-card`` fact: {dir, format, title, gaps: [{gap, line, message, placeholder}],
  says_no_personal_data, no_personal_line, states_personal_data, license, datasets, declared}, at
  the card's title line. A card that states that its data holds personal information also becomes
  a ``personal-data`` fact (source ``dataset-card``) for the AIP201 evidence;
* a Croissant ``metadata.json`` / ``croissant.json`` (JSON-LD) becomes a ``dataset-card`` fact of
  format ``croissant``;
* a data file (csv, tsv, jsonl, ndjson, parquet; json and txt inside a data folder) becomes a
  ``dataset-file`` fact {dir, name, size}. Its size comes from ``os.stat``: data files are never
  read here (AIP101 reads their values). A Hugging Face ``save_to_disk`` folder is recognised by
  its ``dataset_info.json`` / ``dataset_dict.json`` (fact with ``saved_dataset: true``).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
from pathlib import PurePosixPath

from . import FileChecker, FileContext

DATA_EXTS = {".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq"}
DATA_DIRS = {"data", "datasets", "dataset", "corpus", "corpora", "raw", "processed", "samples",
             "testdata", "test_data"}
CROISSANT_NAMES = {"metadata.json", "croissant.json", "croissant-metadata.json",
                   "croissant_metadata.json"}
SAVED_DATASET_NAMES = {"dataset_info.json", "dataset_dict.json"}
NOT_DATA_JSON = {"package.json", "package-lock.json", "tsconfig.json", "config.json",
                 "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                 "generation_config.json", "preprocessor_config.json", "vocab.json",
                 "adapter_config.json", "state.json", "trainer_state.json", "manifest.json",
                 "settings.json", "launch.json", "composer.json", "tsconfig.base.json"}
SNIFF_BYTES = 65536


def clean_entry(entry: str) -> str:
    """A declared path as written in the config, normalised: ``./docs/x.md`` -> ``docs/x.md``."""
    e = posixpath.normpath(entry.strip().replace("\\", "/"))
    while e.startswith(("./", "/")):
        e = e[1:] if e.startswith("/") else e[2:]
    return e


def declared_card(rel: str, declared: list) -> bool:
    """Whether ``rel`` is one of the card paths declared in the ``dataset-cards`` option."""
    for entry in declared or []:
        if not isinstance(entry, str) or not entry.strip():
            continue
        e = clean_entry(entry)
        if rel == e or rel.endswith("/" + e) or fnmatch.fnmatch(rel, e) \
                or fnmatch.fnmatch(rel, "*/" + e):
            return True
    return False


def is_data_file(rel: str, kinds: frozenset[str]) -> bool:
    p = PurePosixPath(rel)
    ext = p.suffix.lower()
    if ext in DATA_EXTS:
        return True
    in_data_dir = any(part.lower() in DATA_DIRS for part in p.parts[:-1])
    if ext == ".json":
        name = p.name.lower()
        return in_data_dir and name not in NOT_DATA_JSON and name not in CROISSANT_NAMES \
            and not name.endswith(("_config.json", ".schema.json"))
    if ext == ".txt":
        return in_data_dir and "data" in kinds and p.name.lower() not in (
            "requirements.txt", "license.txt", "readme.txt", "notice.txt")
    return False


class CardFacts(FileChecker):
    """Dataset/model cards and data-file sizes -> facts (see the module docstring)."""

    rule_ids = ("AIP106", "AIP107", "AIP303")
    kinds = frozenset({"markdown", "json", "data", "text"})

    def check(self, ctx: FileContext) -> None:
        from ..cards import analyse_card, looks_like_croissant

        rel = ctx.rel
        name = PurePosixPath(rel).name.lower()
        ext = PurePosixPath(rel).suffix.lower()
        directory = posixpath.dirname(rel)
        declared = declared_card(rel, ctx.options.get("dataset-cards") or [])

        if name in SAVED_DATASET_NAMES:
            ctx.fact("dataset-file", 0, dir=directory, name=name, size=0, saved_dataset=True)
            return
        if is_data_file(rel, ctx.kinds) and not declared:
            try:
                size = os.stat(ctx.path).st_size
            except OSError:
                return
            ctx.fact("dataset-file", 0, dir=directory, name=PurePosixPath(rel).name, size=size)
            return

        if ext == ".json":
            if not (declared or name in CROISSANT_NAMES or "croissant" in name):
                return
            with open(ctx.path, "rb") as fh:
                head = fh.read(SNIFF_BYTES).decode("utf-8", "replace")
            if not looks_like_croissant(head):
                return
        elif "markdown" not in ctx.kinds and not declared:
            return
        elif "markdown" in ctx.kinds and not declared and not self._may_be_card(name, ctx):
            return

        info = analyse_card(rel, ctx.text, declared)
        if info is None:
            return
        kind = "dataset-card" if info.kind == "dataset" else "model-card"
        ctx.fact(kind, info.line, **info.fact_data(directory, declared))
        if info.kind == "dataset" and info.states_personal_data:
            ctx.fact("personal-data", info.personal_line,
                     category="personal data stated in the dataset card", source="dataset-card")

    @staticmethod
    def _may_be_card(name: str, ctx: FileContext) -> bool:
        from ..cards.analysis import CARD_FILE_NAMES

        if name in CARD_FILE_NAMES or "card" in name or "datasheet" in name:
            return True
        head = ctx.text[:4096].lower()
        return "card for" in head or "datasheet" in head or "model card" in head
