"""Streamed readers for data files: every reader feeds a :class:`ColumnScanner` row by row and
keeps memory flat whatever the file size.

- CSV/TSV: the ``csv`` module over the file's lines (the delimiter is sniffed from the first
  lines; the first row is a header unless it looks like data); ``line`` is the first line of
  each record. A line longer than ``MAX_LINE`` is skipped and reported, a field longer than that
  (quoted over several lines) stops the read with an error.
- JSON Lines: one line at a time (a line longer than ``MAX_LINE`` is skipped and reported).
- JSON: an incremental tokenizer reads the file in 1 MiB chunks and emits each scalar with its
  key path (``users[].contact.email``) and line. Records are the elements of the first array met
  (the top-level array, or ``{"data": [...]}``); a document without arrays is one record. Only
  the current token is buffered: a string over ``MAX_TOKEN`` is skipped to its end and reported,
  any other token that long stops the read with an error, and so does nesting deeper than
  ``MAX_DEPTH``. Strings are scanned with ``str.find``, never twice: time is linear in the size.

Bounded whatever the input: memory by the caps above (a few times ``MAX_LINE``), time by the
file's size. What was read before a cap stopped a read is still reported (``ReadStats.errors``
says where it stopped).
- Text (``.txt``/``.md`` under data folders): each line is a value of one free-text field.
- Parquet: ``pyarrow`` reads record batches of 4096 rows, string and integer columns only; when
  pyarrow is not installed the file is skipped with an error of kind ``dependency``.

At most ``max_rows`` records are read unless ``max_rows`` is None; ``ReadStats.truncated`` says
whether rows were left unread. Readers never put file content in an error message.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .columns import ColumnScanner, safe_key
from .detectors import candidates

CHUNK = 1 << 20
MAX_LINE = 8 << 20  # a longer line (JSON Lines, text, CSV) is skipped and reported
MAX_TOKEN = 8 << 20  # a longer JSON string is skipped and reported; another token stops the read
MAX_DEPTH = 256  # JSON nesting beyond this stops the read (reported)
_FIELD_LIMIT = MAX_LINE


class ReadError(Exception):
    """The file cannot be read as its format (never carries file content)."""

    def __init__(self, message: str, kind: str = "parse") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class ReadStats:
    rows: int = 0
    truncated: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)
    last_line: int = 0  # the line the reader was at (for an error message)


def _open_text(path: Path):
    return open(path, encoding="utf-8-sig", errors="strict", newline="")


def _decode_error(stats: ReadStats, line: int) -> None:
    if stats.rows == 0:
        raise ReadError("not valid UTF-8; file skipped (convert it to UTF-8 to scan it)", "encoding")
    stats.errors.append(("encoding", f"not valid UTF-8 after line {line}; the rest of the file "
                                     "was not scanned"))


# ---------------------------------------------------------------------------------------------
# CSV / TSV

_NUMERIC = re.compile(r"^[\s\d.,:;+\-eE%$€()/]*$")


def sniff_delimiter(sample: str, default: str = ",") -> str:
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()]
    if not lines:
        return default
    best, best_score = default, 0.0
    for d in (",", ";", "\t", "|"):
        counts = [ln.count(d) for ln in lines]
        if counts[0] == 0:
            continue
        same = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = same * (1 + min(counts[0], 50))
        if score > best_score:
            best, best_score = d, score
    return best


def looks_like_header(row: list[str]) -> bool:
    cells = [c.strip() for c in row]
    if not cells or any(not c for c in cells):
        return False
    if len(set(cells)) != len(cells):
        return False
    for c in cells:
        if _NUMERIC.match(c) or len(c) > 80:
            return False
        if any(cand.readings for cand in candidates(c)):
            return False
    return True


def display_field(name: str | None, index: int) -> str:
    """A header as shown to the user; a header that is itself data becomes ``column N``."""
    if not name:
        return f"column {index + 1}"
    name = name.strip()
    if len(name) > 80 or any(c.readings for c in candidates(name)):
        return f"column {index + 1}"
    return name


def csv_head(fh, delimiter: str | None = None) -> tuple[str, list[str] | None, int]:
    """(delimiter, header, line) as :func:`read_csv` decides them from the start of a file
    (``fh``: the file opened as :func:`_open_text` opens it): ``header`` is the displayed header
    ([] when the first row is data, None when the file has no row), ``line`` the header's line.
    For the partitions of the file that do not start it."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    stats = ReadStats()
    sample = fh.read(65536)
    fh.seek(0)
    if sample.startswith("\ufeff"):
        sample = sample[1:]
    delim = delimiter or sniff_delimiter(sample)
    reader = csv.reader(_lines(fh, stats, "\n"), delimiter=delim)
    prev = 0
    for row in reader:
        line = prev + 1
        prev = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if looks_like_header(row):
            return delim, [display_field(c, i) for i, c in enumerate(row)], line
        return delim, [], 0
    return delim, None, 0


