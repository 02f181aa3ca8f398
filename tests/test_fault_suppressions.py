"""Inline suppressions: mistyped forms, case, prefixes, noqa comments naming AIP codes, warnings for unknown
ids (issue 12, "passing by mistake"), and property tests of the suppression parser."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aiprivlint.registry import CATEGORIES, load_rules
from aiprivlint.suppressions import FileSuppressions, normalise

from conftest import EMPTY_CONFIG, run_cli, run_json

RULES = load_rules()
LOAD = "pickle.loads(blob)"
# built at runtime: written out, they would be suppressions of this very file in the self-check
AIP = "aiprivlint" + ":"
NOQA = "no" + "qa"


def _scan(tmp_path, lines: list[str]) -> dict:
    src = tmp_path / "m.py"
    src.write_text("import pickle\n" + "".join(f"v{i} = {LOAD}{c}\n" for i, c in enumerate(lines)))
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP502", str(src))
    return doc


def test_suppression_forms_the_config_accepts_in_any_case(tmp_path):
    comments = [f"  # {AIP} ignore[aip502]", f"  # {AIP} ignore[AIP5] prefix",
                f"  # {AIP} ignore[Misuse]", f"  # {AIP.upper()} IGNORE[all]",
                f"  # {AIP} ignore[AIP101, aip502]", f"  # {AIP} ignore[AIP101 AIP502]"]
    doc = _scan(tmp_path, comments)
    assert doc["findings"] == []
    assert doc["summary"]["suppressed"] == len(comments)
    # AIP101 did not run on a .py file: no unused warning can be told for it
    assert doc["warnings"] == []


def test_mistyped_ids_suppress_nothing_and_warn_with_file_and_line(tmp_path):
    doc = _scan(tmp_path, [f"  # {AIP} ignore[AIP52]", f"  # {AIP} ignore[AIP502",
                           f"  # {AIP} ignore[AIP502; pickle]"])
    # the unclosed bracket still names AIP502; the ids after a ';' are read, not a blanket
    assert [f["line"] for f in doc["findings"]] == [2]
    messages = {(w["line"], w["message"].split(" in suppression")[0]) for w in doc["warnings"]}
    assert messages == {(2, "unknown rule id or category 'AIP52'"),
                        (4, "unknown rule id or category 'pickle'")}
    assert all(w["path"].endswith("m.py") for w in doc["warnings"])
    text = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP502",
                   str(tmp_path / "m.py"), cwd=tmp_path)
    assert text.returncode == 1
    assert "m.py:2: warning: unknown rule id or category 'AIP52'" in text.stdout


def test_noqa_with_aip_codes_suppresses_and_bare_noqa_does_not(tmp_path):
    doc = _scan(tmp_path, [f"  # {NOQA}: AIP502", f"  # {NOQA}: E501, aip502",
                           f"  # {NOQA.upper()}:E501 AIP502 why",
                           f"  # {NOQA}", f"  # {NOQA}: E501", f"  # {NOQA}: S301"])
    assert [f["line"] for f in doc["findings"]] == [5, 6, 7]
    assert doc["summary"]["suppressed"] == 3 and doc["warnings"] == []


def test_noqa_covers_its_own_line_only(tmp_path):
    src = tmp_path / "m.py"
    src.write_text(f"import pickle\n# {NOQA}: AIP502\nv = {LOAD}\n")
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP502", str(src))
    assert [f["line"] for f in doc["findings"]] == [3]


# --- the parser: properties -------------------------------------------------------------------

SELECTORS = sorted(RULES) + list(CATEGORIES) + ["ALL", "AIP1", "AIP50"]


def _random_case(draw_bools, s: str) -> str:
    return "".join(c.upper() if b else c.lower() for c, b in zip(s, draw_bools))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_comment_text_parses_without_error(text):
    supp = FileSuppressions.parse(text)
    for entry in supp.entries:
        assert entry.line >= 1
        entry.rule_ids(RULES)  # expanding never raises either
    supp.warnings(frozenset(RULES), RULES)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aiprvlnt:[]-, AIP0123456789#noqa;ef\n", max_size=120))
def test_directive_like_text_parses_without_error(text):
    for entry in FileSuppressions.parse(text).entries:
        entry.rule_ids(RULES)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SELECTORS), min_size=1, max_size=5),
       st.sampled_from(["ignore", "ignore-file"]), st.sampled_from([", ", ",", " "]))
def test_valid_ids_round_trip(ids, kind, sep):
    (entry,) = FileSuppressions.parse(f"x = 1  # {AIP} {kind}[{sep.join(ids)}] reason\n").entries
    assert entry.ids == tuple(ids)
    assert entry.file_level == (kind == "ignore-file")
    assert entry.rule_ids(RULES) and entry.rule_ids(RULES) <= set(RULES)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SELECTORS), min_size=1, max_size=4), st.data())
def test_ids_are_case_insensitive(ids, data):
    mixed = [_random_case(data.draw(st.lists(st.booleans(), min_size=len(i), max_size=len(i))), i)
             for i in ids]
    (a,) = FileSuppressions.parse(f"# {AIP} ignore[{','.join(ids)}]\n").entries
    (b,) = FileSuppressions.parse(f"# {AIP.title()} Ignore[{','.join(mixed)}]\n").entries
    assert a.ids == b.ids == tuple(normalise(i) for i in ids)
    assert a.rule_ids(RULES) == b.rule_ids(RULES)
    assert FileSuppressions([b]).warnings(frozenset(), RULES) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(RULES)), min_size=1, max_size=3),
       st.lists(st.sampled_from(["E501", "F401", "S301", "BLE001", "W291"]), max_size=3),
       st.randoms(use_true_random=False))
def test_noqa_keeps_only_aip_codes(ours, theirs, rnd):
    codes = ours + theirs
    rnd.shuffle(codes)
    (entry,) = FileSuppressions.parse(f"v = 1  # {NOQA}: {', '.join(codes)}\n").entries
    assert sorted(entry.ids) == sorted(ours)
    assert not entry.covers_next and not entry.file_level
    assert FileSuppressions.parse(f"v = 1  # {NOQA}\n").entries == []
    assert FileSuppressions.parse(f"v = 1  # {NOQA}: {', '.join(theirs)}\n").entries == []


def test_a_directive_quoted_as_an_example_is_none():
    """In Python source only a comment holds a directive (a string a test writes to a file does
    not); anywhere, one inside inline code (documentation) does not."""
    py = (f'text = "x = 1  # {AIP} ignore[AIP502]"\n'
          f"y = 2  # {AIP} ignore[AIP105]\n"
          f"z = '#' + 'x'  # {NOQA}: AIP104\n")
    got = [(s.line, s.ids) for s in FileSuppressions.parse(py, python=True).entries]
    assert got == [(2, ("AIP105",)), (3, ("AIP104",))]
    md = f"Suppress with `# {AIP} ignore[AIP502] <why>`.\n<!-- {AIP} ignore[AIP101] -->\n"
    assert [(s.line, s.ids) for s in FileSuppressions.parse(md).entries] == [(2, ("AIP101",))]


def _line_by_line(text: str) -> list:
    """The reference reading: every line searched for directives on its own."""
    from aiprivlint.suppressions import _DIRECTIVE

    return [(n, line, [m.span() for m in ms])
            for n, line in enumerate(text.splitlines(), start=1)
            if (ms := list(_DIRECTIVE.finditer(line)))]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=f"{AIP}{NOQA}[]E5012 ,#`\n\r\x0b\x0c\u2028xİı", max_size=160))
def test_directives_found_where_the_words_are_equal_those_of_a_line_by_line_search(text):
    """The parser tries the regex only where the lower-cased text says aiprivlint or noqa
    (a notebook's base64 lines hold those letters by chance); line breaks of every kind,
    and letters whose lower case is longer, give the same lines and matches."""
    from aiprivlint.suppressions import _directives

    got = [(n, line, [m.span() for m in ms]) for n, line, ms in _directives(text)]
    assert got == _line_by_line(text)


def test_a_directive_on_a_base64_line_of_a_notebook_is_found_and_the_payload_skipped():
    payload = ("iVBORw0KGgo" + "QnoqAx" * 20000) + f"  # {NOQA}: AIP502"
    text = f'x\n"image/png": "{payload}",\ny = 1  # {AIP} ignore[AIP502]\n'
    entries = FileSuppressions.parse(text).entries
    assert [(e.line, e.ids) for e in entries] == [(2, ("AIP502",)), (3, ("AIP502",))]
