#!/usr/bin/env python3
"""PII benchmark: column-level precision/recall and single-core throughput of aiprivlint's value
detectors, side by side with Presidio's pattern recognizers, on labelled synthetic data.

Benchmarks are not tests: this prints tables, it asserts nothing.

    pip install faker                     # the data generator (dev dependency)
    pip install presidio-analyzer         # optional: the comparison
    python bench/pii_bench.py             # --rows 200 --seed 7 --throughput-mb 8

Data: for each of 13 locales (de_DE fr_FR it_IT es_ES nl_NL pl_PL sv_SE da_DK fi_FI nl_BE
ro_RO en_GB en_US) one table with labelled positive columns (e-mail, phone in international and
national formats, IBAN, payment card, public IPv4/IPv6, the locale's national id under its own
name and, when it has a check digit, under a neutral name; names, street addresses, dates of
birth; a free-text column with one stray e-mail) and hard-negative columns (UUIDs, hashes, Unix
and ISO timestamps, version strings, token-id lists, random 9/10/11/13/16-digit numbers, 16-digit
numbers that fail Luhn, SKUs, lat/long, private IPs, floats, product names, sentences,
example.com addresses, 555 numbers). Faker makes the values; identifiers Faker does not make
validly (German Steuer-ID, Danish CPR, UK NINO, phone numbers) are built with python-stdnum /
phonenumbers.

Column level: a column counts as predicted for an entity when the tool reports that entity for it.
aiprivlint: ``aiprivlint.pii.scan_records`` over the table (its own column logic). Presidio: each
value is run through EmailRecognizer, PhoneRecognizer, IbanRecognizer, CreditCardRecognizer,
IpRecognizer and the national-id pattern recognizers it ships for these countries, called
directly (no spaCy model); a column is predicted when at least half of its non-empty values get
a result of that entity (a majority rule, generous to value-level tools on columns; a stray value
in free text is then missed by design).

Throughput: the same tables written as one CSV, repeated to ``--throughput-mb``, scanned with the
streaming CSV reader on one core (no row limit); Presidio on a sample of the values, MB/s of
value text.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

LOCALES = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL", "sv_SE", "da_DK", "fi_FI",
           "nl_BE", "ro_RO", "en_GB", "en_US")
REGION = {"de_DE": "DE", "fr_FR": "FR", "it_IT": "IT", "es_ES": "ES", "nl_NL": "NL",
          "pl_PL": "PL", "sv_SE": "SE", "da_DK": "DK", "fi_FI": "FI", "nl_BE": "BE",
          "ro_RO": "RO", "en_GB": "GB", "en_US": "US"}
NATIONAL = {"de_DE": ("steuer_id", "de.idnr"), "fr_FR": ("nir", "fr.nir"),
            "it_IT": ("codice_fiscale", "it.codicefiscale"), "es_ES": ("dni", "es.dni"),
            "nl_NL": ("bsn", "nl.bsn"), "pl_PL": ("pesel", "pl.pesel"),
            "sv_SE": ("personnummer", "se.personnummer"), "da_DK": ("cpr", "dk.cpr"),
            "fi_FI": ("hetu", "fi.hetu"), "nl_BE": ("rijksregisternummer", "be.nn"),
            "ro_RO": ("cnp", "ro.cnp"), "en_GB": ("nino", "gb.nino"), "en_US": ("ssn", "us.ssn")}
NO_CHECK_DIGIT = {"dk.cpr", "us.ssn", "gb.nino"}  # never decided on a column's share alone


# ------------------------------------------------------------------------------------------------
# generators


def gen_idnr(rnd: random.Random) -> str:
    from stdnum.iso7064 import mod_11_10

    while True:
        digits = rnd.sample(range(10), 9)
        d = digits + [rnd.choice(digits)]
        rnd.shuffle(d)
        if d[0] == 0:
            continue
        s = "".join(map(str, d))
        return s + mod_11_10.calc_check_digit(s)


def gen_cpr(rnd: random.Random) -> str:
    from stdnum.dk import cpr

    while True:
        v = f"{rnd.randint(1, 28):02d}{rnd.randint(1, 12):02d}{rnd.randint(40, 99):02d}-{rnd.randint(0, 3999):04d}"
        if cpr.is_valid(v):
            return v


def gen_nino(rnd: random.Random) -> str:
    first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
    while True:
        p = rnd.choice(first) + rnd.choice(second)
        if p in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
            continue
        digits = f"{rnd.randint(0, 999999):06d}"
        v = p + digits + rnd.choice("ABCD")
        return v if rnd.random() < 0.5 else f"{p} {digits[:2]} {digits[2:4]} {digits[4:]} {v[-1]}"


def gen_phone(rnd: random.Random, region: str) -> str:
    import phonenumbers as pn

    kinds = (pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.FIXED_LINE)
    for _ in range(200):
        ex = pn.example_number_for_type(region, rnd.choice(kinds))
        if ex is None:
            continue
        nsn = str(ex.national_number)
        keep = max(2, len(nsn) - 6)
        cand = nsn[:keep] + "".join(str(rnd.randint(0, 9)) for _ in range(len(nsn) - keep))
        num = pn.parse("+" + str(ex.country_code) + cand, None)
        if not pn.is_valid_number(num) or cand[keep - 2:].count(cand[-1]) > 5:
            continue
        style = rnd.choice((pn.PhoneNumberFormat.E164, pn.PhoneNumberFormat.INTERNATIONAL,
                            pn.PhoneNumberFormat.NATIONAL))
        return pn.format_number(num, style)
    raise RuntimeError(f"no phone number for {region}")


def national_id(fake, rnd: random.Random, loc: str) -> str:
    if loc == "de_DE":
        return gen_idnr(rnd)
    if loc == "da_DK":
        return gen_cpr(rnd)
    if loc == "en_GB":
        return gen_nino(rnd)
    if loc == "es_ES":
        return fake.nif()
    if loc == "pl_PL":
        return fake.pesel()
    return fake.ssn()


def luhn_fail(rnd: random.Random) -> str:
    from stdnum import luhn

    while True:
        v = rnd.choice("45") + "".join(str(rnd.randint(0, 9)) for _ in range(15))
        if not luhn.is_valid(v):
            return v


def make_table(loc: str, rows: int, seed: int) -> tuple[list[str], list[list[str]], dict[str, set[str]]]:
    """(header, rows, labels): labels maps a column to the set of entity labels it holds."""
    from faker import Faker

    fake = Faker(loc)
    fake.seed_instance(seed)
    rnd = random.Random(f"{seed}-{loc}")
    region = REGION[loc]
    id_name, id_type = NATIONAL[loc]
    cards = ("visa16", "visa19", "mastercard", "amex", "discover", "diners")
    cols: dict[str, tuple[set[str], callable]] = {
        # positives
        "email": ({"EMAIL"}, lambda: fake.free_email()),
        "phone": ({"PHONE"}, lambda: gen_phone(rnd, region)),
        "iban": ({"IBAN"}, lambda: fake.iban()),
        "card_number": ({"CREDIT_CARD"}, lambda: fake.credit_card_number(rnd.choice(cards))),
        "client_ip": ({"IP_ADDRESS"}, lambda: fake.ipv4_public() if rnd.random() < 0.7 else
                      f"2a0{rnd.randint(0, 9)}:{rnd.randint(0x1000, 0xffff):x}:{rnd.randint(0, 0xffff):x}::{rnd.randint(1, 0xffff):x}"),
        id_name: ({f"NATIONAL_ID:{id_type}"}, lambda: national_id(fake, rnd, loc)),
        "full_name": ({"PERSON_NAME"}, lambda: fake.name()),
        "street_address": ({"STREET_ADDRESS"}, lambda: fake.street_address()),
        "date_of_birth": ({"DATE_OF_BIRTH"}, lambda: fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat()),
        "comment": ({"EMAIL"}, None),  # free text with one stray address, filled below
        # hard negatives
        "uuid": (set(), lambda: str(uuid.UUID(int=rnd.getrandbits(128)))),
        "sha256": (set(), lambda: hashlib.sha256(str(rnd.random()).encode()).hexdigest()),
        "created_ts": (set(), lambda: str(rnd.randint(1_500_000_000, 1_800_000_000))),
        "created_at": (set(), lambda: fake.date_time_this_decade().isoformat(sep=" ")),
        "model_version": (set(), lambda: ".".join(str(rnd.randint(0, 12)) for _ in range(4))),
        "token_ids": (set(), lambda: json.dumps([rnd.randint(0, 50_000) for _ in range(8)])),
        "rand9": (set(), lambda: str(rnd.randrange(10**8, 10**9))),
        "rand10": (set(), lambda: str(rnd.randrange(10**9, 10**10))),
        "rand11": (set(), lambda: str(rnd.randrange(10**10, 10**11))),
        "rand13": (set(), lambda: str(rnd.randrange(10**12, 10**13))),
        "rand16": (set(), lambda: str(rnd.randrange(10**15, 10**16))),
        "luhn_fail16": (set(), lambda: luhn_fail(rnd)),
        "sku": (set(), lambda: f"{rnd.choice('ABCDEFGH')}{rnd.choice('KLMN')}-{rnd.randint(100000, 999999)}"),
        "lat": (set(), lambda: f"{rnd.uniform(35, 70):.6f}"),
        "lon": (set(), lambda: f"{rnd.uniform(-10, 30):.6f}"),
        "latlon": (set(), lambda: f"{rnd.uniform(35, 70):.5f},{rnd.uniform(-10, 30):.5f}"),
        "server_ip": (set(), lambda: f"10.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"),
        "score": (set(), lambda: f"{rnd.random():.6f}"),
        "name": (set(), lambda: f"{fake.color_name()} {rnd.choice(['Shirt', 'Lamp', 'Chair', 'Mug'])}"),
        "review": (set(), lambda: fake.sentence(nb_words=12)),
        "contact": (set(), lambda: f"{fake.user_name()}@example.com"),
        "hotline": (set(), lambda: f"+1 202 555 01{rnd.randint(0, 99):02d}"),
    }
    if id_type not in NO_CHECK_DIGIT:
        cols["reference_code"] = ({f"NATIONAL_ID:{id_type}"}, cols[id_name][1])
    header = list(cols)
    stray = rnd.randrange(rows)
    table = []
    for r in range(rows):
        row = []
        for name in header:
            gen = cols[name][1]
            if name == "comment":
                text = fake.sentence(nb_words=10)
                row.append(text + (f" Mail me at {fake.free_email()}" if r == stray else ""))
            else:
                row.append(gen())
        table.append(row)
    return header, table, {name: lab for name, (lab, _) in cols.items()}


# ------------------------------------------------------------------------------------------------
# tools


def ours_columns(header, rows, region):
    from aiprivlint.pii import scan_records

    pred: dict[str, set[str]] = defaultdict(set)
    for m in scan_records([header, *rows], region=None):
        pred[m.field].add(f"{m.entity}:{m.id_type}" if m.id_type else m.entity)
    return pred


_PRESIDIO_MAP = {"EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "IBAN_CODE": "IBAN",
                 "CREDIT_CARD": "CREDIT_CARD", "IP_ADDRESS": "IP_ADDRESS"}


def presidio_recognizers():
    logging.disable(logging.CRITICAL)
    try:
        from presidio_analyzer import predefined_recognizers as pr
    except Exception:  # noqa: BLE001
        return None
    names = ["EmailRecognizer", "PhoneRecognizer", "IbanRecognizer", "CreditCardRecognizer",
             "IpRecognizer", "UsSsnRecognizer", "UkNinoRecognizer", "EsNifRecognizer",
             "EsNieRecognizer", "ItFiscalCodeRecognizer", "PlPeselRecognizer",
             "FiPersonalIdentityCodeRecognizer", "SePersonnummerRecognizer", "DeTaxIdRecognizer"]
    out = []
    for n in names:
        cls = getattr(pr, n, None)
        if cls is None:
            continue
        try:
            out.append(cls())
        except Exception:  # noqa: BLE001
            continue
    return out


_PRESIDIO_IDS = {"US_SSN": "us.ssn", "UK_NINO": "gb.nino", "ES_NIF": "es.dni", "ES_NIE": "es.nie",
                 "IT_FISCAL_CODE": "it.codicefiscale", "PL_PESEL": "pl.pesel",
                 "FI_PERSONAL_IDENTITY_CODE": "fi.hetu", "SE_PERSONNUMMER": "se.personnummer",
                 "DE_TAX_ID": "de.idnr"}


def presidio_entity(name: str) -> str:
    if name in _PRESIDIO_MAP:
        return _PRESIDIO_MAP[name]
    return f"NATIONAL_ID:{_PRESIDIO_IDS[name]}" if name in _PRESIDIO_IDS else "NATIONAL_ID"


def presidio_columns(header, rows, recognizers):
    pred: dict[str, set[str]] = defaultdict(set)
    for j, name in enumerate(header):
        hits: dict[str, int] = defaultdict(int)
        n = 0
        for row in rows:
            v = row[j]
            if not v:
                continue
            n += 1
            seen = set()
            for rec in recognizers:
                for res in rec.analyze(v, rec.supported_entities, None) or []:
                    seen.add(presidio_entity(res.entity_type))
            for e in seen:
                hits[e] += 1
        for e, k in hits.items():
            if n and k / n >= 0.5:
                pred[name].add(e)
    return pred


# ------------------------------------------------------------------------------------------------
# scoring


def entity_of(label: str) -> str:
    return label.split(":")[0]


def score(tables, preds, strict_ids: bool):
    """Per entity: tp, fp, fn over columns. ``strict_ids``: NATIONAL_ID must have the right type."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (header, _rows, labels), pred in zip(tables, preds):
        for col in header:
            truth = labels[col]
            got = pred.get(col, set())
            norm = (lambda s: s) if strict_ids else (lambda s: {entity_of(x) for x in s})
            t, g = norm(truth), norm(got)
            for lab in t | g:
                e = entity_of(lab)
                if lab in t and lab in g:
                    counts[e][0] += 1
                elif lab in g:
                    counts[e][1] += 1
                else:
                    counts[e][2] += 1
    return counts


def fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def prf(c):
    tp, fp, fn = c
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    return p, r


OURS_CHILD = """
import sys, time
from pathlib import Path
from aiprivlint.pii.columns import ColumnScanner
from aiprivlint.pii.readers import read_csv
path = Path(sys.argv[1])
warm = ColumnScanner(); read_csv(path, warm, 200); warm.results()   # imports, number metadata
t0 = time.perf_counter()
s = ColumnScanner(); read_csv(path, s, None); s.results()
print(int(sys.argv[2]) / 1e6 / (time.perf_counter() - t0))
"""
PRESIDIO_CHILD = """
import csv, logging, sys, time
logging.disable(logging.CRITICAL)
sys.path.insert(0, sys.argv[3])
from pii_bench import presidio_recognizers
recs = presidio_recognizers()
rows = csv.reader(open(sys.argv[1], newline="", encoding="utf-8")); next(rows)
values = [v for row in rows for v in row if v][: int(sys.argv[2])]
for rec in recs:
    rec.analyze(values[0], rec.supported_entities, None)
nbytes = sum(len(v.encode()) for v in values)
t0 = time.perf_counter()
for v in values:
    for rec in recs:
        rec.analyze(v, rec.supported_entities, None)
print(nbytes / 1e6 / (time.perf_counter() - t0))
"""


