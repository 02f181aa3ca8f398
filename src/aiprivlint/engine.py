"""Runs the checkers over files, then applies suppressions, per-file ignores and the baseline.

Phase 1 is per file (parallel): checkers emit findings, facts and errors. Phase 2 is per project:
project rules decide from the facts alone. Then findings get their rule metadata, severity after
the risk profile, suppressions, a deterministic order and fingerprints.
"""

from __future__ import annotations

import fnmatch
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import PARSED, Cache, file_stamp, flow_text, settings_key
from .checkers import CheckerError, FileChecker, FileContext, all_checkers
from .config import CONFIDENCE_RANK, RULE_OPTIONS, Config, effective_severity
from .discovery import Discovery, SourceFile, display_path, is_test_path, relative_posix
from .findings import Fact, Finding, ScanError, assign_fingerprints
from .notebook import locate_in_notebooks
from .pool import DIED, Pool
from .project import Project, all_project_rules, project_root_of
from .registry import Rule
from .suppressions import FileSuppressions

# progress(done, total, pending): results so far, files in all, the file waited for (or None)
Progress = Callable[[int, int, "str | None"], None]

BINARY_SNIFF = 8192
BINARY_KINDS_OK = (".parquet", ".pq")
POOL_MIN_FILES = 24  # below this, a process pool costs more than it saves
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_POLL_SECONDS = 1.0  # the watchdog's period where prctl is not available


def max_jobs() -> int:
    """The most worker processes worth starting: a scan is CPU-bound, and each worker costs
    start-up (it imports the checkers, about a second of CPU), so twice the CPUs this process
    may run on (at least 4)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(4, 2 * cpus)


@dataclass
class FileResult:
    rel: str
    findings: list[Finding] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    suppressions: FileSuppressions = field(default_factory=FileSuppressions)
    ran: frozenset[str] = frozenset()
    scanned: bool = False
    # (size, mtime_ns, sha256 or None if not read, time of the stat) of the file as scanned,
    # for the cache: computed in the worker
    stamp: tuple[int, int, str | None, int] | None = None
    flow: dict | None = None  # the module's dataflow summary, for phase 2 (flow rules)
    # that summary (or, beside "lite", the one made on demand) parsed, when the cache already
    # parsed it to check the entry: phase 2 does not parse it again
    summary: Any = field(default=None, repr=False, compare=False)
    # ``flow`` as the cache stores it (redacted JSON text), made by the worker that scanned the
    # file: the main process would otherwise redact every summary of the run one after another
    flow_text: str | None = field(default=None, repr=False, compare=False)



@dataclass
class Warning_:
    path: str
    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass
class Report:
    findings: list[Finding]
    errors: list[ScanError]
    warnings: list[Warning_]
    facts: list[Fact]
    files_scanned: int
    suppressed: int = 0
    in_test_code: int = 0
    low_confidence: int = 0  # findings below min-confidence, not shown
    baseline_matched: int = 0
    baseline_stale: int | None = None
    selected: frozenset[str] = frozenset()
    projects: list[Project] = field(default_factory=list)
    sources: dict[str, Path] = field(default_factory=dict)  # path as reported -> file on disk
    fixes: dict[str, Any] = field(default_factory=dict)  # fingerprint -> its Fix (for SARIF)
    new_since: str = ""  # the revision the baseline was scanned at (``--new-since``)


def apply_baseline(report: Report, baseline: set[str]) -> None:
    """Keep only the findings whose fingerprint is not in ``baseline`` (``--baseline``,
    ``--new-since``); count those matched, and the baseline's entries no longer found."""
    kept = report.findings
    current = {f.fingerprint for f in kept}
    report.findings = [f for f in kept if f.fingerprint not in baseline]
    report.baseline_matched = len(kept) - len(report.findings)
    report.baseline_stale = len(baseline - current)


_CHECKERS: list[FileChecker] | None = None


def checkers() -> list[FileChecker]:
    global _CHECKERS
    if _CHECKERS is None:
        _CHECKERS = all_checkers()
    return _CHECKERS


def _is_binary(path: Path) -> bool:
    if path.suffix.lower() in BINARY_KINDS_OK:
        return False
    with path.open("rb") as fh:
        return b"\0" in fh.read(BINARY_SNIFF)


