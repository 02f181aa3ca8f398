"""AIP101 pii-in-data-file and AIP102 personal-data-field (on data files). Docs: rules/AIP101.toml,
rules/AIP102.toml.

How the check works: the file is streamed through a reader of :mod:`aiprivlint.pii.readers`
(csv/tsv, json, jsonl, parquet, txt/md under data folders) into a
:class:`~aiprivlint.pii.columns.ColumnScanner`, at most ``max-rows`` records unless ``--full``.
With ``--full``, a large csv/tsv/jsonl/parquet file is read in parts on every core or on a Dask
cluster (:mod:`aiprivlint.pii.engines`), with the findings of one pass.
AIP101 reports one finding per field and entity, at the first line that holds it, with a masked
sample; the column-level rules (share of values that validate, field-name evidence) live in the
scanner. AIP102 reports header names and record keys that denote personal data
(:func:`aiprivlint.pii.fields.classify_field`), except fields whose values AIP101 already
reports. Well-known configuration and tokenizer JSON files are not datasets and are skipped.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePosixPath

from . import CheckerError, FileChecker, FileContext
from ..findings import Severity

# JSON files that are configuration, manifests or model/tokenizer artefacts, not datasets
_NOT_DATA_JSON = (
    "package.json", "package-lock.json", "composer.json", "composer.lock", "tsconfig*.json",
    "jsconfig.json", "*.schema.json", "schema.json", ".eslintrc*.json", ".prettierrc*.json",
    ".babelrc*", "launch.json", "settings.json", "extensions.json", "tasks.json",
    "devcontainer.json", ".devcontainer.json", "renovate.json", "lerna.json", "app.json",
    "vercel.json", "firebase.json", "angular.json", "deno.json", "biome.json", "cspell.json",
    "manifest.json", "*.map.json", "tokenizer.json", "tokenizer_config.json", "vocab.json",
    "special_tokens_map.json", "added_tokens.json", "config.json", "*_config.json",
    "*-config.json", "generation_config.json", "preprocessor_config.json", "trainer_state.json",
    "model_index.json", "*.index.json", "pyrightconfig.json", "turbo.json", "nx.json",
    "project.json", "workspace.json", "typedoc.json", ".markdownlint.json", "codecov.json",
    "environment.json", "tsconfig.json", "openapi.json", "swagger.json", "*.ipynb",
    "language-configuration.json", "*.code-workspace", "claude_desktop_config.json",
)
_ENTITY_SEVERITY = {"IP_ADDRESS": Severity.MEDIUM}


def _is_config_json(rel: str) -> bool:
    name = PurePosixPath(rel).name.lower()
    return any(fnmatch.fnmatch(name, pat) for pat in _NOT_DATA_JSON)


def _in_data_dir(rel: str) -> bool:
    from ..discovery import DATA_DIRS

    return any(part.lower() in DATA_DIRS for part in PurePosixPath(rel).parts[:-1])


def _top_level_array(path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"[")


def _config_document(path) -> bool:
    """A JSON document that declares a schema or an API version: a template or manifest (ARM,
    Kubernetes, OpenAPI), not records."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    return any(k in head for k in (b'"$schema"', b'"contentVersion"', b'"apiVersion"',
                                   b'"openapi"', b'"swagger"'))


