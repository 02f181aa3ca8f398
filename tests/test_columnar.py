"""The columnar (pyarrow) path of --full CSV/TSV scans gives byte for byte the findings of the
row-by-row reference reader (AIPRIVLINT_NO_ARROW=1): counts, masked samples, first lines and
rows, order, errors — on generated data with quoted newlines, odd encodings, ragged rows, a
header-only file, values on part boundaries, duplicates (each distinct value is validated once)
and fields scanned on their own (phones, names, addresses). Files it cannot vouch for are read by
the reference, and the tests check which path read each file, so the comparison cannot pass by
both sides taking the same path."""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from faker import Faker

from conftest import run_cli
from aiprivlint.pii import ColumnScanner
from aiprivlint.pii import columnar
from aiprivlint.pii.partitions import plan, run_local
from aiprivlint.pii.readers import read_csv

pytest.importorskip("pyarrow")

DOMAINS = ("gmail.com", "web.de", "onet.pl", "outlook.com", "orange.fr")


def _rows(n: int, seed: int) -> list[list[str]]:
    fake = Faker(["en_GB", "de_DE", "nl_NL", "pl_PL", "fr_FR"])
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}{i % 97}@{rnd.choice(DOMAINS)}".lower().replace(" ", "")
        note = fake.sentence(nb_words=6)
        if i % 13 == 0:  # a quoted cell over lines, with quotes, a value and CRLF inside
            note = f'first line\r\nsays "{fake.word()}", mail {email}\nip 81.2.69.{i % 200}'
        if i % 17 == 0:
            note = f"id {rnd.randint(10**8, 10**9)} and {fake.iban()} done"
        row_id = str(i if i % 2 else 10**6 + i)  # 7 digits: skipped in bulk
        out.append([row_id, f"{rnd.gauss(0, 1):.5f}", str(rnd.randint(0, 9)),
                    str(rnd.randint(10**10, 10**11)),  # 11-digit ids: some pass a check digit
                    email if i % 3 else "", fake.phone_number() if i % 2 else "",
                    f"{first} {last}", fake.address().replace("\n", ", ") if i % 5 else "",
                    fake.credit_card_number() if i % 7 == 0 else "", note, "ünïcødé ✓",
                    f"{rnd.random():.3e}", "-", "v1.2.3"])
    return out


HEADER = ["id", "score", "label", "ref", "email", "phone", "full_name", "street_address",
          "card", "note", "text", "small", "dash", "version"]


