"""The audit model: what ``aiprivlint audit`` reports, built from a Report, the rules and the config.

The reporters (``reporters/html.py``, ``reporters/markdown.py``) only format this model. It has
three parts:

* **categories**: the study's five risk categories, ordered by the user's ``risk-profile``
  (higher adjustment first; ties keep the study's order), each with its finding counts by severity;
* **mitigations**: the adoption table. Evidence that a mitigation is present comes from facts
  (``dp-mechanism``, ``federated``, ``pseudonymisation``, ``dataset-card``, ``model-card``,
  ``trace-masking``, ``pinned-revision``, ``safe-serialization``); a mitigation is *needed* where
  findings of the rules that call for it fired (DP: AIP201/AIP202, pseudonymisation:
  AIP101/AIP302 ...);
* **groups**: every finding grouped by rule, with a few lines of code context read from the file.
  Rules whose line holds the detected value itself (AIP101, AIP103, AIP104, AIP105) never get code
  context, only their masked ``details.sample``; lines such findings point at are hidden from the
  context of every other finding too, and every line that is shown is masked with the scan's own
  detectors (``redact.py``: validated PII, names, secrets, and a last safety net).
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .engine import Report
from .findings import Fact, Finding
from .redact import redact_lines
from .registry import CATEGORIES, Rule

SEVERITIES = ("critical", "high", "medium", "low")
# rules whose reported line holds the PII value or the secret: never show it
VALUE_RULES = frozenset({"AIP101", "AIP103", "AIP104", "AIP105"})
CONTEXT_LINES = 2  # lines shown before and after a finding
MAX_LINE = 160  # characters per context line
MAX_EVIDENCE = 6  # evidence rows shown per mitigation

CATEGORY_INFO: dict[str, tuple[str, str]] = {
    "data-management": (
        "Data management",
        "Personal data in datasets, notebooks and source code; secrets; missing or thin dataset "
        "documentation."),
    "memorization": (
        "Data memorization and leakage",
        "Training on personal data without differential privacy, weak privacy budgets, prompts and "
        "outputs logged or traced verbatim."),
    "downstream-use": (
        "Unintended downstream usage",
        "Public uploads of models and datasets, personal data sent to third-party model APIs, no "
        "model card or intended use."),
    "inference-attacks": (
        "Adversarial inference and inversion",
        "Endpoints that return confidence scores, logits, log-probabilities or raw embeddings."),
    "misuse": (
        "Misuse via harmful applications",
        "Remote code trust, unsafe deserialisation of model artefacts, disabled safety checkers, "
        "biometric identification."),
}


@dataclass(frozen=True)
class MitigationSpec:
    id: str
    title: str
    kinds: tuple[str, ...]  # fact kinds that are evidence of it
    needed_by: tuple[str, ...]  # rules whose findings say it is needed
    purpose: str  # what it protects against, one sentence
    how: str  # where to start, one sentence (Markdown)
    sinks: tuple[str, ...] = ()  # if set: only findings whose sink (sink_of) is one of these


# Where the data of a finding ends up, as far as the mitigations care: the fitting mitigation
# depends on the sink (a prompt written to a log needs redaction or a log filter, not LangSmith
# masking; a training call needs DP; a public upload needs a private repository and a card).
LOG_SINKS = frozenset({"logging", "print"})  # AIP203 details.sink: application logs, stdout
TRACING_SINKS = frozenset({"logfire"})  # tracing platforms with masking of their own
SINK_OF_RULE = {"AIP101": "data", "AIP201": "training", "AIP202": "training", "AIP204": "tracing",
                "AIP301": "upload", "AIP302": "model-api"}


def sink_of(f: Finding) -> str:
    """The sink of a finding: ``log``, ``tracker`` (experiment trackers), ``tracing``, ``training``,
    ``upload``, ``model-api``, ``data``, or "" when the rule names no sink."""
    if f.rule == "AIP203":
        via = str(f.details.get("sink") or "")
        return "log" if via in LOG_SINKS else "tracing" if via in TRACING_SINKS else "tracker"
    return SINK_OF_RULE.get(f.rule, "")


# What to do about a needed mitigation at one kind of sink, when the spec's own ``how`` does not
# fit it; shown beside the rows the findings call for.
SINK_ADVICE: dict[tuple[str, str], str] = {
    ("pseudonymisation", "log"):
        "Logs: log a length, a hash or an id instead of the text, or redact it first with a "
        "`logging.Filter` that masks personal data (Presidio) (see `aiprivlint explain AIP203`).",
    ("pseudonymisation", "tracker"):
        "Experiment trackers: log metrics, counts and ids, not raw prompts, inputs or outputs "
        "(`wandb.log`, `mlflow.log_text`); redact first where text must be kept.",
    ("pseudonymisation", "model-api"):
        "Model APIs: redact or pseudonymise personal fields before the request (Presidio, keyed "
        "hashes) (see `aiprivlint explain AIP302`).",
    ("dataset-cards", "upload"):
        "Uploads: publish a card with what you push to the Hub that says what data it was built "
        "from: a dataset card (personal data, licence, consent, retention), or the training-data "
        "section of a model card.",
}


MITIGATIONS: tuple[MitigationSpec, ...] = (
    MitigationSpec(
        "differential-privacy", "Differential privacy", ("dp-mechanism",), ("AIP201", "AIP202"),
        "Bounds what a trained model can reveal about any single training record.",
        "Train with Opacus, TensorFlow Privacy or dp-transformers and a budget of ε ≤ 10 "
        "(see `aiprivlint explain AIP201`)."),
    MitigationSpec(
        "federated-learning", "Federated learning", ("federated",), (),
        "Keeps raw training data with the data holders; only model updates travel.",
        "Consider Flower or TensorFlow Federated where data cannot be pooled."),
    MitigationSpec(
        "pseudonymisation", "Pseudonymisation / redaction", ("pseudonymisation",),
        ("AIP101", "AIP203", "AIP302"),
        "Removes or replaces direct identifiers before data is stored, logged, shared or sent to a "
        "model API.",
        "Redact with Presidio or scrubadub, or replace identifiers with keyed hashes (HMAC) "
        "(see `aiprivlint explain AIP302`).",
        sinks=("data", "log", "tracker", "model-api")),
    MitigationSpec(
        "private-repositories", "Private Hub repositories", ("private-publish",), ("AIP301",),
        "Keeps models and datasets built from personal data visible only to the people who may "
        "see that data.",
        "Create Hub repositories with `private=True` (or check their visibility before uploading) "
        "(see `aiprivlint explain AIP301`)."),
    MitigationSpec(
        "dataset-cards", "Dataset cards", ("dataset-card",), ("AIP106", "AIP107", "AIP301"),
        "Documents what personal data a dataset holds, its legal basis, licence and retention.",
        "Add a dataset card or datasheet next to each dataset (see `aiprivlint explain AIP106`)."),
    MitigationSpec(
        "model-cards", "Model cards", ("model-card",), ("AIP303",),
        "States intended use, training data and privacy limits of a published model.",
        "Publish a model card with intended use, training data and privacy sections."),
    MitigationSpec(
        "trace-masking", "Trace masking", ("trace-masking",), ("AIP203", "AIP204"),
        "Keeps prompts and model outputs out of traces and telemetry.",
        "Set `LANGSMITH_HIDE_INPUTS`/`LANGSMITH_HIDE_OUTPUTS`, mask in Langfuse or Logfire, or turn "
        "off GenAI content capture (see `aiprivlint explain AIP204`).",
        sinks=("tracing",)),
    MitigationSpec(
        "pinned-revisions", "Pinned model revisions", ("pinned-revision",), ("AIP501",),
        "Makes sure the code you reviewed is the code that runs when remote code is trusted.",
        "Pass `revision=<commit sha>` to `from_pretrained` / `load_dataset` "
        "(see `aiprivlint explain AIP501`)."),
    MitigationSpec(
        "safe-serialization", "Safe serialisation", ("safe-serialization",), ("AIP502",),
        "Loads tensors, not code: a tampered artefact cannot run on your machines.",
        "Use safetensors and `torch.load(..., weights_only=True)` "
        "(see `aiprivlint explain AIP502`)."),
)

STATUS_TEXT = {
    "adopted": "Adopted",
    "partial": "Adopted, findings remain",
    "missing": "Missing where needed",
    "absent": "Not found",
}


@dataclass
class CategorySummary:
    id: str
    title: str
    description: str
    adjustment: int
    counts: dict[str, int]
    rules: list[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Evidence:
    path: str
    line: int
    label: str


@dataclass
class MitigationRow:
    spec: MitigationSpec
    status: str  # adopted | partial | missing | absent
    evidence: list[Evidence]
    needed: dict[str, int]  # rule id -> findings that call for it
    not_run: list[str]  # needed_by rules that were not run (cannot tell whether it is needed)
    notes: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)  # what to do, for the sinks that need it

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


@dataclass
class ContextLine:
    number: int
    text: str
    hit: bool = False
    hidden: bool = False


@dataclass
class FindingView:
    finding: Finding
    context: list[ContextLine]
    sample: str | None
    facts: list[tuple[str, str]]  # (label, value) shown for value findings: entity, field, matches
    masked_only: bool


@dataclass
class RuleGroup:
    rule: Rule
    findings: list[FindingView]

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(f.finding.severity.label for f in self.findings if f.finding.severity)
        return {s: c.get(s, 0) for s in SEVERITIES}

    @property
    def top_severity(self) -> str:
        sev = max((f.finding.severity for f in self.findings if f.finding.severity),
                  default=self.rule.severity)
        return sev.label


@dataclass
class Revision:
    """What the audit read: the commit checked out and whether the work tree had changes."""

    commit: str | None  # full sha of HEAD, None outside a git work tree (or with no commit)
    changes: int = 0  # entries of `git status --porcelain`: modified, staged, untracked
    note: str = ""  # why there is no commit

    @property
    def dirty(self) -> bool:
        return self.changes > 0

    @property
    def text(self) -> str:
        if self.commit is None:
            return self.note
        if not self.dirty:
            return f"commit {self.commit}, clean work tree"
        return (f"commit {self.commit} with uncommitted changes ({self.changes} "
                f"file{'s' if self.changes != 1 else ''} modified or untracked): the report may "
                "not match the commit")


def git_revision(where: Path) -> Revision:
    """The commit checked out at ``where`` (a file or a folder) and its dirty state, from git."""
    import os
    import subprocess

    folder = where if where.is_dir() else where.parent
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}

    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                                  text=True, errors="replace", timeout=30, env=env)
        except (OSError, subprocess.SubprocessError):
            return None
        return proc.stdout if proc.returncode == 0 else None

    inside = git("rev-parse", "--is-inside-work-tree")
    if inside is None or inside.strip() != "true":
        return Revision(None, note="not a git repository (no commit to name)")
    head = git("rev-parse", "--verify", "--quiet", "HEAD")
    if not head:
        return Revision(None, note="a git repository without commits")
    status = git("status", "--porcelain", "--untracked-files=normal")
    if status is None:
        return Revision(head.strip(), note="git status failed")
    return Revision(head.strip(), changes=sum(1 for line in status.splitlines() if line.strip()))


@dataclass
class Audit:
    target: str
    generated: str
    version: str
    files_scanned: int
    findings: int
    counts: dict[str, int]
    suppressed: int
    categories: list[CategorySummary]
    mitigations: list[MitigationRow]
    groups: list[RuleGroup]
    errors: list[Any]
    warnings: list[Any]
    projects: int
    rules_run: int
    profile: dict[str, int]
    budget: dict[str, Any]
    revision: Revision = field(default_factory=lambda: Revision(None, note="not recorded"))

    @property
    def adopted(self) -> int:
        return sum(1 for m in self.mitigations if m.status in ("adopted", "partial"))

    @property
    def missing(self) -> int:
        return sum(1 for m in self.mitigations if m.status == "missing")

    @property
    def needed(self) -> int:
        """Mitigations the findings call for (with or without evidence of them)."""
        return sum(1 for m in self.mitigations if m.status in ("missing", "partial"))

    @property
    def mitigation_summary(self) -> str:
        """The mitigations in one phrase that says what is missing (never "3 of 8 found", which
        reads as good news while the 5 not found may be the ones that matter)."""
        if not self.needed:
            return "no mitigation called for by the findings"
        return (f"{self.missing} of {self.needed} mitigation{'s' if self.needed != 1 else ''} "
                "the findings call for missing")


# --- building -------------------------------------------------------------------------------

def category_order(profile: dict[str, int]) -> list[str]:
    """The five categories, higher risk-profile adjustment first, ties in the study's order."""
    return sorted(CATEGORIES, key=lambda c: (-profile.get(c, 0), CATEGORIES.index(c)))


