"""On-disk cache of per-file results (phase 1), keyed by content hash and settings, and of the
last run's phase 2.

Two JSON files per settings key (aiprivlint version, selected rules, rule options) under
``.aiprivlint_cache/``: ``results-KEY.json`` (each file's findings, facts, suppressions, stamp;
and the findings, facts and errors of the last phase 2, under a key made of every file's content
and the project layout) and ``flows-KEY.json`` (the modules' dataflow summaries, read only when
phase 2 has to run again). JSON, not pickle: a cache folder can arrive with a cloned repository, and
loading it must never run code. Project rules run on the facts, so they stay correct when only
some files were re-read.

When an entry is reused: its size and mtime match the file's and the stat can prove the file
unchanged, that is the file's mtime is older than the moment the entry was taken by more than
``RACY_NS`` (like Git's "racily clean" index entries: a file rewritten within the same coarse
timestamp tick keeps its size and mtime). Otherwise the file's content hash must match. A file
no checker read (binary, over max-file-size, of no kind a checker wants) is never hashed: its
entry is reused on an exact, non-racy stat only, and rescanning it costs a stat or a sniff. Nor is
a data file over max-file-size, which the readers stream (sampled, unless --full): reading its
sample again costs less than hashing the whole file.

An entry that is not exactly what this version writes (truncated file, wrong types, an unknown
rule id or severity) is a miss: the file is scanned again and the entry overwritten.

Nothing is stored that aiprivlint would not print: a finding's ``context`` (the source line
its fingerprint is computed from) is stored as its digest (:func:`aiprivlint.findings.context_key`),
so are the source lines the dataflow summaries keep, and constant strings of a summary have
their personal data and credentials masked.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .findings import Fact, Finding, ScanError, Severity, context_key
from .suppressions import FileSuppressions, Suppression

CACHE_DIR_NAME = ".aiprivlint_cache"
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by aiprivlint.\n"
       "# For information about cache directory tags see https://bford.info/cachedir/\n")
FORMAT = 5
# a file modified less than this before its entry was taken may have changed unseen (FAT and
# SMB mtimes are 2 s coarse, ext3/HFS+ 1 s): such an entry is checked against the content hash
RACY_NS = 2_000_000_000


def _code_stamp() -> str:
    """Size and mtime of aiprivlint's own files: an edited checker (a development checkout)
    must not be answered from results of the old code. About 100 stat calls."""
    pkg = Path(__file__).parent
    h = hashlib.sha256()
    for path in sorted(pkg.rglob("*.py")) + sorted(pkg.parent.parent.glob("rules/*.toml")):
        try:
            st = path.stat()
        except OSError:
            continue
        h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:16]


# options that say how a scan runs, not what its checkers find (min-confidence filters their
# findings afterwards): not part of the settings key
RUN_ONLY = frozenset({"_jobs", "_engine", "_scheduler", "_progress", "data-chunk-size",
                      "min-confidence"})


def settings_key(selected: frozenset[str], gather: frozenset[str], options: dict[str, Any]) -> str:
    opt = {k: options[k] for k in sorted(options) if k not in RUN_ONLY}
    doc = json.dumps({"v": __version__, "f": FORMAT, "code": _code_stamp(), "sel": sorted(selected),
                      "gather": sorted(gather), "opt": opt},
                     sort_keys=True, default=str)
    return hashlib.sha256(doc.encode()).hexdigest()[:24]


def content_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_stamp(path: Path, st: os.stat_result | None = None, data: bytes | None = None,
               read: bool = True, seen: int | None = None
               ) -> tuple[int, int, str | None, int] | None:
    """(size, mtime_ns, sha256, seen): what an entry is keyed by; None when the file cannot be
    read. A worker passes the stat it took before the scan, the moment it took it (``seen``) and
    the bytes the checkers read, so a file edited during the run is hashed again, and scanned
    again, next time. A file the checkers did not read (``read=False``) is not hashed: None."""
    if seen is None:
        seen = time.time_ns()
    try:
        if st is None:
            st = path.stat()
        digest = (None if not read else hashlib.sha256(data).hexdigest() if data is not None
                  else content_hash(path))
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, digest, seen


def _redact_flow(obj: Any) -> Any:
    """A dataflow summary (or a fact) as stored: source lines (``context``) as digests, every
    other string (constants, expression text, file names) with its personal data and
    credentials masked, numbers that are such values kept as their kind only."""
    if isinstance(obj, str):
        return _masked(obj)
    if isinstance(obj, dict):
        if len(obj) == 1 and isinstance(obj.get("b"), str):  # bytes, as latin-1 (summary._scalar)
            return {"b": _masked(obj["b"]).encode("latin-1", "replace").decode("latin-1")}
        out = {}
        for k, v in obj.items():
            if k in ("context", "call_context") and isinstance(v, str):
                out[k] = context_key(v) if v else v
            elif k == "c" and isinstance(v, list):  # constants: [[scalar, kind, origin, line]]
                out[k] = [[_masked_number(c[0]), *c[1:]] if isinstance(c, list) and c else c
                          for c in v]
                out[k] = _redact_flow(out[k])
            else:
                out[k] = _redact_flow(v)
        return out
    if isinstance(obj, list):
        return [_redact_flow(v) for v in obj]
    return obj


def _masked_number(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 8 and (
            _masked(str(value)) != str(value)):
        return {"r": "int"}  # a card or phone number: kept as its kind only (summary._scalar)
    return value


_MAY_HOLD = re.compile(r"[0-9@]|[^\s]{20}")  # what a value the scan reports needs to have


@functools.lru_cache(maxsize=1 << 16)
def _masked(text: str) -> str:
    """``text`` with what the scan would report masked: what a finding may show
    (``redact.redact_shown``) and anything credential-like (``redact.scrub``, the safety net)."""
    if len(text) < 6 or not _MAY_HOLD.search(text):
        return text
    from .redact import redact_shown, scrub

    return scrub(redact_shown(text))


def _finding_state(f: Finding) -> dict[str, Any]:
    state = f.to_state()
    state["context"] = context_key(f.context) if f.context else ""
    return state


def _fact_state(f: Fact) -> dict[str, Any]:
    """A fact as stored: its data redacted (it may keep a source line or a constant), its kind,
    file and line as they are (a file name can look like a credential to the scrubber: masked,
    the fact was lost to its project on the next run)."""
    return {"kind": f.kind, "path": f.path, "line": f.line, "data": _redact_flow(f.data)}


def _flow_state(flow: dict | None) -> dict | None:
    """A result's dataflow summary as stored: redacted, but for the module's own file name."""
    if flow is None:
        return None
    out = _redact_flow(flow)
    for doc, raw in ((out, flow), (out.get("summary"), flow.get("summary"))):
        if isinstance(doc, dict) and isinstance(raw, dict) and "rel" in raw:
            doc["rel"] = raw["rel"]
    return out


def flow_text(flow: dict) -> str:
    """A result's dataflow summary as the flows file stores it: redacted JSON text."""
    return json.dumps(_flow_state(flow), separators=(",", ":"))


