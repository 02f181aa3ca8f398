"""The columnar fast path of ``--full`` CSV/TSV scans, and of Parquet (when pyarrow is installed).

pyarrow's C++ reader parses the file into string columns (``pyarrow.csv.open_csv``, streamed,
one thread), ``pyarrow.compute`` picks in bulk the cells a candidate can come from, and each
distinct picked value of a column is validated once in Python (``dictionary_encode``); its
occurrences are then counted with their first row and line. :func:`scan_columns` leaves a
:class:`~aiprivlint.pii.columns.ColumnScanner` as ``add_row`` row after row leaves it — the
reference, and the path taken without pyarrow — so the findings (counts, first rows and lines,
masked samples, order) are the same. Cells picked:

- in fields scanned on their own (phone fields, names, addresses, dates of birth): every
  non-empty cell;
- elsewhere: cells with a digit, ``@`` or ``:`` (no candidate comes without one: digit runs and
  letter-digit identifiers have digits, e-mail addresses ``@``, IPv6 addresses ``:``) that the
  batch scan does not blank (``columns._BLANK``: decimal numbers; under 7 characters without
  ``@`` or ``:``). Picking a cell without a digit, ``@`` or ``:`` changes nothing (no candidate),
  so the one regex may pick a few more than needed, never fewer. Picked cells that are digits
  of a length no identifier has (``detectors.silent_digits``: 7-digit row ids) are dropped.

The reader vouches for the line numbers it gives: the file's line breaks must be the rows'
(plus the line breaks inside quoted cells). Anything else — blank lines, ragged rows, lone
carriage returns, NUL bytes, over-long lines, bytes that are not UTF-8, a file without a header
row, one column, a column name twice — raises :class:`Fallback` and the reference reader reads
the file: its errors and line numbers stay the reference's. A table with a country column (rows
read in their own region) is parsed by Arrow and fed to ``add_row`` row by row. Parquet record
batches go through :func:`scan_columns` too (``readers.read_parquet``).
Set ``AIPRIVLINT_NO_ARROW=1`` to always take the reference path.
"""

from __future__ import annotations

import csv
import io
import operator
import os
import threading

from .columns import MAX_VALUE_CHARS, ColumnScanner, effect, shape_of
from .detectors import (_NON_GLOBAL_V4, _SILENT_LENGTHS, _WELL_KNOWN_IPS, FALLBACK_REGIONS,
                        IPV4, MIXED_START, RUN, WHOLE_EMAIL, WHOLE_IBAN, WHOLE_RUN, Candidate,
                        Reading, candidates, email_candidates, iban_candidates, run_candidates,
                        silent_digits)
from .readers import MAX_LINE, csv_head

try:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
except ImportError:  # the reference path reads the file
    pa = None

OFF_ENV = "AIPRIVLINT_NO_ARROW"
BLOCK = 1 << 20  # bytes the Arrow reader parses at a time (more: more memory, no faster)

# One RE2 pass per column: a cell with "@" or ":", or with a digit that is not a decimal number
# (-?[0-9]+\.[0-9]+). The last five branches are the strings of [-.0-9] that are no decimal
# number: no dot, two dots, a "-" after the start, a dot first or last. Cells without a digit
# picked by them give no candidate, as the reference finds.
_PICK = (r"(?s)[@:]|[0-9].*[^-.0-9]|[^-.0-9].*[0-9]|^[-0-9]*[0-9][-0-9]*$"
         r"|^[-.0-9]*\.[-.0-9]*\.[-.0-9]*$|^[-.0-9]+-[-.0-9]*$|^-?\.[-.0-9]*$|^[-.0-9]*\.$")
_AT_COLON = "[@:]"
_START = operator.attrgetter("start")


def enabled() -> bool:
    return pa is not None and not os.environ.get(OFF_ENV)


class Fallback(Exception):
    """The columnar read cannot vouch for giving what the reference reader gives."""