def build_audit(report: Report, rules: dict[str, Rule], cfg: Config, *, target: str = ".",
                base: Path | None = None, now: _dt.datetime | None = None,
                paths: list[str] | None = None) -> Audit:
    """``paths``: what was scanned (the first names the git work tree whose commit is reported);
    relative to ``base``, the current folder by default."""
    base = base or Path.cwd()
    order = category_order(cfg.risk_profile)
    findings = one_per_field(report.findings)
    counts = Counter(f.severity.label for f in findings if f.severity)
    categories = []
    for cat in order:
        fs = [f for f in findings if f.category == cat]
        c = Counter(f.severity.label for f in fs if f.severity)
        title, desc = CATEGORY_INFO[cat]
        categories.append(CategorySummary(
            id=cat, title=title, description=desc, adjustment=cfg.risk_profile.get(cat, 0),
            counts={s: c.get(s, 0) for s in SEVERITIES},
            rules=sorted({f.rule for f in fs})))
    mitigations = [_mitigation(spec, report, cfg, findings) for spec in MITIGATIONS]
    groups = _groups(findings, rules, order, base, _hidden_lines(report.findings))
    now = now or _dt.datetime.now(_dt.timezone.utc)
    return Audit(
        target=target,
        generated=now.strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        files_scanned=report.files_scanned,
        findings=len(findings),
        counts={s: counts.get(s, 0) for s in SEVERITIES},
        suppressed=report.suppressed,
        categories=categories,
        mitigations=mitigations,
        groups=groups,
        errors=list(report.errors),
        warnings=list(report.warnings),
        projects=len(report.projects),
        rules_run=len(report.selected),
        profile=dict(cfg.risk_profile),
        budget={k: cfg.option(k) for k in ("max-epsilon", "max-delta", "min-noise-multiplier")},
        revision=git_revision(base / paths[0] if paths else base),
    )


