"""Notebooks: valid IPython parses (the rest of a cell is still analysed), and every output format
says the cell and the line within it beside the raw ``.ipynb`` line (issue 12)."""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, EMPTY_CONFIG, run_cli

LOAD = "obj = pickle.load(open('m.pkl', 'rb'))"  # AIP502 on every cell's last line

# (cell source lines); each cell ends with LOAD, which must be found on its line of the cell
CELLS = [
    ["import pickle", "!pip install \\", "    transformers \\", "    datasets", LOAD],
    ["%matplotlib inline", "files = !ls", "a, b = %sx echo 1 2", "for f in files:",
     "    !echo {f}", "x = (1", "     % 2)", LOAD],
    ["pickle?", "??pickle.load", "%timeit?", "get_ipython().system('ls')",
     "get_ipython().run_line_magic('matplotlib', 'inline')", LOAD],
    ["%%time", "s = '''", "!not a shell escape inside a string", "'''", LOAD],
    ["if True:", "    %time y = 1", "    z = 2", LOAD],
]


def write_notebook(path: Path, cells: list[list[str]], markdown_first: bool = True) -> Path:
    nb_cells = []
    if markdown_first:  # cells count from 1 and every cell counts, markdown too
        nb_cells.append({"cell_type": "markdown", "metadata": {}, "source": ["# A notebook\n"]})
    for src in cells:
        nb_cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                         "source": [line + "\n" for line in src[:-1]] + [src[-1]]})
    doc = {"cells": nb_cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return path


def raw_lines_of(path: Path, needle: str) -> list[int]:
    return [n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line]


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb")
    nb = write_notebook(root / "analysis.ipynb", CELLS)
    (root / "m.py").write_text("import pickle\n" + LOAD + "\n")  # not a notebook: no cell
    # the raw line of each cell's LOAD and its (cell number, line in cell)
    expected = {(raw, k + 2, len(src)) for k, (raw, src) in
                enumerate(zip(raw_lines_of(nb, "pickle.load(open"), CELLS))}
    assert len(expected) == len(CELLS)
    return root, nb, expected


def _check(root: Path, *args: str):
    return run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP502", *args, ".",
                   cwd=root)


def test_ipython_syntax_parses_and_the_rest_of_each_cell_is_analysed(notebook):
    root, nb, expected = notebook
    proc = _check(root, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["errors"] == [], doc["errors"]  # no cell dropped as "does not parse"
    got = {(f["line"], f["notebook"]["cell"], f["notebook"]["line"]) for f in doc["findings"]
           if f["path"] == "analysis.ipynb"}
    assert got == expected
    plain = [f for f in doc["findings"] if f["path"] == "m.py"]
    assert [(f["line"], f["notebook"]) for f in plain] == [(2, None)]


@pytest.mark.parametrize("rule,cell", [
    ("AIP502", LOAD),  # a rule on Python's ast
    ("AIP104", "contact = 'maria.kowalska@gmail.com'"),  # a rule on libcst's tree
])
def test_a_cell_that_does_not_parse_is_left_out_and_the_others_are_analysed(tmp_path, rule, cell):
    nb = write_notebook(tmp_path / "broken.ipynb", [
        ["import pickle"],
        ["def f(:", "    pass"],  # a syntax error of its own
        [cell],
    ])
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", rule, "--format", "json",
                   ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(e["path"], e["kind"], e["message"]) for e in doc["errors"]] == [
        ("broken.ipynb", "parse", "notebook cell(s) 3 do not parse as Python; skipped")]
    assert [(f["rule"], f["line"], f["notebook"]["cell"]) for f in doc["findings"]] == [
        (rule, raw_lines_of(nb, cell.split("(")[0].split("=")[0].strip())[0], 4)]
    assert "maria.kowalska" not in proc.stdout + proc.stderr


def test_text_github_and_sarif_name_the_cell_and_its_line(notebook):
    root, nb, expected = notebook
    text = _check(root).stdout
    github = _check(root, "--format", "github", "--sarif-output", str(root / "out.sarif")).stdout
    sarif = json.loads((root / "out.sarif").read_text())
    (root / "out.sarif").unlink()
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(sarif)
    results = [r for r in sarif["runs"][0]["results"] if "logicalLocations" in r["locations"][0]]
    assert len(results) == len(expected) == len(sarif["runs"][0]["results"]) - 1  # m.py: none
    for raw, cell, line in sorted(expected):
        label = f"cell {cell}:{line}"
        assert f"analysis.ipynb:{raw}:" in text and f"[{label}]" in text
        assert any(f"line={raw}," in a and label in a for a in github.splitlines())
        res = next(r for r in results
                   if r["locations"][0]["physicalLocation"]["region"]["startLine"] == raw)
        logical = res["locations"][0]["logicalLocations"][0]
        assert logical["name"] == label and logical["fullyQualifiedName"] == f"analysis.ipynb:{label}"
        assert res["message"]["text"].endswith(f"({label})")
        assert (res["properties"]["notebookCell"], res["properties"]["notebookCellLine"]) == (cell, line)


