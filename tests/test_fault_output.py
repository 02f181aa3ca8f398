"""SARIF locations are percent-encoded URI references, checked with the schema's format checker
(issue 12): a path with a space, ``%``, ``[``, ``#``, ``?``, ``:`` or non-ASCII is not a URI."""

from __future__ import annotations

import json
import os
from urllib.parse import unquote

import jsonschema
import pytest

from conftest import DATA, EMPTY_CONFIG, run_cli

NAMES = ["a b.py", "100%.py", "[x].py", "#h.py", "q?.py", "a:b.py", "café.py", "dir with space/ü [2].py"]
LOAD = "import pickle\nobj = pickle.load(open('m.pkl', 'rb'))\n"  # one AIP502 finding


@pytest.fixture(scope="module")
def checker() -> jsonschema.FormatChecker:
    fc = jsonschema.FormatChecker()
    # uri-reference is only checked when rfc3986-validator (or rfc3987) is installed: the test extra
    assert "uri-reference" in fc.checkers, "pip install rfc3986-validator (the test extra)"
    assert not fc.conforms("a b.py", "uri-reference") and fc.conforms("a%20b.py", "uri-reference")
    return fc


def _validate(doc: dict, fc: jsonschema.FormatChecker) -> None:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema, format_checker=fc).validate(doc)


def test_sarif_uris_are_percent_encoded_and_valid_with_the_format_checker(tmp_path, checker):
    for name in NAMES:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(LOAD)
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP502", "--format", "sarif",
                   ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    _validate(doc, checker)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"]]
    assert all(u.isascii() for u in uris)
    assert sorted(unquote(u) for u in uris) == sorted(NAMES)  # decodes back to the path
    assert "a%20b.py" in uris and "100%25.py" in uris and "%5Bx%5D.py" in uris
    assert "%23h.py" in uris and "q%3F.py" in uris and "a%3Ab.py" in uris and "caf%C3%A9.py" in uris


@pytest.mark.skipif(os.name == "nt", reason="file names are bytes only on POSIX")
def test_a_file_name_that_is_not_utf8_is_a_valid_uri_in_a_file_error(tmp_path, checker):
    # an undecodable file with an undecodable name: only an errors entry (a SARIF notification)
    (tmp_path / os.fsdecode(b"caf\xe9 1.py")).write_bytes(b"x = '\xff'\n")
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "sarif", ".", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    _validate(doc, checker)
    notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    uris = [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes]
    assert len(uris) == 1 and uris[0].isascii() and uris[0].startswith("caf%") and "%201.py" in uris[0]