# rules that report one finding per field (column, record key) and entity: the scan makes one per
# national-id kind when a column validates as several; the audit shows one per field and entity
PER_FIELD_RULES = frozenset({"AIP101", "AIP103"})


def one_per_field(findings: list[Finding]) -> list[Finding]:
    """``findings`` with the findings of one field and entity that differ only in the id kind
    merged into one, which names the kinds and counts the values of each."""
    from dataclasses import replace

    from .pii.columns import label

    groups: dict[tuple, list[Finding]] = {}
    order: list[Finding | tuple] = []
    for f in findings:
        d = f.details or {}
        if f.rule in PER_FIELD_RULES and d.get("id_type") and d.get("entity"):
            key = (f.rule, f.path, str(d.get("field")), d.get("entity"), d.get("cell"))
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(f)
        else:
            order.append(f)
    out: list[Finding] = []
    for item in order:
        if isinstance(item, Finding):
            out.append(item)
            continue
        fs = groups[item]
        if len(fs) == 1:
            out.append(fs[0])
            continue
        first = min(fs, key=lambda f: (-(f.severity or 0), f.line, f.column))
        kinds = [(label(f.details["entity"], f.details["id_type"]), f.details.get("matches") or 0)
                 for f in sorted(fs, key=lambda f: (f.line, str(f.details["id_type"])))]
        total = sum(n for _, n in kinds if isinstance(n, int))
        head = first.message.split(": ", 1)[0]
        what = label(first.details["entity"])
        message = (f"{head}: {total} values detected as {what}s of {len(kinds)} kinds "
                   f"({', '.join(f'{k}: {n}' for k, n in kinds)})")
        details = {**first.details, "id_type": ", ".join(k for k, _ in kinds), "matches": total}
        out.append(replace(first, message=message, details=details,
                           line=min(f.line for f in fs), column=1))
    return out


