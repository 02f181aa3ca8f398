"""--full on many cores: a large data file read in parts gives exactly the findings of one pass
(same counts, first rows and lines, masked samples, errors), whatever the part size and the
number of processes. The data are synthetic (faker, values that pass the validators)."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from faker import Faker

from conftest import run_cli
from aiprivlint.pii import ColumnScanner
from aiprivlint.pii.partitions import plan, run_local
from aiprivlint.pii.readers import read_csv, read_jsonl, read_parquet

DOMAINS = ("gmail.com", "web.de", "onet.pl", "outlook.com", "orange.fr", "libero.it")


def _people(n: int, seed: int) -> list[dict]:
    fake = Faker(["en_GB", "de_DE", "nl_NL", "pl_PL"])
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}{i}@{rnd.choice(DOMAINS)}".lower().replace(" ", "")
        note = fake.sentence()
        if i % 9 == 0:  # a quoted field over several lines, with quotes and a value inside
            note = f'first line\nsays "{fake.word()}", write to {email}\nlast line'
        rows.append({"id": str(i), "email": email if i % 4 else "", "phone": fake.phone_number(),
                     "note": note, "iban": fake.iban() if i % 5 == 0 else "",
                     "card": fake.credit_card_number() if i % 11 == 0 else "",
                     "score": f"{rnd.random():.4f}", "label": rnd.choice(("pos", "neg"))})
    return rows


def _write_dataset(root: Path, n: int = 1000) -> Path:
    data = root / "data"
    data.mkdir(parents=True)
    rows = _people(n, 7)
    with open(data / "people.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(data / "people.tsv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t")
        w.writeheader()
        w.writerows(rows)
    with open(data / "chats.jsonl", "w", encoding="utf-8") as fh:
        for i, r in enumerate(rows):
            rec = {"id": i, "user": {"email": r["email"], "phone": r["phone"]},
                   "text": r["note"], "tags": [r["label"], r["iban"]]}
            if i % 100 == 0:
                rec["meta"] = {"card": r["card"] or None}
            fh.write(json.dumps(rec) + "\n")
    # a stray quote in an unquoted field (a 5" screen) fools a quote count: still one-pass findings
    with open(data / "stray.csv", "w", newline="", encoding="utf-8") as fh:
        fh.write("id,email,comment\n")
        for i, r in enumerate(rows):
            comment = '5" screen' if i % 50 == 3 else r["note"].replace("\n", " ")
            if i % 50 == 20:
                comment = '"quoted\nacross lines"'
                fh.write(f"{i},{r['email']},{comment}\n")
                continue
            fh.write(f"{i},{r['email']},{comment.replace(',', ' ').replace(chr(34), '')}\n")
    (data / "header_only.csv").write_text("id,email,phone\n", encoding="utf-8")
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        pass
    else:
        table = pa.table({k: [r[k] for r in rows] for k in rows[0]})
        pq.write_table(table, data / "people.parquet", row_group_size=100)
    return data


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("parts")
    _write_dataset(root)
    return root


def _config(root: Path, chunk: int) -> Path:
    cfg = root / f"chunk{chunk}.toml"
    cfg.write_text(f"[tool.aiprivlint]\ndata-chunk-size = {chunk}\n", encoding="utf-8")
    return cfg


def _scan(root: Path, *args: str) -> tuple[int, dict]:
    proc = run_cli("check", "--full", "--format", "json", "--select", "AIP101,AIP102", *args,
                   str(root / "data"), cwd=root)
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    return proc.returncode, json.loads(proc.stdout)


def _key(ms) -> list[tuple]:
    return [(m.field, m.entity, m.id_type, m.matches, m.rows_scanned, m.values_scanned, m.row,
             m.line, m.start, m.end, m.sample, m.evidence, m.reason) for m in ms]


READERS = {".csv": read_csv, ".tsv": read_csv, ".jsonl": read_jsonl, ".parquet": read_parquet}


@pytest.mark.parametrize("name", ["people.csv", "people.tsv", "chats.jsonl", "stray.csv",
                                  "people.parquet"])
def test_parts_join_to_the_one_pass_scan(dataset, name):
    path = dataset / "data" / name
    if not path.exists():
        pytest.skip("pyarrow is not installed: no parquet file")
    one = ColumnScanner()
    suffix = path.suffix
    if suffix == ".tsv":
        stats = read_csv(path, one, None, "\t")
    else:
        stats = READERS[suffix](path, one, None)
    expected = _key(one.results())
    assert expected, "the dataset must hold findings, or the comparison proves nothing"
    for chunk in (2000, 7777):
        p = plan(str(path), chunk)
        assert p is not None and len(p.parts) >= 3, "the file must be read in several parts"
        for jobs in (1, 2):
            res = run_local(p.parts, jobs)
            assert res.problem is None, res.problem
            assert res.rows == stats.rows
            assert _key(res.scanner.results()) == expected
        # a lazy plan finds the same cuts as the workers draw the parts
        lazy = plan(str(path), chunk, lazy=True)
        assert lazy is not None and (suffix == ".parquet") == isinstance(lazy.parts, list)
        res = run_local(lazy.parts, 2)
        assert res.problem is None and _key(res.scanner.results()) == expected
        assert list(plan(str(path), chunk, lazy=True).parts) == p.parts


def test_cli_full_on_two_cores_equals_one_pass(dataset):
    rc1, one = _scan(dataset, "-j", "1")
    assert one["findings"] and not one["errors"]
    for chunk in (3000, 20000):
        rc2, two = _scan(dataset, "-j", "2", "--config", str(_config(dataset, chunk)))
        assert rc2 == rc1
        assert two["findings"] == one["findings"]
        assert two["errors"] == one["errors"]
    files = {f["path"].rsplit("/", 1)[-1] for f in one["findings"]}
    assert {"people.csv", "people.tsv", "chats.jsonl", "stray.csv"} <= files


def test_no_value_in_clear(dataset):
    proc = run_cli("check", "--full", "-j", "2", "--config", str(_config(dataset, 3000)),
                   str(dataset / "data"), cwd=dataset)
    rows = _people(1000, 7)
    out = proc.stdout + proc.stderr
    for r in rows[:200]:
        for k in ("email", "iban", "card"):
            if r[k]:
                assert r[k] not in out, f"a {k} value is printed in clear"


def test_bad_data_in_one_part_is_the_one_pass_error(tmp_path):
    data = _write_dataset(tmp_path, n=600)
    raw = (data / "people.csv").read_bytes()
    mid = raw.index(b"\n", len(raw) // 2) + 1
    (data / "people.csv").write_bytes(raw[:mid] + b"\xff\xfe broken,\n" + raw[mid:])
    lines = (data / "chats.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(len(lines) // 2, "{not json\n")
    (data / "chats.jsonl").write_text("".join(lines), encoding="utf-8")
    rc1, one = _scan(tmp_path, "-j", "1")
    rc2, two = _scan(tmp_path, "-j", "2", "--config", str(_config(tmp_path, 3000)))
    assert rc1 == rc2
    kinds = {(e["path"].rsplit("/", 1)[-1], e["kind"]) for e in one["errors"]}
    assert ("people.csv", "encoding") in kinds and ("chats.jsonl", "parse") in kinds
    assert two["errors"] == one["errors"]
    assert two["findings"] == one["findings"]


def test_header_only_and_small_files_are_one_part(dataset):
    assert plan(str(dataset / "data" / "header_only.csv"), 10) is None
    p = plan(str(dataset / "data" / "people.csv"), 1 << 30)
    assert p is None


def test_carriage_return_line_breaks_fall_back_to_one_pass(tmp_path):
    text = "id,email\n" + "".join(f"{i},user{i}.name@gmail.com" + ("\r" if i % 37 == 5 else "\n")
                                   for i in range(400))
    path = tmp_path / "old_mac.csv"
    path.write_bytes(text.encode())
    p = plan(str(path), 1000)
    assert p is not None
    res = run_local(p.parts, 1)
    assert res.problem is not None  # cannot count lines by line feeds: read in one pass


def test_byte_progress_line():
    from aiprivlint.progress import ByteProgress

    now = [0.0]
    bar = ByteProgress(io.StringIO(), 100 << 20, "big.csv", clock=lambda: now[0])
    now[0] = 2.0
    bar(20 << 20)
    assert bar.line() == "reading big.csv: 20/100 MB, 10.0 MB/s, ETA 0:08"