def read_csv(path: Path, scanner: ColumnScanner, max_rows: int | None, delimiter: str | None = None,
             header_out: list | None = None) -> ReadStats:
    if max_rows is None:  # the whole file: the columnar fast path when pyarrow is there
        from .columnar import read_csv as read_columnar

        stats = read_columnar(path, scanner, delimiter, header_out)
        if stats is not None:
            return stats
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    stats = ReadStats()
    try:
        with _open_text(path) as fh:
            sample = fh.read(65536)
            fh.seek(0)
            if sample.startswith("\ufeff"):
                sample = sample[1:]
            delim = delimiter or sniff_delimiter(sample)
            read_csv_rows(_lines(fh, stats, "\n"), scanner, max_rows, delim, None, stats,
                          header_out)
    except UnicodeDecodeError:
        _decode_error(stats, stats.last_line)
    except csv.Error as exc:
        _csv_error(stats, exc)
    return stats


def _csv_error(stats: ReadStats, exc: csv.Error) -> None:
    msg = str(exc).split(":")[0][:80]  # "field larger than field limit", "line contains NUL"
    line = stats.last_line
    if stats.rows == 0:
        raise ReadError(f"cannot parse as CSV at line {line + 1}: {msg}") from None
    stats.errors.append(("parse", f"cannot parse as CSV at line {line + 1} ({msg}); the rest "
                                  "of the file was not scanned"))


def read_csv_rows(lines, scanner: ColumnScanner, max_rows: int | None, delim: str,
                  header: list[str | None] | None, stats: ReadStats,
                  header_out: list | None = None, end: list | None = None) -> list | None:
    """The records of ``lines`` (lines of a CSV file, or of a partition of one, numbered from 1)
    into ``scanner``; ``header`` is None when the lines start the file (the first row may be
    the header). ``end``: the row of a sentinel line a partition's lines end with, not scanned.
    Returns the last row the csv module read: ``end`` when the partition ended on a record
    boundary, another row when the sentinel was read into a quoted field."""
    # an over-long line is read as an empty one: the csv module's line numbers stay right
    reader = csv.reader(lines, delimiter=delim)
    prev = 0
    row = None
    for row in reader:
        if row == end:
            break
        line = stats.last_line = prev + 1
        prev = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if header is None:
            if looks_like_header(row):
                header = [display_field(c, i) for i, c in enumerate(row)]
                if header_out is not None:
                    header_out.extend((h, line) for h in header)
                continue
            header = []
        if max_rows is not None and stats.rows >= max_rows:
            stats.truncated = True
            break
        scanner.add_row(header, row, line)
        stats.rows += 1
    return row


# ---------------------------------------------------------------------------------------------
# Lines (JSON Lines, text)


def _lines(fh, stats: ReadStats, skipped: str | None):
    """The lines of ``fh`` with bounded memory: a line longer than ``MAX_LINE`` is drained,
    reported, and given as ``skipped`` (so that line numbers stay the file's)."""
    readline = fh.readline
    n = 0
    while True:
        line = readline(MAX_LINE)
        if not line:
            return
        n += 1
        if len(line) >= MAX_LINE and line[-1] not in "\r\n":
            while True:  # drain the rest of the line
                more = readline(CHUNK)
                if not more or more[-1] in "\r\n":
                    break
            stats.errors.append(("too-large", f"line {n} is longer than {MAX_LINE >> 20} MiB; "
                                              "skipped"))
            yield skipped
            continue
        yield line


def _iter_lines(fh, stats: ReadStats):
    """(line number, text) with bounded memory: an over-long line is skipped and reported."""
    for n, text in enumerate(_lines(fh, stats, None), 1):
        if text is not None:
            yield n, text


