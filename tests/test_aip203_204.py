"""AIP203 model-io-logged and AIP204 content-capturing-telemetry: severities, details and the
cases the fixture harness cannot express (paths outside tests/, notebook magics, hide settings)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES
from aiprivlint.config import Config
from aiprivlint.engine import Engine
from aiprivlint.registry import load_rules

RULES = load_rules()


def scan(root: Path, rule: str) -> list:
    engine = Engine(Config(root=root), RULES, frozenset({rule}), jobs=1, cwd=root)
    report = engine.run([str(root)])
    assert report.errors == []
    return sorted((f for f in report.findings if f.rule == rule), key=lambda f: (f.path, f.line))


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def notebook(*cells: list[str]) -> str:
    return json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                   "outputs": [], "source": src} for i, src in enumerate(cells)],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# --- AIP203 --------------------------------------------------------------------------------

def test_aip203_logger_in_serving_code_is_high_and_print_is_low(tmp_path):
    shutil.copy(FIXTURES / "rules/AIP203/fire/chat_service.py", tmp_path / "service.py")
    write(tmp_path, "cli.py", "import anthropic\nc = anthropic.Anthropic()\n"
          "m = c.messages.create(model='x', max_tokens=5, messages=[])\nprint(m.content[0].text)\n")
    found = scan(tmp_path, "AIP203")
    by_file = {}
    for f in found:
        by_file.setdefault(f.path, set()).add(f.severity.label)
    assert by_file["service.py"] == {"high"}
    assert by_file["cli.py"] == {"low"}


def test_aip203_details_name_sink_and_source_without_the_content(tmp_path):
    write(tmp_path, "app.py",
          "import logging\nfrom openai import OpenAI\nclient = OpenAI()\n"
          "r = client.chat.completions.create(model='m', messages=[{'role': 'user', "
          "'content': 'my IBAN is DE89370400440532013000'}])\n"
          "logging.info('answer %s', r.choices[0].message.content)\n")
    (f,) = scan(tmp_path, "AIP203")
    assert f.details["sink"] == "logging"
    assert f.details["source"] == "model output"
    assert f.details["source_origin"] == "client.chat.completions.create()"
    assert f.details["source_resolution"] == "call"
    assert "DE89" not in f.message and "DE89" not in json.dumps(f.details)


def test_aip203_decoded_prompt_is_reported_as_prompt_text(tmp_path):
    # diffusers-style: the truncated part of the user's prompt is decoded and logged
    write(tmp_path, "pipe.py",
          "import logging\nfrom transformers import CLIPTokenizer\nlogger = logging.getLogger()\n"
          "class Pipe:\n    def encode(self, prompt):\n"
          "        ids = self.tokenizer(prompt, return_tensors='pt').input_ids\n"
          "        removed = self.tokenizer.batch_decode(ids[:, 77:])\n"
          "        logger.warning(f'truncated: {removed}')\n")
    (f,) = scan(tmp_path, "AIP203")
    assert f.details["source"] == "prompt"
    assert f.details["source_resolution"] == "name"


def test_aip203_tuple_returns_are_tracked_per_element(tmp_path):
    write(tmp_path, "nb.py",
          "import time\nimport anthropic\nclient = anthropic.Anthropic()\n"
          "def call():\n    t0 = time.time()\n"
          "    r = client.messages.create(model='m', max_tokens=5, messages=[])\n"
          "    return r, time.time() - t0\n"
          "resp, elapsed = call()\nprint(f'{elapsed:.2f}s')\nprint(resp.content)\n")
    assert [f.line for f in scan(tmp_path, "AIP203")] == [10]


# --- AIP204 --------------------------------------------------------------------------------

def test_aip204_application_config_is_medium_and_templates_are_low(tmp_path):
    write(tmp_path, "deploy/.env", "LANGSMITH_TRACING=true\n")
    write(tmp_path, "deploy/.env.example", "LANGSMITH_TRACING=true\n")
    write(tmp_path, "app/main.py", "import mlflow\nmlflow.openai.autolog()\n")
    found = {f.path: f for f in scan(tmp_path, "AIP204")}
    assert found["deploy/.env"].severity.label == "medium"
    assert found["deploy/.env.example"].severity.label == "low"
    assert found["deploy/.env.example"].details["template"] is True
    assert found["app/main.py"].severity.label == "medium"


def test_aip204_one_hidden_side_reports_the_other(tmp_path):
    write(tmp_path, "svc.env", "LANGCHAIN_TRACING_V2=true\nLANGCHAIN_HIDE_INPUTS=true\n")
    (f,) = scan(tmp_path, "AIP204")
    assert f.details["captures"] == ["outputs"]
    assert "LANGSMITH_HIDE_OUTPUTS" in f.message


def test_aip204_hide_settings_in_notebook_magics_and_code_count(tmp_path):
    write(tmp_path, "a.ipynb", notebook(
        ["%env LANGCHAIN_TRACING_V2=true\n", "%env LANGSMITH_HIDE_INPUTS=true\n"],
        ["import os\n", "os.environ['LANGSMITH_HIDE_OUTPUTS'] = 'true'\n"]))
    write(tmp_path, "b.ipynb", notebook(
        ["import os\n", "os.environ['LANGSMITH_TRACING'] = 'true'\n"],
        ["%env LANGSMITH_HIDE_INPUTS=true\n", "%env LANGSMITH_HIDE_OUTPUTS=true\n"]))
    assert scan(tmp_path, "AIP204") == []


def test_aip204_markdown_mentioning_hide_does_not_count(tmp_path):
    nb = json.loads(notebook(["%env LANGCHAIN_TRACING_V2=true\n"]))
    nb["cells"].insert(0, {"cell_type": "markdown", "id": "m", "metadata": {},
                           "source": ["Set LANGSMITH_HIDE_INPUTS=true and LANGSMITH_HIDE_OUTPUTS=true "
                                      "in production.\n"]})
    write(tmp_path, "demo.ipynb", json.dumps(nb))
    (f,) = scan(tmp_path, "AIP204")
    assert f.severity.label == "low" and f.details["captures"] == ["inputs", "outputs"]


def test_aip204_unrelated_names_stay_quiet(tmp_path):
    write(tmp_path, "x.py",
          "import logging\nlogging.debug = True\nclass A:\n    set_verbose = True\n"
          "def set_debug(v): ...\nset_debug(True)\n"
          "db = object()\ndb.store(x, store=True)\n")
    write(tmp_path, "values.yaml", "set_verbose: true\nverbose_tracing: true\n")
    assert scan(tmp_path, "AIP204") == []
