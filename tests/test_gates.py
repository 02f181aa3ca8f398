"""The ast gates that spare a file the libcst parse: each must be a necessary condition of its
rule's findings (test_prefilter.py checks that over every fixture, bench/prefilter_equivalence.py
over real repositories), and here: the cases where a gate is tighter than a text test."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from aiprivlint.checkers import FileContext
from aiprivlint.checkers.python._ast_base import AstRun
from aiprivlint.checkers.python.pii_literals import PiiLiteral, _gate_text
from aiprivlint.checkers.python.serving_exposure import ConfidenceScoresExposed, EmbeddingsExposed
from aiprivlint.pii import may_report, scan_text

from test_pii import IDS


def _summary(code: str, options: dict | None = None):
    ctx = FileContext(path=Path("m.py"), rel="m.py", kinds=frozenset({"python"}),
                      selected=frozenset(), options=options or {})
    run = AstRun(ctx, ast.parse(code), code)
    run.run([])
    return run.summary


# --- AIP104 ----------------------------------------------------------------------------------

NOTHING_VALID = '''"""Release notes.

Version 2.10.3 (2023-10-12), build 20231012.1; see issue #1234567 and commit 8f3e2a1.
Timings: 1024 x 768 at 120.5 fps, seed 424242424, 3.14159265 rad.
"""
SHAPE = (1, 3, 224, 224)
CHECKSUM = "sha256:4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829"
'''


def test_pii_gate_skips_digit_runs_that_validate_as_nothing():
    summary = _summary(NOTHING_VALID)
    assert _gate_text("\x00".join(summary.strings))  # the cheap test alone lets it through
    assert not PiiLiteral.gate(summary)


@pytest.mark.parametrize("code", [
    'NOTE = "Call Jean on +33 6 98 76 54 32 tomorrow"',  # valid on its own
    'bsn = "214035797"',  # counts only through its field
    'x = 1\nPHONE = "030 901820"',  # a national number, for a phone-like field
    # an implicit concatenation: libcst checks each part, ast sees them joined
    'S = ("escalate mail from "\n     "hans.meier@gmx.de")',
    'S = "build 2023" "1012.1"',
    # f-string text: libcst splits and reads it raw
    'f"order 12345678 for {name}"',
    'f"bsn \\214035797 for {name}"',
])
def test_pii_gate_lets_through_what_the_rule_may_report(code):
    assert PiiLiteral.gate(_summary(code, {"default-region": "DE"}))


def test_pii_gate_scans_a_plain_literal_as_the_rule_does():
    """With the field the literal is bound to and the region option: a German national number
    counts in region DE with a context word; without one it counts only under a phone field."""
    de = {"default-region": "DE"}
    assert PiiLiteral.gate(_summary('y = "Tel.: 030 901820"', de))
    assert PiiLiteral.gate(_summary('phone = "030 901820"', de))
    assert PiiLiteral.gate(_summary('f(phone="030 901820")', de))
    assert PiiLiteral.gate(_summary('d = {"phone": ["030 901820"]}', de))
    assert not PiiLiteral.gate(_summary('x = "Ruf an: 030 901820"', de))
    assert not PiiLiteral.gate(_summary('x = "Tel.: 030 901820"'))  # no region
    assert not PiiLiteral.gate(_summary('limit = os.getenv("MAX_CHUNK", "5242880")'))
    # the metadata names the rule never reports
    assert not PiiLiteral.gate(_summary('__author__ = "Jan Kowalski <jan.kowalski@gmail.com>"'))
    # where ast cannot tell the name libcst binds (d[a, b] or d[(a, b)]): any field
    assert PiiLiteral.gate(_summary('d["phone", 0] = "030 901820"', de))


FIELDS = [None, "phone", "mobile", "telefon", "email", "iban", "card_number", "ip", "ssn",
          *sorted({field for field, _ in IDS.values()})]


def _texts() -> list[str]:
    out = [v for _, values in IDS.values() for v in values]
    out += [f"id {v} on file" for v in out[::3]]
    out += ["+49 151 23456789", "030 901820", "06 12345678", "020 7946 0958", "(0)20 7946 0958",
            "marta.nowak@gmail.com", "81.2.69.142", "2001:4860:4860::8888",
            "DE44 5001 0517 5407 3249 31", "4111 1111 1111 1111", "5500-0000-0000-0004",
            "214035797", "1.8.1.0", "2023-10-12", "e3b0c44298fc1c149afbf4c8996fb924", "123456789"]
    return out


@pytest.mark.parametrize("region", [None, "DE", "NL", "US", "GB"])
def test_may_report_is_necessary_for_every_field(region):
    for text in _texts():
        for field in FIELDS:
            if scan_text(text, region=region, field=field):
                assert may_report(text, region=region), (text, field, region)


def test_may_report_is_tight_on_values_that_are_nothing():
    for text in ("1.8.1.0", "2023-10-12 12:00:00", "build 20231012.1", "424242424242 steps"):
        assert not may_report(text), text


# --- AIP401 / AIP402 -------------------------------------------------------------------------

@pytest.mark.parametrize("code", [
    "import ray\nray.init()\nts = time.time()\nprobs = model(x).softmax(-1)",
    "bottleneck = 3  # flask of coffee: only words in comments and strings\nx = 'fastapi'",
    "from mlflow import log_metric\nlog_metric('p', probs)",
])
def test_serving_gate_skips_files_without_a_serving_package(code):
    summary = _summary(code)
    assert not ConfidenceScoresExposed.gate(summary)
    assert not EmbeddingsExposed.gate(summary)


@pytest.mark.parametrize("code", [
    "from ray import serve",
    "import ray\n@ray.serve.deployment\nclass D: ...",
    "from ts.torch_handler.base_handler import BaseHandler",
    "import mlflow\nclass M(mlflow.pyfunc.PythonModel): ...",
    "from ninja_extra import api_controller",
    "class V(ninja.Schema): ...",
    "import streamlit as st",
    "from fastapi import FastAPI",
    "import triton_python_backend_utils as pb_utils",
])
def test_serving_gate_lets_through_every_handler_kind(code):
    assert ConfidenceScoresExposed.gate(_summary(code))


# --- AIP302 ----------------------------------------------------------------------------------

HOST_SAMPLES = ["https://api.openai.com/v1", "https://my.openai.azure.com/", "https://api.anthropic.com",
                "https://generativelanguage.googleapis.com", "https://us-aiplatform.googleapis.com",
                "https://api.cohere.ai/v1", "https://api.cohere.com/v2", "https://api.mistral.ai",
                "https://api-inference.huggingface.co/models/x", "https://router.huggingface.co",
                "https://x.endpoints.huggingface.cloud", "https://api.groq.com/openai",
                "https://api.together.xyz/v1", "https://api.together.ai/v1", "https://api.fireworks.ai",
                "https://api.deepseek.com", "https://openrouter.ai/api/v1", "https://api.replicate.com",
                "https://api.perplexity.ai", "https://api.x.ai/v1",
                "https://bedrock-runtime.us-east-1.amazonaws.com"]


def test_third_party_gate_covers_every_provider_host():
    """A plain-HTTP call is recognised by its host (HOSTS); the gate must let every such module
    through (the text prefilter once missed api.together.xyz, api.groq.com and others)."""
    from aiprivlint.checkers.python.third_party import HOSTS, PersonalDataToThirdParty

    for pattern, _provider in HOSTS:
        assert any(pattern.search(url) for url in HOST_SAMPLES), pattern.pattern
    for url in HOST_SAMPLES:
        assert any(pattern.search(url) for pattern, _ in HOSTS), url
        code = f"import requests\nrequests.post({url!r}, json=row)\n"
        assert PersonalDataToThirdParty.gate(_summary(code)), url
    assert not PersonalDataToThirdParty.gate(_summary("import requests\nrequests.get('https://x.org')\n"))


# --- rules that ignore test code -------------------------------------------------------------

def test_rules_that_ignore_test_code_are_not_run_on_it():
    """TrainingFacts (AIP201), AIP202, and the AIP106/AIP303 facts record nothing in test code
    (AIP202 and AIP201 unless test-code = "check"): a test file skips them before any parse."""
    from aiprivlint.checkers.python import PythonChecker, _skips_test, all_code_rules
    from aiprivlint.checkers.python._flow_rule import all_flow_rules

    chk = PythonChecker(all_code_rules())
    flow = all_flow_rules()
    code = ("import torch\nfrom opacus import PrivacyEngine\nfrom datasets import load_dataset\n"
            "ds = load_dataset('csv', data_files='x.csv')\n"
            "for x in ds:\n    optimizer.step()\nmodel.push_to_hub('me/m')\n")
    selected = frozenset({"AIP106", "AIP201", "AIP202", "AIP303"})

    def ids(path, test_code):
        options = {"test-code": test_code}
        return {r.rule_id for r in chk.applicable(code, selected, True, options, path)} | {
            r.rule_id for r in flow if r.rule_id in selected and not _skips_test(r, path, options)}

    assert ids("train.py", "skip") == selected
    assert ids("tests/test_train.py", "skip") == set()
    assert ids("tests/test_train.py", "check") == {"AIP201", "AIP202"}  # publishing: never in tests


# --- AIP504 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, fires", [
    ("from speechbrain.inference.ASR import EncoderDecoderASR\n"
     "asr = EncoderDecoderASR.from_hparams(source='speechbrain/asr-crdnn-rnnlm-librispeech')", False),
    ("import dlib\ndetector = dlib.get_frontal_face_detector()", False),
    ("from deepface import DeepFace as DF\nDF.verify('a.jpg', 'b.jpg')", True),
    ("import speechbrain\nm = speechbrain.inference.SpeakerRecognition.from_hparams(source='s')", True),
    ("import boto3\nboto3.client('rekognition').search_faces(CollectionId='c', FaceId='f')", True),
    ("import dlib\nfacerec.compute_face_descriptor(img, shape)", True),
])
def test_biometric_gate(code, fires):
    from aiprivlint.checkers.python.biometric import BiometricIdentification

    assert BiometricIdentification.gate(_summary(code)) is fires
