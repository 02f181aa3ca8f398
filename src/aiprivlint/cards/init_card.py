"""``aiprivlint init-card dataset PATH`` / ``aiprivlint init-card model PATH``.

Writes a card in the Hugging Face form (YAML front matter + the template's sections) whose privacy
sections are pre-filled from a scan:

* the personal data found (AIP101 values, AIP102 field names: file, field, entity — never a
  value), in the dataset folder (dataset card) or the whole project (model card);
* the differential-privacy configuration found (``dp-mechanism`` facts: framework and API);
* the third-party APIs that receive data (``third-party-api`` facts, when a checker provides them);
* for a model card, the data the code loads and the places that release the model.

Pre-filled facts sit between ``<!-- aiprivlint:scan -->`` markers: the card shows them, but the
gap analysis (AIP107 / AIP303) ignores them, because a scan result is evidence for the author to
check, not the author's answer. Every question the scan cannot answer holds
``[More Information Needed]``, as in the Hugging Face templates; once they are filled in, the card
passes AIP106 / AIP107 (dataset) or AIP303 (model).

It never overwrites an existing card: when the folder already has one, it prints the card's gaps
(what is missing) instead and exits 1 (0 when nothing is missing). Where the folder has a
``README.md`` that is not a card (a project README), the new card goes to ``DATASET_CARD.md`` /
``MODEL_CARD.md`` (recognised by the card rules) and the message says so.

Entry point: :func:`main_init_card` (wired into the CLI as the ``init-card`` command).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

from ..config import ConfigError
from ..findings import Fact
from ..project import PROJECT_MARKERS
from ..registry import RuleFileError
from . import analyse_card
from .analysis import CardInfo
from .paths import is_under, norm_dir

EXIT_OK, EXIT_GAPS, EXIT_ERROR = 0, 1, 2
TODO = "[More Information Needed]"
SCAN_START = "<!-- aiprivlint:scan -->"
SCAN_END = "<!-- /aiprivlint:scan -->"
DATASET_CARD_FILES = ("README.md", "datasheet.md", "DATASHEET.md", "dataset_card.md",
                      "DATASET_CARD.md", "dataset-card.md", "metadata.json", "croissant.json")
MODEL_CARD_FILES = ("README.md", "MODEL_CARD.md", "model_card.md", "model-card.md", "modelcard.md")


# --- the scan ---------------------------------------------------------------------------------
class ScanResult:
    """The facts of one scan, relative to the folder the card is for."""

    def __init__(self, facts: list[Fact], base: str, errors: int = 0) -> None:
        self.facts = facts
        self.base = base  # display path of the folder the card is for
        self.errors = errors

    def of(self, *kinds: str, under: str | None = None) -> list[Fact]:
        out = [f for f in self.facts if f.kind in kinds]
        if under is not None:
            out = [f for f in out if is_under(f.path, under)]
        return sorted(out, key=lambda f: (f.path, f.line))


def _project_root(folder: Path) -> Path:
    """The nearest folder at or above ``folder`` with a project marker, else ``folder``."""
    for d in (folder, *folder.parents):
        if any((d / m).is_file() for m in PROJECT_MARKERS):
            return d
        if (d / ".git").exists():
            break
    return folder


def run_scan(folder: Path, scan_root: Path, config: str | None, jobs: int) -> ScanResult:
    """Run every implemented rule over ``scan_root`` and keep the facts."""
    from ..checkers import implemented_rule_ids
    from ..config import find_config, load_config
    from ..discovery import display_path
    from ..engine import Engine
    from ..registry import load_rules

    rules = load_rules()
    cfg = load_config(Path(config) if config else find_config(scan_root), rules)
    selected = frozenset(set(rules) & implemented_rule_ids())
    engine = Engine(cfg, rules, selected, jobs=jobs)
    report = engine.run([str(scan_root)])
    base = norm_dir(display_path(folder.resolve(), Path.cwd().resolve()))
    return ScanResult(report.facts, base, len(report.errors))


# --- rendering helpers ------------------------------------------------------------------------
def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _personal_table(facts: list[Fact]) -> list[str]:
    """One row per file and field: the entities found and which rule found them."""
    rows: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: {"what": set(), "by": set()})
    for f in facts:
        if f.data.get("source") not in ("AIP101", "AIP102", "AIP103", "AIP104"):
            continue
        key = (f.path, str(f.data.get("field") or ""))
        rows[key]["what"].add(str(f.data.get("entity") or f.data.get("category") or "personal data"))
        rows[key]["by"].add(str(f.data.get("source")))
    if not rows:
        return []
    out = ["| file | field | what was found | found by |", "|---|---|---|---|"]
    for (path, fld), v in sorted(rows.items()):
        out.append(f"| {_cell(path)} | {_cell(fld or '-')} | {_cell(', '.join(sorted(v['what'])))} "
                   f"| {_cell(', '.join(sorted(v['by'])))} |")
    return out


def _dp_lines(facts: list[Fact]) -> list[str]:
    if not facts:
        return ["- Differential privacy: no differential-privacy mechanism was found in the "
                "project's code (Opacus, TensorFlow Privacy, jax-privacy, dp-transformers, Flower DP)."]
    out = ["- Differential privacy found in the code:"]
    seen = set()
    for f in facts:
        extra = ", ".join(f"{k}={v}" for k, v in sorted(f.data.items())
                          if k not in ("framework", "api") and isinstance(v, (int, float, str))
                          and not isinstance(v, bool))
        label = f"{f.data.get('framework', 'DP')}: `{f.data.get('api', '?')}`" + \
            (f" ({extra})" if extra else "")
        if label in seen:
            continue
        seen.add(label)
        out.append(f"  - {label} at {f.path}:{f.line}")
    return out


def _third_party_lines(facts: list[Fact]) -> list[str]:
    if not facts:
        return ["- Third-party services that receive data: this aiprivlint version found none "
                "it can detect; list any model APIs, labelling or analytics services the data is "
                "sent to."]
    out = ["- Third-party services that receive data, found in the code:"]
    seen = set()
    for f in facts:
        name = f.data.get("provider") or f.data.get("service") or f.data.get("api") or "API"
        label = f"{name}" + (f" (`{f.data['api']}`)" if f.data.get("api") and f.data.get("api") != name else "")
        if (label, f.path) in seen:
            continue
        seen.add((label, f.path))
        out.append(f"  - {label} at {f.path}:{f.line}")
    return out


def _scan_block(lines: list[str]) -> list[str]:
    return [SCAN_START, *lines, SCAN_END]


# --- the dataset card -------------------------------------------------------------------------
def render_dataset_card(name: str, scan: ScanResult, scanned: str, max_rows: int) -> str:
    base = scan.base
    files = scan.of("dataset-file", under=base)
    personal = scan.of("personal-data", under=base)
    table = _personal_table(personal)
    structure = ["Data files found by the scan:", "", "| file | size |", "|---|---|"]
    structure += [f"| {_cell(f.path)} | {_human(int(f.data.get('size') or 0))} |"
                  for f in files if not f.data.get("saved_dataset")]
    if not files:
        structure = ["The scan found no data files (csv, tsv, jsonl, parquet, json) in this folder."]
    if table:
        found = ["The scan found personal data in these files (check each one; data files are read "
                 f"up to {max_rows} rows, so more may exist):", "", *table]
    else:
        found = [f"The scan detected no personal-data values or field names in the "
                 f"{len(files)} data file(s) it read (AIP101, AIP102). That is not proof that the "
                 "data holds none."]
    privacy = _dp_lines(scan.of("dp-mechanism")) + _third_party_lines(scan.of("third-party-api"))
    lines = [
        "---",
        f'license: "{TODO}"  # an SPDX id, e.g. cc-by-4.0, or "other"',
        f"pretty_name: {json.dumps(name)}",
        "---",
        "",
        f"# Dataset Card for {name}",
        "",
        f"<!-- Written by `aiprivlint init-card dataset` from a scan of `{scanned}`. Replace every "
        f"{TODO} with your answer. The blocks between aiprivlint:scan markers are what the scan "
        "found: check them, they do not answer the questions for you. -->",
        "",
        TODO,
        "",
        "## Dataset Details",
        "",
        "### Dataset Description",
        "",
        f"- **Curated by:** {TODO}",
        f"- **License:** {TODO}",
        "",
        "## Uses",
        "",
        "### Direct Use",
        "",
        TODO,
        "",
        "### Out-of-Scope Use",
        "",
        TODO,
        "",
        "## Dataset Structure",
        "",
        *_scan_block(structure),
        "",
        "## Dataset Creation",
        "",
        "### Source Data",
        "",
        "#### Data Collection and Processing",
        "",
        TODO,
        "",
        "#### Consent and Legal Basis",
        "",
        "<!-- With what consent or legal basis (GDPR Art. 6: consent, contract, legitimate "
        "interest ...) was the data collected, and for which purposes? -->",
        "",
        TODO,
        "",
        "### Personal and Sensitive Information",
        "",
        *_scan_block(found),
        "",
        "<!-- Say whether the data holds personal or sensitive information (which fields, which "
        "categories), and how it was anonymised, pseudonymised or removed, or why it was kept. -->",
        "",
        TODO,
        "",
        "### Privacy Considerations",
        "",
        *_scan_block(privacy),
        "",
        TODO,
        "",
        "## Bias, Risks, and Limitations",
        "",
        TODO,
        "",
        "## Data Retention and Maintenance",
        "",
        "<!-- How long is the data kept, who maintains it, and how are removal requests handled? -->",
        "",
        TODO,
        "",
        "## Dataset Card Contact",
        "",
        TODO,
        "",
    ]
    return "\n".join(lines)


# --- the model card ---------------------------------------------------------------------------
def render_model_card(name: str, scan: ScanResult, scanned: str, max_rows: int) -> str:
    base = scan.base
    personal = scan.of("personal-data", under=base)
    table = _personal_table(personal)
    if table:
        found = ["Personal data the scan found in the project's data files (check each one; data "
                 f"files are read up to {max_rows} rows):", "", *table]
    else:
        found = ["The scan detected no personal-data values or field names in the project's data "
                 "files (AIP101, AIP102); the training data may live elsewhere."]
    privacy = found + [""] + _dp_lines(scan.of("dp-mechanism", under=base)) + \
        _third_party_lines(scan.of("third-party-api", under=base))
    releases = scan.of("model-publish", under=base)
    if releases:
        privacy += ["- Places where the code releases the model:"]
        privacy += [f"  - `{f.data.get('api', '?')}` at {f.path}:{f.line}" for f in releases[:10]]
    data_paths = scan.of("dataset-path", under=base)
    training = ["Data the code loads (local paths):", ""] + \
        [f"- `{f.data.get('path')}` ({f.data.get('loader')}, {f.path}:{f.line})" for f in data_paths[:20]] \
        if data_paths else ["The scan found no local data paths in the code."]
    cards = scan.of("dataset-card", under=base)
    if cards:
        training += ["", "Dataset cards in the project:", ""] + \
            [f"- {f.data.get('title') or f.path} ({f.path})" for f in cards]
    entries = scan.of("training-entry", under=base)
    procedure = ["Training entry points found by the scan:", ""] + \
        [f"- {f.data.get('framework') or f.data.get('api')} at {f.path}:{f.line}" for f in entries[:10]] \
        if entries else ["The scan found no training entry point."]
    lines = [
        "---",
        f'license: "{TODO}"  # an SPDX id, e.g. apache-2.0',
        "datasets:",
        f'- "{TODO}"  # hub ids or names of the training data',
        "---",
        "",
        f"# Model Card for {name}",
        "",
        f"<!-- Written by `aiprivlint init-card model` from a scan of `{scanned}`. Replace every "
        f"{TODO} with your answer. The blocks between aiprivlint:scan markers are what the scan "
        "found: check them, they do not answer the questions for you. -->",
        "",
        TODO,
        "",
        "## Model Details",
        "",
        "### Model Description",
        "",
        f"- **Developed by:** {TODO}",
        f"- **Model type:** {TODO}",
        f"- **Finetuned from model:** {TODO}",
        "",
        "## Uses",
        "",
        "### Direct Use",
        "",
        TODO,
        "",
        "### Out-of-Scope Use",
        "",
        "<!-- Which uses must the model not be put to (identifying or profiling people, decisions "
        "about individuals, other populations or languages)? -->",
        "",
        TODO,
        "",
        "## Bias, Risks, and Limitations",
        "",
        TODO,
        "",
        "### Privacy",
        "",
        *_scan_block(privacy),
        "",
        "<!-- Does the training data hold personal data, how was it protected (pseudonymisation, "
        "differential privacy with its epsilon and delta), and what could the model reveal "
        "(memorisation, membership inference)? -->",
        "",
        TODO,
        "",
        "## Training Details",
        "",
        "### Training Data",
        "",
        *_scan_block(training),
        "",
        TODO,
        "",
        "### Training Procedure",
        "",
        *_scan_block(procedure),
        "",
        TODO,
        "",
        "## Model Card Contact",
        "",
        TODO,
        "",
    ]
    return "\n".join(lines)


# --- the command ------------------------------------------------------------------------------
def _existing_card(folder: Path, kind: str) -> tuple[Path, CardInfo] | None:
    names = DATASET_CARD_FILES if kind == "dataset" else MODEL_CARD_FILES
    for name in names:
        p = folder / name
        if not p.is_file():
            continue
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        info = analyse_card(name, text)
        if info is not None and info.kind == kind:
            return p, info
    return None


GENERIC_NAMES = {"data", "dataset", "datasets", "raw", "processed", "corpus", "train", "src", "."}


def _card_name(folder: Path, kind: str) -> str:
    """The card's title: the folder's name, with its parent's for generic names (``data``)."""
    folder = folder.resolve()
    name = folder.name or kind
    if name.lower() in GENERIC_NAMES and folder.parent.name:
        name = f"{folder.parent.name} {name}" if kind == "dataset" else folder.parent.name
    return name


