"""On-disk cache of per-file results (phase 1), keyed by content hash and settings.

One JSON file per settings key (aiprivlint version, selected rules, rule options) under
``.aiprivlint_cache/``. JSON, not pickle: a cache folder can arrive with a cloned repository, and
loading it must never run code. An entry is reused when the file's size and mtime are unchanged,
or when its content hash is unchanged. Project rules run on the facts, so they stay correct when
only some files were re-read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .findings import Fact, Finding, ScanError
from .suppressions import FileSuppressions, Suppression

CACHE_DIR_NAME = ".aiprivlint_cache"
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by aiprivlint.\n"
       "# For information about cache directory tags see https://bford.info/cachedir/\n")
FORMAT = 2


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


def settings_key(selected: frozenset[str], gather: frozenset[str], options: dict[str, Any]) -> str:
    doc = json.dumps({"v": __version__, "f": FORMAT, "code": _code_stamp(), "sel": sorted(selected),
                      "gather": sorted(gather), "opt": {k: options[k] for k in sorted(options)}},
                     sort_keys=True, default=str)
    return hashlib.sha256(doc.encode()).hexdigest()[:24]


def content_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_stamp(path: Path, st: os.stat_result | None = None,
               data: bytes | None = None) -> tuple[int, int, str] | None:
    """(size, mtime_ns, sha256): what an entry is keyed by; None when the file cannot be read.
    A worker passes the stat it took before the scan and the bytes the checkers read, so a file
    edited during the run is hashed again, and scanned again, next time."""
    try:
        if st is None:
            st = path.stat()
        digest = hashlib.sha256(data).hexdigest() if data is not None else content_hash(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, digest


def _result_to_json(res) -> dict[str, Any]:
    return {
        "findings": [f.to_state() for f in res.findings],
        "facts": [asdict(f) for f in res.facts],
        "errors": [asdict(e) for e in res.errors],
        "supp": [[s.line, list(s.ids), s.file_level, s.covers_next] for s in res.suppressions.entries],
        "ran": sorted(res.ran),
        "scanned": res.scanned,
        "flow": res.flow,
    }


def _result_from_json(rel: str, doc: dict[str, Any]):
    from .engine import FileResult

    return FileResult(
        rel=rel,
        findings=[Finding.from_state(s) for s in doc["findings"]],
        facts=[Fact(**f) for f in doc["facts"]],
        errors=[ScanError(**e) for e in doc["errors"]],
        suppressions=FileSuppressions([Suppression(line, tuple(ids), fl, cn)
                                       for line, ids, fl, cn in doc["supp"]]),
        ran=frozenset(doc["ran"]),
        scanned=doc["scanned"],
        flow=doc.get("flow"),
    )


class Cache:
    def __init__(self, directory: Path, key: str) -> None:
        self.dir = directory
        self.file = directory / f"results-{key}.json"
        self.entries: dict[str, dict[str, Any]] = {}
        self.hits = 0
        self.dirty = False
        try:
            doc = json.loads(self.file.read_text(encoding="utf-8"))
            if doc.get("format") == FORMAT:
                self.entries = doc["files"]
        except (OSError, ValueError, KeyError, TypeError):
            self.entries = {}

    @staticmethod
    def _abs_key(path: Path) -> str:
        return str(path)

    def lookup(self, path: Path, rel: str):
        """The cached FileResult for this file, or None; remembers the stat/hash for store()."""
        entry = self.entries.get(self._abs_key(path))
        try:
            st = path.stat()
        except OSError:
            return None
        if entry is None:
            return None
        if entry["size"] == st.st_size and entry["mtime"] == st.st_mtime_ns:
            self.hits += 1
            return _result_from_json(rel, entry["result"])
        try:
            digest = content_hash(path)
        except OSError:
            return None
        if digest == entry["sha256"]:
            entry["size"], entry["mtime"] = st.st_size, st.st_mtime_ns
            self.dirty = True
            self.hits += 1
            return _result_from_json(rel, entry["result"])
        return None

    def store(self, path: Path, res) -> None:
        if any(e.kind == "internal" for e in res.errors):
            return  # do not remember our own bugs
        stamp = res.stamp or file_stamp(path)  # the worker that scanned the file stamps it
        if stamp is None:
            return
        size, mtime, digest = stamp
        self.entries[self._abs_key(path)] = {"size": size, "mtime": mtime,
                                             "sha256": digest, "result": _result_to_json(res)}
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            tag = self.dir / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(TAG)
                (self.dir / ".gitignore").write_text("# created by aiprivlint\n*\n")
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".json")
            # dumps, not dump: json.dump streams through the pure-Python encoder (0.1-0.2 s for
            # flower's 1,800 entries), dumps uses the C one
            doc = json.dumps({"format": FORMAT, "files": self.entries}, separators=(",", ":"))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(doc)
            os.replace(tmp, self.file)
        except OSError:
            pass  # a read-only checkout still gets its report
