"""Column-level decisions: which fields of a table hold personal data, and how sure we are.

A :class:`ColumnScanner` is fed rows (``add_row`` for a fixed header, ``add_value`` for keyed
records) and keeps, per field, only counters and the first occurrence of each entity: memory does
not grow with the number of rows. ``results()`` then decides per field:

- a *strong* reading (an e-mail, an IBAN, a grouped card number, a codice fiscale...) counts on
  its own, so one stray address in a free-text column is reported;
- a *weak* reading (pure digits that pass a check digit one time in ten: BSN, PESEL, Steuer-ID,
  card numbers without grouping; national-format phone numbers) counts when the field name says
  what it is, when words in the same value say so, or when at least 80% of the column's values
  are valid readings of that type (``SHARE``) — a column of random 9-digit ids is about 10%
  "BSN-valid" and stays quiet; identifiers with no check digit at all (Danish CPR, US SSN) never
  count on share alone;
- a full-value reading in a column where most values have the same shape but fail validation is
  chance (a 16-digit id column where one value in ten passes Luhn) and is dropped;
- IP addresses count in columns where most dotted quads are plausible addresses (not version
  strings);
- ``PERSON_NAME``, ``STREET_ADDRESS`` and ``DATE_OF_BIRTH`` are field-level: the field name says
  what the field is, and the shape of most values agrees. A field named just ``name`` or
  ``address`` also needs other personal data in the same table.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from datetime import date

from .detectors import FALLBACK_REGIONS, NO_CHECKSUM, Candidate, Reading, candidates, resolve
from .fields import FieldClass, classify_field, is_country_field
from .lexicon import GIVEN_NAMES
from .masking import mask

SHARE = 0.8  # share of a column's values that must validate for weak readings to count
MIN_SHARE_VALUES = 3
MAX_FIELDS = 4096  # fields tracked per scanner (a guard against keys that are data)
MAX_VALUE_CHARS = 1 << 20  # a longer value is scanned in its first MiB only
SEP = "\x00"
# Values no candidate can come from, blanked in a batch before the detectors scan it (one C
# pass instead of a Python test per value): shorter than 7 characters (the shortest candidates
# are a 7-character digit run and an IPv4 address; a mixed identifier has 9) without "@" (a short
# e-mail) or ":" (IPv6), and decimal numbers (the digit-run rule drops them). Blanking keeps the
# separators, so positions still map to values.
_BLANK = re.compile(r"\x00(?:-?[0-9]+\.[0-9]+|[^\x00@:]{1,6})(?=\x00)")  # on SEP + batch + SEP
BATCH_CHARS = 64 * 1024  # values are scanned in batches of about this many characters

_LABELS = {
    "EMAIL": "e-mail address", "PHONE": "phone number", "IBAN": "IBAN",
    "CREDIT_CARD": "payment card number", "IP_ADDRESS": "public IP address",
    "NATIONAL_ID": "national identification number", "PERSON_NAME": "person's name",
    "STREET_ADDRESS": "street address", "DATE_OF_BIRTH": "date of birth",
}
ID_LABELS = {
    "fr.nir": "French NIR", "it.codicefiscale": "Italian codice fiscale", "es.dni": "Spanish DNI",
    "es.nie": "Spanish NIE", "nl.bsn": "Dutch BSN", "pl.pesel": "Polish PESEL",
    "se.personnummer": "Swedish personnummer", "de.idnr": "German Steuer-ID",
    "dk.cpr": "Danish CPR number", "fi.hetu": "Finnish HETU", "be.nn": "Belgian national number",
    "ro.cnp": "Romanian CNP", "us.ssn": "US social security number",
    "gb.nino": "UK national insurance number",
}


def label(entity: str, id_type: str | None = None) -> str:
    """How an entity reads in a message: "e-mail address", "Dutch BSN"."""
    return ID_LABELS.get(id_type or "", _LABELS.get(entity, entity.lower()))


@dataclass
class FieldMatch:
    """Personal data found in one field of a set of records (one entity, one id type).

    ``row`` is the 0-based index of the first record that holds it, ``line`` its line in the file
    when the records came from one; ``start``/``end`` are positions in that record's value.
    ``sample`` is masked; ``value`` is the first value in clear only when it was asked for
    (``reveal=True``), else None.
    """

    field: str | None
    entity: str
    id_type: str | None
    matches: int
    rows_scanned: int
    values_scanned: int
    row: int
    line: int
    start: int
    end: int
    sample: str
    evidence: str  # "validated", "field name", "column share", "nearby words", "field name and values"
    reason: str  # one sentence for a message
    confidence: str  # "high" or "medium"
    value: str | None = dc_field(default=None, repr=False)  # never in a repr

    def to_dict(self) -> dict:
        d = {"entity": self.entity, "field": self.field, "matches": self.matches,
             "rows_scanned": self.rows_scanned, "sample": self.sample, "evidence": self.evidence}
        if self.id_type:
            d["id_type"] = self.id_type
        return d


class _Tally:
    __slots__ = ("count", "full", "row", "line", "start", "end", "sample", "value", "by_context")

    def __init__(self) -> None:
        self.count = 0
        self.full = 0
        self.row = -1
        self.line = 0
        self.start = 0
        self.end = 0
        self.sample = ""
        self.value: str | None = None
        self.by_context = 0

    def add(self, entity: str, value: str, full: bool, row: int, line: int, start: int, end: int,
            reveal: bool, by_context: bool = False, times: int = 1) -> None:
        """``times`` occurrences of one value, the first at ``row``/``line``."""
        self.count += times
        if full:
            self.full += times
        if by_context:
            self.by_context += times
        if self.row < 0:
            self.row, self.line, self.start, self.end = row, line, start, end
            self.sample = mask(entity, value)
            if reveal:
                self.value = value

    def shift(self, rows: int, lines: int) -> None:
        if self.row >= 0:
            self.row += rows
            self.line += lines

    def merge(self, other: "_Tally") -> None:
        self.count += other.count
        self.full += other.full
        self.by_context += other.by_context
        if self.row < 0 or (0 <= other.row < self.row):
            self.row, self.line, self.start, self.end = other.row, other.line, other.start, other.end
            self.sample, self.value = other.sample, other.value


# field-level shapes
_NAME_TOKEN = r"[^\W\d_][^\W\d_'’\-]*\.?"
_NAME_PARTICLE = r"(?:van|von|de|der|den|da|di|del|della|la|le|du|dos|das|y|af|zu|ter|ten|bin|al|el|zur|vom)"
_PARTICLE = re.compile(_NAME_PARTICLE)
_PERSON_NAME = re.compile(rf"^(?:{_NAME_TOKEN}|{_NAME_PARTICLE})(?:[ \-](?:{_NAME_TOKEN}|{_NAME_PARTICLE})){{0,5}}$")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "herr", "frau", "mme", "mlle",
                     "m", "sr", "sra", "srta", "dott", "dott.ssa", "ing", "dipl", "mag", "pan",
                     "pani", "dhr", "mevr", "univ", "b.sc", "m.sc", "msc", "bsc", "phd", "md"})
_NAME_SPLIT = re.compile(r"[ \-]")
_ADDRESS_WORD = re.compile(r"[^\W\d_]{3,}")
_HAS_DIGIT = re.compile(r"\d")
_DATE_SHAPES = (
    re.compile(r"^\s*((?:18|19|20)\d\d)[-/.](0?[1-9]|1[0-2])[-/.](0?[1-9]|[12]\d|3[01])(?:[T ][\d:.]+Z?)?\s*$"),
    re.compile(r"^\s*(0?[1-9]|[12]\d|3[01])[-/.](0?[1-9]|1[0-2])[-/.]((?:18|19|20)\d\d)\s*$"),
    re.compile(r"^\s*(0?[1-9]|1[0-2])[-/.](0?[1-9]|[12]\d|3[01])[-/.]((?:18|19|20)\d\d)\s*$"),
    re.compile(r"^\s*((?:18|19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s*$"),
)


_ABBREV = re.compile(r"^(?:[^\W\d_]{1,5}\.)+(?:-?[^\W\d_]{1,5}\.?)*$|^[A-Z]{2,4}\.?$|^[A-Z][a-z]?[A-Z]{1,3}\.?$")


# a word with an acronym inside or several humps: "MyMCPClient", "OpenAIClient", "getUserName";
# a name has at most one inner capital ("McDonald", "DeAndre")
_IDENTIFIER_WORD = re.compile(r"[a-z][A-Z]{2,}|[A-Z]{3,}[a-z]|[a-z][A-Z].*[a-z][A-Z]")


def looks_like_person_name(value: str, multi: bool = False) -> bool:
    """"Anna Kowalska", "Dr. Jan van der Berg", "Dipl.-Ing. Jiri Kaul B.Eng." (titles and degrees
    are ignored); with ``multi``, at least two capitalised words are required."""
    v = value.strip()
    if not 2 <= len(v) <= 80:
        return False
    # _ABBREV needs a "." or an uppercase second or third character
    tokens = [t for t in v.split() if t.lower().rstrip(".") not in _TITLES
              and ("." not in t and t[1:3].islower() or not _ABBREV.match(t))]
    if not tokens:
        return False
    core_text = " ".join(tokens)
    if not _PERSON_NAME.match(core_text):
        return False
    core = [t for t in _NAME_SPLIT.split(core_text) if t]
    if not core or not core[0][:1].isupper():
        return False
    caps = sum(1 for t in core if t[:1].isupper())
    if multi and (len(core) < 2 or caps < 2):
        return False
    if any(not t[:1].isupper() and not _PARTICLE.fullmatch(t) for t in core):
        return False  # "The Hugging Face team": a lower-case word that is not "van", "de"...
    if any(_IDENTIFIER_WORD.search(t) for t in core):
        return False  # "MyMCPClient", "OpenAIClient": a program's name, not a person's
    return all(not t.isupper() or len(t) <= 3 for t in core)  # not "ACME CORP"


def starts_with_given_name(value: str) -> bool:
    """Whether the first word that is not a title is a common given name."""
    for t in value.split():
        w = t.lower().rstrip(".,")
        if w in _TITLES or _ABBREV.match(t):
            continue
        w = unicodedata.normalize("NFKD", w)
        w = "".join(ch for ch in w if not unicodedata.combining(ch)).replace("ł", "l").replace("ø", "o")
        return w.split("-")[0] in GIVEN_NAMES
    return False


def looks_like_street_address(value: str) -> bool:
    v = value.strip()
    if not 5 <= len(v) <= 200 or "@" in v or "://" in v:
        return False
    if not _HAS_DIGIT.search(v) or not _ADDRESS_WORD.search(v):
        return False
    digits = sum(map(str.isdigit, v))
    return digits <= len(v) * 0.5


def looks_like_birth_date(value: str) -> bool:
    for pat in _DATE_SHAPES:
        m = pat.match(value)
        if m:
            year = next(int(g) for g in m.groups() if len(g) == 4)
            return 1890 <= year <= date.today().year
    return False


_FIELD_LEVEL = {"PERSON_NAME", "STREET_ADDRESS", "DATE_OF_BIRTH"}


class _Field:
    __slots__ = ("name", "hint", "nonempty", "empty", "shaped", "strong", "weak", "shape_hits",
                 "shape_tally", "distinct", "country", "own_scan", "line", "given")

    def __init__(self, name: str | None, line: int = 0) -> None:
        self.name = name
        self.line = line  # where the field was first seen
        self.hint: FieldClass | None = classify_field(name) if name else None
        self.nonempty = 0
        self.empty = 0  # empty values in table rows not yet counted (see ColumnScanner._count)
        self.shaped: dict[str, int] = {}
        self.strong: dict[str, _Tally] = {}
        self.weak: dict[str, _Tally] = {}
        self.shape_hits = 0  # values with the field-level shape (names, addresses, dates)
        self.given = 0  # person-name values that start with a common given name
        self.shape_tally: _Tally | None = None
        self.distinct: set[int] = set()
        self.country = bool(name) and is_country_field(name)
        h = self.hint
        self.own_scan = h is not None and (h.entity in _FIELD_LEVEL or h.entity == "PHONE")

    @property
    def level_entity(self) -> str | None:
        h = self.hint
        return h.entity if h is not None and h.entity in _FIELD_LEVEL else None

    def shift(self, rows: int, lines: int) -> None:
        """Move rows and lines on: this field was scanned in a partition that follows
        ``rows`` records and ``lines`` lines."""
        self.line += lines
        for t in (*self.strong.values(), *self.weak.values(), self.shape_tally):
            if t is not None:
                t.shift(rows, lines)

    def merge(self, other: "_Field") -> None:
        self.nonempty += other.nonempty
        for k, v in other.shaped.items():
            self.shaped[k] = self.shaped.get(k, 0) + v
        for mine, theirs in ((self.strong, other.strong), (self.weak, other.weak)):
            for k, t in theirs.items():
                mine.setdefault(k, _Tally()).merge(t)
        self.shape_hits += other.shape_hits
        self.given += other.given
        if other.shape_tally is not None:
            if self.shape_tally is None:
                self.shape_tally = _Tally()
            self.shape_tally.merge(other.shape_tally)
        if len(self.distinct) < 64:
            self.distinct.update(list(other.distinct)[: 64 - len(self.distinct)])


def shape_of(f: _Field, entity: str, v: str) -> tuple[bool, bool]:
    """(whether ``v`` has the field-level shape of ``entity``, whether it starts with a common
    given name): depends on the field and the value only."""
    hint = f.hint
    if entity == "PERSON_NAME":
        amb = bool(hint and hint.ambiguous)
        ok = looks_like_person_name(v, multi=amb)
        return ok, bool(ok and amb and starts_with_given_name(v))
    if entity == "STREET_ADDRESS":
        return looks_like_street_address(v), False
    return looks_like_birth_date(v), False


def effect(f: _Field, c: Candidate, text: str, lo: int) -> tuple:
    """What one candidate counts for in its field: (shapes, tally adds, start, end, value),
    a tally add being (strong, key, entity, full, by context). Depends on the field, the
    candidate and its value only, so equal values of a column are decided once."""
    # text: the field's value; lo: its offset in the string the candidate positions refer to
    start, end = c.start - lo, c.end - lo
    if start <= 0 and end >= len(text):  # the whole value (most values of a data column)
        full = True
    else:
        stripped_lo = len(text) - len(text.lstrip())
        stripped_hi = len(text.rstrip())
        full = start <= stripped_lo and end >= stripped_hi
    shapes = c.shapes if full else ()
    if not c.readings:
        return shapes, (), start, end, c.value
    hint = f.hint
    window = None if full else text[max(0, start - 48):min(len(text), end + 16)].lower()
    hint_entity = hint.entity if hint is not None and not hint.ambiguous else None
    hint_id = hint.id_type if hint is not None else None
    chosen = resolve(c, window, hint_entity, hint_id)
    if chosen is not None:
        adds = ((True, chosen.key, chosen.entity, full, not chosen.strong),)
    else:
        adds = tuple((False, r.key, r.entity, full, False) for r in c.readings)
    return shapes, adds, start, end, c.value


class ColumnScanner:
    """Streams records through the detectors and decides per field. Picklable and mergeable:
    scan partitions of a big table in parallel, ``merge`` the scanners, then call ``results``."""

    def __init__(self, region: str | None = None, reveal: bool = False) -> None:
        self.region = region.upper() if region else None
        self.reveal = reveal
        self.rows = 0
        self.values = 0
        self.lines = 0  # lines of the file a partition spans (set by the partition's reader)
        self._fields: dict[str | None, _Field] = {}
        self._order: list[str | None] = []
        self._row_cache: tuple | None = None
        self._has_country = False
        self._tables: list[list] = []
        self._bvals: list[str] = []  # queued table values, row after row
        self._brows: list[int] = []  # index in _bvals where each queued row starts
        self._bmeta: list[tuple] = []  # (fields, line, row) of each queued row
        self._bqueued: list[tuple] = []  # queued keyed values: (text, field, line, row)
        self._bchars = 0
        self.fields_dropped = False

    # --- input -----------------------------------------------------------------------------
    def _field(self, name: str | None, line: int = 0) -> _Field | None:
        f = self._fields.get(name)
        if f is None:
            if len(self._fields) >= MAX_FIELDS:
                self.fields_dropped = True
                return None
            f = _Field(name, line)
            self._fields[name] = f
            self._order.append(name)
        return f

    def add_row(self, header: Sequence[str | None], values: Sequence[str], line: int = 0,
                row: int | None = None) -> None:
        """One row of a table whose columns are named by ``header`` (missing names: None).

        Rows are queued and scanned in batches (one regex pass over many rows joined); values
        of fields whose name asks for more (phone fields, names, addresses, dates of birth) and
        rows with their own region (a country column) are also scanned on their own.
        """
        row = self.rows if row is None else row
        self.rows += 1
        n = len(values)
        self.values += n
        table = self._table(header, n, line)
        fields = table[0]
        table[1] += 1
        if "" in values:
            for i, v in enumerate(values):
                if not v and fields[i] is not None:
                    fields[i].empty += 1
        if table[2] or self._has_country:
            region = self._record_region(fields, values) if self._has_country else self.region
            if region != self.region:
                for i, v in enumerate(values):
                    if v and fields[i] is not None:
                        self._value(fields[i], v, line, row, region)
                return
            for i in table[2]:
                if i < n and values[i]:
                    self._value(fields[i], values[i], line, row, region)
        self._brows.append(len(self._bvals))
        self._bmeta.append((fields, line, row))
        self._bvals.extend(values)
        self._bchars += sum(map(len, values)) + n
        if self._bchars >= BATCH_CHARS:
            self._flush()

    def _one_by_one(self, values: list[str], rows: list[int], meta: list[tuple]) -> None:
        for r, start in enumerate(rows):
            fields, line, row = meta[r]
            end = rows[r + 1] if r + 1 < len(rows) else len(values)
            for col in range(end - start):
                f = fields[col] if col < len(fields) else None
                v = values[start + col]
                if v and f is not None and not f.own_scan:
                    self._value(f, v.replace(SEP, " "), line, row, self.region)

    def _table(self, header: Sequence[str | None], n: int, line: int) -> list:
        """[fields, rows not yet counted, indexes of fields scanned on their own] for a header."""
        key = (id(header), n)
        cached = self._row_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        fields = [self._field(header[i] if i < len(header) and header[i] else f"column {i + 1}", line)
                  for i in range(n)]
        own = [i for i, f in enumerate(fields) if f is not None and f.own_scan]
        table = [fields, 0, own]
        self._tables.append(table)
        self._row_cache = (key, table)
        self._has_country = self._has_country or any(f is not None and f.country for f in fields)
        return table

    def _count(self) -> None:
        """Fold the row counts of tables into the fields' non-empty counts."""
        for table in self._tables:
            if table[1]:
                for f in table[0]:
                    if f is not None:
                        f.nonempty += table[1] - f.empty
                        f.empty = 0
                table[1] = 0

    def _flush(self) -> None:
        """Scan the queued values in one pass and attribute each candidate to its value."""
        values, queued = self._bvals, self._bqueued
        rows, meta = self._brows, self._bmeta
        if not values and not queued:
            return
        self._bvals, self._bqueued, self._brows, self._bmeta, self._bchars = [], [], [], [], 0
        if values:
            joined = SEP.join(values)
            if joined.count(SEP) != len(values) - 1:  # a value holds NUL itself: one by one
                self._one_by_one(values, rows, meta)
                values = []
        if values:
            joined = _BLANK.sub(SEP, SEP + joined + SEP)[1:-1]
            cands = candidates(joined, (self.region,) if self.region else ())
            if cands:
                cands.sort(key=lambda c: c.start)
                idx, last = 0, 0
                for c in cands:
                    idx += joined.count(SEP, last, c.start)
                    last = c.start
                    lo = joined.rfind(SEP, 0, c.start) + 1
                    r = bisect_right(rows, idx) - 1
                    fields, line, row = meta[r]
                    col = idx - rows[r]
                    f = fields[col] if col < len(fields) else None
                    if f is None or f.own_scan:
                        continue
                    self._candidate(f, c, values[idx], lo, line, row)
        if queued:
            joined = SEP.join(q[0] for q in queued)
            if joined.count(SEP) != len(queued) - 1:
                for text, f, line, row in queued:
                    self._value(f, text.replace(SEP, " "), line, row, self.region)
                queued = []
        if queued:
            cands = candidates(joined, (self.region,) if self.region else ())
            if cands:
                cands.sort(key=lambda c: c.start)
                idx, last = 0, 0
                for c in cands:
                    idx += joined.count(SEP, last, c.start)
                    last = c.start
                    lo = joined.rfind(SEP, 0, c.start) + 1
                    text, f, line, row = queued[idx]
                    self._candidate(f, c, text, lo, line, row)

    def add_value(self, field_name: str | None, value: object, line: int = 0, row: int | None = None,
                  region: str | None = None) -> None:
        """One value of a keyed record (JSON, a dict). Call ``next_row()`` between records."""
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, float):
            return
        text = value if isinstance(value, str) else str(value)
        if not text:
            return
        f = self._field(field_name, line)
        if f is None:
            return
        f.nonempty += 1
        self.values += 1
        r = self.rows if row is None else row
        if f.own_scan or (region and region != self.region) or len(text) > BATCH_CHARS:
            self._value(f, text, line, r, region or self.region)
            return
        self._bqueued.append((text, f, line, r))
        self._bchars += len(text) + 1
        if self._bchars >= BATCH_CHARS:
            self._flush()

    def next_row(self) -> None:
        self.rows += 1

    def add_record(self, record: dict, line: int = 0, row: int | None = None) -> None:
        """One dict (nested dicts and lists are flattened to ``a.b[]`` paths)."""
        pairs = list(flatten(record))
        region = None
        for k, v in pairs:
            if isinstance(v, str) and len(v) == 2 and k and is_country_field(k.rsplit(".", 1)[-1]):
                region = _region_of(v)
        r = self.rows if row is None else row
        for k, v in pairs:
            self.add_value(k, v, line, r, region)
        self.rows += 1

    def _record_region(self, fields: Sequence[_Field | None], values: Sequence[str]) -> str | None:
        for f, v in zip(fields, values):
            if f is not None and f.country and v:
                r = _region_of(v)
                if r:
                    return r
        return self.region

    # --- per value -------------------------------------------------------------------------
    def _value(self, f: _Field, v: str, line: int, row: int, region: str | None) -> None:
        if len(v) > MAX_VALUE_CHARS:
            v = v[:MAX_VALUE_CHARS]
        hint = f.hint
        level = f.level_entity
        if level is not None:
            self._shape(f, level, v, line, row)
        phone = hint is not None and hint.entity == "PHONE"
        if phone:
            regions = tuple(dict.fromkeys(r for r in (region, self.region, *FALLBACK_REGIONS) if r))
        else:
            regions = tuple(r for r in (region or self.region,) if r)
        cands = candidates(v, regions, phone_hint=phone)
        for c in cands:
            self._candidate(f, c, v, 0, line, row)

    def _shape(self, f: _Field, entity: str, v: str, line: int, row: int) -> None:
        ok, given = shape_of(f, entity, v)
        if ok:
            self._add_shape(f, entity, v, given, line, row)

    def _add_shape(self, f: _Field, entity: str, v: str, given: bool, line: int, row: int,
                   times: int = 1) -> None:
        """``times`` occurrences of a value with the field's shape, the first at ``row``."""
        f.shape_hits += times
        if given:
            f.given += times
        if len(f.distinct) < 64:
            # a stable digest, not hash(): partitions scanned in other processes (another
            # PYTHONHASHSEED) must agree on which values are the same
            f.distinct.add(zlib.crc32(v.strip().encode("utf-8", "surrogatepass")))
        if f.shape_tally is None:
            f.shape_tally = _Tally()
        f.shape_tally.add(entity, v.strip(), True, row, line, 0, len(v), self.reveal, times=times)

    def _candidate(self, f: _Field, c: Candidate, text: str, lo: int, line: int, row: int) -> None:
        # text: the field's value; lo: its offset in the string the candidate positions refer to
        self._apply(f, effect(f, c, text, lo), line, row)

    def _apply(self, f: _Field, eff: tuple, line: int, row: int, times: int = 1) -> None:
        """Count ``times`` occurrences of a candidate whose :func:`effect` is ``eff``."""
        shapes, adds, start, end, value = eff
        for s in shapes:
            f.shaped[s] = f.shaped.get(s, 0) + times
        for strong, key, entity, full, by_ctx in adds:
            tallies = f.strong if strong else f.weak
            t = tallies.get(key)
            if t is None:
                t = tallies[key] = _Tally()
            t.add(entity, value, full, row, line, start, end, self.reveal, by_ctx, times)

    def field_names(self) -> list[tuple[str | None, int]]:
        """Every field seen, with the line it was first seen on, in order."""
        self._flush()
        self._count()
        return [(name, self._fields[name].line) for name in self._order]

    # --- merging and results -------------------------------------------------------------
    def merge(self, other: "ColumnScanner") -> "ColumnScanner":
        self._flush()
        other._flush()
        self._count()
        other._count()
        self.rows += other.rows
        self.values += other.values
        self.fields_dropped = self.fields_dropped or other.fields_dropped
        for name in other._order:
            theirs = other._fields[name]
            mine = self._field(name, theirs.line)
            if mine is not None:
                mine.merge(theirs)
        return self

    def concat(self, other: "ColumnScanner") -> "ColumnScanner":
        """Merge the scanner of the partition that comes right after this one: its rows and
        lines (numbered from the partition's start) are moved on by this scanner's ``rows`` and
        ``lines``, so merging the partitions of a file in order gives what one pass over the
        whole file gives (same counts, same first rows and lines, same samples). ``other`` is
        consumed."""
        self._flush()
        other._flush()
        rows, lines = self.rows, self.lines
        if rows or lines:
            for f in other._fields.values():
                f.shift(rows, lines)
        self.merge(other)
        self.lines = lines + other.lines
        return self

    def results(self) -> list[FieldMatch]:
        self._flush()
        self._count()
        out: list[FieldMatch] = []
        ambiguous: list[FieldMatch] = []
        personal_names = False
        for name in self._order:
            f = self._fields[name]
            if f.hint is not None and not f.hint.ambiguous:
                personal_names = True
            got = self._decide(f)
            for m in got:
                if m.evidence == "field name and values" and f.hint is not None and f.hint.ambiguous:
                    ambiguous.append(m)
                else:
                    out.append(m)
        if ambiguous and (out or personal_names):
            out.extend(ambiguous)
        if self._made_up():
            ambiguous_fields = {m.field for m in ambiguous}
            out = [m for m in out if not (m.entity in _FIELD_LEVEL and m.field in ambiguous_fields)]
        out.sort(key=lambda m: (m.row, m.line, str(m.field), m.entity, m.id_type or ""))
        return out

    def _made_up(self) -> bool:
        """Whether the records are visibly invented: a column of e-mail addresses that are all
        at reserved or placeholder domains (jane.doe@example.com). A bare ``name`` or
        ``address`` column next to such a column is sample data, not people."""
        for f in self._fields.values():
            shaped = f.shaped.get("EMAIL", 0)
            if shaped >= 3 and shaped >= 0.5 * max(f.nonempty, 1) and "EMAIL" not in f.strong \
                    and "EMAIL" not in f.weak:
                return True
        return False

    def _decide(self, f: _Field) -> list[FieldMatch]:
        hint = f.hint
        n = f.nonempty
        res: list[FieldMatch] = []
        keys = list(dict.fromkeys([*f.strong, *f.weak]))
        best_weak: tuple[float, str] | None = None
        accepted: dict[str, tuple[int, _Tally, str]] = {}
        for key in keys:
            entity, _, id_type = key.partition(":")
            id_type = id_type or None
            strong = f.strong.get(key)
            weak = f.weak.get(key)
            hinted = (hint is not None and not hint.ambiguous and hint.entity == entity
                      and (hint.id_type is None or hint.id_type == id_type))
            count = 0
            tallies: list[_Tally] = []
            evidence = "validated"
            if strong is not None:
                count = strong.count
                full_valid = strong.full + (weak.full if weak else 0)
                shape_key = "IP_ADDRESS" if entity == "IP_ADDRESS" else key
                shaped = f.shaped.get(shape_key, 0)
                if entity == "IP_ADDRESS":
                    full_valid = f.shaped.get("IP_ADDRESS:plausible", 0)
                if not hinted and shaped >= 5 and full_valid / shaped < 0.5:
                    count -= strong.full  # same-shaped values that mostly fail: chance hits
                if count > 0:
                    tallies.append(strong)
                    if strong.by_context:
                        evidence = "nearby words" if strong.by_context == strong.count else evidence
                    if hinted:
                        evidence = "field name"
            if weak is not None and weak.count:
                share = (weak.full + (strong.full if strong else 0)) / n if n else 0.0
                reading_share_ok = id_type not in NO_CHECKSUM
                if hinted:
                    count += weak.count
                    tallies.append(weak)
                    evidence = "field name"
                elif (hint is not None and hint.entity == "NATIONAL_ID" and hint.id_type is None
                      and entity == "NATIONAL_ID" and reading_share_ok and share >= 0.5
                      and weak.full >= MIN_SHARE_VALUES):
                    if best_weak is None or share > best_weak[0]:
                        best_weak = (share, key)
                    accepted[key] = (weak.count, weak, "field name and column share")
                elif reading_share_ok and weak.full >= MIN_SHARE_VALUES and share >= SHARE:
                    if best_weak is None or share > best_weak[0]:
                        best_weak = (share, key)
                    accepted[key] = (weak.count, weak, "column share")
            if count > 0:
                res.append(self._match(f, entity, id_type, count, tallies, evidence))
        if best_weak is not None:
            key = best_weak[1]
            wcount, weak, evidence = accepted[key]
            entity, _, id_type = key.partition(":")
            existing = next((m for m in res if m.entity == entity and m.id_type == (id_type or None)), None)
            if existing is not None:
                res.remove(existing)
                strong = f.strong.get(key)
                res.append(self._match(f, entity, id_type or None, wcount + existing.matches,
                                       [t for t in (strong, weak) if t], evidence))
            else:
                res.append(self._match(f, entity, id_type or None, wcount, [weak], evidence))
        level = f.level_entity
        if level is not None and f.shape_tally is not None and n:
            share = f.shape_hits / n
            amb = hint is not None and hint.ambiguous
            need = {"PERSON_NAME": 0.8 if amb else 0.6, "STREET_ADDRESS": 0.7 if amb else 0.5,
                    "DATE_OF_BIRTH": 0.6}[level]
            diverse = len(f.distinct) >= min(3, f.shape_hits) if amb else True
            if amb and level == "PERSON_NAME" and f.given < 0.3 * f.shape_hits:
                diverse = False  # "Red Shirt", "Maroon Lamp": shaped like names, not people's
            enough = f.shape_hits >= (MIN_SHARE_VALUES if amb else 1)
            other_entities = any(m.field == f.name and m.matches >= f.shape_hits * 0.3 for m in res)
            if share >= need and diverse and enough and not other_entities:
                res.append(self._match(f, level, None, f.shape_hits, [f.shape_tally],
                                       "field name and values"))
        return res

    def _match(self, f: _Field, entity: str, id_type: str | None, count: int,
               tallies: list[_Tally], evidence: str) -> FieldMatch:
        first = min((t for t in tallies if t.row >= 0), key=lambda t: (t.row, t.line))
        hint = f.hint
        if evidence == "validated":
            reason = f"{count} value{'s' if count != 1 else ''} pass{'' if count != 1 else 'es'} validation"
        elif evidence == "nearby words":
            reason = "validated, and the words next to it say what it is"
        elif evidence == "field name":
            reason = f"validated values, and {hint.reason if hint else 'the field name says so'}"
        elif evidence == "column share":
            pct = round(100 * (sum(t.full for t in tallies)) / max(f.nonempty, 1))
            reason = f"{pct}% of the field's values validate as {label(entity, id_type)}"
        elif evidence == "field name and column share":
            reason = f"most values validate, and {hint.reason if hint else 'the field name says so'}"
        else:
            reason = (f"{hint.reason if hint else 'the field name'}, and "
                      f"{round(100 * f.shape_hits / max(f.nonempty, 1))}% of its values have that shape")
        confidence = "high" if evidence in ("validated", "field name", "nearby words") else "medium"
        return FieldMatch(field=f.name, entity=entity, id_type=id_type, matches=count,
                          rows_scanned=self.rows, values_scanned=f.nonempty, row=first.row,
                          line=first.line, start=first.start, end=first.end, sample=first.sample,
                          evidence=evidence, reason=reason, confidence=confidence,
                          value=first.value if self.reveal else None)