def _result_to_json(res) -> dict[str, Any]:
    return {
        "findings": [_finding_state(f) for f in res.findings],
        "facts": [_fact_state(f) for f in res.facts],
        "errors": [asdict(e) for e in res.errors],
        "supp": [[s.line, list(s.ids), s.file_level, s.covers_next] for s in res.suppressions.entries],
        "ran": sorted(res.ran),
        "scanned": res.scanned,
        "flow": res.flow is not None,  # the summary itself is in the flows file (Cache.flows)
    }


def _finding_types() -> dict[str, type]:
    """The type of each field of a Finding's state (severity apart), read off the dataclass: a
    new field is known here at once (a hand-kept list made every entry with findings a miss when
    Finding gained its notebook cell)."""
    out: dict[str, type] = {}
    for f in dataclasses.fields(Finding):
        if f.name == "severity":
            continue
        kind = {"str": str, "int": int}.get(f.type) or (dict if f.type.startswith("dict") else None)
        if kind is None:
            raise TypeError(f"Finding.{f.name}: a field type the cache does not check ({f.type})")
        out[f.name] = kind
    return out


_FINDING_TYPES = _finding_types()


class BadEntry(ValueError):
    """A cache entry that is not what this version writes: a miss."""


def _need(ok: bool) -> None:
    if not ok:
        raise BadEntry