def scan_file(sf: SourceFile, selected: frozenset[str], options: dict[str, Any],
              gather: frozenset[str] = frozenset()) -> FileResult:
    """Phase 1 for one file. Never raises: bad input becomes an ``errors`` entry.

    ``gather`` holds rules that are not selected but whose checkers must still run for the facts
    a selected project rule needs; their findings are dropped.
    """
    res = FileResult(sf.rel)
    seen = time.time_ns()
    try:
        st = sf.path.stat() if options.get("_stamp") else None
    except OSError:
        st = None
    read, data = _scan(sf, selected, options, gather, res)
    if st is not None:
        # what no checker read (skipped, or wanted by none) is not hashed either: stat only; nor
        # is a data file over max-file-size the readers streamed (a sample of a multi-GB file
        # costs less to read again than the whole file to hash)
        hashed = read and (data is not None or st.st_size <= options["max-file-size"])
        res.stamp = file_stamp(sf.path, st, data, read=hashed, seen=seen)
        if res.flow is not None:
            res.flow_text = flow_text(res.flow)
    return res


def _scan(sf: SourceFile, selected: frozenset[str], options: dict[str, Any],
          gather: frozenset[str], res: FileResult) -> tuple[bool, bytes | None]:
    """Fills ``res``; returns whether the checkers read the file, and the bytes they read
    if they read it whole."""
    wanted = selected | gather
    active = [c for c in checkers() if c.kinds & sf.kinds
              and (set(c.rule_ids) & wanted or _wants_facts(c, options))]
    if not active:
        return False, None
    res.scanned = True
    res.ran = frozenset(r for c in active for r in c.rule_ids if r in selected)
    ctx = FileContext(path=sf.path, rel=sf.rel, kinds=sf.kinds, selected=selected, options=options,
                      gather=gather)
    try:
        size = sf.path.stat().st_size
        skipped = None
        if size > options["max-file-size"] and not (sf.kinds <= {"data", "json"} or "data" in sf.kinds):
            skipped = (f"file is {size} bytes, over max-file-size ({options['max-file-size']}); "
                       "skipped", "too-large")
        elif _is_binary(sf.path):
            skipped = ("binary file (NUL bytes); skipped", "binary")
        if skipped is not None:
            if sf.kinds == {"other"}:  # read only if it is text: skipped without a word
                res.scanned = False
            else:
                res.errors.append(ScanError(sf.rel, *skipped))
            return False, None
    except OSError as exc:
        res.errors.append(ScanError(sf.rel, f"cannot read: {exc.strerror or type(exc).__name__}", "io"))
        return False, None
    for checker in active:
        try:
            checker.check(ctx)
        except CheckerError as exc:
            ctx.error(str(exc), exc.kind)
            if exc.kind in ("encoding", "binary", "io"):
                break
        except OSError as exc:
            ctx.error(f"cannot read: {exc.strerror or type(exc).__name__}", "io")
            break
        except RecursionError:
            ctx.error(f"{type(checker).__name__}: file nests too deeply to analyse", "parse")
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            # the exception text may quote file content (a value we must not print): type only
            ctx.error(f"internal error in {type(checker).__name__}: {type(exc).__name__}"
                      + (f": {exc}" if os.environ.get("AIPRIVLINT_DEBUG") else ""), "internal")
    seen = set()
    for err in ctx.errors:
        if (err.kind, err.message) not in seen:
            seen.add((err.kind, err.message))
            res.errors.append(err)
    res.findings = ctx.findings
    res.facts = ctx.facts
    res.flow = ctx.flow
    if ctx._text is not None:
        res.suppressions = FileSuppressions.parse(ctx._text, python="python" in sf.kinds)
    return True, ctx._data


def _wants_facts(checker: FileChecker, options: dict[str, Any]) -> bool:
    """Whether a checker must run for facts-only rules switched on by an option (``_audit``)."""
    fn = getattr(checker, "facts_wanted", None)
    return bool(fn is not None and fn(options))


_WORKER_SETTINGS: tuple[frozenset[str], dict[str, Any], frozenset[str]] | None = None