def read_jsonl(path: Path, scanner: ColumnScanner, max_rows: int | None) -> ReadStats:
    stats = ReadStats()
    bad = [0, 0]
    try:
        with open(path, encoding="utf-8-sig", errors="strict") as fh:
            read_jsonl_lines(_iter_lines(fh, stats), scanner, max_rows, stats, bad)
    except UnicodeDecodeError:
        _decode_error(stats, stats.last_line)
    if bad[0]:
        if stats.rows == 0:
            raise ReadError(f"not JSON Lines (line {bad[1]} is not valid JSON)")
        stats.errors.append(("parse", f"{bad[0]} line(s) are not valid JSON (first: line {bad[1]}); "
                                      "skipped"))
    return stats


def read_jsonl_lines(lines, scanner: ColumnScanner, max_rows: int | None, stats: ReadStats,
                     bad: list[int]) -> None:
    """The records of ``lines`` ((line number, text) of a JSON Lines file or of a partition of
    one) into ``scanner``; ``bad`` gets [lines that are not JSON, the first of them]."""
    for line, text in lines:
        stats.last_line = line
        if not text.strip():
            continue
        if max_rows is not None and stats.rows >= max_rows:
            stats.truncated = True
            break
        try:
            obj = json.loads(text)
        except ValueError:
            bad[0] += 1
            bad[1] = bad[1] or line
            continue
        if isinstance(obj, dict):
            scanner.add_record(obj, line)
        elif isinstance(obj, list):
            scanner.add_record({"[]": obj} if not all(isinstance(o, dict) for o in obj)
                               else {}, line)
            for o in obj:
                if isinstance(o, dict):
                    scanner.add_record(o, line)
        else:
            scanner.add_value("(value)", obj, line)
            scanner.next_row()
        stats.rows += 1


def read_text(path: Path, scanner: ColumnScanner, max_rows: int | None) -> ReadStats:
    stats = ReadStats()
    line = 0
    try:
        with open(path, encoding="utf-8-sig", errors="strict") as fh:
            for line, text in _iter_lines(fh, stats):
                if max_rows is not None and stats.rows >= max_rows:
                    stats.truncated = True
                    break
                text = text.rstrip("\r\n")
                if text.strip():
                    scanner.add_value(None, text, line)
                scanner.next_row()
                stats.rows += 1
    except UnicodeDecodeError:
        _decode_error(stats, line)
    return stats


# ---------------------------------------------------------------------------------------------
# JSON (incremental)

_TOKEN = re.compile(r'[{}\[\]:,]|-?[0-9][0-9.eE+\-]*|true|false|null|[ \t\r\n]+')


# the body of a JSON string: runs of plain characters and escape pairs ("unrolled loop")
_BODY = re.compile(r'[^"\\\n]*(?:\\[^\n][^"\\\n]*)*')
_WINDOW = 1 << 16  # matched a window at a time: the regex engine's backtracking memory stays small


def _scan_string(buf: str, i: int) -> tuple[int, int]:
    """Scan the body of a JSON string from ``buf[i]`` (after the opening quote, or where the
    last scan stopped, always between two escape sequences).

    Returns (end, resume): ``end`` is the index of the closing quote, -1 when ``buf`` ends first
    (scan again from ``resume`` once more text is there: an escape cut by the end of ``buf`` is
    read again whole), -2 when a raw line break comes first (not JSON). The regex engine does
    the work in C, and an unfinished string is never scanned twice: linear time."""
    n = len(buf)
    while True:
        hi = min(n, i + _WINDOW)
        j = _BODY.match(buf, i, hi).end()
        if j < hi:
            ch = buf[j]
            if ch == '"':
                return j, j
            if ch == "\n" or j + 1 < hi:  # a line break, or an escaped one
                return -2, j
            # a backslash cut from what it escapes by the end of the window
        if hi == n:
            return -1, j
        i = j


def _skip_string(fh, carry: str, line: int) -> str | None:
    """Read past the rest of an over-long string (``carry``: its unscanned tail, at most an
    escape); the text after its closing quote, or None at the end of the file. Memory: a chunk."""
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            return None
        text = carry + chunk
        end, resume = _scan_string(text, 0)
        if end == -2:
            raise ReadError(f"not valid JSON at line {line}")
        if end >= 0:
            return text[end + 1:]
        carry = text[resume:]