def _np(arr):
    """A boolean or integer Arrow array as numpy, read from its buffers (``Array.to_numpy``
    imports pandas: 0.2 s of CPU in a process that needs none)."""
    t = arr.type
    if not arr.null_count and len(arr):
        n, off = len(arr), arr.offset
        if t == pa.bool_():
            bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
            return np.unpackbits(bits, count=off + n, bitorder="little")[off:].view(np.bool_)
        if t == pa.int32() or t == pa.int64():
            dt = np.dtype(np.int32 if t == pa.int32() else np.int64)
            return np.frombuffer(arr.buffers()[1], dtype=dt, count=n, offset=off * dt.itemsize)
    return arr.to_numpy(zero_copy_only=False)


def _picked(col, lens):
    """Cells of a column a candidate can come from (see the module's docstring), a numpy bool
    array (``lens``: the cells' lengths in characters, numpy). No Python scalar goes into a
    compute function: pyarrow imports pandas to convert one."""
    pick = _np(pc.match_substring_regex(col, _PICK))
    long = lens >= 7
    if (pick & ~long).any():  # short cells: only with "@" or ":"
        long |= _np(pc.match_substring_regex(col, _AT_COLON))
    return pick & long


def _cells(col):
    """(the bytes of a string array as a uint8 array, cell starts, cell ends: int64 arrays
    into it), read from its buffers without a copy; None for an array of another layout."""
    if col.type != pa.string() or col.null_count:
        return None
    bufs = col.buffers()
    n = len(col)
    off = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=col.offset * 4)
    base, end = int(off[0]), int(off[-1])
    if end > base:
        data = np.frombuffer(bufs[2], dtype=np.uint8, count=end - base, offset=base)
    else:
        data = np.zeros(0, dtype=np.uint8)
    off = off.astype(np.int64)
    if base:
        off -= base
    return data, off[:-1], off[1:]


def _indices(idx):
    """A numpy array of indexes as an Arrow array, its buffer shared (``pa.array`` on a numpy
    array imports pandas: 0.2 s of CPU in a process that needs none)."""
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(idx), [None, pa.py_buffer(idx)])


# lengths of digit runs that no candidate comes from (``detectors.silent_digits``), by length
_SILENT = np.zeros(64, dtype=bool)
_SILENT[list(_SILENT_LENGTHS)] = True


_scratch = threading.local()  # a running-sum buffer per thread, kept: no page faults per batch


def _per_cell(mask, lo, hi):
    """How many true bytes of ``mask`` each cell [lo, hi) holds."""
    n = len(mask) + 1
    acc = getattr(_scratch, "acc", None)
    if acc is None or len(acc) < n:
        acc = _scratch.acc = np.empty(max(n, 1 << 20), dtype=np.int32)
    acc[0] = 0
    np.cumsum(mask, dtype=np.int32, out=acc[1:n])
    return acc[hi] - acc[lo]


def _picked_bytes(col, data, lo, hi, blen, region):
    """Indexes of the cells :func:`_picked` (then the ``silent_digits`` test) keeps, decided on
    the column's bytes where that is cheaper than a regex per cell; None: use the regexes.

    A candidate needs an ASCII digit, "@" or ":" (single bytes in UTF-8, never inside a
    multi-byte character): a column without one keeps no cell. A column made of "-", "." and
    digits only (numbers) has no "@" or ":" and is ASCII (bytes are characters): a cell is kept
    when it has 7 characters or more, is no decimal number (as ``columns._BLANK`` has them) and no silent
    digit run. Other columns: the regexes, on the cells with a digit, "@" or ":" only."""
    if not len(data):
        return np.zeros(0, dtype=np.int64)
    sub = data - np.uint8(45)  # "-" 45, "." 46, "/" 47, digits 48-57, ":" 58, "@" 64
    key = (sub >= 3) & (sub <= 13) | (data == 64)
    if not key.any():
        return np.zeros(0, dtype=np.int64)
    if bool(((sub <= 12) & (data != 47)).all()):  # numbers: "-", "." and digits only
        cell = np.flatnonzero(blen >= 7)
        if not len(cell):
            return cell
        s, e = lo[cell], hi[cell]
        dots = _per_cell(data == 46, s, e)
        first = data[s]
        neg = first == 45
        dash = data == 45
        if int(np.count_nonzero(dash)) == int(np.count_nonzero(data[lo[blen > 0]] == 45)):
            dashes = neg  # every "-" starts a cell
        else:
            dashes = _per_cell(dash, s, e)
        decimal = ((dots == 1) & (dashes == neg) & (data[s + neg] != 46)
                   & (data[e - 1] != 46))
        silent = (dots == 0) & (dashes == 0) & _SILENT[np.minimum(e - s, 63)]
        if region:  # a run that starts with 0 may be a phone number of the region
            silent &= ((e - s) > 15) | (first != 48)
        return cell[~(decimal | silent)]
    has = np.flatnonzero(_per_cell(key, lo, hi))
    if len(has) == len(blen):
        return None
    sub_col = col.take(_indices(has))
    idx = has[_picked(sub_col, _np(pc.utf8_length(sub_col)))]
    if len(idx):
        keep = pc.invert(pc.match_substring_regex(col.take(_indices(idx)),
                                                  silent_digits(bool(region))))
        if not pc.all(keep).as_py():
            idx = idx[_np(keep)]
    return idx