def _write(path: Path, rows, header=HEADER, delimiter=",", newline="\n", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator=newline)
        if header is not None:
            w.writerow(header)
        w.writerows(rows)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("columnar")
    d = root / "data"
    d.mkdir()
    rows = _rows(1500, 3)
    rows += rows[:400]  # repeated values: counted at each occurrence, validated once
    _write(d / "mixed.csv", rows)
    _write(d / "mixed.tsv", rows, delimiter="\t")
    _write(d / "crlf.csv", rows, newline="\r\n")
    _write(d / "bom.csv", rows, encoding="utf-8-sig")
    _write(d / "header_only.csv", [])
    _write(d / "no_header.csv", rows, header=None)
    _write(d / "country.csv", [r[:6] + [("PL", "DE", "NL")[i % 3]] for i, r in enumerate(rows)],
           header=HEADER[:6] + ["country"])
    ragged = [r if i % 400 != 7 else r[:5] for i, r in enumerate(rows)]
    _write(d / "ragged.csv", ragged)
    text = (d / "mixed.csv").read_text(encoding="utf-8")
    assert "\n1201," in text
    (d / "blank_lines.csv").write_text(text.replace("\n1201,", "\n\n1201,", 1),
                                       encoding="utf-8", newline="")
    raw = (d / "mixed.csv").read_bytes()
    cut = raw.index(b"\n", len(raw) // 2) + 1
    (d / "latin1.csv").write_bytes(raw[:cut] + "99,café,Ça\n".encode("latin-1") + raw[cut:])
    (d / "nul.csv").write_bytes(raw[:cut] + b"5,a\x00b,c\n" + raw[cut:])
    (d / "lone_cr.csv").write_bytes(raw.replace(b"\n", b"\r", 3))
    (d / "no_final_newline.csv").write_bytes(raw.rstrip(b"\n"))
    return root


FAST = ["mixed.csv", "mixed.tsv", "crlf.csv", "bom.csv", "no_final_newline.csv", "country.csv"]
REFERENCE = ["no_header.csv", "ragged.csv", "blank_lines.csv",
             "latin1.csv", "nul.csv", "lone_cr.csv"]


def _key(ms) -> list[tuple]:
    return [(m.field, m.entity, m.id_type, m.matches, m.rows_scanned, m.values_scanned, m.row,
             m.line, m.start, m.end, m.sample, m.evidence, m.reason, m.confidence) for m in ms]


def _reference(path: Path, monkeypatch) -> tuple[list, int, list]:
    monkeypatch.setenv(columnar.OFF_ENV, "1")
    one, header = ColumnScanner(), []
    stats = read_csv(path, one, None, "\t" if path.suffix == ".tsv" else None, header_out=header)
    monkeypatch.delenv(columnar.OFF_ENV)
    return _key(one.results()), stats.rows, header


@pytest.mark.parametrize("name", FAST)
def test_columnar_read_equals_the_reference(data, name, monkeypatch):
    path = data / "data" / name
    expected, rows, header = _reference(path, monkeypatch)
    assert expected, "the file must hold findings, or the comparison proves nothing"
    fast, got_header = ColumnScanner(), []
    stats = columnar.read_csv(path, fast, "\t" if path.suffix == ".tsv" else None, got_header)
    assert stats is not None, "the columnar path must read this file itself"
    assert stats.rows == rows and got_header == header
    assert _key(fast.results()) == expected


def test_header_only_file(data, monkeypatch):
    path = data / "data" / "header_only.csv"
    assert _reference(path, monkeypatch) == ([], 0, [(h, 1) for h in HEADER])
    header = []
    stats = columnar.read_csv(path, ColumnScanner(), None, header)
    assert stats is not None and stats.rows == 0 and header == [(h, 1) for h in HEADER]


@pytest.mark.parametrize("name", REFERENCE)
def test_files_it_cannot_vouch_for_are_read_by_the_reference(data, name, monkeypatch):
    path = data / "data" / name
    fast = ColumnScanner()
    assert columnar.read_csv(path, fast, None) is None
    assert fast.rows == 0 and not fast.results(), "the scanner is left empty for the reference"


@pytest.mark.parametrize("name", ["mixed.csv", "crlf.csv", "no_final_newline.csv"])
def test_columnar_parts_join_to_the_reference(data, name, monkeypatch):
    """Parts cut every few KB (values and quoted newlines on the boundaries), each read the
    columnar way, joined in order: the one-pass reference findings."""
    path = data / "data" / name
    expected, rows, _ = _reference(path, monkeypatch)
    for chunk in (4096, 9999):
        p = plan(str(path), chunk)
        assert p is not None and len(p.parts) >= 3
        assert all(columnar.scan_part(part) is not None for part in p.parts)
        res = run_local(p.parts, 2)
        assert res.problem is None and res.rows == rows
        assert _key(res.scanner.results()) == expected


def _cli(root: Path, env: dict, *args: str) -> dict:
    proc = run_cli("check", "--full", "--format", "json", "--select", "AIP101,AIP102", *args,
                   str(root / "data"), cwd=root, env=env)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    out.pop("stats", None)
    out.pop("timing", None)
    return out


def test_cli_findings_are_byte_identical_with_and_without_arrow(data):
    cfg = data / "chunk.toml"
    cfg.write_text("[tool.aiprivlint]\ndata-chunk-size = 6000\n", encoding="utf-8")
    ref = _cli(data, {columnar.OFF_ENV: "1"})
    assert len(ref["findings"]) >= 20 and ref["errors"], "findings and read errors to compare"
    assert _cli(data, {}) == ref
    assert _cli(data, {}, "-j", "2", "--config", str(cfg)) == ref
    text = json.dumps(ref)
    for row in _rows(50, 3):  # no detected value in clear
        if row[4]:
            assert row[4] not in text


def test_without_pyarrow_the_same_findings(data, tmp_path):
    """pyarrow not installed at all (an import shim): the row-by-row path, same report."""
    shim = tmp_path / "shim" / "pyarrow"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('no pyarrow here')\n", encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(shim.parent), os.environ.get("PYTHONPATH", "")])}
    check = subprocess.run([sys.executable, "-c", "import aiprivlint.pii.columnar as c; "
                            "print(c.enabled())"], env={**os.environ, **env},
                           capture_output=True, text=True)
    assert check.stdout.strip() == "False", check.stderr
    assert _cli(data, env) == _cli(data, {})


def test_fsspec_url_parts_equal_the_local_file(data, monkeypatch):
    """Parts of a URL (fsspec's memory:// file system here; s3://, gs://, hf:// alike) are read
    the columnar way and join to the local file's reference findings."""
    fsspec = pytest.importorskip("fsspec")
    path = data / "data" / "mixed.csv"
    expected, rows, _ = _reference(path, monkeypatch)
    url = "memory://aiprivlint-test/mixed.csv"
    with fsspec.open(url, "wb") as fh:
        fh.write(path.read_bytes())
    try:
        p = plan(url, 8192)
        assert p is not None and len(p.parts) >= 3
        assert all(columnar.scan_part(part) is not None for part in p.parts)
        res = run_local(p.parts, 1)
        assert res.problem is None and res.rows == rows
        assert _key(res.scanner.results()) == expected
    finally:
        fsspec.filesystem("memory").rm(url)


def test_parquet_batches_in_bulk_equal_the_reference(data, tmp_path, monkeypatch):
    """Parquet record batches scanned column by column give the row-by-row findings (nulls,
    integers, repeated values), also sampled (max_rows inside a batch) and in row-group parts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from aiprivlint.pii.readers import read_parquet

    rows = _rows(3000, 5)
    table = {h: [r[i] or None for r in rows] for i, h in enumerate(HEADER)}
    table["ref"] = [int(v) for v in table["ref"]]
    path = tmp_path / "people.parquet"
    pq.write_table(pa.table(table), path, row_group_size=700)

    def scan(env_off: bool, max_rows):
        if env_off:
            monkeypatch.setenv(columnar.OFF_ENV, "1")
        s = ColumnScanner()
        stats = read_parquet(path, s, max_rows)
        monkeypatch.delenv(columnar.OFF_ENV, raising=False)
        return _key(s.results()), stats.rows, stats.truncated

    for max_rows in (None, 5000, 3000, 2999, 4100):
        expected = scan(True, max_rows)
        assert expected[0]
        assert scan(False, max_rows) == expected
    p = plan(str(path), 20000)
    assert p is not None and len(p.parts) >= 2
    res = run_local(p.parts, 1)
    assert _key(res.scanner.results()) == scan(True, None)[0]


@pytest.mark.parametrize("region", [None, "DE"])
def test_silent_digits_give_no_candidate(region):
    """The digit runs the columnar path skips in bulk give no candidate, for every length and
    with or without a trunk 0; and the pattern skips some (7- and 8-digit row ids)."""
    import re

    from aiprivlint.pii.detectors import candidates, silent_digits

    pat = re.compile(silent_digits(region is not None))
    rnd = random.Random(11)
    regions = (region,) if region else ()
    skipped = 0
    for n in range(1, 32):
        for k in range(300):
            d = "".join(rnd.choice("0123456789") for _ in range(n))
            if k % 3 == 0:
                d = "0" + d[1:]
            if pat.fullmatch(d):
                skipped += 1
                assert candidates(d, regions) == [], (n, k)
    assert skipped >= 600
    assert pat.fullmatch("1234567") and not pat.fullmatch("123456789")
    assert bool(pat.fullmatch("01234567")) is (region is None)


@pytest.mark.parametrize("region", [None, "NL"])
def test_byte_picking_is_the_regex_picking(region):
    """The cells picked from a column's bytes (numbers: no regex at all; other columns: the
    regexes on the cells with a digit, "@" or ":") are the cells the regexes pick, but for
    cells without a digit, "@" or ":" (no candidate comes from those)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from aiprivlint.pii.detectors import silent_digits

    rnd = random.Random(5)
    alphabets = ["-.0123456789" * 3 + "", "0123456789", "-.0123456789@:ab é",
                 "abc def", "0123456789.-" + "x"]
    pat = silent_digits(region is not None)
    for trial in range(400):
        abc = alphabets[trial % len(alphabets)]
        cells = []
        for _ in range(rnd.randint(1, 60)):
            k = rnd.random()
            if k < 0.1:
                cells.append("")
            elif k < 0.3:
                cells.append(f"{rnd.gauss(0, 100):.{rnd.randint(0, 6)}f}")
            elif k < 0.4:
                cells.append(str(rnd.randint(0, 10**rnd.randint(1, 25))).zfill(rnd.randint(1, 9)))
            else:
                cells.append("".join(rnd.choice(abc) for _ in range(rnd.randint(1, 30))))
        col = pa.array(cells, pa.string())
        if trial % 4 == 1:
            col = pa.array(["skip", *cells], pa.string()).slice(1)  # an offset, as batches have
        pick = columnar._picked(col, pc.utf8_length(col).to_numpy(zero_copy_only=False))
        silent = pc.match_substring_regex(col, pat).to_numpy(zero_copy_only=False)
        want = {i for i in range(len(cells)) if pick[i] and not silent[i]}
        data, lo, hi = columnar._cells(col)
        got = columnar._picked_bytes(col, data, lo, hi, hi - lo, region)
        if got is None:
            continue
        key = {i for i, c in enumerate(cells) if any(ch.isascii() and (ch.isdigit() or ch in "@:")
                                                     for ch in c)}
        assert set(got.tolist()) & key == want & key, (trial, cells)
        assert sorted(got.tolist()) == got.tolist()