def read_json(path: Path, scanner: ColumnScanner, max_rows: int | None) -> ReadStats:
    stats = ReadStats()
    line = 1
    # stack entries: [kind, path, key, expect_key] ; kind "o" or "a"
    stack: list[list] = []
    record_depth = -1  # depth of the array whose elements are records
    buf = ""
    pos = 0
    eof = False
    resume = 0  # where the scan of an unfinished string goes on, from pos (0: not in one)
    long_strings, first_long = 0, 0
    with open(path, encoding="utf-8-sig", errors="strict") as fh:
        try:
            while True:
                if pos >= len(buf):
                    if eof:
                        break
                    buf, pos = fh.read(CHUNK), 0
                    eof = not buf
                    continue
                c = buf[pos]
                if c == '"':
                    end, at = _scan_string(buf, pos + (resume or 1))
                    if end == -2:
                        raise ReadError(f"not valid JSON at line {line}")
                    if end == -1:
                        if eof:
                            raise ReadError(f"not valid JSON at line {line}")
                        if len(buf) - pos > MAX_TOKEN:  # not kept: skipped to its end, reported
                            rest = _skip_string(fh, buf[at:], line)
                            if rest is None:
                                raise ReadError(f"not valid JSON at line {line}")
                            buf, pos, resume = rest, 0, 0
                            long_strings += 1
                            first_long = first_long or line
                            top = stack[-1] if stack else None
                            if top is not None and top[0] == "o" and top[3]:
                                top[2], top[3] = None, False  # a key: shown as "*"
                            else:
                                _scalar_record(stack, record_depth, scanner, stats)
                            continue
                        resume = at - pos
                        chunk = fh.read(CHUNK)
                        eof = not chunk
                        buf, pos = buf[pos:] + chunk, 0
                        continue
                    tok = buf[pos:end + 1]
                    pos, resume = end + 1, 0
                else:
                    m = _TOKEN.match(buf, pos)
                    # a token that reaches the end of the text read so far may go on (whitespace
                    # need not wait: the rest of a run is a token of its own)
                    if m is None or (m.end() == len(buf) and not eof and c not in " \t\r\n"):
                        if eof:
                            raise ReadError(f"not valid JSON at line {line}")
                        if m is None and len(buf) - pos > 64:
                            raise ReadError(f"not valid JSON at line {line}")
                        if len(buf) - pos > MAX_TOKEN:
                            raise ReadError(f"a JSON token at line {line} is longer than "
                                            f"{MAX_TOKEN >> 20} MiB; the rest of the file was not "
                                            "scanned", "too-large")
                        chunk = fh.read(CHUNK)
                        eof = not chunk
                        buf, pos = buf[pos:] + chunk, 0
                        continue
                    tok = m.group()
                    pos = m.end()
                if c in " \t\r\n":
                    line += tok.count("\n")
                    continue
                top = stack[-1] if stack else None
                if c == "{" or c == "[":
                    if len(stack) >= MAX_DEPTH:
                        stats.errors.append(("parse", f"nests deeper than {MAX_DEPTH} levels at "
                                                      f"line {line}; the rest of the file was not "
                                                      "scanned"))
                        break
                    path_ = _child_path(top)
                    if c == "[" and record_depth < 0:
                        record_depth = len(stack) + 1
                    stack.append(["o" if c == "{" else "a", path_, None, c == "{"])
                    continue
                if c == "}" or c == "]":
                    if not stack:
                        raise ReadError(f"not valid JSON at line {line}")
                    stack.pop()
                    if record_depth > 0 and len(stack) == record_depth:
                        scanner.next_row()
                        stats.rows += 1
                        if max_rows is not None and stats.rows >= max_rows:
                            stats.truncated = _more_data(buf, pos, fh)
                            break
                    continue
                if c == ",":
                    if top is not None and top[0] == "o":
                        top[3] = True
                    continue
                if c == ":":
                    continue
                # a scalar
                if c == '"':
                    try:
                        value = json.loads(tok)
                    except ValueError:
                        raise ReadError(f"not valid JSON at line {line}") from None
                    if top is not None and top[0] == "o" and top[3]:
                        top[2] = safe_key(value)
                        top[3] = False
                        continue
                    scanner.add_value(_child_path(top) or "(value)", value, line)
                    _scalar_record(stack, record_depth, scanner, stats)
                elif c == "-" or c.isdigit():
                    if tok.lstrip("-").isdigit() and len(tok) >= 9:
                        scanner.add_value(_child_path(top) or "(value)", tok.lstrip("-"), line)
                    _scalar_record(stack, record_depth, scanner, stats)
                else:
                    _scalar_record(stack, record_depth, scanner, stats)
                if max_rows is not None and stats.rows >= max_rows:
                    stats.truncated = _more_data(buf, pos, fh)
                    break
        except UnicodeDecodeError:
            _decode_error(stats, line)
    if long_strings:
        stats.errors.append(("too-large", f"{long_strings} JSON string(s) longer than "
                                          f"{MAX_TOKEN >> 20} MiB not scanned (first at line "
                                          f"{first_long})"))
    if record_depth < 0:
        scanner.next_row()
        stats.rows = max(stats.rows, 1)
    return stats


