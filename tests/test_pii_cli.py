"""AIP101-AIP104 through the real command line: masking in every output format, streaming,
sampling, encodings, optional parquet support."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EMPTY_CONFIG, run_cli, run_json

PII_RULES = "AIP101,AIP102,AIP103,AIP104"

# Planted values: every one is valid (checksums, number plans) so the rules report it.
PLANTED = {
    "email": "lena.wojcik@onet.pl",
    "phone": "+48 601 234 567",
    "iban": "DE44 5001 0517 5407 3249 31",
    "card": "4539 1488 0343 6467",
    "ip": "81.2.69.142",
    "bsn": "789345109",
    "pesel": "63052187785",
    "nir": "271085746352196",
    "cf": "ZCCRSR57P68G294X",
    "hetu": "280945-888K",
    "nie": "Y9391422F",
    "ssn": "464-72-7630",
}


def _fragments(value: str) -> set[str]:
    """The value, its compact form, and every 6-character run of its letters and digits."""
    compact = re.sub(r"[^0-9A-Za-z@.]", "", value)
    alnum = re.sub(r"[^0-9A-Za-z]", "", value)
    out = {value, compact}
    out.update(alnum[i:i + 6] for i in range(0, max(len(alnum) - 5, 1)))
    if "@" in value:
        out.add(value.split("@")[0])
    return {f for f in out if len(f) >= 6}


def _plant(root: Path) -> None:
    (root / "data").mkdir()
    header = ",".join(PLANTED)
    (root / "data" / "customers.csv").write_text(
        f"{header}\n" + ",".join(v for v in PLANTED.values()) + "\n", encoding="utf-8")
    (root / "data" / "chats.jsonl").write_text("".join(
        json.dumps({"id": i, "text": f"{k}: {v}"}) + "\n" for i, (k, v) in enumerate(PLANTED.items())),
        encoding="utf-8")
    (root / "data" / "users.json").write_text(json.dumps({"users": [PLANTED]}, indent=2), encoding="utf-8")
    (root / "data" / "notes.txt").write_text("".join(f"{k}: {v}\n" for k, v in PLANTED.items()),
                                             encoding="utf-8")
    lines = "\n".join(f"{k.upper()} = {v!r}" for k, v in PLANTED.items())
    (root / "fixtures.py").write_text(lines + "\n", encoding="utf-8")
    text = "".join(f"{k}: {v}\n" for k, v in PLANTED.items())
    nb = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["print(rows)"],
                     "outputs": [{"name": "stdout", "output_type": "stream", "text": text.splitlines(True)},
                                 {"ename": "ValueError", "evalue": f"bad {PLANTED['iban']}", "output_type": "error",
                                  "traceback": [f"\u001b[0;31mValueError\u001b[0m: bad {PLANTED['iban']}"]}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "explore.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")


def test_planted_values_never_appear_in_any_output(tmp_path):
    _plant(tmp_path)
    formats = ["text", "json", "sarif", "github"]
    seen_findings = 0
    for fmt in formats:
        for extra in ([], ["--output", str(tmp_path / f"out.{fmt}")]):
            proc = run_cli("check", "--no-cache", "--config", str(EMPTY_CONFIG), "--select", PII_RULES,
                           "--format", fmt, *extra, str(tmp_path), cwd=tmp_path)
            assert proc.returncode == 1, (fmt, proc.stderr[-2000:])
            out = proc.stdout + proc.stderr
            if extra:
                out += (tmp_path / f"out.{fmt}").read_text(encoding="utf-8")
            assert "Traceback" not in out
            for key, value in PLANTED.items():
                for frag in _fragments(value):
                    assert frag not in out, f"{fmt}: the planted {key} leaks as {frag!r}"
            if fmt == "json" and not extra:
                doc = json.loads(proc.stdout)
                seen_findings = len(doc["findings"])
                rules = {f["rule"] for f in doc["findings"]}
                assert rules >= {"AIP101", "AIP103", "AIP104"}
                for f in doc["findings"]:
                    if f["rule"] in ("AIP101", "AIP103", "AIP104"):
                        assert f["details"]["sample"] and "*" in f["details"]["sample"]
    assert seen_findings >= 30
    # the baseline file holds fingerprints only
    base = tmp_path / "baseline.json"
    run_cli("baseline", "--no-cache", "--config", str(EMPTY_CONFIG), "--select", PII_RULES,
            "--output", str(base), str(tmp_path), cwd=tmp_path)
    text = base.read_text(encoding="utf-8")
    for value in PLANTED.values():
        assert all(frag not in text for frag in _fragments(value))


def test_entities_fields_and_lines(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rows = ["id,contact,iban,comment"]
    for i in range(30):
        rows.append(f"{i},{'' if i < 3 else f'user{i}.kowalski@gmail.com'},"
                    f"{'DE44500105175407324931' if i == 10 else ''},hello {i}")
    (data / "clients.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    _, doc = run_json("--no-cache", "--config", str(EMPTY_CONFIG), "--select", "AIP101", str(tmp_path),
                      cwd=tmp_path)
    got = {(f["details"]["field"], f["details"]["entity"]): f for f in doc["findings"]}
    assert set(got) == {("contact", "EMAIL"), ("iban", "IBAN")}
    email = got[("contact", "EMAIL")]
    assert email["line"] == 5  # header + rows 0..2 empty: the first address is on line 5
    assert email["details"]["matches"] == 27 and email["details"]["rows_scanned"] == 30
    assert email["details"]["sample"] == "u***@g***.com" and email["details"]["id_type"] is None
    assert got[("iban", "IBAN")]["line"] == 12
    assert email["severity"] == "high" and email["category"] == "data-management"


def test_max_rows_samples_and_full_reads_everything(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rows = ["id,text"] + [f"{i},nothing here" for i in range(60)] + ["60,write to hans.meier@gmx.de"]
    (data / "log.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (data / "early.csv").write_text("id,text\n1,write to hans.meier@gmx.de\n" +
                                    "".join(f"{i},x\n" for i in range(40)), encoding="utf-8")
    cfg = tmp_path / ".aiprivlint.toml"
    cfg.write_text("max-rows = 20\n", encoding="utf-8")
    _, doc = run_json("--no-cache", "--config", str(cfg), "--select", "AIP101", str(tmp_path), cwd=tmp_path)
    by_path = {f["path"]: f for f in doc["findings"]}
    assert "data/log.csv" not in by_path
    early = by_path["data/early.csv"]
    assert early["details"]["sampled"] is True and early["details"]["rows_scanned"] == 20
    assert "first 20 rows" in early["message"] and "--full" in early["message"]
    _, doc = run_json("--no-cache", "--config", str(cfg), "--select", "AIP101", "--full", str(tmp_path),
                      cwd=tmp_path)
    by_path = {f["path"]: f for f in doc["findings"]}
    assert by_path["data/log.csv"]["line"] == 62
    assert by_path["data/early.csv"]["details"]["sampled"] is False


def test_non_utf8_and_broken_files_are_errors_not_tracebacks(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "latin1.csv").write_bytes("name,email\nJosé,jose.garcia@gmail.com\n".encode("latin-1"))
    (data / "broken.json").write_text('{"users": [{"email": "x"', encoding="utf-8")
    (data / "half.jsonl").write_text('{"a": 1}\nnot json\n', encoding="utf-8")
    (data / "bad.jsonl").write_text("not json\n", encoding="utf-8")
    (tmp_path / "nb.ipynb").write_text("{not a notebook", encoding="utf-8")
    proc = run_cli("check", "--no-cache", "--config", str(EMPTY_CONFIG), "--select", PII_RULES,
                   "--format", "json", str(tmp_path), cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    errors = {(e["path"], e["kind"]) for e in doc["errors"]}
    assert ("data/latin1.csv", "encoding") in errors
    assert ("data/bad.jsonl", "parse") in errors
    assert ("data/half.jsonl", "parse") in errors
    assert ("nb.ipynb", "parse") in errors
    assert all("jose" not in e["message"].lower() for e in doc["errors"])


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    data = tmp_path / "data"
    data.mkdir()
    table = pa.table({"user_email": ["hans.meier@gmx.de", "sofia.rossi@libero.it", None],
                      "pesel": [63052187785, 10220432877, 83122321745], "score": [0.1, 0.2, 0.3]})
    pq.write_table(table, data / "users.parquet")
    _, doc = run_json("--no-cache", "--config", str(EMPTY_CONFIG), "--select", "AIP101", str(tmp_path),
                      cwd=tmp_path)
    got = {(f["details"]["field"], f["details"]["entity"], f["details"]["id_type"], f["details"]["row"])
           for f in doc["findings"]}
    assert got == {("user_email", "EMAIL", None, 1), ("pesel", "NATIONAL_ID", "pl.pesel", 1)}
    assert doc["errors"] == []


def test_parquet_without_pyarrow_is_a_dependency_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "users.parquet").write_bytes(b"PAR1\x00\x00PAR1")
    shim = tmp_path / "shim" / "pyarrow"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('blocked for the test')\n", encoding="utf-8")
    proc = run_cli("check", "--no-cache", "--config", str(EMPTY_CONFIG), "--select", "AIP101",
                   "--format", "json", str(tmp_path / "data"), cwd=tmp_path,
                   env={"PYTHONPATH": str(tmp_path / "shim")})
    assert proc.returncode in (0, 1), proc.stderr
    errors = json.loads(proc.stdout)["errors"]
    assert [(e["path"], e["kind"]) for e in errors] == [("data/users.parquet", "dependency")]
    assert "pip install" in errors[0]["message"] and "parquet" in errors[0]["message"]


def _max_rss_kib(args: list[str], cwd: Path, env: dict | None = None) -> int:
    """Peak RSS of one CLI run, measured in a fresh child so earlier runs do not count."""
    code = ("import resource, subprocess, sys;"
            "subprocess.run([sys.executable, '-m', 'aiprivlint', *sys.argv[1:]], check=False,"
            " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                         text=True, timeout=900, check=True, env={**os.environ, **(env or {})})
    return int(out.stdout.strip())


def test_memory_stays_flat_on_big_files(tmp_path):
    small, big = tmp_path / "small" / "data", tmp_path / "big" / "data"
    small.mkdir(parents=True)
    big.mkdir(parents=True)
    row = "some free text about nothing in particular,another column of words,more words here\n"
    (small / "t.csv").write_text("a,b,c\n" + row * 100, encoding="utf-8")
    with open(big / "t.csv", "w", encoding="utf-8") as fh:
        fh.write("a,b,c\n")
        for _ in range(40):
            fh.write(row * 5000)  # ~17 MB
    item = json.dumps({"text": "some free text about nothing in particular", "n": [1, 2, 3]})
    (small / "t.json").write_text("[" + ",".join([item] * 100) + "]", encoding="utf-8")
    with open(big / "t.json", "w", encoding="utf-8") as fh:
        fh.write("[")
        for k in range(40):
            fh.write(("," if k else "") + ",".join([item] * 5000))  # ~14 MB, one JSON array
        fh.write("]")
    args = ["check", "--no-cache", "--config", str(EMPTY_CONFIG), "--select", "AIP101", "--full", "-j", "1"]
    reference = {"AIPRIVLINT_NO_ARROW": "1"}  # the row-by-row readers
    base = _max_rss_kib([*args, str(small.parent)], tmp_path, reference)
    peak = _max_rss_kib([*args, str(big.parent)], tmp_path, reference)
    assert peak - base < 24 * 1024, f"RSS grew by {(peak - base) // 1024} MiB on 31 MB of data"
    # the columnar CSV path holds a fixed set of Arrow buffers (1 MiB blocks) once it has read a
    # few dozen blocks (about 20 MiB more from 17 to 34 MB of this data, then nothing): a file
    # four times the size must not need more
    sizes = {"mid": 80, "bigger": 320}  # ~34 MB, ~136 MB
    for name, blocks in sizes.items():
        folder = tmp_path / name / "data"
        folder.mkdir(parents=True)
        with open(folder / "t.csv", "w", encoding="utf-8") as fh:
            fh.write("a,b,c\n")
            for _ in range(blocks):
                fh.write(row * 5000)
    base = _max_rss_kib([*args, str(tmp_path / "mid")], tmp_path)
    peak = _max_rss_kib([*args, str(tmp_path / "bigger")], tmp_path)
    assert peak - base < 24 * 1024, f"RSS grew by {(peak - base) // 1024} MiB from 34 to 136 MB"


def test_rules_are_documented():
    proc = run_cli("explain", "AIP101")
    assert proc.returncode == 0 and "2510.00909" in proc.stdout
