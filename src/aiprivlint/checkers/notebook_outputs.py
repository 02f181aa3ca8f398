"""AIP103 pii-in-notebook-output. Docs: rules/AIP103.toml.

How the check works: every stored output of every cell is read (``stream``, ``text/plain``,
``text/html``, ``text/markdown``, error tracebacks with their ANSI colours removed). Tables are
decided like data files, column by column (:class:`~aiprivlint.pii.columns.ColumnScanner`):
HTML tables (``df.head()`` as rendered by pandas) with their header, and plain-text DataFrame
reprs (columns separated by two or more spaces under a header line). Other text is scanned line
by line with :mod:`aiprivlint.pii.detectors`; a pure-digit identifier counts only when the words
on its line or in the output's first line say what it is. Findings are aggregated per cell and
entity and point at the first raw ``.ipynb`` line that holds the value; ``details.cell`` is the
cell index. Only masked samples are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from . import CheckerError, FileChecker, FileContext

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_COLS = re.compile(r"\s{2,}")


_FIELD_LEVEL = {"PERSON_NAME", "STREET_ADDRESS", "DATE_OF_BIRTH"}
_GENERATOR = re.compile(r"\b(?:from|import)\s+(?:faker|mimesis)\b|\bFaker\(|"
                        r"\b\w*names\s*=\s*\[\s*['\"]|random\.choice\(\s*\w*names\b")


def _generates_people(cells) -> str | None:
    """Whether the notebook's own code makes up people: "fields" when it generates names and
    addresses (Faker, mimesis, random names), "all" when it loads a dataset of synthetic
    personal data (every value there is made up, e-mails and phone numbers too)."""
    from ..pii.lexicon import SYNTHETIC_PII_DATASETS

    found = None
    for cell in cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(sl.text for sl in cell.source)
        if any(f"'{d}" in code or f'"{d}' in code for d in SYNTHETIC_PII_DATASETS):
            return "all"
        if _GENERATOR.search(code):
            found = "fields"
    return found


@dataclass
class _Agg:
    entity: str
    id_type: str | None
    field: str | None
    line: int
    column: int
    sample: str
    matches: int
    mime: str


class _Tables(HTMLParser):
    """Rows of the ``<table>`` elements of an HTML output, with the line each row starts on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[list[int], list[str], bool]]] = []  # (cell lines, cells, header)
        self._row: list[str] | None = None
        self._lines: list[int] = []
        self._cell: list[str] | None = None
        self._all_th = True
        self._in_thead = False
        self.text: list[tuple[int, int, str]] = []  # text outside tables: (line, column, text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr" and self.tables:
            self._row, self._lines, self._all_th = [], [], True
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._lines.append(self.getpos()[0])
            if tag == "td":
                self._all_th = False
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append((self._lines, self._row, self._in_thead or self._all_th))
            self._row = None
        elif tag == "thead":
            self._in_thead = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif data.strip():
            self.text.append((*self.getpos(), data))  # line, column of the text on it


