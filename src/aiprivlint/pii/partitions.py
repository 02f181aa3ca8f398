"""Partitioned scans of one large data file: the same findings as one pass, on many cores.

A file is cut into :class:`Part` s — byte ranges that start and end on record boundaries (CSV,
TSV, JSON Lines) or runs of row groups (Parquet) — each part is read by the reader the one-pass
scan uses (:mod:`aiprivlint.pii.readers`) into a :class:`~aiprivlint.pii.columns.ColumnScanner`
of its own, with rows and lines numbered from the part's start, and the scanners are joined in
file order with :meth:`ColumnScanner.concat`, which moves rows and lines on. ``concat`` is
associative, so the join can be a tree (Dask) or a fold (local processes) and the result does
not depend on the number of workers.

Boundaries. JSON Lines: the first line break after each cut. CSV: the first line break after
the cut where the number of ``"`` since the start of the file is even — not inside a quoted
field. A ``"`` in an unquoted field (``5" screen``) can fool that count, so each part but the
last reads a sentinel line after its range: the csv module gives it back as a row of its own
only when the range ended on a record boundary. A part that cannot vouch for its range (the
sentinel was read into a field, a lone ``\\r`` line break, bytes that are not UTF-8, a line
that is not JSON, any read error) makes the whole file be scanned again in one pass: errors
and their line numbers stay exactly what the one-pass scan reports.

Reading goes through ``open`` for local paths and through ``fsspec`` for URLs (``s3://``,
``gs://``, ``hf://``...; credentials come from the environment, as fsspec finds them).
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .columns import ColumnScanner

try:
    import numpy as np
except ImportError:  # bytes.count does it all
    np = None
from .readers import (ReadError, ReadStats, _iter_lines, _lines, csv_head, read_csv_rows,
                      read_jsonl_lines, read_parquet)

CHUNK_BYTES = 64 << 20  # default part size
_SEARCH = 16 << 20  # how far past a cut a record boundary is looked for
_BLOCK = 8 << 20
SENTINEL = "\x1e\x1faiprivlint\x1f\x1e"

FORMATS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".parquet": "parquet", ".pq": "parquet"}


def format_of(name: str) -> str | None:
    """The partitionable format of a file name, or None."""
    suffix = os.path.splitext(name.split("?", 1)[0])[1].lower()
    return FORMATS.get(suffix)


@dataclass(frozen=True)
class Part:
    """One partition of a file: bytes [start, end) or row groups [start, end) (Parquet)."""

    url: str
    fmt: str  # "csv", "jsonl" or "parquet"
    index: int
    start: int
    end: int
    size: int  # bytes it spans (progress)
    last: bool
    delimiter: str = ","
    header: tuple | None = None  # None: the part starts the file and reads the header itself
    region: str | None = None


@dataclass
class Plan:
    parts: list[Part] | Iterator[Part]  # an iterator for a lazy plan
    header: list[tuple[str, int]]  # (field, line) of a CSV header, for AIP102
    size: int


@dataclass
class PartResult:
    """What a part gives back: a scanner, or the ``problem`` that makes the file be read in one
    pass (never a value of the file)."""

    index: int
    scanner: ColumnScanner | None
    rows: int
    size: int
    problem: str | None = None


def is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def open_binary(url: str):
    if is_url(url):
        import fsspec  # an optional dependency: the dask extra brings it

        return fsspec.open(url, "rb").open()
    return open(url.removeprefix("file://"), "rb")


def file_size(url: str) -> int:
    if is_url(url):
        import fsspec

        fs, path = fsspec.core.url_to_fs(url)
        return int(fs.size(path))
    return os.path.getsize(url.removeprefix("file://"))


# ---------------------------------------------------------------------------------------------
# planning


def plan(url: str, chunk: int = CHUNK_BYTES, *, delimiter: str | None = None,
         region: str | None = None, lazy: bool = False) -> Plan | None:
    """The parts of ``url``, or None when it is read in one pass (small, one part, an unknown
    format, or a start the one-pass reader would reject). ``lazy``: ``parts`` is an iterator
    that finds each cut when it is drawn (the pass over the file that keeps cuts out of quoted
    fields then runs while workers scan the parts before it; a read error there raises)."""
    fmt = format_of(url)
    if fmt is None:
        return None
    try:
        size = file_size(url)
        if fmt == "parquet":
            return _plan_parquet(url, chunk, size, region)
        if size < 2 * chunk:
            return None
        header: list[tuple[str, int]] = []
        head: tuple | None = None
        delim = ","
        if fmt == "csv":
            with open_binary(url) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
                tab = "\t" if url.lower().split("?", 1)[0].endswith(".tsv") else None
                delim, names, line = csv_head(text, delimiter or tab)
                if names is None:
                    return None
                head = tuple(names)
                header = [(n, line) for n in names]
                text.detach()
        cuts = _lazy_cuts(url, size, chunk, quotes=fmt == "csv")
        first = next(cuts, size)
        if first >= size:
            return None  # no boundary near the first target: one part
        parts = _parts_between(itertools.chain((0, first), cuts, (size,)), url, fmt, size,
                               delim, head, region)
        return Plan(parts if lazy else list(parts), header, size)
    except (OSError, UnicodeDecodeError, ValueError, ReadError):
        return None  # the one-pass read says what is wrong


def _parts_between(cuts: Iterator[int], url: str, fmt: str, size: int, delim: str,
                   head: tuple | None, region: str | None) -> Iterator[Part]:
    a = next(cuts)
    for i, b in enumerate(cuts):
        yield Part(url, fmt, i, a, b, b - a, b == size, delim, None if a == 0 else head, region)
        a = b


def _plan_parquet(url: str, chunk: int, size: int, region: str | None) -> Plan | None:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return None
    with open_binary(url) as raw:
        meta = pq.ParquetFile(raw).metadata
        groups = [meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)]
    runs: list[tuple[int, int, int]] = []
    start, acc = 0, 0
    for i, g in enumerate(groups):
        acc += g
        if acc >= chunk:
            runs.append((start, i + 1, acc))
            start, acc = i + 1, 0
    if start < len(groups):
        runs.append((start, len(groups), acc))
    if len(runs) < 2:
        return None
    total = sum(r[2] for r in runs) or 1
    parts = [Part(url, "parquet", i, a, b, round(size * n / total), i == len(runs) - 1,
                  region=region) for i, (a, b, n) in enumerate(runs)]
    return Plan(parts, [], size)


def _lazy_cuts(url: str, size: int, chunk: int, quotes: bool) -> Iterator[int]:
    """The record boundaries near each multiple of ``chunk`` (0 and ``size`` left out), each
    found when it is drawn."""
    with open_binary(url) as raw:
        yield from _iter_cuts(raw, size, chunk, quotes)


def _iter_cuts(raw, size: int, chunk: int, quotes: bool) -> Iterator[int]:
    pos, odd = 0, 0  # odd: the parity of '"' between the last cut and pos
    target = chunk
    raw.seek(0)
    while target < size - chunk // 2:
        if quotes:  # the quotes up to the target
            raw.seek(pos)
            left = target - pos
            while left > 0:
                block = raw.read(min(_BLOCK, left))
                if not block:
                    break
                odd ^= block.count(b'"') & 1
                left -= len(block)
        raw.seek(target)
        cut, at = None, target
        while cut is None and at < target + _SEARCH:
            block = raw.read(1 << 20)
            if not block:
                break
            i = 0
            while True:
                nl = block.find(b"\n", i)
                if nl < 0:
                    if quotes:
                        odd ^= block.count(b'"', i) & 1
                    break
                if quotes:
                    odd ^= block.count(b'"', i, nl) & 1
                if not odd:
                    cut = at + nl + 1
                    break
                i = nl + 1
            at += len(block)
        if cut is None or cut >= size:
            break  # no boundary near the target: the rest is one part
        yield cut
        pos, odd = cut, 0
        target = cut + chunk


# ---------------------------------------------------------------------------------------------
# one part


class _Range(io.RawIOBase):
    """Bytes [start, end) of a binary file; counts line feeds, carriage returns (alone and before
    a line feed) and NUL bytes, and keeps the last byte read."""

    def __init__(self, fh, start: int, end: int) -> None:
        super().__init__()
        fh.seek(start)
        self.fh = fh
        self.left = end - start
        self.newlines = 0
        self.cr = 0
        self.crlf = 0
        self.nul = 0
        self.last = b""  # the last byte read
        self._cr_end = False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.left <= 0:
            return 0
        data = self.fh.read(min(len(b), self.left))
        n = len(data)
        if not n:
            return 0
        b[:n] = data
        self.left -= n
        if np is not None:  # one vector compare a byte value: several times bytes.count's speed
            a = np.frombuffer(data, dtype=np.uint8)
            self.newlines += int(np.count_nonzero(a == 10))
            if self._cr_end or b"\r" in data:  # a memchr: most files have no CR and no NUL
                at = np.flatnonzero(a == 13)
                after = at + 1
                after = after[after < n]
                self.cr += len(at)
                self.crlf += (int(np.count_nonzero(a[after] == 10))
                              + (self._cr_end and data[:1] == b"\n"))
        else:
            self.newlines += data.count(b"\n")
            if self._cr_end or b"\r" in data:
                self.cr += data.count(b"\r")
                self.crlf += data.count(b"\r\n") + (self._cr_end and data[:1] == b"\n")
        if b"\0" in data:
            self.nul += data.count(b"\0")
        self._cr_end = data[-1:] == b"\r"
        self.last = data[-1:]
        return n


def scan_part(part: Part) -> PartResult:
    """Read one part into a scanner of its own. Never raises: what goes wrong is ``problem``
    (its type of error only, never file content)."""
    try:
        return _scan_part(part)
    except (UnicodeDecodeError, ValueError):
        return PartResult(part.index, None, 0, part.size, "not readable on its own")
    except Exception as exc:  # noqa: BLE001 - the one-pass scan reports it properly
        return PartResult(part.index, None, 0, part.size, type(exc).__name__)


def _scan_part(part: Part) -> PartResult:
    if part.fmt == "csv":  # the columnar fast path when pyarrow is there
        from .columnar import scan_part as scan_columnar

        res = scan_columnar(part)
        if res is not None:
            return res
    scanner = ColumnScanner(region=part.region)
    stats = ReadStats()
    with open_binary(part.url) as raw:
        if part.fmt == "parquet":
            read_parquet(raw, scanner, None, list(range(part.start, part.end)))
            return PartResult(part.index, scanner, scanner.rows, part.size)
        rng = _Range(raw, part.start, part.end)
        buffered = io.BufferedReader(rng, 1 << 20)
        encoding = "utf-8-sig" if part.start == 0 else "utf-8"
        if part.fmt == "csv":
            text = io.TextIOWrapper(buffered, encoding=encoding, errors="strict", newline="")
            lines = _lines(text, stats, "\n")
            end = None if part.last else [SENTINEL]
            if end is not None:
                lines = itertools.chain(lines, [SENTINEL + "\n"])
            header = None if part.header is None else list(part.header)
            last = read_csv_rows(lines, scanner, None, part.delimiter, header, stats, end=end)
            if end is not None and last != end:
                return PartResult(part.index, None, 0, part.size, "not on a record boundary")
        else:
            text = io.TextIOWrapper(buffered, encoding=encoding, errors="strict")
            bad = [0, 0]
            read_jsonl_lines(_iter_lines(text, stats), scanner, None, stats, bad)
            if bad[0]:
                return PartResult(part.index, None, 0, part.size, "a line is not JSON")
    if stats.errors:
        return PartResult(part.index, None, 0, part.size, stats.errors[0][0])
    if rng.cr != rng.crlf:
        return PartResult(part.index, None, 0, part.size, "carriage-return line breaks")
    if rng.left:
        return PartResult(part.index, None, 0, part.size, "the file changed")
    scanner.lines = rng.newlines
    return PartResult(part.index, scanner, stats.rows, part.size)


# ---------------------------------------------------------------------------------------------
# joining


def combine(results) -> PartResult:
    """The parts' results joined in the order given (consecutive parts): a tree reduction may
    call it on any run of consecutive results."""
    results = list(results)
    first = results[0]
    problem = next((r.problem for r in results if r.problem), None)
    size = sum(r.size for r in results)
    if problem is not None:
        return PartResult(first.index, None, 0, size, problem)
    scanner = first.scanner
    for r in results[1:]:
        scanner = scanner.concat(r.scanner)
    return PartResult(first.index, scanner, sum(r.rows for r in results), size)


def run_local(parts: Iterable[Part], jobs: int, progress=None) -> PartResult:
    """The parts scanned in ``jobs`` processes and joined in order. ``parts`` may be a lazy
    plan's iterator: a read error while it finds the cuts is a ``problem`` (read in one pass)."""
    import multiprocessing
    import sys

    from ..pool import DIED, Pool

    drawn: list[Part] = []

    def draw() -> Iterator[Part]:
        for p in parts:
            drawn.append(p)
            yield p

    try:
        if jobs <= 1:
            out = []
            for p in draw():
                out.append(scan_part(p))
                if progress:
                    progress(p.size)
            return combine(out)
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        pool = Pool(min(jobs, len(parts)) if isinstance(parts, list) else jobs, _no_setup, (),
                    ctx)
        try:
            got = pool.run(scan_part, draw(), on_done=(lambda i: progress(drawn[i].size))
                           if progress else None)
        finally:
            pool.close()
    except (OSError, UnicodeDecodeError, ValueError, ReadError) as exc:
        return PartResult(0, None, 0, 0, f"finding the parts: {type(exc).__name__}")
    return combine(PartResult(p.index, None, 0, p.size, "the process reading part of this file "
                              "died (out of memory, or killed)") if r is DIED else r
                   for p, r in zip(drawn, got))


def _no_setup() -> None:
    pass

__all__ = ["CHUNK_BYTES", "Part", "PartResult", "Plan", "combine", "format_of", "plan",
           "run_local", "scan_part"]