_IPV4_WHOLE = f"^{IPV4}$"
_WELL_KNOWN_VALUES = np.array(sorted(int.from_bytes(bytes(map(int, ip.split("."))), "big")
                                      for ip in _WELL_KNOWN_IPS), dtype=np.int64) if pa else None
_ONE_DIGIT = "^(?:" + "|".join(f"[{d}.]+" for d in "0123456789") + ")$"  # 11.111.11.111


def _dotted_quads(dictionary, whole) -> tuple[list[int], list[int]]:
    """The values of a column's dictionary that are a dotted quad and nothing else (their
    indexes, ``whole``: the ``WHOLE_RUN`` test), and how ``run_candidates`` decides each,
    decided for all of them at once: 0 not plausible, 1 plausible, 2 a person's address
    (``ipv4_plausible``, then ``ipv4_personal``; no word can stand before a run that starts
    the value). (Kinds, not candidates: a batch of candidates made at once and freed later
    fragments the heap.)"""
    quads = np.flatnonzero(_np(pc.match_substring_regex(dictionary, _IPV4_WHOLE)) & whole)
    if not len(quads):
        return [], []
    sub = dictionary.take(_indices(quads))
    parts = pc.list_flatten(pc.split_pattern(sub, "."))
    octets = _np(pc.cast(parts, pa.int64())).reshape(-1, 4)
    zero = (_np(pc.utf8_length(parts)) > 1) & _np(pc.starts_with(parts, "0"))
    plausible = (~zero.reshape(-1, 4).any(1) & (octets <= 255).all(1)
                 & ~(octets < 32).all(1))
    a, b, c, d = octets.T
    value = (a << 24) | (b << 16) | (c << 8) | d
    reserved = (a == b) & (b == c) & (c == d)  # one octet typed four times
    for net, bits in _NON_GLOBAL_V4:
        reserved |= (value >> (32 - bits)) == (net >> (32 - bits))
    # a plausible quad has no leading zero: it is its value written out (and pc.is_in
    # leaves 40 MB of heap behind over a long scan)
    reserved |= np.isin(value, _WELL_KNOWN_VALUES)
    reserved |= _np(pc.match_substring_regex(sub, _ONE_DIGIT))
    kind = plausible.astype(np.int8) + (plausible & ~reserved)
    return quads.tolist(), kind.tolist()


def _whole_values(dictionary, mixed, runs) -> list:
    """How each value of a column's dictionary is read, decided in bulk where the whole value
    has a shape whose candidates are known (``mixed``, ``runs``: the RE2 tests of
    ``candidates``' two scans): "" (nothing for them to find, and no "@" or ":": no
    candidate), "run" (one digit run: ``run_candidates``), "email" (one address:
    ``email_candidates``), "iban" (one IBAN without spaces: ``iban_candidates``), the kind of
    a dotted quad (:func:`_dotted_quads`), or None (``candidates`` reads it)."""
    upper = _np(mixed)
    scans = upper | _np(runs)
    at_colon = _np(pc.match_substring_regex(dictionary, _AT_COLON))
    how: list = ["" if q else None for q in (~(scans | at_colon)).tolist()]  # names, words
    if upper.any():
        for k in np.flatnonzero(_np(pc.match_substring_regex(dictionary, WHOLE_IBAN))).tolist():
            how[k] = "iban"
    if at_colon.any():  # an address has its "@"
        emails = _np(pc.match_substring_regex(dictionary, WHOLE_EMAIL)) & ~scans
        for k in np.flatnonzero(emails).tolist():
            how[k] = "email"
    if scans.any():
        whole = _np(pc.match_substring_regex(dictionary, WHOLE_RUN))
        for k in np.flatnonzero(whole).tolist():
            how[k] = "run"
        for k, kind in zip(*_dotted_quads(dictionary, whole)):
            how[k] = kind
    return how


