"""Issue 12, part B: the file readers never raise out of themselves, stay bounded, and their
errors never quote the file's content.

Property-based tests (Hypothesis) call the real readers in-process on generated files; one CLI
test plants a value inside broken JSON, JSON Lines, CSV, YAML, TOML and notebook files and
checks that no output format repeats it."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiprivlint.notebook import NotebookError, parse_notebook
from aiprivlint.pii import readers
from aiprivlint.pii.columns import ColumnScanner
from aiprivlint.pii.readers import ReadError, read_any, read_csv, read_json
from conftest import EMPTY_CONFIG, run_cli

# a value no error message may repeat (made here, so no source file holds it)
PLANTED = "anna.schmidt" + "@" + "web.de"
SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".txt")
PROPS = settings(max_examples=60, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

_DIR = Path(tempfile.mkdtemp(prefix="aiprivlint-props-"))  # one file rewritten per example


@pytest.fixture(scope="module", autouse=True)
def _remove_dir():
    yield
    shutil.rmtree(_DIR, ignore_errors=True)


def _read(data: bytes, suffix: str, max_rows: int | None = 50):
    """(stats or None, error messages) of the real reader for ``suffix`` on ``data``."""
    path = _DIR / f"input{suffix}"
    path.write_bytes(data)
    try:
        stats = read_any(path, ColumnScanner(), max_rows)
    except ReadError as exc:  # the one clean failure a reader may report
        assert exc.kind in ("parse", "encoding", "too-large", "dependency")
        return None, [str(exc)]
    assert stats.rows >= 0
    if max_rows is not None and stats.rows > max_rows:  # a record may close after the cap
        assert stats.truncated
    return stats, [msg for _, msg in stats.errors]


def _no_content(messages: list[str]) -> None:
    for msg in messages:
        assert PLANTED not in msg and "schmidt" not in msg, msg


@PROPS
@given(st.binary(max_size=2000), st.sampled_from(SUFFIXES))
def test_arbitrary_bytes_never_raise_out_of_a_reader(data, suffix):
    _read(data, suffix)


def _pieces(pieces: list[str], max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


JSONISH = _pieces(list('{}[]:," \\\n\tabe0129.-+') + ["true", "null", PLANTED, '\\"', "\\u00e9",
                                                        "é", '"x"', '"email"'], 200)


@PROPS
@given(JSONISH)
def test_jsonish_text_gives_a_result_or_a_clean_error_that_quotes_nothing(text):
    for suffix in (".json", ".jsonl"):
        _, messages = _read(text.encode("utf-8"), suffix)
        _no_content(messages)


CELL = _pieces(list('ab1 ,;\t|"\r\n\0') + [PLANTED, '""'], 12)


@PROPS
@given(st.lists(st.lists(CELL, max_size=6), max_size=30), st.sampled_from([",", ";", "\t", "|"]))
def test_csvish_text_gives_a_result_or_a_clean_error_that_quotes_nothing(rows, delim):
    text = "\n".join(delim.join(r) for r in rows)
    for suffix in (".csv", ".tsv", ".txt"):
        _, messages = _read(text.encode("utf-8"), suffix)
        _no_content(messages)


def _nested(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30) | st.just(PLANTED) | st.just("\\" * 3 + '"'), _nested, max_leaves=40)


@PROPS
@given(st.lists(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4), max_size=20),
       st.sampled_from([None, 2]), st.booleans())
def test_valid_json_reads_the_same_whatever_the_chunking(records, indent, ascii_only):
    """Every valid document is read without error, one row per record, and the result does
    not depend on where the 1 MiB chunks (here: 1 or 7 characters) and the string scanner's
    windows cut the text: strings, escapes and tokens split anywhere are read whole."""
    path = _DIR / "doc.json"
    path.write_text(json.dumps(records, indent=indent, ensure_ascii=ascii_only), encoding="utf-8")

    def run():
        scanner = ColumnScanner()
        stats = read_json(path, scanner, None)
        return (stats.rows, stats.errors, sorted(scanner.field_names(), key=repr),
                [(m.field, m.entity, m.matches) for m in scanner.results()])

    whole = run()
    assert whole[0] == len(records) and whole[1] == []
    chunk, window = readers.CHUNK, readers._WINDOW
    try:
        for readers.CHUNK, readers._WINDOW in ((1, 2), (7, 3)):
            assert run() == whole
    finally:
        readers.CHUNK, readers._WINDOW = chunk, window


@PROPS
@given(st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=10))
def test_max_rows_bounds_what_is_read(n, max_rows):
    rows = "".join(f"r{i},{i}\n" for i in range(n))
    path = _DIR / "rows.csv"
    path.write_text("name,value\n" + rows)
    stats = read_csv(path, ColumnScanner(), max_rows)
    assert stats.rows == min(n, max_rows)
    assert stats.truncated == (n > max_rows)


@PROPS
@given(JSONISH)
def test_notebook_json_gives_cells_or_a_clean_error_that_quotes_nothing(text):
    try:
        parse_notebook('{"cells": [' + text + "]}")
    except NotebookError as exc:
        _no_content([str(exc)])
    except RecursionError:
        pytest.fail("the notebook reader recursed")


def test_no_output_repeats_a_value_planted_in_a_broken_file(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    v = PLANTED
    (data / "broken.json").write_text(f'[{{"a": 1}}, {{"b": {v}}}]\n')
    (data / "broken_string.json").write_text(f'[{{"b": "{v}\n"}}]\n')
    (data / "broken.jsonl").write_text(f'{{"a": "x"}}\n{{"b": {v}}}\n')
    (data / "broken.csv").write_bytes(f'name,email\n"bob",{v}\n"x\0y",{v}\n'.encode())
    (tmp_path / "config.yaml").write_text(f"key: [{v}\n  - : {{")
    (tmp_path / "pyproject.toml").write_text(  # a Flower config: the TOML is parsed
        f'[tool.flwr.app.config]\nx = {{"{v}" = 1, "{v}" = 2}}\n')
    nb = {"cells": [{"cell_type": "code", "source": ["x = 1"], "metadata": {}}], "nbformat": 4}
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb).replace('"x = 1"', v))
    outputs, stdout = {}, {}
    for fmt in ("json", "text"):  # JSON, SARIF beside it, and text (errors on stderr)
        extra = ("--sarif-output", str(tmp_path / "out.sarif")) if fmt == "json" else ()
        proc = run_cli("check", "--format", fmt, *extra, "--config", str(EMPTY_CONFIG), ".",
                       cwd=tmp_path)
        assert proc.returncode in (0, 1), proc.stderr
        outputs[fmt], stdout[fmt] = proc.stdout + proc.stderr, proc.stdout
    outputs["sarif"] = (tmp_path / "out.sarif").read_text()
    assert "invalid TOML" in outputs["sarif"]  # the errors are in the SARIF too
    for fmt, out in outputs.items():
        assert v not in out and "schmidt" not in out, fmt
    errors = {e["path"]: e["message"] for e in json.loads(stdout["json"])["errors"]}
    # the broken files were reported, by kind and place
    assert errors["nb.ipynb"] == "not a valid notebook: bad JSON value at line 1, column 45"
    assert errors["pyproject.toml"] == "invalid TOML at line 2, column 58"
    assert errors["data/broken.json"] == "not valid JSON at line 1"
    assert errors["data/broken_string.json"] == "not valid JSON at line 1"