def _child_throughput(code: str, path: Path, arg: int) -> float:
    import os
    import subprocess

    here = str(Path(__file__).resolve().parent)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code, str(path), str(arg), here], env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200, help="rows per locale table")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--throughput-mb", type=float, default=8.0, help="size of the throughput CSV")
    ap.add_argument("--presidio-values", type=int, default=3000,
                    help="values timed for Presidio's throughput")
    ap.add_argument("--no-presidio", action="store_true")
    args = ap.parse_args()
    try:
        import faker  # noqa: F401
    except ImportError:
        print("pii_bench: needs Faker (pip install faker)", file=sys.stderr)
        return 2

    print(f"Generating {len(LOCALES)} tables x {args.rows} rows ...", flush=True)
    tables = [make_table(loc, args.rows, args.seed) for loc in LOCALES]
    ours = [ours_columns(h, r, REGION[loc]) for (h, r, _), loc in zip(tables, LOCALES)]
    recognizers = None if args.no_presidio else presidio_recognizers()
    theirs = None
    if recognizers:
        print(f"Running Presidio ({len(recognizers)} pattern recognizers) ...", flush=True)
        theirs = [presidio_columns(h, r, recognizers) for h, r, _ in tables]

    entities = ("EMAIL", "PHONE", "IBAN", "CREDIT_CARD", "IP_ADDRESS", "NATIONAL_ID",
                "PERSON_NAME", "STREET_ADDRESS", "DATE_OF_BIRTH")
    for strict in (False, True):
        title = "national ids must have the right id_type" if strict else "entity level"
        print(f"\nColumn-level precision / recall ({title})")
        a = score(tables, ours, strict)
        b = score(tables, theirs, strict) if theirs else None
        print(f"{'entity':16} {'aiprivlint P':>12} {'R':>6} {'(tp/fp/fn)':>12}   {'presidio P':>10} {'R':>6} {'(tp/fp/fn)':>12}")
        tot_a, tot_b = [0, 0, 0], [0, 0, 0]
        for e in entities:
            pa, ra = prf(a[e])
            tot_a = [x + y for x, y in zip(tot_a, a[e])]
            line = f"{e:16} {fmt(pa):>12} {fmt(ra):>6} {'/'.join(map(str, a[e])):>12}"
            if b is not None:
                pb, rb = prf(b[e])
                tot_b = [x + y for x, y in zip(tot_b, b[e])]
                line += f"   {fmt(pb):>10} {fmt(rb):>6} {'/'.join(map(str, b[e])):>12}"
            print(line)
        pa, ra = prf(tot_a)
        line = f"{'all':16} {fmt(pa):>12} {fmt(ra):>6} {'/'.join(map(str, tot_a)):>12}"
        if b is not None:
            pb, rb = prf(tot_b)
            line += f"   {fmt(pb):>10} {fmt(rb):>6} {'/'.join(map(str, tot_b)):>12}"
        print(line)
    # errors, for the curious
    print("\naiprivlint column errors (none is good):")
    for (header, _r, labels), pred, loc in zip(tables, ours, LOCALES):
        for col in header:
            if labels[col] != pred.get(col, set()):
                print(f"  {loc:6} {col:16} truth={sorted(labels[col])} got={sorted(pred.get(col, set()))}")

    # throughput, each tool in a fresh interpreter (no benchmark data in its heap)
    print(f"\nThroughput (one core), a CSV of about {args.throughput_mb:g} MB of fresh rows")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        width = min(len(h) for h, _, _ in tables)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow([f"c{i}" for i in range(width)])
            seed = args.seed
            while fh.tell() < args.throughput_mb * 1e6:
                for loc in LOCALES:
                    _h, rows, _ = make_table(loc, args.rows, seed)
                    for row in rows:
                        w.writerow(row[:width])
                seed += 1
        size = path.stat().st_size
        ours_mbs = _child_throughput(OURS_CHILD, path, size)
        print(f"  aiprivlint: {size / 1e6:.1f} MB, {ours_mbs:.3f} MB/s")
        if recognizers:
            theirs_mbs = _child_throughput(PRESIDIO_CHILD, path, args.presidio_values)
            print(f"  presidio  : {theirs_mbs:.4f} MB/s (first {args.presidio_values} values)")
            print(f"  ratio     : {ours_mbs / theirs_mbs:.0f}x")
        else:
            print("  presidio  : not installed (pip install presidio-analyzer)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