def location(f: Finding) -> str:
    """``path:line``, and in a notebook the cell and its line beside the raw line."""
    return f"{f.path}:{f.line}" + (f" ({f.cell_label})" if f.cell else "")


def _fact_label(fact: Fact) -> str:
    data = fact.data
    parts = []
    values = [str(data[k]) for k in ("framework", "api", "format", "name", "title", "kind")
              if isinstance(data.get(k), (str, int, float)) and not isinstance(data.get(k), bool)
              and str(data[k])]
    for value in values:  # "opacus" is redundant next to "opacus.PrivacyEngine"
        if value not in parts and not any(value != o and value in o for o in values):
            parts.append(value)
    if "revision" in data and isinstance(data["revision"], str):
        parts.append(f"@{data['revision'][:12]}")
    return " ".join(parts) or fact.kind


def calls_for(spec: MitigationSpec, f: Finding) -> bool:
    """Whether finding ``f`` says mitigation ``spec`` is needed: its rule, and its sink."""
    return f.rule in spec.needed_by and (not spec.sinks or sink_of(f) in spec.sinks)


def _advice(spec: MitigationSpec, needing: list[Finding]) -> list[str]:
    """What to do, one sentence per kind of sink the needing findings write to."""
    out: list[str] = []
    for f in needing:
        text = SINK_ADVICE.get((spec.id, sink_of(f)), spec.how)
        if text not in out:
            out.append(text)
    return out or [spec.how]