def _is(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _finding(state: Any, rules: frozenset[str] | None) -> Finding:
    _need(isinstance(state, dict) and set(state) == {*_FINDING_TYPES, "severity"})
    _need(all(_is(state[k], t) for k, t in _FINDING_TYPES.items()))
    _need(rules is None or state["rule"] in rules)
    sev = state["severity"]
    _need(sev is None or (_is(sev, int) and sev in {int(s) for s in Severity}))
    return Finding.from_state(state)


def _strs(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# FileResult.flow of an entry whose summary is still in the flows file (Cache.materialise), and
# of one whose full summary is held parsed only, its document let go (FileResult.summary after
# materialise, phase 2's modules once it links them)
PENDING: dict = {"pending": True}
PARSED: dict = {"parsed": True}


def _reported(doc: dict, rules: frozenset[str] | None):
    """The findings, facts and errors of a stored result or phase 2; BadEntry when malformed."""
    findings = [_finding(s, rules) for s in doc["findings"]]
    for f in doc["facts"]:
        _need(isinstance(f, dict) and set(f) == {"kind", "path", "line", "data"}
              and _is(f["kind"], str) and _is(f["path"], str) and _is(f["line"], int)
              and _is(f["data"], dict))
    for e in doc["errors"]:
        _need(isinstance(e, dict) and set(e) == {"path", "message", "kind"}
              and all(_is(v, str) for v in e.values()))
    return findings, [Fact(**f) for f in doc["facts"]], [ScanError(**e) for e in doc["errors"]]


def _result_from_json(rel: str, doc: Any, rules: frozenset[str] | None = None):
    """The FileResult of an entry; BadEntry when it is not exactly what _result_to_json writes.
    Its dataflow summary, if it has one, stays in the flows file: ``flow`` is PENDING until
    :meth:`Cache.materialise` reads it (only when phase 2 has to run)."""
    from .engine import FileResult

    _need(isinstance(doc, dict) and set(doc) == {"findings", "facts", "errors", "supp", "ran",
                                                 "scanned", "flow"})
    _need(all(isinstance(doc[k], list) for k in ("findings", "facts", "errors", "supp")))
    findings, facts, errors = _reported(doc, rules)
    for s in doc["supp"]:
        _need(isinstance(s, list) and len(s) == 4 and _is(s[0], int) and _strs(s[1])
              and isinstance(s[2], bool) and isinstance(s[3], bool))
    _need(_strs(doc["ran"]) and isinstance(doc["scanned"], bool))
    _need(isinstance(doc["flow"], bool))
    return FileResult(
        rel=rel,
        findings=findings,
        facts=facts,
        errors=errors,
        suppressions=FileSuppressions([Suppression(line, tuple(ids), fl, cn)
                                       for line, ids, fl, cn in doc["supp"]]),
        ran=frozenset(doc["ran"]),
        scanned=doc["scanned"],
        flow=PENDING if doc["flow"] else None,
    )


def _summary_of(flow: Any):
    """The parsed summary of an entry's flow document (None when it has none); BadEntry when
    it is malformed."""
    _need(isinstance(flow, dict))
    if "lite" in flow:  # a module phase 1 left out, and the summary phase 2 made of it
        _need(flow["lite"] is None or _strs(flow["lite"]))
        _need(set(flow) <= {"lite", "summary"})
    stored = flow.get("summary") if "lite" in flow else flow
    if stored is None:
        return None
    from .flow.summary import ModuleSummary

    try:
        return ModuleSummary.from_json(stored)  # kept: phase 2 reads it
    except Exception as exc:  # noqa: BLE001 - any malformed summary is a miss
        raise BadEntry from exc


def _phase2_from_json(doc: Any, rules: frozenset[str] | None):
    """(findings, facts, errors) of a stored phase 2; BadEntry when malformed."""
    _need(isinstance(doc, dict) and set(doc) == {"key", "findings", "facts", "errors"})
    _need(all(isinstance(doc[k], list) for k in ("findings", "facts", "errors")))
    return _reported(doc, rules)


class Cache:
    def __init__(self, directory: Path, key: str, rules: frozenset[str] | None = None,
                 alias: Callable[[Path], Path] | None = None) -> None:
        """``rules``: the rule ids this version knows (an entry naming another is a miss).
        ``alias``: the path whose entry answers for a file (a temporary checkout of another
        revision reads the entries of the work tree; a hit still needs the same size and
        content); such a cache is read only."""
        self.dir = directory
        self.alias = alias
        self.file = directory / f"results-{key}.json"
        # the modules' dataflow summaries (most of the bytes: 31 of diffusers' 34 MB), read only
        # when phase 2 runs: a warm run where nothing changed reuses phase 2 without them
        self.flows_file = directory / f"flows-{key}.json"
        self.flows: dict[str, Any] | None = None  # None: not read yet
        self.flows_dirty = False
        self.rules = rules
        self.entries: dict[str, Any] = {}
        self.hits = 0
        self.dirty = False
        self._phase2: Any = None  # the last run's phase 2 (see phase2)
        try:
            doc = json.loads(self.file.read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError):  # missing, truncated, garbage
            return
        if isinstance(doc, dict) and doc.get("format") == FORMAT and isinstance(doc.get("files"), dict):
            self.entries = doc["files"]
            self._phase2 = doc.get("phase2")

    def _abs_key(self, path: Path) -> str:
        return str(self.alias(path) if self.alias is not None else path)

    def _read_flows(self) -> dict[str, Any]:
        if self.flows is None:
            self.flows = {}
            try:
                doc = json.loads(self.flows_file.read_bytes().decode("utf-8"))
            except (OSError, ValueError, RecursionError):
                return self.flows
            if isinstance(doc, dict) and doc.get("format") == FORMAT \
                    and isinstance(doc.get("flows"), dict):
                self.flows = doc["flows"]
        return self.flows

    def lookup(self, path: Path, rel: str):
        """The cached FileResult for this file, or None (a miss: no entry, a changed file, or
        an entry this version does not understand, which is dropped). Its dataflow summary is
        read by :meth:`materialise`."""
        key = self._abs_key(path)
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            st = path.stat()
        except OSError:
            return None
        try:
            _need(isinstance(entry, dict) and set(entry) == {"size", "mtime", "sha256", "seen",
                                                             "result"})
            size, mtime, digest, seen = entry["size"], entry["mtime"], entry["sha256"], entry["seen"]
            _need(_is(size, int) and _is(mtime, int) and _is(seen, int)
                  and (digest is None or _is(digest, str)))
            if size != st.st_size:
                return None
            if mtime != st.st_mtime_ns or st.st_mtime_ns + RACY_NS > seen:
                # the stat does not prove the file unchanged: the content must
                if digest is None:
                    return None  # never read, so never hashed: scanning it again is cheap
                now = time.time_ns()
                try:
                    if content_hash(path) != digest:
                        return None
                except OSError:
                    return None
                entry["mtime"], entry["seen"] = st.st_mtime_ns, now
                self.dirty = True
            result = _result_from_json(rel, entry["result"], self.rules)
        except BadEntry:
            del self.entries[key]
            self.dirty = True
            return None
        self.hits += 1
        return result

    def materialise(self, path: Path, res) -> bool:
        """Read and parse the dataflow summary of a result :meth:`lookup` gave; False (and the
        entry dropped: a miss) when it is missing or malformed."""
        if res.flow is not PENDING:
            return True
        key = self._abs_key(path)
        text = self._read_flows().get(key)
        try:
            _need(isinstance(text, str))
            try:
                flow = json.loads(text)
            except (ValueError, RecursionError):
                raise BadEntry from None
            res.summary = _summary_of(flow)
        except BadEntry:
            self.entries.pop(key, None)
            self.dirty = True
            return False
        # a module phase 1 left out keeps its small document (its imports); a full summary is
        # held parsed only: each document is JSON text until its module is read
        res.flow = flow if "lite" in flow else PARSED
        return True

    def phase2_key(self, paths: list[Path], layout: Any) -> str | None:
        """What phase 2 depends on besides the settings (which name this cache file): each
        file's content (its digest, or size and mtime when it was never read) and the project
        layout. None when a file has no entry (its scan was not stored)."""
        h = hashlib.sha256(json.dumps(layout, sort_keys=True, default=str).encode())
        for path in paths:
            entry = self.entries.get(self._abs_key(path))
            if not isinstance(entry, dict):
                return None
            h.update(f"{path}\0{entry.get('sha256') or (entry.get('size'), entry.get('mtime'))}"
                     "\0".encode())
        return h.hexdigest()

    def phase2(self, key: str):
        """(findings, facts, errors) of the last run's phase 2 when it had this key, else None."""
        doc = self._phase2
        if not isinstance(doc, dict) or doc.get("key") != key:
            return None
        try:
            return _phase2_from_json(doc, self.rules)
        except BadEntry:
            self._phase2 = None
            self.dirty = True
            return None

    def store_phase2(self, key: str, findings: list[Finding], facts: list[Fact],
                     errors: list[ScanError]) -> None:
        if self.alias is not None or any(e.kind == "internal" for e in errors):
            return
        self._phase2 = {"key": key, "findings": [_finding_state(f) for f in findings],
                        "facts": [_fact_state(f) for f in facts],
                        "errors": [asdict(e) for e in errors]}
        self.dirty = True

    def store(self, path: Path, res) -> None:
        if self.alias is not None:
            return  # an entry of another checkout must not replace the work tree's
        if any(e.kind == "internal" for e in res.errors):
            return  # do not remember our own bugs
        stamp = res.stamp or file_stamp(path)  # the worker that scanned the file stamps it
        if stamp is None:
            return
        size, mtime, digest, seen = stamp
        key = self._abs_key(path)
        self.entries[key] = {"size": size, "mtime": mtime, "sha256": digest,
                             "seen": seen, "result": _result_to_json(res)}
        self.dirty = True
        flows = self._read_flows()
        if res.flow is not None:
            # kept as its JSON text until saved: a third of the parsed form's memory (a cold scan
            # of diffusers held 145 MB of redacted copies)
            flows[key] = res.flow_text or flow_text(res.flow)
            self.flows_dirty = True
        elif flows.pop(key, None) is not None:
            self.flows_dirty = True

    def save(self) -> None:
        if not self.dirty or self.alias is not None:
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            tag = self.dir / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(TAG)
                (self.dir / ".gitignore").write_text("# created by aiprivlint\n*\n")
            # the flows first: an entry whose summary did not reach the disk is a miss next time
            if self.flows_dirty and self.flows is not None:
                # each summary is stored as a JSON string holding its document: reading the file
                # gives 2,000 compact strings, not 2,000 documents at once (diffusers: 356 MB
                # when one changed file made phase 2 read them all); written piece by piece
                items = [(k, v) for k, v in self.flows.items()
                         if k in self.entries and isinstance(v, str)]
                self._write_text(self.flows_file, itertools.chain(
                    [f'{{"format":{FORMAT},"flows":{{'],
                    (f'{"," if i else ""}{json.dumps(k)}:{json.dumps(v)}'
                     for i, (k, v) in enumerate(items)),
                    ["}}"]))
            self._write(self.file, {"format": FORMAT, "files": self.entries,
                                    "phase2": self._phase2})
        except OSError:
            pass  # a read-only checkout still gets its report

    def _write(self, target: Path, doc: dict) -> None:
        # dumps, not dump: json.dump streams through the pure-Python encoder (0.1-0.2 s for
        # flower's 1,800 entries), dumps uses the C one
        self._write_text(target, [json.dumps(doc, separators=(",", ":"))])

    def _write_text(self, target: Path, pieces) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for piece in pieces:
                fh.write(piece)
        os.replace(tmp, target)