def _read(v: str, how, regions: tuple, phone: bool, mixed: bool, runs: bool) -> list:
    """The candidates of a value read as :func:`_whole_values` says."""
    if how is None:
        return candidates(v, regions, phone_hint=phone, mixed=mixed, runs=runs)
    if how == "":
        return []
    if how == "run":
        return run_candidates(v, regions, phone)
    if how == "email":
        return email_candidates(v)
    if how == "iban":
        return iban_candidates(v)
    return _quad_candidates(v, how)


def _quad_candidates(v: str, kind: int) -> list:
    """The candidates of a dotted quad of the given kind (:func:`_dotted_quads`)."""
    if not kind:
        return [Candidate(0, len(v), v, ("IP_ADDRESS",))]
    return [Candidate(0, len(v), v, ("IP_ADDRESS", "IP_ADDRESS:plausible"),
                      [Reading("IP_ADDRESS")] if kind == 2 else [])]


def scan_columns(scanner: ColumnScanner, header: list, cols: list, line_of) -> None:
    """The rows given as ``cols`` (Arrow string arrays of one length, no nulls) into ``scanner``
    as ``add_row(header, row, line_of(i))`` would put them, row ``i`` after row ``i``."""
    nrows = len(cols[0]) if cols else 0
    if not nrows:
        return
    scanner._flush()  # rows queued before these come first
    table = scanner._table(header, len(cols), line_of(0))
    if scanner._has_country:  # rows read in their own region: row by row
        pylists = [c.to_pylist() for c in cols]
        for i, row in enumerate(zip(*pylists)):
            scanner.add_row(header, list(row), line_of(i))
        return
    row0 = scanner.rows
    scanner.rows += nrows
    scanner.values += nrows * len(cols)
    table[1] += nrows
    region = scanner.region
    plain = (region,) if region else ()
    for f, col in zip(table[0], cols):
        if f is None:
            continue
        cells = _cells(col)
        idx = None
        if cells is not None:
            data, lo, hi = cells
            blen = hi - lo
            if f.own_scan:
                idx = np.flatnonzero(blen)
                f.empty += nrows - len(idx)
            else:
                f.empty += nrows - int(np.count_nonzero(blen))
                idx = _picked_bytes(col, data, lo, hi, blen, region)
            if idx is not None:
                if not len(idx):
                    continue
                picked = col.take(_indices(idx))
        if idx is None:
            lens = _np(pc.utf8_length(col))
            nonempty = lens > 0
            if cells is None:
                f.empty += nrows - int(np.count_nonzero(nonempty))
            idx = np.flatnonzero(nonempty if f.own_scan else _picked(col, lens))
            if not len(idx):
                continue
            picked = col.take(_indices(idx))
            if not f.own_scan:  # row ids and the like: digits of a length nothing has
                keep = pc.invert(pc.match_substring_regex(picked, silent_digits(bool(region))))
                if not pc.all(keep).as_py():
                    idx = idx[_np(keep)]
                    if not len(idx):
                        continue
                    picked = picked.filter(keep)
        enc = picked.dictionary_encode()  # codes in first-occurrence order
        values = enc.dictionary.to_pylist()
        # the two regex scans of ``candidates``, done for every distinct value in one RE2 pass
        # each: a value they would find nothing in skips them
        mixed = pc.match_substring_regex(enc.dictionary, MIXED_START)
        runs = pc.match_substring_regex(enc.dictionary, RUN)
        how = _whole_values(enc.dictionary, mixed, runs)
        mixed, runs = mixed.to_pylist(), runs.to_pylist()
        _, first, counts = np.unique(_np(enc.indices),
                                     return_index=True, return_counts=True)
        level = f.level_entity
        phone = f.own_scan and f.hint is not None and f.hint.entity == "PHONE"
        regions = tuple(dict.fromkeys(r for r in (region, *FALLBACK_REGIONS) if r)) if phone \
            else plain
        decided_as: dict[tuple, tuple] = {}
        for v, i, times, mx, rn, hw in zip(values, idx[first].tolist(), counts.tolist(),
                                           mixed, runs, how):
            row, line = row0 + i, line_of(i)
            if f.own_scan:  # as ColumnScanner._value
                v = v[:MAX_VALUE_CHARS]
                if level is not None:
                    ok, given = shape_of(f, level, v)
                    if ok:
                        scanner._add_shape(f, level, v, given, line, row, times)
                cands = _read(v, hw, regions, phone, mx, rn)
            else:  # as ColumnScanner._flush
                cands = _read(v, hw, plain, False, mx, rn)
                if len(cands) > 1:
                    cands.sort(key=_START)
            for c in cands:
                readings = c.readings
                if c.start == 0 and c.end == len(v) and len(readings) < 2:
                    # a candidate spanning the value counts for what its shapes and reading
                    # say, whatever the value: decided once per column and batch
                    r = readings[0] if readings else None
                    k = (c.shapes, None) if r is None else \
                        (c.shapes, r.entity, r.id_type, r.strong, r.share_ok)
                    e = decided_as.get(k)
                    if e is None:
                        e = decided_as[k] = effect(f, c, v, 0)[:2]
                    scanner._apply(f, (e[0], e[1], 0, c.end, c.value), line, row, times)
                else:
                    scanner._apply(f, effect(f, c, v, 0), line, row, times)