def test_the_audit_names_the_cell_and_its_line(notebook, tmp_path):
    root, nb, expected = notebook
    for out in ("audit.md", "audit.html"):
        proc = run_cli("audit", "--config", str(EMPTY_CONFIG), ".", "--out", str(tmp_path / out),
                       cwd=root)
        assert proc.returncode in (0, 1), proc.stderr
        body = (tmp_path / out).read_text()
        for raw, cell, line in expected:
            assert f"analysis.ipynb:{raw} (cell {cell}:{line})" in body, out
        assert "m.py:2 (cell" not in body and "m.py:2" in body


def test_a_stored_output_is_named_as_the_cells_output(tmp_path):
    nb = write_notebook(tmp_path / "out.ipynb", [["print(rows)"]], markdown_first=False)
    doc = json.loads(nb.read_text())
    mail = "anna.schmidt" + "@" + "web.de"
    doc["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                   "text": [f"{n} {mail.replace('anna', f'anna{n}')}\n"
                                            for n in range(5)]}]
    nb.write_text(json.dumps(doc, indent=1))
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP103", "--format", "json",
                   "--sarif-output", str(tmp_path / "out.sarif"), ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    f = json.loads(proc.stdout)["findings"][0]
    assert f["notebook"] == {"cell": 1, "output": True}
    assert "Stored output of cell 1 " in f["message"]
    sarif = (tmp_path / "out.sarif").read_text()
    result = json.loads(sarif)["runs"][0]["results"][0]
    assert result["locations"][0]["logicalLocations"][0]["name"] == "cell 1 output"
    assert result["properties"]["notebookCellLine"] == 0
    assert mail not in proc.stdout and mail not in sarif



def _flat(v, out):
    if isinstance(v, str):
        out.append((str(v), v.line, v.column, v.shifts))
    elif isinstance(v, dict):
        for k, x in v.items():
            out.append(("key", k))
            _flat(x, out)
    elif isinstance(v, list):
        for x in v:
            _flat(x, out)
    else:
        out.append(repr(v))
    return out


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(alphabet='ab"\\\n\t/é€😀\u2028', max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(alphabet='k"\\é', max_size=3), inner, max_size=4),
                    max_leaves=20),
       st.sampled_from([None, 1, 2]), st.booleans())
def test_string_positions_of_the_c_decoder_equal_those_of_the_token_scanner(doc, indent, dup):
    """``loads_with_lines`` decodes with ``json.loads`` and places strings by one regex pass;
    the token-by-token scanner is the reference. Duplicate keys (which ``json.loads`` merges)
    fall back to it."""
    from aiprivlint.notebook import _scan_with_lines, loads_with_lines

    text = json.dumps({"cells": doc}, indent=indent, ensure_ascii=False)
    if dup:
        text = text[:-1] + ', "cells": "again"}'
    assert _flat(loads_with_lines(text), []) == _flat(_scan_with_lines(text), [])


# --- binary payloads -----------------------------------------------------------------------------

def _payload_notebook(path: Path, secret: str, mail: str) -> Path:
    """A notebook whose binary payloads share lines with what checks report: an image output,
    audio and a PDF, inline images in Markdown, in an HTML output and in a code string."""
    png = "iVBORw0KGgoAAAANSUhEUgAA" + "QmFzZTY0" * 500
    uri = f"data:image/png;base64,{png}"
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": [f"![plot]({uri}) key {secret}\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {},
         "source": ["import pickle\n",
                    f"icon = \"{uri}\"; model = pickle.load(open('m.pkl', 'rb'))\n", "model"],
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"image/png": png + "\n", "audio/wav": png, "application/pdf": png,
                               "text/plain": ["<Figure>"],
                               "text/html": [f"<img src=\"{uri}\"/> " + " ".join(
                                   mail.replace("anna", f"anna{n}") for n in range(5))]}}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    return path


