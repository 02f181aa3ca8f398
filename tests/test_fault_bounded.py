"""Issue 12, part B: the data-file readers are bounded in time and memory whatever the input.

Hostile inputs are generated here (100k-deep JSON, one 16 MB JSON string, a 64 MB CSV line)
and scanned by the real CLI in a subprocess under an address-space limit and a timeout. A
normal scan fits in well under 512 MiB; the limit below leaves room for that and none for
reading the hostile inputs whole (before the fix: 9.8 GB and 28 s for the deep JSON, 2 GB and
20 s for the long string, 450 MB for the CSV line, each ending as an internal MemoryError).
Each input must give an ``errors`` entry that says which cap it met, and the scan goes on:
values after the oversized part of the same file, and other files, are still reported."""

from __future__ import annotations

import json
import resource
import time

from conftest import EMPTY_CONFIG, run_cli

LIMIT = 768 << 20
NOTEBOOK_LIMIT = 400 << 20


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def _people(prefix: str, n: int = 12) -> list[str]:
    return [f"{prefix}{i}.mueller{'@'}gmx.de" for i in range(n)]


def test_hostile_data_files_are_read_within_bounds_and_the_scan_goes_on(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    # 100k-deep nesting, after a record that holds personal data
    head = ", ".join(json.dumps({"email": e}) for e in _people("deep"))
    (data / "deep.json").write_text(f"[{head}, " + "[" * 100_000 + "]" * 100_000 + "]")
    # one 16 MB string (with escapes), then more records
    big = json.dumps({"blob": "x\\\"" * (6 << 20) + "y" * (4 << 20)})
    tail = ", ".join(json.dumps({"email": e}) for e in _people("after"))
    (data / "long_string.json").write_text(f"[{big}, {tail}]")
    # a 64 MB line in a CSV, read in the default sampling mode, then more rows
    with (data / "long_line.csv").open("w") as fh:
        fh.write("name,email\n")
        fh.write("X," + "z" * (64 << 20) + "\n")
        fh.writelines(f"P{i},{e}\n" for i, e in enumerate(_people("row")))
    (tmp_path / "m.py").write_text("import pickle\n\nx = pickle.loads(b)\n")

    t0 = time.monotonic()
    proc = run_cli("check", "--format", "json", "--config", str(EMPTY_CONFIG), ".", cwd=tmp_path,
                   timeout=90, preexec_fn=_limited)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    errors = {e["path"]: (e["kind"], e["message"]) for e in report["errors"]}
    assert errors == {
        "data/deep.json": ("parse", "nests deeper than 256 levels at line 1; the rest of the "
                                    "file was not scanned"),
        "data/long_string.json": ("too-large", "1 JSON string(s) longer than 8 MiB not scanned "
                                               "(first at line 1)"),
        "data/long_line.csv": ("too-large", "line 2 is longer than 8 MiB; skipped"),
    }, report["errors"]
    found = {(f["path"], f["rule"]) for f in report["findings"]}
    assert {("data/deep.json", "AIP101"), ("data/long_string.json", "AIP101"),
            ("data/long_line.csv", "AIP101"), ("m.py", "AIP502")} <= found, found
    long_string = next(f for f in report["findings"]
                       if f["path"] == "data/long_string.json" and f["rule"] == "AIP101")
    assert long_string["details"]["matches"] == 12  # every record after the long string
    assert elapsed < 60


def test_long_json_strings_cost_linear_time(tmp_path):
    """The string scanner never rescans: 16 MiB of letters and 16 MiB of escaped backslashes
    (each run of them is one escape sequence after another), in 1 MiB chunks, in seconds."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "huge.json").write_text(
        '[{"a": "' + "q" * (16 << 20) + '"}, {"b": "' + "\\\\" * (8 << 20) + '\\""}, '
        + f'{{"email": "{_people("z")[0]}"}}]')
    t0 = time.monotonic()
    proc = run_cli("check", "--format", "json", "--config", str(EMPTY_CONFIG), "data",
                   cwd=tmp_path, timeout=60, preexec_fn=_limited)
    assert proc.returncode in (0, 1), proc.stderr
    assert time.monotonic() - t0 < 30
    errors = [(e["kind"], e["message"]) for e in json.loads(proc.stdout)["errors"]]
    assert errors == [("too-large", "2 JSON string(s) longer than 8 MiB not scanned (first at "
                                    "line 1)")]


def test_a_notebook_of_embedded_images_is_read_within_bounds(tmp_path):
    """A notebook's image outputs are single JSON strings of megabytes; its reader keeps no
    per-character state on them (before: about 140 bytes per character on the regex engine's
    stack, 190 MB for a 1.4 MB image, over the limit for a notebook near max-file-size)."""
    import base64
    import random

    rnd = random.Random(12)
    img = base64.b64encode(rnd.randbytes(3_600_000)).decode()  # one 4.8 MB string
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": 1,
              "source": ["import pickle\n", "x = pickle.loads(b)\n"],
              "outputs": [{"output_type": "display_data", "metadata": {},
                           "data": {"image/png": img, "text/plain": ["<Figure>"]}}]}]
    (tmp_path / "figures.ipynb").write_text(json.dumps({"cells": cells, "metadata": {},
                                                        "nbformat": 4, "nbformat_minor": 5}, indent=1))
    def limited() -> None:  # what a scan of one small notebook needs, with room to spare
        resource.setrlimit(resource.RLIMIT_AS, (NOTEBOOK_LIMIT, NOTEBOOK_LIMIT))

    proc = run_cli("check", "--format", "json", "--config", str(EMPTY_CONFIG), ".", cwd=tmp_path,
                   timeout=90, preexec_fn=limited)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == []
    assert [(f["rule"], f["notebook"]) for f in report["findings"]] == [
        ("AIP502", {"cell": 1, "line": 2})]