def _mitigation(spec: MitigationSpec, report: Report, cfg: Config,
                findings: list[Finding]) -> MitigationRow:
    seen: set[tuple[str, int, str]] = set()
    evidence: list[Evidence] = []
    for fact in sorted((f for f in report.facts if f.kind in spec.kinds),
                       key=lambda f: (f.path, f.line, f.kind)):
        ev = Evidence(fact.path, fact.line, _fact_label(fact))
        key = (ev.path, ev.line, ev.label)
        if key not in seen:
            seen.add(key)
            evidence.append(ev)
    needing = [f for f in findings if calls_for(spec, f)]
    needed = Counter(f.rule for f in needing)
    not_run = [r for r in spec.needed_by if r not in report.selected]
    if evidence:
        status = "partial" if needed else "adopted"
    else:
        status = "missing" if needed else "absent"
    row = MitigationRow(spec, status, evidence, dict(sorted(needed.items())), not_run,
                        advice=_advice(spec, needing))
    if spec.id == "differential-privacy" and (evidence or needed):
        row.notes = _dp_notes(report, cfg)
    return row


def _dp_notes(report: Report, cfg: Config) -> list[str]:
    """The privacy budget: the configured policy and the DP parameters found outside it."""
    notes = [f"Budget policy: ε ≤ {cfg.option('max-epsilon')}, δ ≤ {cfg.option('max-delta')}, "
             f"noise multiplier ≥ {cfg.option('min-noise-multiplier')}."]
    for fact in report.facts:
        if fact.kind != "dp-mechanism":
            continue
        values = {k: v for k, v in fact.data.items()
                  if k in ("epsilon", "target_epsilon", "delta", "target_delta", "noise_multiplier",
                           "max_grad_norm", "l2_norm_clip")
                  and isinstance(v, (int, float)) and not isinstance(v, bool)}
        if values:
            shown = ", ".join(f"{k} = {v}" for k, v in sorted(values.items()))
            notes.append(f"{fact.path}:{fact.line}: {shown}.")
    for f in report.findings:
        if f.rule != "AIP202":
            continue
        param = f.details.get("parameter") or f.details.get("role") or "parameter"
        value = f.details.get("value")
        if isinstance(value, (int, float, str)) and not isinstance(value, bool) and len(str(value)) < 24:
            notes.append(f"{f.path}:{f.line}: {param} = {value} is outside the budget.")
        else:
            notes.append(f"{f.path}:{f.line}: {param} is outside the budget.")
    return notes


def _groups(findings: list[Finding], rules: dict[str, Rule], order: list[str], base: Path,
            hidden: dict[str, set[int]]) -> list[RuleGroup]:
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    reader = _Lines(base)
    groups = []
    for rid, fs in by_rule.items():
        # most severe first, so the findings shown with code are the ones that matter most
        ordered = sorted(fs, key=lambda f: (-(f.severity or 0), f.sort_key()))
        views = [_view(f, hidden, reader) for f in ordered]
        groups.append(RuleGroup(rules[rid], views))
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    groups.sort(key=lambda g: (order.index(g.rule.category) if g.rule.category in order else 99,
                               rank[g.top_severity], g.rule.id))
    return groups