def test_a_notebook_without_its_payloads_has_the_same_cells_lines_and_columns(tmp_path):
    from aiprivlint.notebook import parse_notebook, raw_column, without_payloads

    raw = _payload_notebook(tmp_path / "nb.ipynb", "s3cr3t", "anna@web.de").read_text()
    stripped = without_payloads(raw)
    assert len(stripped) < len(raw) // 5
    assert stripped.count("\n") == raw.count("\n")
    json.loads(stripped)

    def view(cells, drop=lambda t: t):
        return [(c.cell_type, [(drop(sl.text), sl.raw_line) for sl in c.source],
                 [(o.mime, [(drop(sl.text), sl.raw_line) for sl in o.lines]) for o in c.outputs])
                for c in cells]

    # the same cells, lines, code and text outputs; only the data URIs' base64 is gone
    dropped = view(parse_notebook(raw), lambda t: re.sub(r"(;base64,)[A-Za-z0-9+/=]+", r"\1", t))
    assert view(parse_notebook(stripped)) == dropped
    assert [o for c in dropped for o in c[2]][0][0] == "text/html"  # images were never read
    # every character of a stripped line is the character its raw column holds
    for raw_line, line in zip(raw.splitlines(), stripped.splitlines()):
        for col in range(1, len(line) + 1):
            assert raw_line[raw_column(raw_line, col) - 1] == line[col - 1]


def test_findings_after_a_payload_on_its_line_are_at_their_raw_column(tmp_path):
    """Checks read a notebook without its payloads; what they report on a line that held one
    is where the raw file has it: a key in Markdown after an inline image, a pickle load after
    an image in a code string, personal data in an HTML output after an image."""
    rnd = random.Random(8)
    secret = "hf" + "_" + "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(34))
    mail = "anna.schmidt" + "@" + "web.de"
    nb = _payload_notebook(tmp_path / "nb.ipynb", secret, mail)
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP105,AIP502,AIP103",
                   "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    found = {f["rule"]: f for f in json.loads(proc.stdout)["findings"]}
    assert set(found) == {"AIP105", "AIP502", "AIP103"}, proc.stdout
    lines = nb.read_text().splitlines()
    at = {rule: lines[f["line"] - 1][f["column"] - 1:] for rule, f in found.items()}
    assert at["AIP105"].startswith("hf_"), at["AIP105"][:40]
    assert at["AIP502"].startswith("pickle.load"), at["AIP502"][:40]
    assert at["AIP103"].startswith("anna0."), at["AIP103"][:40]  # the first value shown
    assert found["AIP105"]["end_column"] - found["AIP105"]["column"] == len(secret)
    assert "QmFzZTY0" not in proc.stdout and mail not in proc.stdout


def test_a_line_separator_in_a_string_does_not_move_the_lines_after_it(tmp_path):
    """JSON allows U+2028 unescaped in a string, and ``str.splitlines`` splits there; the
    notebook's lines are counted at newlines, so a column put back after a payload is put back
    on the line the finding is on."""
    rnd = random.Random(8)
    secret = "hf" + "_" + "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(34))
    png = "iVBORw0KGgoAAAANSUhEUgAA" + "QmFzZTY0" * 200
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["Intro\u2028continued\n"]},
        {"cell_type": "markdown", "metadata": {},
         "source": [f"![plot](data:image/png;base64,{png}) key {secret}\n"]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP105", "--format",
                   "json", ".", cwd=tmp_path)
    (f,) = json.loads(proc.stdout)["findings"]
    line = path.read_text(encoding="utf-8").split("\n")[f["line"] - 1]
    assert line[f["column"] - 1:].startswith("hf_"), line[f["column"] - 1:][:40]


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_a_finding_after_escaped_characters_is_at_its_raw_column(tmp_path, ensure_ascii):
    """A code line's JSON string has escapes (quotes, a tab, non-ASCII letters written as
    \\u escapes, a character outside the BMP as a surrogate pair): a finding after them is at
    the raw column of its first character."""
    src = ["import pickle\n",
           'name = "Zoë\t😀"; label = "a\\b"; obj = pickle.load(open("m.pkl", "rb"))\n', "obj"]
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                     "source": src}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=ensure_ascii) + "\n", encoding="utf-8")
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP502", "--format", "json",
                   ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    (f,) = json.loads(proc.stdout)["findings"]
    line = path.read_text(encoding="utf-8").splitlines()[f["line"] - 1]
    assert line[f["column"] - 1:].startswith("pickle.load("), line[f["column"] - 1:][:30]
    assert line[f["end_column"] - 2] == ")"
