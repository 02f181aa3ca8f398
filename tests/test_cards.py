"""Dataset and model cards: parsing and gap analysis (library level), the card rules through the
CLI beyond the rule fixtures (declared cards, the contradiction message, the JSON project
section), and ``aiprivlint init-card`` end to end."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from aiprivlint.cards import analyse_card
from aiprivlint.cards.frontmatter import parse_front_matter
from aiprivlint.cards.markdown import meaningful, parse_markdown
from conftest import EMPTY_CONFIG, FIXTURES, run_cli, run_json

CARDS = FIXTURES / "cards"
RULES = FIXTURES / "rules"
TODO = "[More Information Needed]"


def gaps(name: str, text: str) -> dict[str, int]:
    info = analyse_card(name, text)
    assert info is not None, f"{name} not recognised as a card"
    return {g.gap: g.line for g in info.gaps}


# --- parsing ----------------------------------------------------------------------------------
def test_front_matter_subset():
    fm = parse_front_matter(
        "---\n"
        "license: cc-by-4.0  # a comment\n"
        "pretty_name: 'Tickets: 2024'\n"
        "language:\n  - de\n  - en\n"
        "task_categories: [text-classification, 'token-classification']\n"
        "dataset_info:\n  features:\n    - name: text\n"
        "quoted: \"[More Information Needed]\"  # SPDX\n"
        "---\n# Title\n")
    assert fm.get("license") == "cc-by-4.0"
    assert fm.get("pretty_name") == "Tickets: 2024"
    assert fm.get("language") == ["de", "en"]
    assert fm.get("task_categories") == ["text-classification", "token-classification"]
    assert "dataset_info" in fm.values and fm.lines["dataset_info"] == 8
    assert fm.get("quoted") == TODO
    assert fm.lines["license"] == 2 and fm.end == 12
    assert not parse_front_matter("# no front matter\n")


def test_placeholders_comments_and_scan_blocks_say_nothing():
    text = ("<!-- guidance\nspanning lines -->\n"
            "[More Information Needed]\n"
            "How it was anonymised: [More Information Needed]\n"
            "<!-- aiprivlint:scan -->\n| a | b |\nThe data does not contain personal data.\n"
            "<!-- /aiprivlint:scan -->\n"
            "None.\n")
    rows = list(enumerate(text.splitlines(), start=1))
    assert meaningful(rows) == [(9, "None.")]


def test_headings_in_code_fences_are_not_sections():
    md = parse_markdown("# Title\n```bash\n# not a heading\n```\n## Real\n")
    assert [s.title for s in md.sections] == ["Title", "Real"]


# --- which files are cards --------------------------------------------------------------------
@pytest.mark.parametrize("name,text", [
    ("README.md", "# My project\n\nA library.\n"),
    ("README.md", "---\ntitle: FedProx\nlabels: [cv]\ndataset: [MNIST]\n---\n# FedProx\n"),
    ("bug_report.md", "---\nname: Bug report\nabout: Create a report\n---\n**Describe the bug**\n"),
    ("report_template.md", "---\n{{ meta }}\n---\n# Weekly report for {{ team }}\n"),
    ("notes.md", "# Notes\n\nWe trained a model.\n"),
])
def test_not_cards(name, text):
    assert analyse_card(name, text) is None


def test_kinds_and_formats():
    assert analyse_card("README.md", "---\nlicense: mit\ntask_categories: [x]\n---\n# D\n").kind == "dataset"
    assert analyse_card("README.md", "---\nlibrary_name: peft\n---\n# M\n").kind == "model"
    assert analyse_card("README.md", "# Model Card for X\n").kind == "model"
    assert analyse_card("datasheet.md", "# Datasheet\n").format == "datasheet"
    assert analyse_card("notes.md", "# Dataset Card for Y\n").kind == "dataset"
    assert analyse_card("metadata.json", '{"@context": {"cr": "http://mlcommons.org/croissant/"}, '
                        '"@type": "sc:Dataset", "name": "x"}').format == "croissant"
    assert analyse_card("metadata.json", '{"@context": "https://schema.org", "name": "x"}') is None


# --- gaps -------------------------------------------------------------------------------------
HF_TEMPLATE = (RULES / "AIP107/fire/hf_template_placeholders/data/README.md").read_text()


def test_hf_template_gaps_point_at_the_lines_to_edit():
    lines = HF_TEMPLATE.splitlines()
    g = gaps("README.md", HF_TEMPLATE)
    assert set(g) == {"license", "collection", "personal-data", "maintenance"}
    assert lines[g["license"] - 1].startswith("license: unknown")
    assert lines[g["personal-data"] - 1].startswith(TODO)
    assert lines[g["collection"] - 1].startswith(TODO)
    assert lines[g["maintenance"] - 1].startswith("## Dataset Card Contact")


def test_filled_sections_close_the_gaps():
    text = HF_TEMPLATE.replace("license: unknown", "license: cc-by-4.0")
    text = text.replace(TODO, "Exported from the ticket system with the customers' consent; "
                              "names were pseudonymised.", 3)
    text = text.replace("## Dataset Card Contact", "## Maintenance\n\nDeleted after 2 years.\n\n"
                                                   "## Dataset Card Contact")
    assert gaps("README.md", text) == {}


def test_personal_data_without_anonymisation_and_collection_without_consent():
    text = ("---\nlicense: cc-by-4.0\npretty_name: Calls\n---\n# Dataset Card for Calls\n"
            "## Source Data\nRecorded by the telephony system in 2024.\n"
            "## Personal and Sensitive Information\nCallers give their names and addresses.\n"
            "## Maintenance\nKept for one year.\n")
    info = analyse_card("README.md", text)
    assert {g.gap for g in info.gaps} == {"anonymisation", "consent"}
    assert info.states_personal_data and not info.says_no_personal_data


@pytest.mark.parametrize("statement", [
    "This dataset does not contain personal information.",
    "The data contains no personal data.",
    "No PII.",
    "None",
])
def test_says_no_personal_data(statement):
    text = (f"---\nlicense: mit\npretty_name: X\n---\n# Dataset Card for X\n"
            f"### Personal and Sensitive Information\n{statement}\n")
    info = analyse_card("README.md", text)
    assert info.says_no_personal_data and info.no_personal_line == 7
    assert "personal-data" not in {g.gap for g in info.gaps}
    assert "consent" not in {g.gap for g in info.gaps}  # no personal data: no consent to ask about


def test_croissant_with_and_without_rai():
    without = (RULES / "AIP107/fire/croissant_without_rai/data/metadata.json").read_text()
    assert set(gaps("metadata.json", without)) == {"personal-data", "collection", "maintenance"}
    full = (RULES / "AIP107/quiet/croissant_with_rai/data/metadata.json").read_text()
    info = analyse_card("metadata.json", full)
    assert info.gaps == [] and info.states_personal_data and info.license
    doc = json.loads(full)
    doc["rai:personalSensitiveInformation"] = "none"
    info = analyse_card("metadata.json", json.dumps(doc, indent=2))
    assert info.says_no_personal_data
    assert json.dumps(doc, indent=2).splitlines()[info.no_personal_line - 1].strip().startswith(
        '"rai:personalSensitiveInformation"')


def test_card_templates_are_judged_on_their_static_sections():
    # the template training code fills for every model it pushes (trl, diffusers do this):
    # {{ ... }} is filled by the code, a static [TODO: ...] never is
    template = ("---\n{{ card_data }}\n---\n# Model Card for {{ model_name }}\n"
                "{{ model_description }}\n## Intended uses\n{{ intended_uses }}\n"
                "## Limitations and bias\n[TODO: provide examples of latent issues]\n"
                "## Training details\n{{ training_data }}\n")
    info = analyse_card("model_card_template.md", template)
    assert info.kind == "model" and info.format == "template"
    assert {g.gap: g.line for g in info.gaps} == {"out-of-scope-use": 6, "limitations": 9}
    # license and datasets come from {{ card_data }}: not judged
    assert analyse_card("lm_model_card.md", "---\n{{ card_data }}\n---\n# Model Card for {{ m }}\n"
                        "## Intended uses\n{{ u }}\n## Out-of-scope use\n{{ o }}\n"
                        "## Limitations\n{{ l }}\n").gaps == []


def test_model_card_gaps():
    text = (RULES / "AIP303/fire/card_with_gaps/README.md").read_text()
    assert set(gaps("README.md", text)) == {"license", "out-of-scope-use", "limitations",
                                            "training-data"}
    complete = (RULES / "AIP303/quiet/complete_card/README.md").read_text()
    assert gaps("README.md", complete) == {}
    generated = ("---\nlibrary_name: transformers\nlicense: apache-2.0\n---\n"
                 "# my-model\n## Model description\nMore information needed\n"
                 "## Intended uses & limitations\nMore information needed\n"
                 "## Training and evaluation data\nMore information needed\n")
    assert set(gaps("README.md", generated)) == {"training-data", "intended-use",
                                                 "out-of-scope-use", "limitations"}


# --- the rules through the CLI ------------------------------------------------------------------
def test_declared_card_documents_the_project(tmp_path):
    repo = tmp_path / "claims"
    shutil.copytree(CARDS / "declared_card", repo)
    _, doc = run_json("--no-cache", "--select", "AIP106", str(repo))
    assert doc["findings"] == []
    # without the declaration (empty config) the same project fires at the loader
    _, doc = run_json("--no-cache", "--config", str(EMPTY_CONFIG), "--select", "AIP106", str(repo))
    assert [(Path(f["path"]).name, f["line"]) for f in doc["findings"]] == [("train.py", 3)]


def test_contradiction_message_names_what_was_found_never_a_value():
    fixture = RULES / "AIP107/fire/card_denies_personal_data"
    _, doc = run_json("--no-cache", "--config", str(EMPTY_CONFIG), "--select", "AIP107", str(fixture))
    hits = [f for f in doc["findings"] if f["details"].get("gap") == "contradiction"]
    assert len(hits) == 1
    f = hits[0]
    assert f["severity"] == "high" and f["path"].endswith("data/README.md")
    assert "card says the data holds no personal information, but AIP101 found EMAIL in field " \
           "'subscriber_email' of" in f["message"]
    assert "@" not in f["message"] + json.dumps(f["details"])  # no address in clear
    cards = doc["project"][0]["dataset_cards"]
    assert cards and cards[0]["says_no_personal_data"] is True


def test_json_project_section_lists_cards():
    _, doc = run_json("--no-cache", "--config", str(EMPTY_CONFIG), "--select", "AIP107,AIP303",
                      str(RULES / "AIP107/fire/hf_template_placeholders"),
                      str(RULES / "AIP303/fire/card_with_gaps"))
    by_root = {Path(p["root"]).name: p for p in doc["project"]}
    ds = by_root["hf_template_placeholders"]["dataset_cards"][0]
    assert ds["format"] == "huggingface" and ds["title"] == "Helpdesk conversations"
    assert set(ds["gaps"]) == {"license", "collection", "personal-data", "maintenance"}
    model = by_root["card_with_gaps"]["model_cards"][0]
    assert "training-data" in model["gaps"]


def test_threshold_and_folding_of_split_folders(tmp_path):
    repo = tmp_path / "r"
    (repo / "data" / "train").mkdir(parents=True)
    (repo / "data" / "test").mkdir(parents=True)
    (repo / "pyproject.toml").write_text("[project]\nname='r'\n")
    row = "1,0.25,0.75,ok\n"
    (repo / "data" / "train" / "a.csv").write_text("id,x,y,label\n" + row * 3000)  # ~45 KB
    (repo / "data" / "test" / "b.csv").write_text("id,x,y,label\n" + row * 500)
    _, doc = run_json("--no-cache", "--config", str(EMPTY_CONFIG), "--select", "AIP106", str(repo))
    assert doc["findings"] == []  # 52 KB in data/: a sample, not a dataset of real size
    (repo / "data" / "train" / "a.csv").write_text("id,x,y,label\n" + row * 7000)  # ~105 KB
    _, doc = run_json("--no-cache", "--config", str(EMPTY_CONFIG), "--select", "AIP106", str(repo))
    assert len(doc["findings"]) == 1  # data/train and data/test are one dataset: data/
    assert doc["findings"][0]["details"]["dataset"].endswith("data")
    assert doc["findings"][0]["details"]["files"] == 2


# --- init-card --------------------------------------------------------------------------------
def _init_repo(tmp_path) -> Path:
    repo = tmp_path / "churn"
    shutil.copytree(CARDS / "init_repo", repo)
    return repo


def _check(repo: Path, select: str) -> list[dict]:
    _, doc = run_json("--no-cache", "--config", str(EMPTY_CONFIG), "--select", select, ".", cwd=repo)
    return doc["findings"]


def _fill(text: str) -> str:
    text = re.sub(r'^license: .*$', "license: cc-by-nc-4.0", text, flags=re.M)
    text = re.sub(r'^- "\[More Information Needed\]".*$', "- acme/churn-events", text, flags=re.M)
    return text.replace(TODO, "Exported from the billing system with the customers' consent "
                              "(legal basis: contract); e-mail addresses were pseudonymised with "
                              "HMAC-SHA256 before training; kept for 24 months, then deleted. Not "
                              "intended for decisions about individual customers; limitations: "
                              "trained on one country's customers only.")


def _outside_scan_blocks(text: str) -> str:
    return re.sub(r"<!-- aiprivlint:scan -->.*?<!-- /aiprivlint:scan -->", "<scan>", text,
                  flags=re.S)


def test_init_card_dataset_end_to_end(tmp_path):
    repo = _init_repo(tmp_path)
    proc = run_cli("init-card", "dataset", "data", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    card = repo / "data" / "README.md"
    text = card.read_text()
    expected = (CARDS / "expected" / "dataset_card.md").read_text()
    assert _outside_scan_blocks(text) == _outside_scan_blocks(expected)
    # what the scan found, pre-filled (entity and field, never a value)
    assert "| data/customers.csv | email | EMAIL | AIP101 |" in text
    assert "opacus: `opacus.PrivacyEngine.make_private_with_epsilon` at train.py:14" in text
    assert "| data/customers.csv |" in text and "@" not in text.replace("support@", "")
    assert "third-party" in text.lower() or "Third-party" in text
    # the placeholders are gaps until filled
    found = {f["details"]["gap"] for f in _check(repo, "AIP106,AIP107")}
    assert found == {"license", "personal-data", "collection", "maintenance"}
    # a second run never overwrites: it lists what is missing
    again = run_cli("init-card", "dataset", "data", cwd=repo)
    assert again.returncode == 1 and "not overwritten" in again.stderr
    assert "personal-data" in again.stdout and card.read_text() == text
    # filled in, the card passes AIP106 and AIP107
    card.write_text(_fill(text))
    assert _check(repo, "AIP106,AIP107") == []
    done = run_cli("init-card", "dataset", "data", cwd=repo)
    assert done.returncode == 0 and "nothing missing" in done.stderr


def test_init_card_model_end_to_end(tmp_path):
    repo = _init_repo(tmp_path)
    before = _check(repo, "AIP303")
    assert [(f["path"], f["details"]["gap"]) for f in before] == [("publish.py", "missing")]
    (repo / "README.md").write_text("# churn-dp\n\nTrains a churn model.\n")  # a project README
    proc = run_cli("init-card", "model", ".", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "MODEL_CARD.md" in proc.stderr
    card = repo / "MODEL_CARD.md"
    text = card.read_text()
    expected = (CARDS / "expected" / "model_card.md").read_text()
    assert _outside_scan_blocks(text) == _outside_scan_blocks(expected)
    assert "| data/customers.csv | email | EMAIL | AIP101 |" in text
    assert "`upload_folder()` at publish.py:4" in text
    assert "`data/customers.csv` (pandas.read_csv, train.py:7)" in text
    assert (repo / "README.md").read_text().startswith("# churn-dp")  # untouched
    found = {f["details"]["gap"] for f in _check(repo, "AIP303")}
    assert found == {"license", "training-data", "intended-use", "out-of-scope-use", "limitations"}
    card.write_text(_fill(text))
    assert _check(repo, "AIP303") == []


def test_init_card_stdout_and_usage_errors(tmp_path):
    repo = _init_repo(tmp_path)
    proc = run_cli("init-card", "dataset", "data", "--stdout", cwd=repo)
    assert proc.returncode == 0 and proc.stdout.startswith("---\nlicense:")
    assert not (repo / "data" / "README.md").exists()
    missing = run_cli("init-card", "dataset", "nope", cwd=repo)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    (repo / "notes.md").write_text("# notes\n")
    clash = run_cli("init-card", "model", ".", "--output", "notes.md", cwd=repo)
    assert clash.returncode == 2 and "not overwritten" in clash.stderr
    assert (repo / "notes.md").read_text() == "# notes\n"