def _hidden_lines(findings: list[Finding]) -> dict[str, set[int]]:
    """Lines that hold a detected value (the lines value findings point at), per file."""
    out: dict[str, set[int]] = {}
    for f in findings:
        if f.rule in VALUE_RULES:
            out.setdefault(f.path, set()).update(range(f.line, max(f.end_line, f.line) + 1))
    return out


class _Lines:
    """Reads and caches the lines of scanned files. In a notebook, the lines of a cell's source
    array are JSON-decoded and every other line (JSON structure, outputs) is None."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.cache: dict[str, list[str | None] | None] = {}

    def path(self, rel: str) -> Path:
        return Path(rel) if Path(rel).is_absolute() else self.base / rel

    def get(self, rel: str) -> list[str | None] | None:
        if rel not in self.cache:
            try:
                path = self.path(rel)
                text = path.read_text(encoding="utf-8-sig")
                lines: list[str | None] = list(text.splitlines())
                if path.suffix == ".ipynb":
                    lines = _notebook_source_lines(text)
                self.cache[rel] = lines
            except (OSError, UnicodeDecodeError):
                self.cache[rel] = None
        return self.cache[rel]


def _notebook_source_lines(text: str) -> list[str | None]:
    """The raw lines of an ``.ipynb``: a line that holds one line of a cell's source becomes that
    code; any other line (outputs, metadata, JSON structure, a source stored as one string with
    embedded newlines) becomes None. Read with the scan's notebook parser."""
    from .notebook import NotebookError, parse_notebook

    out: list[str | None] = [None] * len(text.splitlines())
    try:
        cells = parse_notebook(text)
    except (NotebookError, RecursionError):
        return out
    seen: set[int] = set()
    for cell in cells:
        for sl in cell.source:
            i = sl.raw_line - 1
            if 0 <= i < len(out):
                out[i] = None if i in seen else sl.text  # two source lines on one raw line
                seen.add(i)
    return out


def _view(f: Finding, hidden: dict[str, set[int]], reader: _Lines) -> FindingView:
    details = f.details or {}
    sample = details.get("sample") if isinstance(details.get("sample"), str) else None
    facts: list[tuple[str, str]] = []
    for key, label in (("entity", "Entity"), ("id_type", "Id type"), ("field", "Field"),
                       ("matches", "Matches"), ("secret_type", "Secret type"),
                       ("type", "Type"), ("provider", "Provider")):
        value = details.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) != "":
            facts.append((label, str(value)))
    if f.rule in VALUE_RULES:
        return FindingView(f, [], sample, facts, True)
    context: list[ContextLine] = []
    lines = reader.get(f.path)
    if lines and f.line >= 1:
        end = max(f.end_line, f.line)
        if end - f.line > 6:  # a long statement: its first lines
            end = f.line + 6
        lo, hi = max(1, f.line - CONTEXT_LINES), min(len(lines), end + CONTEXT_LINES)
        while lo < f.line and lines[lo - 1] is None:  # notebooks: stay inside the cell
            lo += 1
        for n in range(f.line, hi + 1):
            if lines[n - 1] is None:
                hi = n - 1
                break
        secret = hidden.get(f.path, set())
        shown = [n for n in range(lo, hi + 1) if n not in secret and lines[n - 1] is not None]
        # every shown line masked with the scan's detectors (redact.py), before it is clipped
        masked = dict(zip(shown, redact_lines([lines[n - 1] or "" for n in shown], reader.path(f.path))))
        for n in range(lo, hi + 1):
            if n in secret:
                context.append(ContextLine(n, "", f.line <= n <= end, hidden=True))
            elif n in masked:
                context.append(ContextLine(n, _clip(masked[n]), f.line <= n <= end))
    return FindingView(f, context, sample, facts, False)


def _clip(text: str) -> str:
    text = text.rstrip().replace("\t", "    ")
    return text if len(text) <= MAX_LINE else text[:MAX_LINE - 1] + "…"
