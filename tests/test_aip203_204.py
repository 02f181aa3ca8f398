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
    """Every finding of ``rule``, low confidence included."""
    cfg = Config(root=root, options={"min-confidence": "low"})
    engine = Engine(cfg, RULES, frozenset({rule}), jobs=1, cwd=root)
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

def test_aip203_severity_follows_the_sink_and_where_the_code_runs(tmp_path):
    # a logger in web-serving code is high; print() is display in a command-line script (the
    # person who runs it sees it: quiet) and counts, low, in a module of a package
    shutil.copy(FIXTURES / "rules/AIP203/fire/chat_service.py", tmp_path / "service.py")
    call = ("import anthropic\nc = anthropic.Anthropic()\n"
            "def ask(q):\n    m = c.messages.create(model='x', max_tokens=5, messages=[{'role': "
            "'user', 'content': q}])\n    print(m.content[0].text)\n    return m\n")
    write(tmp_path, "cli.py", call + "ask(input('> '))\n")
    write(tmp_path, "botlib/__init__.py", "")
    write(tmp_path, "botlib/chat.py", call.replace("def ask(q)", "def ask(prompt)")
          .replace("'content': q", "'content': prompt"))
    found = scan(tmp_path, "AIP203")
    by_file = {}
    for f in found:
        by_file.setdefault(f.path, set()).add(f.severity.label)
    assert by_file["service.py"] == {"high"}
    assert "cli.py" not in by_file
    assert by_file["botlib/chat.py"] == {"low"}


def test_aip203_details_name_sink_and_source_without_the_content(tmp_path):
    write(tmp_path, "app.py",
          "import logging\nfrom openai import OpenAI\nclient = OpenAI()\n"
          "question = input('Your question: ')\n"
          "r = client.chat.completions.create(model='m', messages=[{'role': 'user', "
          "'content': 'my IBAN is DE89370400440532013000. ' + question}])\n"
          "logging.info('answer %s', r.choices[0].message.content)\n")
    (f,) = scan(tmp_path, "AIP203")
    assert f.details["sink"] == "logging"
    assert f.details["source"] == "model output"
    assert f.details["source_origin"] == "client.chat.completions.create()"
    assert f.details["source_resolution"] == "call"
    assert "DE89" not in f.message and "DE89" not in json.dumps(f.details)


def test_aip203_demo_output_of_a_literal_prompt_is_not_user_data(tmp_path):
    write(tmp_path, "app.py",
          "import logging\nfrom openai import OpenAI\nclient = OpenAI()\n"
          "r = client.chat.completions.create(model='m', messages=[{'role': 'user', "
          "'content': 'Write a haiku about autumn'}])\n"
          "logging.info('answer %s', r.choices[0].message.content)\n")
    assert scan(tmp_path, "AIP203") == []


def test_aip203_decoded_prompt_is_reported_as_prompt_text(tmp_path):
    # diffusers-style library code: the truncated part of the user's prompt is decoded and logged
    write(tmp_path, "pipes/__init__.py", "")
    write(tmp_path, "pipes/pipe.py",
          "import logging\nfrom transformers import CLIPTokenizer\nlogger = logging.getLogger()\n"
          "class Pipe:\n    def encode(self, prompt):\n"
          "        ids = self.tokenizer(prompt, return_tensors='pt').input_ids\n"
          "        removed = self.tokenizer.batch_decode(ids[:, 77:])\n"
          "        logger.warning(f'truncated: {removed}')\n")
    (f,) = scan(tmp_path, "AIP203")
    assert f.confidence == "low"  # nothing here serves requests: a diagnostic for the caller
    assert f.details["source"] == "prompt"
    assert f.details["source_resolution"] == "name"


def test_aip203_tuple_returns_are_tracked_per_element(tmp_path):
    write(tmp_path, "nb.py",
          "import logging, time\nimport anthropic\nclient = anthropic.Anthropic()\n"
          "def call(q):\n    t0 = time.time()\n"
          "    r = client.messages.create(model='m', max_tokens=5, messages=[{'role': 'user', "
          "'content': q}])\n"
          "    return r, time.time() - t0\n"
          "resp, elapsed = call(input())\nlogging.info(f'{elapsed:.2f}s')\n"
          "logging.info(resp.content)\n")
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