def _init_worker(selected: frozenset[str], options: dict[str, Any], gather: frozenset[str],
                 parent: int) -> None:
    """A pool worker gets the run's settings once (not with every file) and imports the
    checkers and what they load lazily (libcst, detect-secrets) before its first file."""
    global _WORKER_SETTINGS
    _die_with_parent(parent)
    _WORKER_SETTINGS = (selected, options, gather)
    for c in checkers():
        c.prepare()


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive its scan (``kill -9`` of the scan, a CI job cancelled): on Linux
    the kernel kills it when its parent dies (PR_SET_PDEATHSIG); elsewhere a watchdog thread
    polls the parent pid. The parent is the thread that forked the worker: Engine.run's."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent,), name="aiprivlint-watchdog",
                     daemon=True).start()


def _watch_parent(parent: int) -> None:
    event = threading.Event()
    while not event.wait(PARENT_POLL_SECONDS):
        if os.getppid() != parent:
            os._exit(1)


def _scan_in_worker(sf: SourceFile) -> FileResult:
    selected, options, gather = _WORKER_SETTINGS  # type: ignore[misc]
    return scan_file(sf, selected, options, gather)


def _imports(lite: list[str] | None) -> frozenset[str] | None:
    """The absolute imports among the names phase 1 kept of a module it left out."""
    return None if lite is None else frozenset(n for n in lite if not n.startswith("."))


def _analyse(item: tuple[SourceFile | None, frozenset[str] | None], options: dict[str, Any]):
    """The flow summary of one module (phase 2 asks for a module phase 1 left out)."""
    sf, imports = item
    if sf is None:
        return None
    from .checkers.python._flow_run import analyse_file
    checker = next(c for c in checkers() if hasattr(c, "flow_rules"))
    return analyse_file(sf.path, sf.rel, "notebook" in sf.kinds, checker.registry(), options,
                        imports)


def _analyse_in_worker(item: tuple[SourceFile | None, frozenset[str] | None]):
    return _analyse(item, _WORKER_SETTINGS[1])  # type: ignore[index]