def _scalar_record(stack: list, record_depth: int, scanner: ColumnScanner, stats: ReadStats) -> None:
    """A scalar directly inside the record array is a record of its own."""
    if record_depth > 0 and len(stack) == record_depth:
        scanner.next_row()
        stats.rows += 1


def _child_path(top: list | None) -> str:
    if top is None:
        return ""
    if top[0] == "a":
        return f"{top[1]}[]"
    key = top[2] if top[2] is not None else "*"
    return f"{top[1]}.{key}" if top[1] else key


def _more_data(buf: str, pos: int, fh) -> bool:
    rest = buf[pos:].strip(" \t\r\n]}")
    if rest:
        return True
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            return False
        if chunk.strip(" \t\r\n]}"):
            return True


# ---------------------------------------------------------------------------------------------
# Parquet


def read_parquet(path, scanner: ColumnScanner, max_rows: int | None,
                 row_groups: list[int] | None = None) -> ReadStats:
    """``path``: a path or an open binary file; ``row_groups``: only these (a partition), rows
    numbered from 0 in them."""
    try:
        import pyarrow.parquet as pq
        import pyarrow.types as pat
    except ImportError:
        raise ReadError("parquet file not scanned: pyarrow is not installed (install it with "
                        "`pip install 'aiprivlint[parquet]'`)", "dependency") from None
    stats = ReadStats()
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types; never echo content
        raise ReadError(f"cannot read as parquet ({type(exc).__name__})") from None
    schema = pf.schema_arrow
    cols = [f.name for f in schema if pat.is_string(f.type) or pat.is_large_string(f.type)
            or pat.is_integer(f.type)]
    if not cols:
        return stats
    header = [display_field(c, i) for i, c in enumerate(cols)]
    row = 0
    kw = {} if row_groups is None else {"row_groups": row_groups}
    from . import columnar

    for batch in pf.iter_batches(batch_size=4096, columns=cols, **kw):
        if columnar.enabled() and scanner.rows == row:  # the batch's columns in bulk
            n = batch.num_rows
            cut = max_rows is not None and row + n > max_rows
            if cut:
                n = max_rows - row
            columnar.scan_columns(scanner, header, [columnar.as_strings(c.slice(0, n))
                                                    for c in batch.columns], lambda i: 1)
            row += n
            stats.rows += n
            if cut:
                stats.truncated = True
                return stats
            continue
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for values in zip(*columns):
            if max_rows is not None and row >= max_rows:
                stats.truncated = True
                return stats
            scanner.add_row(header, ["" if v is None else v if isinstance(v, str) else str(v)
                                     for v in values], line=1, row=row)
            row += 1
            stats.rows += 1
    return stats


def read_any(path: Path, scanner: ColumnScanner, max_rows: int | None) -> ReadStats:
    """Pick the reader from the file name."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return read_csv(path, scanner, max_rows, "\t" if suffix == ".tsv" else None)
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path, scanner, max_rows)
    if suffix == ".json":
        return read_json(path, scanner, max_rows)
    if suffix in (".parquet", ".pq"):
        return read_parquet(path, scanner, max_rows)
    return read_text(path, scanner, max_rows)


__all__ = ["ReadError", "ReadStats", "csv_head", "read_any", "read_csv", "read_csv_rows",
           "read_json", "read_jsonl", "read_jsonl_lines",
           "read_parquet", "read_text", "sniff_delimiter"]