def test_bulk_scan_patterns_are_the_detectors():
    """The RE2 patterns that let ``candidates`` skip its two scans find a match in a text
    exactly when the detectors' own patterns do."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from aiprivlint.pii import detectors

    rnd = random.Random(3)
    abc = "0123456789" * 3 + "AXZaz -./()\u00a0\u2007,:@é"
    texts = ["".join(rnd.choice(abc) for _ in range(rnd.randint(0, 40))) for _ in range(5000)]
    for re2, py in ((detectors.MIXED_START, detectors._MIXED_START),
                    (detectors.RUN, detectors._RUN)):
        got = pc.match_substring_regex(pa.array(texts, pa.string()), re2).to_pylist()
        assert got == [py.search(t) is not None for t in texts]
        assert 500 < sum(got) < 4500


def _cand_key(cands) -> list[tuple]:
    return [(c.start, c.end, c.value, c.shapes,
             [(r.entity, r.id_type, r.strong, r.share_ok) for r in c.readings]) for c in cands]


@pytest.mark.parametrize("regions, hint", [((), False), (("DE",), False), (("NL", "GB"), True)])
def test_whole_runs_give_the_candidates_of_the_scan(regions, hint):
    """A value the RE2 pattern ``WHOLE_RUN`` matches (one digit run, after "(", "+" or "(+")
    gets from ``run_candidates`` what the full ``candidates`` scan gives it: phone, card and id
    numbers, addresses, runs split into numbers, and random strings of the run's characters."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from aiprivlint.pii import detectors

    fake = Faker(["en_GB", "de_DE", "nl_NL", "en_US"])
    fake.seed_instance(9)
    rnd = random.Random(9)
    texts = []
    for _ in range(600):
        numbers = [fake.phone_number(), fake.credit_card_number(), fake.ipv4(), fake.iban(),
                   f"{rnd.randint(10**8, 10**9)} {rnd.randint(10**8, 10**9)}"]
        texts += numbers
        # before a number, what the run takes in and what it does not
        texts += [rnd.choice(("(", "+", "(+", "+(", "((", " ", "-", "x")) + n.lstrip("+(")
                  for n in numbers]
        texts.append("".join(rnd.choice("0123456789 -./()\u00a0+") for _ in range(rnd.randint(4, 32))))
    whole = pc.match_substring_regex(pa.array(texts, pa.string()), detectors.WHOLE_RUN).to_pylist()
    assert 3000 < sum(whole) < len(texts) - 1500
    for text, w in zip(texts, whole):
        if w:
            assert (_cand_key(detectors.run_candidates(text, regions, hint))
                    == _cand_key(detectors.candidates(text, regions, phone_hint=hint))), text