# --- confidence ----------------------------------------------------------------------------

ENCODER = FIXTURES / "rules" / "AIP203" / "fire" / "prompt_lib"


def test_aip203_low_confidence_is_hidden_by_default_counted_and_shown_on_request(tmp_path):
    from conftest import run_cli

    shutil.copytree(ENCODER, tmp_path / "lib")
    proc = run_cli("check", "lib", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # nothing shown: the gate passes
    assert "2 of low confidence not shown (--min-confidence low shows them)" in proc.stdout
    proc = run_cli("check", "--format", "json", "lib", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert doc["findings"] == [] and doc["summary"]["low_confidence"] == 2
    proc = run_cli("check", "--format", "json", "--min-confidence", "low", "lib", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    found = json.loads(proc.stdout)["findings"]
    assert [(f["line"], f["confidence"]) for f in found] == [(16, "low"), (17, "low")]
    assert "(low confidence: logged at DEBUG level" in found[1]["message"]
    assert "nothing in this project serves requests" in found[0]["message"]
    # the config says the same as the flag; a bad value is a configuration error (exit 2)
    (tmp_path / "lib" / ".aiprivlint.toml").write_text('min-confidence = "low"\n')
    assert run_cli("check", "lib", cwd=tmp_path).returncode == 1
    (tmp_path / "lib" / ".aiprivlint.toml").write_text('min-confidence = "sure"\n')
    proc = run_cli("check", "lib", cwd=tmp_path)
    assert proc.returncode == 2 and "min-confidence" in proc.stderr


def test_aip203_a_route_in_the_project_makes_the_library_warning_medium(tmp_path):
    shutil.copytree(ENCODER, tmp_path / "lib")
    write(tmp_path, "lib/prompt_lib/api.py",
          "from fastapi import FastAPI\nfrom .encode import encode_prompt\napp = FastAPI()\n\n"
          "@app.post('/images')\ndef images(prompt: str):\n    return str(encode_prompt(prompt))\n")
    found = scan(tmp_path / "lib", "AIP203")
    assert [(f.line, f.confidence) for f in found] == [(16, "medium"), (17, "low")]  # DEBUG: low


# --- AIP204's settings reader: only lines that hold a key are read ----------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from aiprivlint.checkers import telemetry_config as _tc  # noqa: E402


def _settings_line_by_line(text: str, yaml: bool):
    """The reading settings_in_text skips to: every line, each pattern."""
    out = []
    lines = text.splitlines()
    litellm = yaml and "litellm_settings" in text
    for n, line in enumerate(lines, start=1):
        if _tc._COMMENT_RE.match(line):
            continue
        for m in _tc._ENV_SETTING_RE.finditer(line):
            out.append((n, m.start(1) + 1, m.group(1), m.group(3)))
        k8s = _tc._K8S_NAME_RE.match(line)
        if k8s:
            for follow in lines[n:n + 3]:
                vm = _tc._K8S_VALUE_RE.match(follow)
                if vm:
                    out.append((n, k8s.start(1) + 1, k8s.group(1), vm.group(2)))
                    break
        if yaml:
            ym = _tc._YAML_SETTING_RE.match(line)
            if ym and (ym.group(1) != "set_verbose" or litellm):
                out.append((n, ym.start(1) + 1, ym.group(1), ym.group(3)))
    return out


_PIECES = st.sampled_from([*_tc.ENV_KEYS, *_tc.YAML_KEYS, "litellm_settings:", "- name: ",
                           "value: ", "=", ": ", "'true'", "true", "1", "# ", "  ", "x",
                           "\n", "\r\n", "\r", "\x0c", "\u2028", "\x85"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40), st.booleans())
def test_settings_reader_equals_the_line_by_line_reading(pieces, yaml):
    text = "".join(pieces)
    assert _tc.settings_in_text(text, yaml) == _settings_line_by_line(text, yaml)
