"""Validated PII detectors, usable as a library on strings and records.

    >>> from aiprivlint.pii import scan_text
    >>> [(m.entity, m.sample) for m in scan_text("write to jan.kowalski@gmail.com")]
    [('EMAIL', 'j***@g***.com')]

- :func:`scan_text` finds personal data in free text: each :class:`Match` has ``entity``,
  ``id_type`` (national ids), ``start``/``end`` and a masked ``sample``; the value itself only
  with ``reveal=True``.
- :func:`scan_records` decides per field over many records (dicts, a pandas DataFrame, or rows
  with a header) and returns :class:`FieldMatch` results, aggregated per field and entity.
- :class:`ColumnScanner` is the streaming, mergeable form of ``scan_records`` for partitioned
  data (Spark, Dask): scan each partition, ``merge`` the scanners, read ``results()``.
- :func:`scan_dataframe` does it for a pandas or a Dask DataFrame (partitions scanned on the
  cluster, joined by a tree reduction).
- :func:`classify_field` says whether a field name denotes personal data, and why.

Entities: ``EMAIL``, ``PHONE``, ``IBAN``, ``CREDIT_CARD``, ``IP_ADDRESS``, ``NATIONAL_ID``
(``id_type``: ``fr.nir``, ``it.codicefiscale``, ``es.dni``, ``es.nie``, ``nl.bsn``, ``pl.pesel``,
``se.personnummer``, ``de.idnr``, ``dk.cpr``, ``fi.hetu``, ``be.nn``, ``ro.cnp``, ``us.ssn``,
``gb.nino``), and, at field level, ``PERSON_NAME``, ``STREET_ADDRESS``, ``DATE_OF_BIRTH``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .columns import ColumnScanner, FieldMatch, label
from .detectors import FALLBACK_REGIONS, candidates, resolve
from .fields import FieldClass, classify_field
from .masking import mask

ENTITIES = ("EMAIL", "PHONE", "IBAN", "CREDIT_CARD", "IP_ADDRESS", "NATIONAL_ID", "PERSON_NAME",
            "STREET_ADDRESS", "DATE_OF_BIRTH")
ID_TYPES = ("fr.nir", "it.codicefiscale", "es.dni", "es.nie", "nl.bsn", "pl.pesel",
            "se.personnummer", "de.idnr", "dk.cpr", "fi.hetu", "be.nn", "ro.cnp", "us.ssn",
            "gb.nino")


@dataclass(frozen=True)
class Match:
    """One piece of personal data in a text. ``value`` is None unless ``reveal=True``."""

    entity: str
    id_type: str | None
    start: int
    end: int
    sample: str
    field: str | None = None
    confidence: str = "high"  # "medium": weak reading supported by the words around it
    value: str | None = None

    def __repr__(self) -> str:  # never the value, even when revealed
        return (f"Match(entity={self.entity!r}, id_type={self.id_type!r}, start={self.start}, "
                f"end={self.end}, sample={self.sample!r}, field={self.field!r})")


def scan_text(text: str, *, region: str | None = None, field: str | None = None,
              reveal: bool = False) -> list[Match]:
    """Personal data in ``text``.

    ``region`` (ISO 3166 code, e.g. ``"DE"``) lets national-format phone numbers count;
    ``field`` is the name of the field the text comes from, if any (``"bsn"`` makes a bare
    9-digit number that passes the BSN check count). Pure-digit identifiers count only when the
    words around them or the field name say what they are.
    """
    if not text:
        return []
    hint = classify_field(field) if field else None
    hint_entity = hint.entity if hint is not None and not hint.ambiguous else None
    hint_id = hint.id_type if hint is not None else None
    phone = hint_entity == "PHONE"
    out: list[Match] = []
    for c in candidates(text, _regions(region, phone), phone_hint=phone):
        if not c.readings:
            continue
        ls = text.rfind("\n", 0, c.start) + 1
        le = text.find("\n", c.end)
        le = len(text) if le < 0 else le
        window = text[max(ls, c.start - 48):min(le, c.end + 16)].lower()
        r = resolve(c, window, hint_entity, hint_id)
        if r is None:
            continue
        out.append(Match(entity=r.entity, id_type=r.id_type, start=c.start, end=c.end,
                         sample=mask(r.entity, c.value), field=field,
                         confidence="high" if r.strong else "medium",
                         value=c.value if reveal else None))
    out.sort(key=lambda m: m.start)
    return out


def redact(text: str, *, region: str | None = None) -> str:
    """``text`` with each piece of personal data :func:`scan_text` finds in it replaced by its
    masked sample: for names shown to the user that may themselves be data (a dict key that is
    an e-mail address, echoed as the field of another finding)."""
    if not text:
        return text
    for m in reversed(scan_text(text, region=region)):
        text = text[:m.start] + m.sample + text[m.end:]
    return text


def _regions(region: str | None, phone: bool) -> tuple[str, ...]:
    """The regions national-format phone numbers are read in: the ``region`` option, and the
    fallback regions when the field names a phone number."""
    regions: tuple[str, ...] = (region.upper(),) if region else ()
    return tuple(dict.fromkeys([*regions, *FALLBACK_REGIONS])) if phone else regions


def may_report(text: str, *, region: str | None = None) -> bool:
    """False only if :func:`scan_text` reports nothing in ``text`` whatever the ``field``: a
    necessary condition for a caller that does not know the field yet (the AIP104 gate). A
    field only picks among a candidate's readings (``resolve``), and one that names a phone
    number adds the fallback regions and the phone hint to the candidate search: so some
    candidate of one of the two searches must have a reading."""
    if not text:
        return False
    return any(c.readings for phone in (False, True)
               for c in candidates(text, _regions(region, phone), phone_hint=phone))


def _cell(v: Any) -> str:
    if v is None or isinstance(v, bool):
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, float):  # NaN, or a measurement: never an identifier
        return ""
    if isinstance(v, int):
        return str(v)
    if hasattr(v, "item"):  # numpy scalars
        try:
            return _cell(v.item())
        except Exception:  # noqa: BLE001
            return ""
    return ""


def scan_records(records: Any, fields: Sequence[str] | None = None, *,
                 region: str | None = None, max_rows: int | None = None,
                 reveal: bool = False) -> list[FieldMatch]:
    """Per-field personal data in ``records``: an iterable of dicts (nested dicts and lists are
    flattened to ``a.b[]`` paths), a pandas DataFrame, or an iterable of sequences whose first
    item is the header. ``fields`` restricts the scan to those fields.

    Returns one :class:`FieldMatch` per field and entity with ``matches``, ``rows_scanned``, the
    first ``row`` that holds it, a masked ``sample`` and the ``evidence`` it was decided on.
    """
    scanner = ColumnScanner(region=region, reveal=reveal)
    wanted = set(fields) if fields is not None else None
    if hasattr(records, "itertuples") and hasattr(records, "columns"):  # a pandas DataFrame
        cols = [str(c) for c in records.columns if wanted is None or str(c) in wanted]
        frame = records[[c for c in records.columns if str(c) in cols]]
        for i, row in enumerate(frame.itertuples(index=False, name=None)):
            if max_rows is not None and i >= max_rows:
                break
            scanner.add_row(cols, [_cell(v) for v in row], line=0)
        return scanner.results()
    header: list[str] | None = None
    for i, rec in enumerate(records):
        if max_rows is not None and scanner.rows >= max_rows:
            break
        if isinstance(rec, Mapping):
            if wanted is not None:
                rec = {k: v for k, v in rec.items() if str(k) in wanted}
            scanner.add_record(dict(rec), line=0)
        elif isinstance(rec, Sequence) and not isinstance(rec, (str, bytes)):
            if header is None:
                header = [str(h) for h in rec]
                continue
            keep = range(len(rec)) if wanted is None else [j for j, h in enumerate(header) if h in wanted]
            scanner.add_row([header[j] for j in keep], [_cell(rec[j]) for j in keep if j < len(rec)])
        else:
            scanner.add_value(None, _cell(rec))
            scanner.next_row()
    return scanner.results()


def scan_dataframe(df: Any, *, region: str | None = None, reveal: bool = False,
                   split_every: int = 8) -> list[FieldMatch]:
    """Per-field personal data in a pandas DataFrame, or in a Dask DataFrame scanned where it
    lives: ``map_partitions`` runs a :class:`ColumnScanner` on each partition and a tree
    reduction (``split_every`` at a time) joins them in order with
    :meth:`ColumnScanner.concat`, so the result is the one of the whole frame in one pass,
    whatever the partitioning. ``row`` is the position in the frame. Floats are measurements and
    are not scanned; read text columns as strings (``dtype=str``) to scan them as the file
    readers do.

    For Spark, run :func:`partition_scanner` in ``mapInPandas`` and join the pickled scanners
    on the driver (README, "Full-data audits")."""
    if hasattr(df, "map_partitions") and hasattr(df, "npartitions"):
        from .dask_engine import scan_dask_dataframe

        return scan_dask_dataframe(df, region=region, reveal=reveal, split_every=split_every)
    return partition_scanner(df, region=region, reveal=reveal).results()


def partition_scanner(df: Any, *, region: str | None = None, reveal: bool = False) -> ColumnScanner:
    """A :class:`ColumnScanner` over the rows of one pandas DataFrame (a partition), rows
    numbered from 0: join the scanners of consecutive partitions with ``concat``."""
    from .readers import display_field

    scanner = ColumnScanner(region=region, reveal=reveal)
    cols = [display_field(str(c), i) for i, c in enumerate(df.columns)]
    for row in df.itertuples(index=False, name=None):
        scanner.add_row(cols, [_cell(v) for v in row])
    return scanner


def scan_file(path, *, region: str | None = None, max_rows: int | None = 10_000,
              reveal: bool = False) -> list[FieldMatch]:
    """Per-field personal data in a data file (csv, tsv, json, jsonl, parquet, text), streamed."""
    from pathlib import Path

    from .readers import read_any

    scanner = ColumnScanner(region=region, reveal=reveal)
    read_any(Path(path), scanner, max_rows)
    return scanner.results()


__all__ = ["ENTITIES", "ID_TYPES", "ColumnScanner", "FieldClass", "FieldMatch", "Match",
           "classify_field", "label", "mask", "may_report", "partition_scanner", "scan_dataframe",
           "scan_file", "scan_records", "scan_text"]

