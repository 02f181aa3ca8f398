"""Check on real repositories that the columnar --full path changes no finding.

    python bench/columnar_equivalence.py CORPUS [CORPUS ...]

Every CSV, TSV and Parquet file under the folders (``.git`` skipped) is read whole twice, by the
row-by-row reference (``AIPRIVLINT_NO_ARROW=1``) and by the columnar path, and the scanners'
results (counts, rows, lines, masked samples), rows, errors and headers are compared. Prints the
files that differ (paths only, never content) and how many CSV/TSV files the columnar path read
itself rather than leaving them to the reference. Exits 1 if any file differs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aiprivlint.pii import columnar
from aiprivlint.pii.columns import ColumnScanner
from aiprivlint.pii.readers import ReadError, read_csv, read_parquet

SUFFIXES = (".csv", ".tsv", ".parquet")


def _read(path: Path, reference: bool):
    if reference:
        os.environ[columnar.OFF_ENV] = "1"
    else:
        os.environ.pop(columnar.OFF_ENV, None)
    scanner, header = ColumnScanner(), []
    try:
        if path.suffix.lower() == ".parquet":
            stats = read_parquet(path, scanner, None)
        else:
            tab = "\t" if path.suffix.lower() == ".tsv" else None
            stats = read_csv(path, scanner, None, tab, header_out=header)
    except ReadError as exc:
        return ("error", str(exc))
    return repr(scanner.results()), stats.rows, stats.errors, header


def main(roots: list[str]) -> int:
    files = sorted(p for r in roots for p in Path(r).rglob("*")
                   if p.suffix.lower() in SUFFIXES and ".git" not in p.parts and p.is_file())
    same = columnar_read = 0
    for path in files:
        if _read(path, True) == _read(path, False):
            same += 1
        else:
            print(f"DIFFERENT: {path}")
        if path.suffix.lower() != ".parquet":
            tab = "\t" if path.suffix.lower() == ".tsv" else None
            columnar_read += columnar.read_csv(path, ColumnScanner(), tab) is not None
    csvs = sum(p.suffix.lower() != ".parquet" for p in files)
    print(f"{len(files)} files: {same} the same; {columnar_read} of {csvs} CSV/TSV files read the "
          "columnar way")
    return 0 if same == len(files) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
