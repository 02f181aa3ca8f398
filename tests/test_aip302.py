"""AIP302 personal-data-to-third-party: facts, messages that never hold a value, the cross-file
project rule, and the redaction convention. The fire/quiet fixtures run in test_rule_fixtures.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from aiprivlint.config import Config
from aiprivlint.engine import Engine
from aiprivlint.registry import load_rules
from conftest import EMPTY_CONFIG, FIXTURES, run_json

RULES = load_rules()
AIP302 = FIXTURES / "rules" / "AIP302"


def _run(tmp_path: Path, files: dict[str, str], select=("AIP302",)):
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    engine = Engine(Config(root=tmp_path), RULES, frozenset(select), jobs=1, cwd=tmp_path)
    report = engine.run([str(tmp_path)])
    assert report.errors == []
    return report


def test_third_party_api_facts_at_every_call_site(tmp_path):
    report = _run(tmp_path, {"app.py": (
        "import anthropic\nimport requests\nfrom langchain_anthropic import ChatAnthropic\n"
        "claude = anthropic.Anthropic()\nllm = ChatAnthropic(model='claude-3-5-haiku-latest')\n"
        "claude.messages.create(model='m', max_tokens=10, messages=[])\n"
        "llm.invoke('hello')\n"
        "requests.post('https://api.anthropic.com/v1/messages', json={})\n")})
    facts = [(f.line, f.data["provider"], f.data["api"]) for f in report.facts
             if f.kind == "third-party-api"]
    assert facts == [(6, "Anthropic", "claude.messages.create"), (7, "Anthropic", "llm.invoke"),
                     (8, "Anthropic", "requests.post")]
    assert report.findings == []  # nothing personal was sent


def test_constructor_fact_when_the_model_is_used_elsewhere(tmp_path):
    report = _run(tmp_path, {"llms.py": (
        "from langchain_openai import ChatOpenAI\nfrom langchain_ollama import ChatOllama\n"
        "def get_llm(local=False):\n"
        "    return ChatOllama(model='llama3') if local else ChatOpenAI(model='gpt-4o')\n")})
    facts = [f.data for f in report.facts if f.kind == "third-party-api"]
    assert facts == [{"provider": "OpenAI", "api": "ChatOpenAI()", "site": "constructor"}]


def test_pseudonymisation_facts_where_a_sanitiser_is_applied(tmp_path):
    report = _run(tmp_path, {"app.py": (
        "import hashlib\nimport scrubadub\nfrom openai import OpenAI\n"
        "client = OpenAI()\n"
        "def send(row):\n"
        "    uid = hashlib.sha256(row['email'].encode()).hexdigest()\n"
        "    note = scrubadub.clean(row['notes'])\n"
        "    text = redact_contact(row['phone'])\n"
        "    digest = hashlib.md5(open('model.bin', 'rb').read()).hexdigest()\n"
        "    client.chat.completions.create(model='m', messages=[{'role': 'user', "
        "'content': f'{uid} {note} {text} {digest}'}])\n")})
    apis = sorted(f.data["api"] for f in report.facts if f.kind == "pseudonymisation")
    # the checksum of a model file is not pseudonymisation: its input is not personal data
    assert apis == ["hashlib.sha256", "redact_contact()", "scrubadub.clean"]
    assert report.findings == []


def test_messages_name_the_field_never_a_value(tmp_path):
    report = _run(tmp_path, {"app.py": (
        "from openai import OpenAI\nclient = OpenAI()\n"
        "customer = {'email': 'maria.rossi@libero.it', 'phone': '+39 06 6982 1234'}\n"
        "client.chat.completions.create(model='m', messages=[{'role': 'user', "
        "'content': f\"Write to {customer['email']} or call {customer['phone']}\"}])\n")})
    [finding] = report.findings
    text = finding.message + json.dumps(finding.details)
    assert "'email'" in finding.message and "OpenAI" in finding.message
    assert "libero" not in text and "6982" not in text
    assert finding.details["fields"] == ["email", "phone"]
    assert finding.details["categories"] == ["contact"]


def test_special_category_is_critical(tmp_path):
    report = _run(tmp_path, {"app.py": (
        "import litellm\n"
        "def triage(patient):\n"
        "    return litellm.completion(model='claude-3-5-haiku-latest', messages=[{'role': 'user', "
        "'content': 'Diagnosis: ' + patient['diagnosis']}])\n")})
    [finding] = report.findings
    assert finding.severity.label == "critical"
    assert finding.details["provider"] == "Anthropic"  # from the model name
    assert finding.details["special_category"] is True


def test_cross_file_flow_needs_personal_values_in_that_file_and_column(tmp_path):
    shutil.copytree(AIP302 / "fire" / "crm_digest", tmp_path / "crm")
    select = ("--select", "AIP302,AIP101")
    _, doc = run_json("--config", str(EMPTY_CONFIG), *select, "crm", cwd=tmp_path)
    hits = [(f["path"], f["line"]) for f in doc["findings"] if f["rule"] == "AIP302"]
    # the export with e-mail addresses fires; the product catalogue and the 'plan' column do not
    assert hits == [("crm/weekly_digest.py", 10)]
    [f] = [f for f in doc["findings"] if f["rule"] == "AIP302"]
    assert f["details"]["entities"] == ["EMAIL"] and f["details"]["file"] == "crm/data/customers.csv"
    assert "@" not in f["message"]
    # the same code with a customer file that holds no personal values is quiet
    (tmp_path / "crm" / "data" / "customers.csv").write_text(
        "customer_id,contact,plan,notes\n1,account team,pro,ok\n2,account team,basic,ok\n")
    _, doc = run_json("--config", str(EMPTY_CONFIG), *select, "crm", cwd=tmp_path)
    assert doc["findings"] == []


def test_helper_that_sends_its_parameter_is_reported_where_the_data_is_passed(tmp_path):
    report = _run(tmp_path, {"bot.py": (
        "from openai import OpenAI\n"
        "class Bot:\n"
        "    def __init__(self):\n"
        "        self.client = OpenAI()\n"
        "    def ask(self, text):\n"
        "        return self.client.responses.create(model='m', input=text)\n"
        "def main(rows):\n"
        "    bot = Bot()\n"
        "    for row in rows:\n"
        "        bot.ask(row['ticket_text'])\n"
        "        bot.ask('Call ' + row['phone_number'])\n")})
    [finding] = report.findings
    assert finding.line == 11
    assert finding.details["via"] == ["ask"]
    assert "passed to ask()" in finding.message and "line 6" in finding.message


def test_notebook_lines_are_raw_ipynb_lines():
    nb = AIP302 / "fire" / "gemini_discharge_letters.ipynb"
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP302", str(nb))
    [f] = doc["findings"]
    assert "expect: AIP302" in nb.read_text().splitlines()[f["line"] - 1]
    assert f["severity"] == "critical" and f["details"]["cell"] >= 1