def _shown(path: Path) -> str:
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
    return rel or "."


def _print_gaps(path: Path, info: CardInfo, out: TextIO) -> None:
    for gap in sorted(info.gaps, key=lambda g: g.line):
        print(f"{path}:{gap.line}: {gap.gap}: {gap.message}", file=out)


def main_init_card(kind: str, path: str, options: dict[str, Any] | None = None) -> int:
    """Write a dataset or model card for the folder ``path``; see the module docstring.

    ``options``: ``output`` (card file to write), ``stdout`` (print the card instead of writing
    it), ``config`` (config file for the scan), ``jobs`` (worker processes), ``scan`` (folder to
    scan instead of the default: the dataset folder's project, or ``path`` for a model card).
    Returns 0 when a card was written (or an existing card has no gaps), 1 when an existing card
    has gaps, 2 on a usage error.
    """
    options = options or {}
    out, err = sys.stdout, sys.stderr
    if kind not in ("dataset", "model"):
        print(f"aiprivlint: error: init-card: unknown card kind {kind!r} (dataset or model)", file=err)
        return EXIT_ERROR
    target = Path(path)
    if not target.exists():
        print(f"aiprivlint: error: init-card: {path}: no such file or directory", file=err)
        return EXIT_ERROR
    folder = target if target.is_dir() else target.parent
    output = Path(options["output"]) if options.get("output") else None

    existing = None if output is not None and not output.exists() else _existing_card(folder, kind)
    if output is not None and output.exists():
        try:
            text = output.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            text = ""
        info = analyse_card(output.name, text)
        existing = (output, info) if info is not None else None
        if existing is None:
            print(f"aiprivlint: error: init-card: {output} exists and is not a {kind} card; "
                  "not overwritten", file=err)
            return EXIT_ERROR
    if existing is not None:
        card_path, info = existing
        if not info.gaps:
            print(f"aiprivlint: {card_path} is a {kind} card with nothing missing; not overwritten",
                  file=err)
            return EXIT_OK
        print(f"aiprivlint: {card_path} already exists; not overwritten. What it is missing:",
              file=err)
        _print_gaps(card_path, info, out)
        return EXIT_GAPS

    if output is None:
        default = folder / "README.md"
        if default.exists():
            default = folder / ("DATASET_CARD.md" if kind == "dataset" else "MODEL_CARD.md")
            if default.exists():
                print(f"aiprivlint: error: init-card: {folder / 'README.md'} and {default} exist and "
                      f"are not {kind} cards; choose a file with --output", file=err)
                return EXIT_ERROR
        output = default

    scan_root = Path(options["scan"]) if options.get("scan") else (
        _project_root(folder.resolve()) if kind == "dataset" else folder)
    try:
        scan = run_scan(folder, scan_root, options.get("config"), int(options.get("jobs") or 1))
    except (ConfigError, RuleFileError) as exc:
        print(f"aiprivlint: error: {exc}", file=err)
        return EXIT_ERROR
    from ..config import RULE_OPTIONS

    max_rows = RULE_OPTIONS["max-rows"][1]
    render = render_dataset_card if kind == "dataset" else render_model_card
    text = render(_card_name(folder, kind), scan, _shown(scan_root), max_rows)

    if options.get("stdout"):
        out.write(text)
        return EXIT_OK
    try:
        with open(output, "x", encoding="utf-8") as fh:  # "x": never overwrite
            fh.write(text)
    except FileExistsError:
        print(f"aiprivlint: error: init-card: {output} exists; not overwritten", file=err)
        return EXIT_ERROR
    except OSError as exc:
        print(f"aiprivlint: error: init-card: cannot write {output}: {exc.strerror}", file=err)
        return EXIT_ERROR
    info = analyse_card(output.name, text)
    todo = text.count(TODO)
    print(f"aiprivlint: wrote {output} ({kind} card, {todo} places to fill in marked {TODO})",
          file=err)
    if info is not None and info.gaps:
        print("aiprivlint: the card will pass the card rules once these are answered:", file=err)
        _print_gaps(output, info, err)
    if output.name.upper() != "README.MD":
        print(f"aiprivlint: note: {folder / 'README.md'} exists and is not a card, so the card went "
              f"to {output.name}; the Hugging Face Hub reads README.md, rename it when you publish",
              file=err)
    return EXIT_OK