class Workers:
    """The worker processes of one run. Started before discovery when the run will likely need
    them (a cold scan of a folder): the workers then import the checkers, about 0.5 s, while this
    process walks the tree, instead of this process importing them before it forks.

    A worker that dies (a native parser's segfault, the OOM killer) is replaced, and the files it
    held are scanned again one at a time (``pool.Pool``); a file whose worker dies again becomes
    an ``errors`` entry (kind ``crash``) and every other file is still scanned."""

    def __init__(self, jobs: int, selected: frozenset[str], options: dict[str, Any],
                 gather: frozenset[str]) -> None:
        self.jobs = jobs
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        self._pool = Pool(jobs, _init_worker, (selected, options, gather, os.getpid()), ctx)

    def map(self, files: list[SourceFile], progress: Progress | None) -> list[FileResult]:
        total = len(files)
        done = [False] * total
        state = [0, 0]  # results so far, the first file not done yet

        def tick(i: int) -> None:
            done[i] = True
            state[0] += 1
            while state[1] < total and done[state[1]]:
                state[1] += 1
            if progress:  # the file waited for: the first one not done
                progress(state[0], total, files[state[1]].rel if state[1] < total else None)

        chunk = max(1, min(32, total // (self.jobs * 8) or 1))
        got = self._pool.run(_scan_in_worker, files, chunk, tick)
        return [_crashed(sf) if res is DIED else res for sf, res in zip(files, got)]

    def analyse(self, items: list) -> list | None:
        """Phase 2's module summaries in the pool; None when a module killed its worker (the
        caller then makes them in its own process: the flow analysis uses CPython's parser,
        which fails cleanly)."""
        got = self._pool.run(_analyse_in_worker, items)
        return None if any(g is DIED for g in got) else got

    def close(self) -> None:
        self._pool.close()


def _crashed(sf: SourceFile) -> FileResult:
    return FileResult(sf.rel, scanned=True, errors=[ScanError(
        sf.rel, "the process scanning this file died (a parser crashed, or it ran out of "
        "memory); file skipped", "crash")])


# a mechanism at a line is one fact, whichever analysis saw it (the audit's mitigation facts and
# the dataflow engine's sanitisers both record a redaction or a keyed hash)
ONE_PER_LINE = frozenset({"pseudonymisation"})


def _new_facts(facts: list[Fact], new: list[Fact]) -> list[Fact]:
    """The facts of ``new`` that say something ``facts`` and the earlier ones of ``new`` do not."""
    import json

    seen = {(f.kind, f.path, f.line) for f in facts if f.kind in ONE_PER_LINE}
    exact: set = set()
    out = []
    for f in new:
        key = (f.kind, f.path, f.line)
        full = (*key, json.dumps(f.data, sort_keys=True, default=str))
        if full in exact or (f.kind in ONE_PER_LINE and key in seen):
            continue
        exact.add(full)
        if f.kind in ONE_PER_LINE:
            seen.add(key)
        out.append(f)
    return out


def _attach(projects: list[Project], facts: list[Fact]) -> None:
    """Each fact joins the project of its file."""
    file_project = {rel: proj for proj in projects for rel in proj.files}
    for fact in sorted(facts, key=lambda f: (f.path, f.line, f.kind)):
        proj = file_project.get(fact.path)
        if proj is not None:
            proj.facts.append(fact)


def run_files(files: list[SourceFile], selected: frozenset[str], options: dict[str, Any],
              jobs: int, progress: Progress | None = None,
              gather: frozenset[str] = frozenset(), workers: Workers | None = None
              ) -> list[FileResult]:
    """Phase 1 over ``files``, results in their order: in ``workers`` when given (started
    early, its imports are paid), in a new pool for enough files, else in this process."""
    if workers is not None and files:
        return workers.map(files, progress)
    if jobs > 1 and len(files) >= POOL_MIN_FILES:
        own = Workers(min(jobs, len(files)), selected, options, gather)
        try:
            return own.map(files, progress)
        finally:
            own.close()
    results: list[FileResult] = []
    for f in files:
        if progress:
            progress(len(results), len(files), f.rel)
        results.append(scan_file(f, selected, options, gather))
    if progress:
        progress(len(results), len(files), None)
    return results


class Engine:
    def __init__(self, cfg: Config, rules: dict[str, Rule], selected: frozenset[str], *,
                 jobs: int = 1, prefilter: bool = True, full: bool = False,
                 cwd: Path | None = None, cache_dir: Path | None = None) -> None:
        self.cfg = cfg
        self.rules = rules
        self.selected = selected
        self.jobs = max(1, min(jobs, max_jobs()))  # `--jobs 300` on two CPUs: four workers
        self.cwd = cwd
        self.cache_dir = cache_dir
        self.cache_hits = 0
        self.phase2_reused = False  # the last run took phase 2 from the cache
        # a scan of another checkout of the same files (``--new-since``): the cache is read for
        # the file each path stands for (a hit needs the same content), never written
        self.cache_alias: Callable[[Path], Path] | None = None
        self.options = {k: cfg.option(k) for k in RULE_OPTIONS}
        self.options["_prefilter"] = prefilter
        # libcst's own (slow) visitor instead of the fast walk: for equivalence tests only
        self.options["_libcst_walk"] = bool(os.environ.get("AIPRIVLINT_LIBCST_WALK"))
        self.options["_full"] = full
        self.options["_jobs"] = self.jobs  # processes for the parts of a large data file (--full)

    def run(self, paths: list[str], progress: Progress | None = None,
            baseline: set[str] | None = None) -> Report:
        project_rules = [r for r in all_project_rules() if r.rule_id in self.selected]
        gather = frozenset(d for r in project_rules for d in r.depends_on) - self.selected
        cache = None
        if self.cache_dir is not None:
            cache = Cache(self.cache_dir, settings_key(self.selected, gather, self.options),
                          frozenset(self.rules), alias=self.cache_alias)
        options = {**self.options, "_stamp": cache is not None}
        workers = None
        if self.jobs > 1 and (cache is None or not cache.entries) and any(
                os.path.isdir(p) for p in paths):
            workers = Workers(self.jobs, self.selected, options, gather)  # a cold folder scan
        try:
            return self._run(paths, progress, baseline, project_rules, gather, cache, options, workers)
        finally:
            if workers is not None:
                workers.close()

    def _run(self, paths, progress, baseline, project_rules, gather, cache, options, workers) -> Report:
        disc = Discovery(self.cfg, self.cwd)
        files = disc.files(paths)
        projects = self._projects(paths, files)  # their facts join once the files are read
        cached: dict[str, FileResult] = {}
        todo = files
        key = reuse = None  # phase 2 of the last run, when nothing it depends on changed
        if cache is not None:
            for sf in files:  # summaries stay JSON: phase 2 may not have to run at all
                hit = cache.lookup(sf.path, sf.rel)
                if hit is not None:
                    cached[sf.rel] = hit
            if len(cached) == len(files):
                key = self._phase2_key(cache, files, projects)
                reuse = cache.phase2(key) if key is not None else None
            if reuse is None:  # phase 2 runs: it reads the summaries (a malformed one: a miss)
                for sf in files:
                    res = cached.get(sf.rel)
                    if res is not None and not cache.materialise(sf.path, res):
                        del cached[sf.rel]
            todo = [sf for sf in files if sf.rel not in cached]
        self.phase2_reused = reuse is not None
        done = len(cached)

        def _progress(n: int, total: int, pending: str | None = None) -> None:
            if progress:
                progress(done + n, done + total, pending)

        fresh = run_files(todo, self.selected, options, self.jobs, _progress, gather, workers)
        if cache is not None:
            for sf, res in zip(todo, fresh):
                cache.store(sf.path, res)
        by_fresh = {r.rel: r for r in fresh}
        results = [cached.get(sf.rel) or by_fresh[sf.rel] for sf in files]
        self.cache_hits = len(cached)
        errors = [ScanError(p, m, "io") for p, m in disc.errors]
        findings: list[Finding] = []
        facts: list[Fact] = []
        by_rel = {f.rel: f for f in files}
        for res in results:
            for f in res.findings:
                f.path = res.rel
            errors.extend(res.errors)
            facts.extend(res.facts)
            findings.extend(res.findings)
        _attach(projects, facts)
        self.flow_errors = []
        self.flow_updated: list[FileResult] = []
        self._files_by_rel = by_rel
        if cache is not None and (todo or key is None):  # entries stored since: their digests
            key = self._phase2_key(cache, files, projects)
        self._flow_phase(projects, results, findings, facts, gather, workers, cache, key, reuse)
        if cache is not None:
            for res in self.flow_updated:  # the summaries made on demand, for the next run
                cache.store(by_rel[res.rel].path, res)
            cache.save()  # once: the file is rewritten whole (30 MB on diffusers)
        errors.extend(self.flow_errors)
        for rule in project_rules:
            for proj in projects:
                rule.decide(proj, findings.append)
        return self._finish(results, findings, errors, facts, by_rel, projects, baseline)

    def _finish(self, results: list[FileResult], findings: list[Finding], errors: list[ScanError],
                facts: list[Fact], by_rel: dict[str, SourceFile], projects: list[Project],
                baseline: set[str] | None = None,
                on_disk: dict[str, Path] | None = None) -> Report:
        """What every scan does after its checkers: test code, suppressions, per-file ignores,
        rule metadata and severity, order, fingerprints, notebook cells, the baseline.
        ``on_disk``: where a reported file's content is, when not at its path (an editor buffer)."""
        categories = {rid: r.category for rid, r in self.rules.items()}
        in_tests = 0
        if self.options.get("test-code") == "skip":
            # Behaviour rules (how code trains, serves, logs, loads, uploads) describe what runs in
            # production; a test building a tiny pipeline is not that. Data and secrets still count.
            before = len(findings)
            findings = [f for f in findings if categories[f.rule] == "data-management"
                        or not is_test_path(self._root_relative(f.path, by_rel))]
            in_tests = before - len(findings)
        kept: list[Finding] = []
        suppressed = low_confidence = 0
        floor = CONFIDENCE_RANK[self.options["min-confidence"]]
        supp_by_rel = {r.rel: r.suppressions for r in results}
        for f in findings:
            supp = supp_by_rel.get(f.path)
            if supp is not None and supp.suppress(f, self.rules):
                suppressed += 1
                continue
            if self._per_file_ignored(f, by_rel.get(f.path)):
                suppressed += 1
                continue
            rule = self.rules[f.rule]
            f.name, f.category = rule.name, rule.category
            f.confidence = f.confidence or rule.confidence  # a checker may lower it
            if CONFIDENCE_RANK[f.confidence] < floor:
                low_confidence += 1
                continue
            f.help_uri = rule.help_uri
            f.severity = effective_severity(rule, self.cfg, f.severity)
            kept.append(f)
        locate_in_notebooks(kept, {rel: (on_disk or {}).get(rel, sf.path)
                                   for rel, sf in by_rel.items()})
        kept.sort(key=Finding.sort_key)
        assign_fingerprints(kept)
        warnings = []
        for res in results:
            for line, msg in res.suppressions.warnings(res.ran, self.rules):
                warnings.append(Warning_(res.rel, line, msg))
        report = Report(
            findings=kept,
            errors=sorted(errors, key=lambda e: (e.path, e.kind, e.message)),
            warnings=sorted(warnings, key=lambda w: (w.path, w.line, w.message)),
            facts=facts,
            files_scanned=sum(1 for r in results if r.scanned),
            suppressed=suppressed,
            in_test_code=in_tests,
            low_confidence=low_confidence,
            selected=self.selected,
            projects=projects,
            sources={rel: sf.path for rel, sf in by_rel.items()},
        )
        if baseline is not None:
            apply_baseline(report, baseline)
        return report

    def phase2_rules(self) -> frozenset[str]:
        """The rule ids decided for a whole project (phase 2): the project rules, which read
        every file's facts, and the flow rules, which link the modules' summaries."""
        from .checkers.python._flow_rule import all_flow_rules

        return frozenset(r.rule_id for r in all_project_rules()) | frozenset(
            r.rule_id for r in all_flow_rules())

    def scan_buffer(self, path: Path, data: bytes) -> Report | None:
        """Phase 1 of one file on ``data`` (an editor's unsaved buffer) instead of the file on
        disk: the selected rules a file decides alone, then suppressions, per-file ignores and
        fingerprints as in a full scan. None when the scan would not look at ``path`` (excluded,
        or of no kind a checker reads).

        The checkers read files by path (the data readers stream them), so the buffer is
        written to a private temporary file of the same name; the file keeps its own path
        and displayed name for every decision and in the report."""
        import tempfile
        from dataclasses import replace

        disc = Discovery(self.cfg, self.cwd)
        found = disc.files([str(path)]) if path.is_file() else []
        if not found:
            return None
        sf = found[0]
        selected = self.selected - self.phase2_rules()
        options = {**self.options, "_stamp": False}
        with tempfile.TemporaryDirectory(prefix="aiprivlint-buffer-") as tmp:
            copy = Path(tmp) / sf.path.name
            copy.write_bytes(data)
            res = scan_file(replace(sf, path=copy), selected, options)
            for f in res.findings:
                f.path = res.rel
            return self._finish([res], list(res.findings), list(res.errors), list(res.facts),
                                {sf.rel: sf}, [], on_disk={sf.rel: copy})

    @staticmethod
    def _phase2_key(cache, files: list[SourceFile], projects: list[Project]) -> str | None:
        return cache.phase2_key([sf.path for sf in files],
                                [[p.root, p.files] for p in projects])

    def _flow_phase(self, projects: list[Project], results: list[FileResult],
                    findings: list[Finding], facts: list[Fact], gather: frozenset[str],
                    workers: Workers | None = None, cache=None, key: str | None = None,
                    reuse=None) -> None:
        """Phase 2 of the flow rules: each project's module summaries linked, events judged.
        Their facts join the projects' facts before the project rules run. ``reuse``: the
        findings, facts and errors of the last run's phase 2, when no file and no setting
        changed since (the cache's ``key``); what is computed is stored under ``key``."""
        if reuse is not None:
            new_findings, new_facts, errors = reuse
        else:
            new_findings, new_facts, errors = self._link_and_judge(projects, results, gather,
                                                                   workers)
            if cache is not None and key is not None:
                cache.store_phase2(key, new_findings, new_facts, errors)
        self.flow_errors = errors
        findings.extend(f for f in new_findings if f.rule in self.selected)
        new_facts = _new_facts(facts, new_facts)
        if not new_facts:
            return
        facts.extend(new_facts)
        _attach(projects, new_facts)
        for proj in projects:
            proj.facts.sort(key=lambda f: (f.path, f.line, f.kind))

    def _link_and_judge(self, projects: list[Project], results: list[FileResult],
                        gather: frozenset[str], workers: Workers | None
                        ) -> tuple[list, list, list]:
        """The flow rules' phase 2 (see ``decide``): findings, facts, errors."""
        summaries, lite = {}, {}
        for res in results:
            if res.flow is not None:
                if "lite" in res.flow:
                    lite[res.rel] = res.flow["lite"]
                else:
                    summaries[res.rel] = res.flow
        if not summaries:
            return [], [], []
        from .checkers.python._flow_rule import decide
        from .flow.summary import ModuleSummary

        by_result = {res.rel: res for res in results}
        mods = {}
        for rel in list(summaries):
            doc = summaries.pop(rel)
            res = by_result[rel]
            mods[rel] = res.summary or ModuleSummary.from_json(doc)
            # the parsed summary is what phase 2 reads: its document is let go (a module's
            # document and its parsed form, both held for 2,000 modules, set diffusers' peak)
            res.flow, res.summary = PARSED, None
        return decide(projects, mods, self.selected | gather, self.options, lite,
                      self._flow_loader(workers, lite, by_result))

    def _flow_loader(self, workers: Workers | None, lite: dict[str, list],
                     results: dict[str, FileResult]):
        """Phase 2's on-demand analysis of the modules phase 1 left out (see ``decide``): in
        the run's worker pool when it has one and there are several, else here. A summary made
        on demand is kept in the module's result (``flow["summary"]``), so the cache has it for
        the next run (``flow_updated`` lists the results to store again)."""
        from .flow.summary import ModuleSummary

        by_rel = self._files_by_rel

        def load(rels: list[str]) -> list:
            out: list = [None] * len(rels)
            need = []
            for i, rel in enumerate(rels):
                res = results.get(rel)
                doc = res.flow.get("summary") if res is not None and res.flow else None
                if doc is not None:
                    out[i] = res.summary or ModuleSummary.from_json(doc)
                else:
                    need.append(i)
            items = [(by_rel.get(rels[i]), _imports(lite.get(rels[i]))) for i in need]
            got = workers.analyse(items) if workers is not None and len(items) > 1 else None
            if got is None:
                got = [_analyse(item, self.options) for item in items]
            for i, summary in zip(need, got):
                out[i] = summary
                res = results.get(rels[i])
                if summary is not None and res is not None and res.flow is not None:
                    res.flow = {**res.flow, "summary": summary.to_json()}
                    res.flow_text = None  # stale
                    self.flow_updated.append(res)
            return out
        return load

    def _projects(self, paths: list[str], files: list[SourceFile]) -> list[Project]:
        """The projects the files belong to (their facts are joined by ``_attach``)."""
        cwd = (self.cwd or Path.cwd()).resolve()
        stops = []
        for p in paths:
            ap = Path(os.path.abspath(p))
            stops.append(ap if ap.is_dir() else (cwd if cwd in ap.parents else ap.parent))
        cache: dict[Path, Path] = {}
        by_root: dict[str, Project] = {}
        for sf in files:
            stop = next((s for s in stops if relative_posix(sf.path, s) is not None),
                        sf.path.parent)
            root = project_root_of(sf.path, stop, cache)
            key = display_path(root, cwd) or "."
            proj = by_root.setdefault(key, Project(root=key if key else ".", options=self.options))
            proj.files.append(sf.rel)
        scanned = sorted({sf.rel for sf in files})
        for proj in by_root.values():
            proj.scanned = scanned
        return [by_root[k] for k in sorted(by_root)]

    def _root_relative(self, rel: str, by_rel: dict[str, SourceFile]) -> str:
        sf = by_rel.get(rel)
        if sf is not None:
            try:
                return sf.path.relative_to(self.cfg.root).as_posix()
            except ValueError:
                pass
        return rel

    def _per_file_ignored(self, f: Finding, sf: SourceFile | None) -> bool:
        if not self.cfg.per_file_ignores or sf is None:
            return False
        rel = self._root_relative(sf.rel, {sf.rel: sf})
        name = rel.rsplit("/", 1)[-1]
        for pattern, ids in self.cfg.per_file_ignores.items():
            target = rel if "/" in pattern else name
            if fnmatch.fnmatch(target, pattern) or fnmatch.fnmatch(rel, pattern):
                if "ALL" in ids or f.rule in ids or self.rules[f.rule].category in ids or any(
                        f.rule.startswith(i) for i in ids if i.startswith("AIP")):
                    return True
        return False