def test_dotted_quads_decided_in_bulk_are_the_detectors():
    """Every value that is a dotted quad gets from the bulk decision the candidates the
    detectors give it: leading zeros, octets over 255, version-like quads, private, reserved,
    documentation and multicast ranges, well-known resolvers, one digit or one octet repeated."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from aiprivlint.pii import detectors

    rnd = random.Random(4)
    octet = lambda: rnd.choice((str(rnd.randint(0, 255)), str(rnd.randint(0, 31)),  # noqa: E731
                                str(rnd.randint(256, 999)), "0" + str(rnd.randint(0, 99)), "00"))
    texts = [".".join(octet() for _ in range(4)) for _ in range(3000)]
    texts += [f"{a}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}"
              for a in (10, 100, 127, 169, 172, 192, 198, 203, 224, 240, 0, 8, 81)
              for _ in range(40)]
    texts += sorted(detectors._WELL_KNOWN_IPS) + ["11.111.11.111", "77.77.77.77", "192.0.2.1", "81.81.81.81",
                                                 "1.2.3.4.5", "(81.2.69.1", "81.2.69.1x"]
    col = pa.array(texts, pa.string())
    whole = pc.match_substring_regex(col, detectors.WHOLE_RUN)
    got = [None] * len(texts)
    for k, kind in zip(*columnar._dotted_quads(col, whole.to_numpy(zero_copy_only=False))):
        got[k] = columnar._quad_candidates(texts[k], kind)
    decided = [t for t, g in zip(texts, got) if g is not None]
    assert len(decided) > 3000
    assert sum(bool(g[0].readings) for g in got if g) > 300
    for text, g in zip(texts, got):
        if g is not None:
            assert _cand_key(g) == _cand_key(detectors.candidates(text)), text


def test_whole_emails_give_the_candidates_of_the_scan():
    """A value that is one e-mail address (``WHOLE_EMAIL``, and neither of ``candidates``' two
    scans finds anything in it) gets from ``email_candidates`` what the scan gives it: role,
    placeholder and masked mailboxes, long and dotted local parts, digits and capitals."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from aiprivlint.pii import detectors

    fake = Faker(["en_GB", "de_DE", "fr_FR"])
    fake.seed_instance(5)
    rnd = random.Random(5)
    texts = []
    for _ in range(1500):
        texts.append(f"{fake.user_name()}{rnd.randint(0, 99)}@"
                     f"{rnd.choice(('gmail.com', 'web.de', 'orange.fr', 'example.org'))}")
        local = "".join(rnd.choice("abcXYZ019._%+-") for _ in range(rnd.randint(1, 70)))
        domain = rnd.choice(("gmail.com", "example.com", "web.de", "x.io", "a-b.co.uk", "acme.io",
                             "mail.c0m", "-bad.com", "exa_mple.com", "localhost"))
        texts.append(f"{local}@{domain}")
        texts.append(rnd.choice(("info", "noreply", "john", "xxx", "1234", "your.email", "acme",
                                 "Example1", "a", "j.doe", "A1b")) + "@" + domain)
    texts += ["user@host.com:8080", "x@y.com.", "name@sub.domain.example.org", "a@b@c.com"]
    col = pa.array(texts, pa.string())
    scans = pc.or_(pc.match_substring_regex(col, detectors.MIXED_START),
                   pc.match_substring_regex(col, detectors.RUN)).to_pylist()
    whole = pc.match_substring_regex(col, detectors.WHOLE_EMAIL).to_pylist()
    picked = [t for t, w, s in zip(texts, whole, scans) if w and not s]
    assert len(picked) > 2000
    assert sum(bool(detectors.email_candidates(t)[0].readings) for t in picked) > 500
    for text in picked:
        assert _cand_key(detectors.email_candidates(text)) == _cand_key(detectors.candidates(text)), text


