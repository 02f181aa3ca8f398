"""Gap analysis of dataset and model cards written in Markdown.

Which documents are cards (see :func:`classify`):

* a ``README.md`` whose YAML front matter has Hugging Face dataset-card keys (``task_categories``,
  ``size_categories``, ``dataset_info``, ``configs`` ...) is a dataset card, one with model-card keys
  (``library_name``, ``pipeline_tag``, ``base_model``, ``model-index`` ...) a model card; when the
  keys are shared (``license``, ``language``, ``tags``) the headings decide ("Dataset Card for",
  "Dataset Structure" / "Model Card for", "Model Details", "Training procedure");
* ``datasheet.md`` (Datasheets for Datasets, Gebru et al.), ``dataset_card.md`` and
  ``model_card.md`` (and their ``-``/upper-case spellings) are cards by name; any Markdown file
  titled "Dataset Card for ...", "Datasheet for ..." or "Model Card for ..." is one by title;
* a file the user declared in the ``dataset-cards`` option is a dataset card whatever it holds;
* a Jinja template (``{{ card_data }}``) is the source of generated cards, not a card: skipped.

How a question counts as answered: a topic (license, personal data, collection ...) is answered
when a heading that names it (``### Personal and Sensitive Information``) has a body that says
something (:func:`markdown.meaningful`), or when a question or bold label in the text names it
(``**License:** CC-BY-4.0``, "Is it possible to identify individuals ...?" as written in
datasheets) and is followed by an answer. A topic that is present but holds only a placeholder is
reported at the placeholder's line; a missing one at the line of the section it belongs in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .frontmatter import FrontMatter, parse_front_matter
from .markdown import (PLACEHOLDER, Markdown, meaningful, parse_markdown, placeholder_line,
                       plain)

DATASET_KEYS = {"task_categories", "task_ids", "size_categories", "dataset_info", "configs",
                "annotations_creators", "language_creators", "source_datasets", "multilinguality",
                "pretty_name", "paperswithcode_id", "train-eval-index", "viewer"}
MODEL_KEYS = {"library_name", "pipeline_tag", "base_model", "model-index", "model_name",
              "inference", "widget", "base_model_relation", "new_version", "model_type"}
SPACE_KEYS = {"sdk", "sdk_version", "app_file", "app_port", "emoji", "colorFrom", "colorTo"}
DATASHEET_NAMES = {"datasheet.md", "datasheet.markdown", "datasheets.md", "data_sheet.md",
                   "data-sheet.md", "datasheet_for_dataset.md"}
DATASET_CARD_NAMES = {"dataset_card.md", "dataset-card.md", "datasetcard.md"}
MODEL_CARD_NAMES = {"model_card.md", "model-card.md", "modelcard.md"}
CARD_FILE_NAMES = DATASHEET_NAMES | DATASET_CARD_NAMES | MODEL_CARD_NAMES | {"readme.md"}

DATASET_TITLE = re.compile(r"^(dataset card|datasheet)\b|\bdatasheet for\b", re.I)
MODEL_TITLE = re.compile(r"^model card\b", re.I)
DATASET_HEADINGS = re.compile(r"^(dataset (structure|summary|description|details|creation|curators)|"
                              r"data (fields|instances|splits))\b", re.I)
MODEL_HEADINGS = re.compile(r"^(model (details|description|architecture)|intended uses?\b|"
                            r"training (procedure|hyperparameters)|how to get started with the model)",
                            re.I)
DATASHEET_HEADINGS = re.compile(r"^(motivation|composition|collection process|uses|distribution|"
                                r"maintenance)\b", re.I)

# --- topics -----------------------------------------------------------------------------------
LICENSE = re.compile(r"licen[cs]|copyright|terms of use", re.I)
PERSONAL = re.compile(r"personal|sensitive|privacy|anonymi[sz]|de-?identif|\bPII\b|confidential|"
                      r"identify (any )?(individuals|people|persons)", re.I)
COLLECTION = re.compile(r"collect|source data|data sources?\b|provenance|acquisition|"
                        r"how (was|were) .*(obtained|gathered|acquired)", re.I)
MAINTENANCE = re.compile(r"maint(ain|enance)|retention|retain|delet|removal|takedown|take-down|"
                         r"updat|deprecat|lifecycle|life cycle|versioning", re.I)
TRAINING_DATA = re.compile(r"training (data|dataset|details|corpus)|data used|"
                           r"training and evaluation data|^datasets?$|^data$", re.I)
INTENDED_USE = re.compile(r"intended|direct use|^uses$|downstream use|use cases?\b", re.I)
OUT_OF_SCOPE = re.compile(r"out[- ]of[- ]scope|misuse|malicious|not intended|prohibited|"
                          r"restrictions", re.I)
OUT_OF_SCOPE_TEXT = re.compile(r"out[- ]of[- ]scope|not (be )?(intended|designed|suitable|meant) "
                               r"(to|for)|should not be used|must not be used|do not use|"
                               r"prohibited|not permitted", re.I)
LIMITATIONS = re.compile(r"limitation|risks?\b|bias|privacy|ethic|personal|safety|recommendation",
                         re.I)

# a card that says its data holds no personal information
SAYS_NONE = re.compile(
    r"\b(does|do|did|will)\s+not\s+(contain|include|hold|have|store)\s+(any\s+)?"
    r"(personal|personally|sensitive|PII|private|identifiable)|"
    r"\b(contains?|includes?|holds?|has|have)\s+no\s+(personal|PII|sensitive|private|identifiable)|"
    r"\bno\s+(personal|personally[- ]identifiable|PII\b|private\s+(data|information)|"
    r"sensitive\s+(personal\s+)?(data|information))|"
    r"\bfree\s+(of|from)\s+(any\s+)?(personal|PII)|"
    r"\bnot\s+personal\s+(data|information)",
    re.I,
)
NONE_ANSWER = re.compile(r"^(none|no|n/?a|nothing)\W*$", re.I)
# a card that says its data does hold personal information
PERSONAL_WORDS = re.compile(
    r"personal|names?\b|e-?mail|phone|address(es)?\b|health|medical|patient|biometric|faces?\b|"
    r"\bPII\b|date of birth|religio|ethnic|political|sexual|gender|location|user ?ids?\b", re.I)
CONTAINS = re.compile(r"\b(contains?|containing|includes?|including|holds?|consists? of|has|have|"
                      r"comprises?|gives?|mentions?|records?|stores?)\b", re.I)
# template instructions and datasheet questions are not statements about the data
NOT_A_STATEMENT = re.compile(r"\?\W*$|\bwhether\b|^\W*(state|describe|provide|list|indicate|if)\b",
                             re.I)
NEGATION = re.compile(r"\b(no|not|never|without|none|removed|anonymi[sz]ed|redacted|free of)\b",
                      re.I)
HANDLING = re.compile(r"anonymi[sz]|pseudonymi[sz]|de-?identif|redact|mask|remov|scrub|hash|encrypt|"
                      r"aggregat|synthetic|replac|strip|filter|obfuscat|k-anonym|"
                      r"differential(ly)? privacy|suppress|generaliz|generalis|perturb", re.I)
CONSENT = re.compile(r"consent|legal basis|lawful basis|legitimate interest|\bGDPR\b|article 6|"
                     r"art\.\s?6|opt(ed)?[- ]?(in|out)\b|permission|terms of (use|service)|"
                     r"agreement|contract|ethics (board|committee|approval|review)|\bIRB\b|"
                     r"institutional review|public domain|\bCC0\b", re.I)


@dataclass
class Gap:
    gap: str  # license | personal-data | anonymisation | collection | consent | maintenance ...
    line: int
    message: str
    placeholder: bool = False  # present but only a template placeholder

    def to_dict(self) -> dict:
        return {"gap": self.gap, "line": self.line, "message": self.message,
                "placeholder": self.placeholder}


@dataclass
class CardInfo:
    kind: str  # dataset | model
    format: str  # huggingface | datasheet | croissant | markdown
    title: str = ""
    line: int = 1  # the line that names the card (title or front matter)
    gaps: list[Gap] = field(default_factory=list)
    says_no_personal_data: bool = False
    no_personal_line: int = 0
    states_personal_data: bool = False
    personal_line: int = 0
    license: str = ""
    datasets: list[str] = field(default_factory=list)  # model cards: training datasets named

    def fact_data(self, directory: str, declared: bool = False) -> dict:
        return {"dir": directory, "format": self.format, "title": self.title,
                "gaps": [g.to_dict() for g in self.gaps],
                "says_no_personal_data": self.says_no_personal_data,
                "no_personal_line": self.no_personal_line,
                "states_personal_data": self.states_personal_data,
                "license": self.license, "datasets": list(self.datasets), "declared": declared}


# --- which document is a card -----------------------------------------------------------------
def classify(name: str, text: str, declared: bool = False) -> tuple[str, str] | None:
    """(kind, format) of a Markdown card, or None when the file is not a card."""
    lname = PurePosixPath(name).name.lower()
    fm = parse_front_matter(text)
    stem = lname.rsplit(".", 1)[0]
    if fm.templated or (("card" in stem or "template" in stem) and lname != "readme.md"
                        and JINJA.search(text)):
        return _classify_template(lname, text)  # Jinja in the body alone is BibTeX or code
    md = parse_markdown(text, fm.end + 1 if fm else 1)
    titles = [s.title for s in md.sections]
    first = titles[0] if titles else ""
    is_datasheet = (lname in DATASHEET_NAMES or bool(re.search(r"\bdatasheet\b", first, re.I))
                    or sum(bool(DATASHEET_HEADINGS.search(t)) for t in titles) >= 4)
    if lname in DATASHEET_NAMES:
        return "dataset", "datasheet"
    if lname in DATASET_CARD_NAMES:
        return "dataset", "huggingface" if fm else ("datasheet" if is_datasheet else "markdown")
    if lname in MODEL_CARD_NAMES:
        return "model", "huggingface" if fm else "markdown"
    keys = set(fm.values) if fm else set()
    if keys & SPACE_KEYS:
        return None  # a Hugging Face Space's README (an app), not a card
    dataset_score = len(keys & DATASET_KEYS) + 2 * any(DATASET_TITLE.search(t) for t in titles[:2])
    dataset_score += any(DATASET_HEADINGS.search(t) for t in titles)
    model_score = len(keys & MODEL_KEYS) + 2 * any(MODEL_TITLE.search(t) for t in titles[:2])
    model_score += any(MODEL_HEADINGS.search(t) for t in titles)
    fmt = "huggingface" if fm else ("datasheet" if is_datasheet else "markdown")
    if declared:
        return "dataset", fmt
    titled = (any(DATASET_TITLE.search(t) or MODEL_TITLE.search(t) for t in titles[:2]))
    if lname == "readme.md" and not fm and not titled:
        return None  # an ordinary README: a card needs its metadata block or its title
    if lname != "readme.md" and not titled:
        return None
    if fm and not (keys & (DATASET_KEYS | MODEL_KEYS | {"license", "datasets"})) \
            and not (dataset_score or model_score):
        return None  # front matter of a static-site page, an issue template ...
    if dataset_score == 0 and model_score == 0:
        if not (fm and "license" in keys):
            return None
        # a README whose metadata is only a license (the minimal Hub card): a model card when
        # it names training datasets, else a dataset card
        return ("model", fmt) if "datasets" in keys else ("dataset", fmt)
    return ("dataset", fmt) if dataset_score >= model_score else ("model", fmt)


JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _classify_template(lname: str, text: str) -> tuple[str, str] | None:
    """A Jinja card template (``model_card_template.md``, ``lm_model_card.md``): the source of the
    cards that training code generates for every model it pushes. Recognised by its name or its
    title; its gaps are the gaps of every card generated from it."""
    stem = lname.rsplit(".", 1)[0]
    title = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("# ")), "")
    if "card" in stem or "datasheet" in stem:
        if "model" in stem:
            return "model", "template"
        if "dataset" in stem or "datasheet" in stem:
            return "dataset", "template"
    if MODEL_TITLE.search(title):
        return "model", "template"
    if DATASET_TITLE.search(title):
        return "dataset", "template"
    return None


def render_template(text: str) -> str:
    """A card template as the analysis sees it: ``{{ value }}`` is text the code fills in,
    ``{% ... %}`` control lines say nothing. Static placeholders (``[TODO: ...]``) stay."""
    text = re.sub(r"\{\{.*?\}\}", "filled", text)
    return re.sub(r"\{%.*?%\}", "", text)


# --- topics -----------------------------------------------------------------------------------
@dataclass
class Unit:
    """A place in the card that addresses a topic: a section, or a question/label and its answer."""

    label: str
    line: int  # the heading or label line
    body: list[tuple[int, str]]
    end: int = 0  # a section's last line (0 for a label unit)
    own: list[tuple[int, str]] | None = None  # a section's body before its first subsection


LABEL = re.compile(r"^\s*(?:[-*+]\s+|\d+\.\s+)?\*\*(.+?)\*\*\s*:?\s*(.*)$")
QUESTION = re.compile(r"^\s*(?:[-*+]\s+|\d+\.\s+)?(?:\*\*|_)?(.+\?)(?:\*\*|_)?\s*$")


def units(md: Markdown) -> list[Unit]:
    """Sections (with subsections) and label/question units of the card."""
    out = [Unit(s.title, s.line, md.body(s), s.end, md.own_body(s)) for s in md.sections]
    heading_lines = {s.line for s in md.sections}
    n_lines = len(md.lines)
    starts: list[tuple[int, str, str]] = []
    fenced = False
    for n in range(md.offset + 1, n_lines + 1):
        t = md.lines[n - 1]
        if t.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or n in heading_lines:
            continue
        m = LABEL.match(t)
        if m and len(m.group(1)) < 200:
            starts.append((n, m.group(1).rstrip(":").strip(), m.group(2)))
            continue
        q = QUESTION.match(t)
        if q and len(q.group(1)) < 300:
            starts.append((n, q.group(1), ""))
    stops = sorted(heading_lines | {n for n, _, _ in starts} | {n_lines + 1})
    for n, label, inline in starts:
        end = next(s for s in stops if s > n)
        body = ([(n, inline)] if inline.strip() else []) + \
            [(k, md.lines[k - 1]) for k in range(n + 1, end)]
        out.append(Unit(label, n, body))
    return out


@dataclass
class Topic:
    answered: list[Unit] = field(default_factory=list)
    empty: list[Unit] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(plain(meaningful(u.body)) for u in self.answered)

    def lines(self) -> list[tuple[int, str]]:
        return [row for u in self.answered for row in meaningful(u.body)]


def topic(all_units: list[Unit], pattern: re.Pattern[str]) -> Topic:
    t = Topic()
    hits = [u for u in all_units if pattern.search(u.label)]
    for u in hits:
        if u.end and any(o is not u and o.end and u.line < o.line <= u.end for o in hits):
            # a section whose subsection names the same topic ("Uses" > "Direct Use"): the
            # subsection answers for itself, the parent only with its own text
            u = Unit(u.label, u.line, u.own or [], u.end)
        (t.answered if meaningful(u.body) else t.empty).append(u)
    return t


def _section_line(md: Markdown, pattern: str, default: int) -> int:
    rx = re.compile(pattern, re.I)
    for s in md.sections:
        if rx.search(s.title):
            return s.line
    return default


def _where(u: Unit) -> str:
    """How a message names a unit: "the 'Source Data' section", "the answer to 'How was ...?'"."""
    label = u.label if len(u.label) <= 80 else u.label[:77].rstrip() + "..."
    return f"the '{label}' section" if u.end else f"the answer to '{label}'"


def _gap_for(md: Markdown, t: Topic, gap: str, what: str, parent: str, default: int) -> Gap:
    if t.empty:
        with_placeholder = [u for u in t.empty if placeholder_line(u.body)]
        u = (with_placeholder or t.empty)[0]
        line = placeholder_line(u.body) or u.line
        return Gap(gap, line, f"{_where(u)} holds only a template placeholder: {what}",
                   placeholder=True)
    return Gap(gap, _section_line(md, parent, default), f"no section says {what}")


def _says_none(t: Topic, all_text: list[tuple[int, str]]) -> int:
    """The line where the card says its data holds no personal information, else 0."""
    for u in t.answered:
        rows = meaningful(u.body)
        if rows and all(NONE_ANSWER.match(r[1].strip("*_ ")) for r in rows[:1]) and len(rows) <= 2:
            return rows[0][0]
    for n, line in all_text:
        if SAYS_NONE.search(line):
            return n
    return 0


def _states_personal(t: Topic) -> int:
    for n, line in t.lines():
        for sentence in re.split(r"(?<=[.;!?])\s+", line):
            if CONTAINS.search(sentence) and PERSONAL_WORDS.search(sentence) \
                    and not NEGATION.search(sentence) and not NOT_A_STATEMENT.search(sentence):
                return n
    return 0


def _license(fm: FrontMatter, all_units: list[Unit], md: Markdown) -> tuple[str, Gap | None]:
    value = fm.text("license").strip() if fm else ""
    if value and PLACEHOLDER.search(value):
        return "", Gap("license", fm.lines.get("license", fm.start),
                       "the `license:` key holds a template placeholder: name the license "
                       "(an SPDX id such as cc-by-4.0)", placeholder=True)
    if value and value.lower() not in ("unknown", "none", "todo"):
        return value, None
    t = topic(all_units, LICENSE)
    if t.answered:
        return plain(t.lines())[:80], None
    if value:  # license: unknown
        return value, Gap("license", fm.lines.get("license", fm.start),
                          f"the license is '{value}': say under which license the data may be used")
    if t.empty:
        return "", _gap_for(md, t, "license", "the license", "^$", fm.start if fm else md.title_line())
    # the line to edit: beside the other metadata keys (the first one), else the title
    line = (min(fm.lines.values()) if fm.lines else fm.start) if fm else md.title_line()
    where = "a `license:` key in the YAML front matter" if fm else "a license"
    return "", Gap("license", line, f"the card names no license: add {where}")


def analyse_dataset_card(text: str, fmt: str) -> CardInfo:
    """The privacy gaps of a Markdown dataset card (Hugging Face or datasheet)."""
    fm = parse_front_matter(text)
    md = parse_markdown(text, fm.end + 1 if fm else 1)
    all_units = units(md)
    title_line = md.title_line() if md.sections else (fm.start or 1)
    info = CardInfo(kind="dataset", format=fmt, line=title_line,
                    title=(fm.text("pretty_name") if fm else "") or
                    (md.sections[0].title if md.sections else ""))
    info.license, gap = _license(fm, all_units, md)
    if gap:
        info.gaps.append(gap)
    all_text = meaningful([(n, md.lines[n - 1]) for n in range(md.offset + 1, len(md.lines) + 1)])
    personal = topic(all_units, PERSONAL)
    info.no_personal_line = _says_none(personal, all_text)
    info.says_no_personal_data = bool(info.no_personal_line)
    parent_personal = r"^dataset creation|^composition|considerations"
    if not personal.answered and not info.says_no_personal_data:
        info.gaps.append(_gap_for(
            md, personal, "personal-data",
            "whether the data holds personal or sensitive information, and how it was anonymised",
            parent_personal, title_line))
    elif not info.says_no_personal_data:
        info.personal_line = _states_personal(personal)
        info.states_personal_data = bool(info.personal_line)
        handling_text = personal.text + " " + topic(all_units, re.compile(
            r"preprocess|processing|cleaning|anonymi|curation", re.I)).text
        if not HANDLING.search(handling_text):
            u = personal.answered[0]
            info.gaps.append(Gap("anonymisation", u.line,
                                 f"{_where(u)} does not say how personal data was "
                                 "anonymised, pseudonymised or removed (or that it was not)"))
    collection = topic(all_units, COLLECTION)
    if not collection.answered:
        info.gaps.append(_gap_for(
            md, collection, "collection",
            "how the data was collected, and with what consent or legal basis",
            r"^dataset creation|^collection|^source data", title_line))
    elif not info.says_no_personal_data and not CONSENT.search(plain(all_text)):
        u = collection.answered[0]
        info.gaps.append(Gap("consent", u.line,
                             f"{_where(u)} does not say with what consent or legal "
                             "basis the data was collected"))
    maintenance = topic(all_units, MAINTENANCE)
    if not maintenance.answered:
        info.gaps.append(_gap_for(
            md, maintenance, "maintenance",
            "how long the data is kept, who maintains it and how removal requests are handled",
            r"^additional information|^more information|^dataset card contact|^maintenance",
            title_line))
    return info


def analyse_model_card(text: str, fmt: str) -> CardInfo:
    """The gaps of a Markdown model card (Hugging Face template, Model Cards for Model Reporting)."""
    fm = parse_front_matter(text)
    md = parse_markdown(text, fm.end + 1 if fm else 1)
    all_units = units(md)
    title_line = md.title_line() if md.sections else (fm.start or 1)
    info = CardInfo(kind="model", format=fmt, line=title_line,
                    title=(fm.text("model_name") if fm else "") or
                    (md.sections[0].title if md.sections else ""))
    info.license, gap = _license(fm, all_units, md)
    if gap:
        info.gaps.append(gap)
    datasets = fm.get("datasets") if fm else None
    if isinstance(datasets, str):
        datasets = [datasets]
    if isinstance(datasets, list):
        info.datasets = [d.strip() for d in datasets if d.strip() and not PLACEHOLDER.search(d)]
    all_text = meaningful([(n, md.lines[n - 1]) for n in range(md.offset + 1, len(md.lines) + 1)])
    training = topic(all_units, TRAINING_DATA)
    if not training.answered and not info.datasets:
        gap = _gap_for(md, training, "training-data",
                       "what data the model was trained on (and a `datasets:` key in the front matter)",
                       r"^training details|^training", title_line)
        info.gaps.append(gap)
    intended = topic(all_units, INTENDED_USE)
    if not intended.answered:
        info.gaps.append(_gap_for(md, intended, "intended-use",
                                  "what the model is intended to be used for",
                                  r"^uses$|^uses\b", title_line))
    out_of_scope = topic(all_units, OUT_OF_SCOPE)
    if not out_of_scope.answered and not OUT_OF_SCOPE_TEXT.search(plain(all_text)):
        info.gaps.append(_gap_for(md, out_of_scope, "out-of-scope-use",
                                  "which uses are out of scope (misuse, people it must not be used on)",
                                  r"^uses$|^uses\b|intended", title_line))
    limitations = topic(all_units, LIMITATIONS)
    if not limitations.answered:
        info.gaps.append(_gap_for(md, limitations, "limitations",
                                  "the model's limitations and privacy risks (personal data in the "
                                  "training set, memorisation, differential privacy)",
                                  r"bias|risk|limitation|evaluation", title_line))
    return info


def analyse_markdown_card(name: str, text: str, declared: bool = False) -> CardInfo | None:
    """Classify and analyse a Markdown file; None when it is not a card."""
    kind_fmt = classify(name, text, declared)
    if kind_fmt is None:
        return None
    kind, fmt = kind_fmt
    if fmt != "template":
        return analyse_dataset_card(text, fmt) if kind == "dataset" else analyse_model_card(text, fmt)
    # a template: its metadata block ({{ card_data }}) is filled by the code, so license and the
    # datasets key cannot be judged here; the sections can
    info = (analyse_dataset_card if kind == "dataset" else analyse_model_card)(
        render_template(text), fmt)
    info.gaps = [g for g in info.gaps
                 if g.gap != "license" and not (g.gap == "training-data" and not g.placeholder)]
    info.license = ""
    return info