def _region_of(value: str) -> str | None:
    v = value.strip().upper()
    if len(v) == 2 and v.isalpha():
        return "GB" if v == "UK" else v
    return None


def flatten(obj: object, prefix: str = "") -> Iterable[tuple[str, object]]:
    """(path, scalar) pairs of a nested record: ``{"a": {"b": [1, 2]}}`` → ``("a.b[]", 1)``, ...
    Keys that look like data (long, or holding digits/@) are replaced by ``*`` in the path."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = safe_key(str(k))
            path = f"{prefix}.{key}" if prefix else key
            if isinstance(v, (dict, list)):
                yield from flatten(v, path)
            else:
                yield path, v
    elif isinstance(obj, list):
        path = f"{prefix}[]"
        for v in obj:
            if isinstance(v, (dict, list)):
                yield from flatten(v, path)
            else:
                yield path, v
    else:
        yield prefix, obj


_SAFE_KEY = re.compile(r"^[A-Za-z_][\w .\-]{0,63}$")
_DATA_KEY = re.compile(r"\d{3}|[0-9a-fA-F]{16}|[0-9a-f]{8}-[0-9a-f]{4}")


@lru_cache(maxsize=4096)
def safe_key(key: str) -> str:
    """A key as it may appear in a path shown to the user: a key that is itself data (an e-mail
    or a number used as a key) becomes ``*``."""
    if not _SAFE_KEY.match(key) or _DATA_KEY.search(key):
        return "*"
    if any(c.readings for c in candidates(key)):
        return "*"
    return key
