"""Throughput of ``--full`` data-file scans: one core, every local core, a Dask LocalCluster.

Generates synthetic CSV datasets (never commit them) and times the real command line on them:

    python bench/bench_full.py generate --kind typical --size-mb 2048 --out /tmp/full/typical.csv
    python bench/bench_full.py generate --kind dense --size-mb 2048 --out /tmp/full/dense.csv
    python bench/bench_full.py generate --kind dense --distinct --size-mb 256 --out /tmp/full/dd.csv
    python bench/bench_full.py run /tmp/full/typical.csv --repeat 3 [--dask] [--reference]

``typical``: ML training data, mostly numbers and short text with one e-mail column (one value in
ten set) and a free-text column; ``dense``: every cell a value to validate (e-mail, phone, IBAN,
card, IP, name, address). Values are made with faker: synthetic, but they pass the validators.
Rows are generated once (a few thousand) and repeated with a changing id, which keeps the
generator fast; every row is still scanned. With ``--distinct`` the repeats of a dense file are
new values (the e-mail's local part, a phone number's last digits, an IBAN's account number and a
card's middle digits with their check digits made again, an IP's last octets), so no value is
validated from a cache: real personal data repeats far less than a generator's sample.

``run`` prints, per configuration, the median wall time, MB/s, MB/s per worker, MB per CPU
second (user + system time of all the processes: fairer than wall time on a shared machine;
Dask workers that the cluster does not reap may be missing from it), the peak RSS of
the largest process (the main one or a worker: ``/usr/bin/time`` is not needed, the peak comes
from ``resource.getrusage`` of the children for local runs and from the Dask workers' own
memory for the cluster) and the load average at the start of each run, as a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOMAINS = ("gmail.com", "web.de", "onet.pl", "outlook.com", "orange.fr", "libero.it", "gmx.de")


def _rows(kind: str, n: int, seed: int = 1) -> list[list[str]]:
    from faker import Faker

    fake = Faker(["en_GB", "de_DE", "nl_NL", "pl_PL", "fr_FR"])
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}{i}@{rnd.choice(DOMAINS)}".lower().replace(" ", "")
        if kind == "typical":
            feats = [f"{rnd.gauss(0, 1):.5f}" for _ in range(8)]
            out.append([*feats, str(rnd.randint(0, 9)), rnd.choice(("train", "dev", "test")),
                        fake.sentence(nb_words=8), email if i % 10 == 0 else ""])
        else:
            out.append([email, fake.phone_number(), fake.iban(), fake.credit_card_number(),
                        fake.ipv4_public(), f"{first} {last}",
                        fake.address().replace("\n", ", ")])
    return out


HEADERS = {
    "typical": [*(f"f{i}" for i in range(8)), "label", "split", "text", "contact"],
    "dense": ["email", "phone", "iban", "card", "ip", "full_name", "street_address"],
}


def _redigit(text: str, salt: int, keep: int = 0) -> str:
    """``text`` with its last digits (after the first ``keep``) changed by ``salt``."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()][keep:]
    out = list(text)
    for n, i in enumerate(reversed(digits[-6:])):
        out[i] = str((int(text[i]) + salt // 10 ** n) % 10)
    return "".join(out)


def _iban(iban: str, salt: int) -> str:
    """A valid IBAN of the same country with another account number (check digits made again)."""
    bban = _redigit(iban[4:], salt)
    num = "".join(str(int(ch, 36)) for ch in bban + iban[:2] + "00")
    return f"{iban[:2]}{98 - int(num) % 97:02d}{bban}"


def _card(card: str, salt: int) -> str:
    """Another card number of the same issuer (Luhn check digit made again)."""
    body = _redigit(card[:-1], salt, keep=6)
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def _fresh(row: list[str], salt: int) -> list[str]:
    email, phone, iban, card, ip, name, address = row
    local, _, domain = email.partition("@")
    a, b, c, d = ip.split(".")
    ip = f"{a}.{b}.{(int(c) + salt) % 256}.{(int(d) + salt // 256) % 254 + 1}"
    return [f"{local}.{salt}@{domain}", _redigit(phone, salt, keep=4), _iban(iban, salt),
            _card(card, salt), ip, name, address]


def generate(kind: str, size_mb: int, out: Path, distinct: bool = False) -> None:
    rows = _rows(kind, 5000)
    target = size_mb << 20
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", *HEADERS[kind]])
        i = 0
        rep = 0
        while fh.tell() < target:
            block = []
            for r in rows:
                block.append([str(i), *(_fresh(r, rep) if distinct and rep else r)])
                i += 1
            rep += 1
            w.writerows(block)
    print(f"{out}: {out.stat().st_size / 1e6:.0f} MB, {i} rows", file=sys.stderr)


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _time_cli(path: Path, args: list[str], chunk: int, env: dict | None = None
              ) -> tuple[float, int, str, int, float]:
    """(seconds, peak RSS in MiB of the largest process, load at start, exit code, CPU seconds
    of the processes: user + system time of the command and its reaped descendants)."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "cfg.toml"
        cfg.write_text(f"[tool.aiprivlint]\ndata-chunk-size = {chunk}\n", encoding="utf-8")
        load = _load()
        t = time.perf_counter()
        # a wrapper measures the largest child process's peak RSS (ru_maxrss of children)
        code = ("import resource,subprocess,sys;"
                "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
                "r=resource.getrusage(resource.RUSAGE_CHILDREN);"
                "print(r.ru_utime+r.ru_stime);print(r.ru_maxrss);sys.exit(p.returncode)")
        proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "aiprivlint",
                               "check", "--full", "--no-cache", "--quiet", "--select", "AIP101",
                               "--config", str(cfg), "--format", "json", *args, str(path)],
                              capture_output=True, text=True, env={**os.environ, **(env or {})})
        secs = time.perf_counter() - t
    out = proc.stdout.strip().splitlines()
    peak = int(out[-1]) // 1024 if len(out) >= 2 else -1
    cpu = float(out[-2]) if len(out) >= 2 else -1.0
    return secs, peak, load, proc.returncode, cpu


def run(paths: list[Path], repeat: int, dask: bool, chunk: int, reference: bool = False) -> None:
    cores = os.cpu_count() or 1
    configs = [("1 core", ["-j", "1"], 1, None),
               (f"{cores} local cores", ["-j", str(cores)], cores, None)]
    cluster = None
    if dask:
        configs.append(("Dask LocalCluster, 2 workers x 1 thread",
                        ["-j", "2", "--engine", "dask"], 2, None))
        # the same cluster started once, before the runs, as a cluster is used for big data: its
        # start-up (seconds) is left out; its workers' CPU time is not the command's (shown "-")
        from aiprivlint.pii.dask_engine import start_local_cluster

        address1, cluster1 = start_local_cluster(1, 1)
        configs.append(("Dask LocalCluster, 1 worker x 1 thread, already running",
                        ["-j", "1", "--engine", "dask", "--scheduler", address1], 1, None))
        address, cluster = start_local_cluster(2, 1)
        configs.append(("Dask LocalCluster, 2 workers x 1 thread, already running",
                        ["-j", "2", "--engine", "dask", "--scheduler", address], 2, None))
    if reference:  # the row-by-row reader the columnar path is checked against
        configs.insert(0, ("1 core, row by row", ["-j", "1"], 1, {"AIPRIVLINT_NO_ARROW": "1"}))
    print("| file | size | configuration | median s | MB/s | MB/s per worker | MB per CPU s "
          "| peak RSS MiB | 1-min load at the start of each run |")
    print("|---|---|---|---|---|---|---|---|---|")
    for path in paths:
        mb = path.stat().st_size / 1e6
        for name, args, workers, env in configs:
            times, peaks, loads, cpus = [], [], [], []
            elsewhere = "--scheduler" in args  # the cluster's processes are not the command's
            for _ in range(repeat):
                secs, peak, load, rc, cpu = _time_cli(path, args, chunk, env)
                if rc not in (0, 1):
                    raise SystemExit(f"{name} on {path}: exit {rc}")
                times.append(secs)
                peaks.append(peak)
                loads.append(load)
                cpus.append(cpu)
            med = statistics.median(times)
            cpu = statistics.median(cpus)
            per_cpu = "-" if elsewhere else f"{mb / cpu:.1f}"
            peak = "-" if elsewhere else str(max(peaks))
            print(f"| {path.name} | {mb:.0f} MB | {name} | {med:.1f} | {mb / med:.2f} | "
                  f"{mb / med / workers:.2f} | {per_cpu} | {peak} | "
                  f"{' / '.join(x.split()[0] for x in loads)} |", flush=True)
    if cluster is not None:
        from aiprivlint.pii.dask_engine import stop_local_cluster

        stop_local_cluster(cluster)
        stop_local_cluster(cluster1)


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--kind", choices=("typical", "dense"), required=True)
    g.add_argument("--size-mb", type=int, default=2048)
    g.add_argument("--out", type=Path, required=True)
    g.add_argument("--distinct", action="store_true",
                   help="dense only: repeats are new values, so no value is validated twice")
    r = sub.add_parser("run")
    r.add_argument("paths", nargs="+", type=Path)
    r.add_argument("--repeat", type=int, default=3)
    r.add_argument("--dask", action="store_true")
    r.add_argument("--chunk-mb", type=int, default=64)
    r.add_argument("--reference", action="store_true",
                   help="also time one core with the row-by-row reader (AIPRIVLINT_NO_ARROW=1)")
    a = ap.parse_args()
    if a.cmd == "generate":
        if a.distinct and a.kind != "dense":
            ap.error("--distinct applies to --kind dense")
        generate(a.kind, a.size_mb, a.out, a.distinct)
    else:
        run(a.paths, a.repeat, a.dask, a.chunk_mb << 20, a.reference)


if __name__ == "__main__":
    main()