class NotebookOutputChecker(FileChecker):
    """Personal data in the stored outputs of Jupyter notebooks (AIP103)."""

    rule_ids = ("AIP103",)
    kinds = frozenset({"notebook"})

    def check(self, ctx: FileContext) -> None:
        text = ctx.text
        if '"outputs"' not in text or '"output_type"' not in text:
            return
        from ..notebook import NotebookError, parse_notebook

        try:
            cells = parse_notebook(text)
        except NotebookError as exc:
            raise CheckerError(str(exc)) from None
        region = ctx.options.get("default-region")
        synthetic = _generates_people(cells)
        for cell in cells:
            if not cell.outputs:
                continue
            agg: dict[tuple[str, str | None], _Agg] = {}
            for out in cell.outputs:
                if not out.lines:
                    continue
                if out.mime == "text/html":
                    self._html(out, agg, region)
                elif out.mime.startswith("text/") or out.mime.startswith("stream") or out.mime == "error":
                    self._plain(out, agg, region)
            for a in sorted(agg.values(), key=lambda a: (a.line, a.column, a.entity)):
                if synthetic == "all" or (synthetic and a.entity in _FIELD_LEVEL):
                    continue  # people the notebook made up itself (Faker) or loaded made up
                self._report(ctx, cell.index, a)

    # --- reporting ---------------------------------------------------------------------------
    @staticmethod
    def _report(ctx: FileContext, cell: int, a: _Agg) -> None:
        from ..pii.columns import label

        where = f" in column '{a.field}'" if a.field else ""
        what = label(a.entity, a.id_type)
        n = a.matches
        message = (f"Stored output of cell {cell + 1} shows personal data{where}: "
                   f"{n} value{'s' if n != 1 else ''} detected as {what}; clear the outputs "
                   "before committing")
        ctx.report("AIP103", a.line, a.column, message,
                   details={"entity": a.entity, "id_type": a.id_type, "field": a.field,
                            "matches": n, "sample": a.sample, "cell": cell, "output": a.mime},
                   context=f"AIP103|{cell}|{a.entity}|{a.id_type}|{a.field}")
        ctx.fact("personal-data", a.line, entity=a.entity, field=a.field, source="AIP103",
                 id_type=a.id_type)

    @staticmethod
    def _add(agg, entity, id_type, field, line, column, sample, matches, mime) -> None:
        key = (entity, id_type)
        cur = agg.get(key)
        if cur is None:
            agg[key] = _Agg(entity, id_type, field, line, column, sample, matches, mime)
            return
        # the same values are often stored twice (text/html and text/plain): keep the larger count
        if (line, column) < (cur.line, cur.column):
            cur.line, cur.column, cur.sample = line, column, sample
        cur.field = cur.field or field
        cur.matches = max(cur.matches, matches) if mime != cur.mime else cur.matches + matches

    # --- text/html -------------------------------------------------------------------------
    def _html(self, out, agg, region) -> None:
        from ..pii.columns import ColumnScanner

        joined = "\n".join(sl.text for sl in out.lines)
        parser = _Tables()
        try:
            parser.feed(joined)
            parser.close()
        except Exception:  # noqa: BLE001 - malformed HTML: fall back to its text
            self._plain(out, agg, region)
            return
        for table in parser.tables:
            header: list[str | None] = []
            scanner = ColumnScanner(region=region)
            cell_lines: list[list[int]] = []
            for lines, cells, is_header in table:
                if is_header and not scanner.rows:
                    header = [c or None for c in cells]
                    continue
                scanner.add_row(header, cells, line=lines[0] if lines else 1)
                cell_lines.append(lines)
            names = [h or f"column {i + 1}" for i, h in enumerate(header)]
            for m in scanner.results():
                line_no = m.line
                if 0 <= m.row < len(cell_lines) and m.field in names:
                    i = names.index(m.field)
                    if i < len(cell_lines[m.row]):
                        line_no = cell_lines[m.row][i]
                raw = out.lines[min(max(line_no, 1), len(out.lines)) - 1]
                self._add(agg, m.entity, m.id_type, m.field, raw.raw_line, raw.raw_column,
                          m.sample, m.matches, out.mime)
        for line_no, col, data in parser.text:
            raw = out.lines[min(max(line_no, 1), len(out.lines)) - 1]
            self._scan_line(data, raw, "", agg, region, out.mime, at=col if line_no >= 1 else 0)

    # --- text/plain, streams, tracebacks -----------------------------------------------------
    def _plain(self, out, agg, region) -> None:
        lines = [(_ANSI.sub("", sl.text), sl) for sl in out.lines]
        head = lines[0][0].lower() if lines else ""
        table = self._plain_table(lines)
        in_table: set[int] = set()
        if table is not None:
            header, rows = table
            from ..pii.columns import ColumnScanner

            scanner = ColumnScanner(region=region)
            for idx, cells in rows:
                in_table.add(idx)
                scanner.add_row(header, cells, line=idx + 1)
            for m in scanner.results():
                sl = lines[m.line - 1][1]
                self._add(agg, m.entity, m.id_type, m.field, sl.raw_line, sl.raw_column,
                          m.sample, m.matches, out.mime)
        for i, (text, sl) in enumerate(lines):
            if i in in_table or not text.strip():
                continue
            self._scan_line(text, sl, head, agg, region, out.mime)

    @staticmethod
    def _plain_table(lines):
        """A pandas DataFrame repr: a header line, then rows of ``index  v1  v2 ...`` split on
        runs of two or more spaces. Returns (header, [(line index, cells)]) or None."""
        if len(lines) < 2:
            return None
        header = _COLS.split(lines[0][0].strip())
        if len(header) < 2 or not all(re.match(r"^[\w .()\-/]+$", h) for h in header):
            return None
        rows = []
        for i in range(1, len(lines)):
            text = lines[i][0]
            if not text.strip() or re.match(r"^\s*\[\d+ rows x \d+ columns\]", text):
                continue
            parts = _COLS.split(text.strip())
            if len(parts) == len(header) + 1 and parts[0].isdigit() or (
                    len(parts) == len(header) + 1 and parts[0] == "..."):
                rows.append((i, parts[1:]))
            else:
                return None if not rows else (header, rows)
        return (header, rows) if len(rows) >= 1 else None

    def _scan_line(self, text: str, sl, head: str, agg, region, mime, at: int = 0) -> None:
        """Personal data in ``text``, which starts at offset ``at`` of the output line ``sl``."""
        from ..pii.detectors import candidates, resolve
        from ..pii.masking import mask

        if len(text) > 100_000:
            text = text[:100_000]
        cands = candidates(text, (region,) if region else ())
        for c in cands:
            if not c.readings:
                continue
            window = text[max(0, c.start - 48):c.end + 16].lower()
            r = resolve(c, window)
            if r is None and head:
                r = resolve(c, head)  # the output's first line (a header) names the value
            if r is None:
                continue
            self._add(agg, r.entity, r.id_type, None, sl.raw_line, sl.raw_col_at(at + c.start),
                      mask(r.entity, c.value), 1, mime)