def test_whole_ibans_give_the_candidates_of_the_scan():
    """A value that is one IBAN without spaces (``WHOLE_IBAN``) gets from ``iban_candidates``
    what the scan gives it: valid and invalid check digits, specimen IBANs, every length the
    pattern admits, and what it does not (lower case, spaces, too short or long)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from aiprivlint.pii import detectors, lexicon

    fake = Faker(["en_GB", "de_DE", "fr_FR", "nl_NL", "pl_PL", "it_IT", "es_ES"])
    fake.seed_instance(6)
    rnd = random.Random(6)
    texts = list(lexicon.FAKE_IBANS)
    for _ in range(1500):
        iban = fake.iban()
        k = rnd.randrange(4, len(iban))
        texts += [iban, iban[:k] + str((int(iban[k]) + 1) % 10) + iban[k + 1:]
                  if iban[k].isdigit() else iban, iban.lower(), iban[:rnd.randint(10, len(iban))],
                  iban + "".join(rnd.choice("0123456789AB") for _ in range(rnd.randint(1, 12))),
                  " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)),
                  iban[:2] + rnd.choice(("AB", "1B", "A1")) + iban[4:], "X" + iban]
    col = pa.array(texts, pa.string())
    whole = pc.match_substring_regex(col, detectors.WHOLE_IBAN).to_pylist()
    picked = [t for t, w in zip(texts, whole) if w]
    assert len(picked) > 4000 and len(texts) - len(picked) > 2000
    assert sum(bool(detectors.iban_candidates(t)[0].readings) for t in picked) > 1000
    for text in picked:
        assert _cand_key(detectors.iban_candidates(text)) == _cand_key(detectors.candidates(text)), text