def as_strings(col):
    """A Parquet string or integer column as the row-by-row reader sees it: null is ""."""
    return pc.fill_null(pc.cast(col, pa.string()), "")


class _Then(io.RawIOBase):
    """A raw stream, then some bytes."""

    def __init__(self, first, tail: bytes) -> None:
        super().__init__()
        self.first, self.tail = first, tail

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self.first.readinto(b)
        if n:
            return n
        n = min(len(b), len(self.tail))
        b[:n] = self.tail[:n]
        self.tail = self.tail[n:]
        return n


def scan_stream(rng, scanner: ColumnScanner, delim: str, header: list, header_row: bool,
                sentinel: str | None) -> int:
    """The records of ``rng`` (a ``partitions._Range``) into ``scanner``; ``header_row``: the
    stream starts with the header row; ``sentinel``: a row of these cells is read after the
    range, and must come back as a row of its own (the range ended on a record boundary).
    Returns the rows scanned; raises :class:`Fallback`."""
    n = len(header)
    names = [f"c{i}" for i in range(n)]
    src = rng
    if sentinel is not None:
        src = _Then(rng, (delim.join([sentinel] * n) + "\n").encode("utf-8"))
    try:
        reader = pacsv.open_csv(
            io.BufferedReader(src, 1 << 20),
            read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK,
                                           use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
        line = 1  # the line of the next row
        rows = 0
        pending = None
        first = header_row
        for batch in _batches(reader):
            if pending is not None:
                line, rows = _scan_batch(scanner, header, pending, line, rows)
            if first:
                batch, first = _drop_header(batch, n), False
                line += 1 + _newlines(batch[1])
                batch = batch[0]
            if batch.num_rows:
                pending = batch
        if sentinel is not None:
            if pending is None or pending.num_rows == 0 or any(
                    pending.column(j)[-1].as_py() != sentinel for j in range(n)):
                raise Fallback("the range did not end on a record boundary")
            pending = pending.slice(0, pending.num_rows - 1)
        if pending is not None:
            line, rows = _scan_batch(scanner, header, pending, line, rows)
    except Fallback:
        raise
    except Exception as exc:  # noqa: BLE001 - Arrow's parse and UTF-8 errors: the reference says
        raise Fallback(type(exc).__name__) from None
    if first or rng.cr != rng.crlf or rng.nul or rng.left:
        raise Fallback("empty, carriage-return line breaks, NUL bytes or a changed file")
    if rng.newlines != line - 1 - (rng.last != b"\n"):
        raise Fallback("blank lines")  # the lines are not the records'
    return rows


def _batches(reader):
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return


def _drop_header(batch, n: int):
    """(the batch without its first row, the header row as a one-row batch)."""
    if batch.num_rows == 0:
        raise Fallback("no header row")
    return batch.slice(1), batch.slice(0, 1)


def _newlines(batch) -> int:
    return sum(_column_newlines(c) for c in batch.columns)


def _column_newlines(col) -> int:
    """Line feeds in the cells of a string array, counted in its data buffer (no copy)."""
    bufs = col.buffers()
    if len(col) == 0 or bufs[2] is None:
        return 0
    offsets = np.frombuffer(bufs[1], dtype=np.int32)
    lo, hi = int(offsets[col.offset]), int(offsets[col.offset + len(col)])
    if hi <= lo:
        return 0
    return int(np.count_nonzero(np.frombuffer(bufs[2], dtype=np.uint8, count=hi - lo, offset=lo)
                                == 10))


def _scan_batch(scanner: ColumnScanner, header: list, batch, line: int, rows: int):
    nrows = batch.num_rows
    if not nrows:
        return line, rows
    cols = batch.columns
    longest = sum(pc.max(pc.binary_length(c)).as_py() or 0 for c in cols) + len(cols)
    if longest >= MAX_LINE // 2:
        raise Fallback("a line may be over the reference reader's limit")
    per_row = None
    for c in cols:
        if _column_newlines(c):
            a = _np(pc.count_substring(c, "\n"))
            per_row = a if per_row is None else per_row + a
    if per_row is None:
        def line_of(i: int) -> int:
            return line + i
        extra = 0
    else:
        before = np.concatenate(([0], np.cumsum(per_row)[:-1]))

        def line_of(i: int) -> int:
            return line + i + int(before[i])
        extra = int(per_row.sum())
    scan_columns(scanner, header, cols, line_of)
    return line + nrows + extra, rows + nrows


def read_csv(path, scanner: ColumnScanner, delimiter: str | None,
             header_out: list | None = None):
    """A whole CSV/TSV file into an empty ``scanner``: its ``ReadStats``, or None (the scanner
    left empty) when the reference reader must read it."""
    from .partitions import _Range
    from .readers import ReadStats

    if not enabled() or scanner.rows or scanner._fields:
        return None
    try:
        with open(path, encoding="utf-8-sig", errors="strict", newline="") as fh:
            delim, names, hline = csv_head(fh, delimiter)
        with open(path, "rb") as raw:
            size = os.fstat(raw.fileno()).st_size
            if not _usable(names, hline):
                return None
            rng = _Range(raw, 0, size)
            rows = scan_stream(rng, scanner, delim, list(names), True, None)
    except (Fallback, UnicodeDecodeError, csv.Error, OSError, ValueError):
        scanner.__init__(scanner.region, scanner.reveal)  # as it was: empty
        return None
    if header_out is not None:
        header_out.extend((h, hline) for h in names)
    stats = ReadStats(rows=rows)
    stats.last_line = rng.newlines
    return stats


def _usable(names, hline: int) -> bool:
    """A header row on the first line, at least two columns, no name twice."""
    return bool(names) and hline == 1 and len(names) >= 2 and len(set(names)) == len(names)


def scan_part(part):
    """One CSV part (``partitions.Part``) read the columnar way: a ``PartResult``, or None when
    the reference reader must read it."""
    from .partitions import SENTINEL, PartResult, _Range, open_binary

    if not enabled():
        return None
    try:
        if part.header is None:  # the part starts the file: its header row
            with open_binary(part.url) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
                _, names, hline = csv_head(text, part.delimiter)
        else:
            names, hline = part.header, 1
        if not _usable(names, hline):
            return None
        scanner = ColumnScanner(region=part.region)
        with open_binary(part.url) as raw:
            rng = _Range(raw, part.start, part.end)
            rows = scan_stream(rng, scanner, part.delimiter, list(names), part.header is None,
                               None if part.last else SENTINEL)
    except (Fallback, UnicodeDecodeError, csv.Error, OSError, ValueError):
        return None
    scanner.lines = rng.newlines
    return PartResult(part.index, scanner, rows, part.size)


__all__ = ["Fallback", "as_strings", "enabled", "read_csv", "scan_columns", "scan_part",
           "scan_stream"]