def _where(field: str | None, kind: str) -> str:
    if field is None:
        return "the text"
    if kind == "table":
        return f"column '{field}'"
    return f"field '{field}'"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class DataFileChecker(FileChecker):
    """Personal data values (AIP101) and personal field names (AIP102) in data files."""

    rule_ids = ("AIP101", "AIP102")
    kinds = frozenset({"data"})

    def prepare(self) -> None:
        from ..pii import columns, fields, readers  # noqa: F401

    def check(self, ctx: FileContext) -> None:
        from ..pii.columns import ColumnScanner, label
        from ..pii.fields import classify_field
        from ..pii.readers import ReadError, ReadStats, read_csv, read_json, read_jsonl, read_parquet, read_text

        suffix = PurePosixPath(ctx.rel).suffix.lower()
        if suffix == ".json" and _is_config_json(ctx.rel):
            return
        opts = ctx.options
        max_rows = None if opts.get("_full") else int(opts.get("max-rows") or 10_000)
        scanner = ColumnScanner(region=opts.get("default-region"))
        header: list[tuple[str, int]] = []
        kind = "table"
        parted = None
        if max_rows is None and suffix in (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq"):
            from ..pii.engines import scan_partitioned

            parted = scan_partitioned(str(ctx.path), opts)  # None: read in one pass
        try:
            if parted is not None:
                scanner, rows, head = parted
                stats = ReadStats(rows=rows)
                header.extend(head)
                if suffix in (".jsonl", ".ndjson"):
                    kind = "records"
            elif suffix in (".csv", ".tsv"):
                stats = read_csv(ctx.path, scanner, max_rows, "\t" if suffix == ".tsv" else None,
                                 header_out=header)
            elif suffix in (".jsonl", ".ndjson"):
                stats, kind = read_jsonl(ctx.path, scanner, max_rows), "records"
            elif suffix == ".json":
                stats, kind = read_json(ctx.path, scanner, max_rows), "records"
            elif suffix in (".parquet", ".pq"):
                stats = read_parquet(ctx.path, scanner, max_rows)
            else:
                stats, kind = read_text(ctx.path, scanner, max_rows), "text"
        except ReadError as exc:
            raise CheckerError(str(exc), exc.kind) from None
        for err_kind, msg in stats.errors:
            ctx.error(msg, err_kind)

        sampled = stats.truncated
        scope = (f"in the first {stats.rows} rows (sampled: max-rows={max_rows}; --full reads all)"
                 if sampled else f"in {_plural(stats.rows, 'row')}")
        reported_fields: set[str | None] = set()
        parquet = suffix in (".parquet", ".pq")
        for m in scanner.results():
            reported_fields.add(m.field)
            what = label(m.entity, m.id_type)
            message = (f"{_where(m.field, kind).capitalize()} holds personal data: "
                       f"{_plural(m.matches, 'value')} detected as {what} {scope}; {m.reason}")
            details = {"entity": m.entity, "field": m.field, "matches": m.matches,
                       "rows_scanned": stats.rows, "sample": m.sample, "id_type": m.id_type,
                       "evidence": m.evidence, "sampled": sampled}
            if parquet:
                details["row"] = m.row + 1
            line = max(m.line, 1)
            ctx.report("AIP101", line, 1, message, details=details,
                       context=f"AIP101|{m.field}|{m.entity}|{m.id_type}",
                       severity=_ENTITY_SEVERITY.get(m.entity))
            # the fact is AIP201's evidence: emitted even when AIP101 itself is not selected
            ctx.fact("personal-data", line, entity=m.entity, field=m.field, source="AIP101",
                     id_type=m.id_type)

        if kind == "text":
            return
        if suffix == ".json" and (_config_document(ctx.path) or not (
                _in_data_dir(ctx.rel) or _top_level_array(ctx.path))):
            return  # a JSON document (configuration, template), not a table of records
        names = header if header else [(n, ln) for n, ln in scanner.field_names() if n is not None]
        seen: set[str] = set()
        for name, line in names:
            if name is None or name in seen or re.match(r"^column \d+$", name):
                continue
            seen.add(name)
            leaf = name.replace("[]", "").rsplit(".", 1)[-1]
            fc = classify_field(leaf)
            if fc is None or fc.ambiguous:
                continue
            if name in reported_fields and ("AIP101" in ctx.selected or "AIP102" not in ctx.selected):
                continue  # the values are reported (or, as facts, known) by AIP101, which says more
            sev = Severity.HIGH if fc.special else None
            message = (f"{_where(name, kind).capitalize()} denotes personal data "
                       f"({fc.category}{', special category' if fc.special else ''}): {fc.reason}")
            ctx.report("AIP102", max(line, 1), 1, message,
                       details={"field": name, "category": fc.category, "special": fc.special,
                                "label": fc.label, "reason": fc.reason},
                       context=f"AIP102|{name}", severity=sev)
            ctx.fact("personal-data", max(line, 1), entity=fc.entity, field=name, source="AIP102",
                     category=fc.category, special=fc.special)
