"""Command line: check, rules, explain, baseline, audit, server."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from . import __version__
from .config import (FAIL_ON_NEVER, Config, ConfigError, check_selector, find_config, load_config,
                     parse_fail_on, selected_rules)
from .registry import CATEGORIES, CONFIDENCES, RuleFileError, load_rules

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
BASELINE_DEFAULT = ".aiprivlint-baseline.json"
AUDIT_DEFAULT = "aiprivlint-audit.html"


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0 (0: the CPU count), not {value!r}")
    return n


def _add_scan_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", default=["."], help="files or folders to scan (default: .)")
    p.add_argument("--config", metavar="FILE", help="config file (default: nearest pyproject.toml "
                   "with [tool.aiprivlint], or .aiprivlint.toml, from the first path upwards)")
    p.add_argument("--select", type=_csv, action="extend", metavar="IDS",
                   help="only these rule ids, prefixes or categories (comma-separated)")
    p.add_argument("--extend-select", type=_csv, action="extend", metavar="IDS",
                   help="add these rule ids, prefixes or categories")
    p.add_argument("--ignore", type=_csv, action="extend", metavar="IDS",
                   help="skip these rule ids, prefixes or categories")
    p.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                   help="worker processes (default: the CPU count; at most twice that, and "
                   "never more than the files to scan)")
    p.add_argument("--full", action="store_true", help="read every row of data files (no max-rows)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="with --full, where large data files are read in parts: local processes "
                        "(default, --jobs of them) or a Dask cluster (needs aiprivlint[dask])")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: the scheduler of an existing cluster (default: a "
                        "LocalCluster of --jobs worker processes for the run)")
    p.add_argument("--min-confidence", choices=CONFIDENCES,
                   help="show findings at or above this confidence (default: medium, or the "
                   "config's min-confidence); low shows every finding")
    p.add_argument("--no-cache", action="store_true", help="do not read or write .aiprivlint_cache/")
    p.add_argument("--no-prefilter", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--quiet", "-q", action="store_true", help="print findings only, no hints")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiprivlint",
        description="A privacy linter for ML and AI repositories.",
    )
    parser.add_argument("--version", action="version", version=f"aiprivlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="scan files and folders for privacy red flags")
    _add_scan_options(check)
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    check.add_argument("--sarif-output", metavar="FILE",
                       help="also write SARIF to FILE (one scan for annotations and code scanning)")
    check.add_argument("--fail-on", choices=("low", "medium", "high", "critical", FAIL_ON_NEVER),
                       help="exit 1 only for findings at or above this severity (default: low); "
                       "never: findings do not fail the run (errors still exit 2)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--baseline", metavar="FILE", help="report only findings not in this baseline")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes and report what remains (exit 1 only for "
                       "findings that remain)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff: the unsafe fixes too (they may change "
                       "behaviour: review them)")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff (patch -p1 applies it) and change "
                       "no file; exit code as without fixes")
    check.add_argument("--new-since", metavar="REV",
                       help="report only findings not present at git revision REV (the same "
                       "paths scanned in a temporary worktree of REV; e.g. a pull request's base)")

    base = sub.add_parser("baseline", help="write a baseline of the current findings")
    _add_scan_options(base)
    base.add_argument("--output", "-o", metavar="FILE", default=BASELINE_DEFAULT,
                      help=f"baseline file to write (default: {BASELINE_DEFAULT})")

    audit = sub.add_parser("audit", help="write a one-off privacy audit report (HTML or Markdown)")
    _add_scan_options(audit)
    audit.add_argument("--out", "-o", metavar="FILE", default=AUDIT_DEFAULT,
                       help=f"report file, .html or .md (default: {AUDIT_DEFAULT})")
    audit.add_argument("--format", choices=("html", "md"),
                       help="report format (default: from the --out suffix)")

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = sub.add_parser("explain", help="show a rule's risk, mitigation and references")
    explain.add_argument("rule", metavar="RULE_ID")

    sub.add_parser("server", help="run the language server (LSP over stdio, for editors; "
                   "needs `pip install 'aiprivlint[lsp]'`)")

    card = sub.add_parser("init-card", help="write a dataset or model card pre-filled from a scan "
                          "(never overwrites: prints an existing card's gaps instead)")
    card.add_argument("kind", choices=("dataset", "model"))
    card.add_argument("path", metavar="PATH", help="the dataset folder, or the model's project folder")
    card.add_argument("--output", "-o", metavar="FILE",
                      help="card file to write (default: PATH/README.md, or DATASET_CARD.md / "
                      "MODEL_CARD.md when PATH has a README.md that is not a card)")
    card.add_argument("--stdout", action="store_true", help="print the card instead of writing it")
    card.add_argument("--scan", metavar="DIR", help="folder to scan (default: the dataset's "
                      "project, or PATH for a model card)")
    card.add_argument("--config", metavar="FILE", help="config file for the scan")
    card.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                      help="worker processes (default: the CPU count)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        rules = load_rules()
        if args.command == "rules":
            return cmd_rules(args, rules)
        if args.command == "explain":
            return cmd_explain(args, rules)
        if args.command == "audit":
            return cmd_audit(args, rules)
        if args.command == "server":
            from .editor import main_server

            return main_server()
        if args.command == "init-card":
            from .cards.init_card import main_init_card

            return main_init_card(args.kind, args.path, {
                "output": args.output, "stdout": args.stdout, "scan": args.scan,
                "config": args.config, "jobs": args.jobs if args.jobs > 0 else (os.cpu_count() or 1)})
        return cmd_scan(args, rules)
    except (ConfigError, RuleFileError) as exc:
        print(f"aiprivlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `aiprivlint explain X | head`: the reader left, not an error
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a CI gate must see 2, never 1, for a crash
        from concurrent.futures.process import BrokenProcessPool

        if isinstance(exc, BrokenProcessPool):
            print("aiprivlint: internal error: a worker process died (out of memory, or killed); "
                  "rerun with --jobs 1 to find the file", file=sys.stderr)
        else:
            print(f"aiprivlint: internal error: {type(exc).__name__}; rerun with "
                  "AIPRIVLINT_DEBUG=1 for the traceback", file=sys.stderr)
        if os.environ.get("AIPRIVLINT_DEBUG"):
            raise
        return EXIT_ERROR


def _use_color(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


def _config_for(args, rules) -> Config:
    from .discovery import named_path_problem

    for given in args.paths:
        problem = named_path_problem(given)
        if problem is not None:  # a path the user named: a gate must not pass on a typo
            raise ConfigError(f"{given}: {problem}")
    if args.config:
        cfg = load_config(Path(args.config), rules)
    else:
        cfg = load_config(find_config(Path(args.paths[0])), rules)
    for opt in ("select", "extend_select", "ignore"):
        for sel in getattr(args, opt) or []:
            check_selector(sel, rules, f"--{opt.replace('_', '-')}")
    if args.select:
        cfg.select = args.select
    if args.extend_select:
        cfg.extend_select = cfg.extend_select + args.extend_select
    if args.ignore:
        cfg.ignore = cfg.ignore + args.ignore
    if getattr(args, "fail_on", None):
        cfg.fail_on = parse_fail_on(args.fail_on)
    if getattr(args, "min_confidence", None):
        cfg.options["min-confidence"] = args.min_confidence
    return cfg


def _tune_gc() -> None:
    """Parse trees are acyclic and die with their file, yet allocating them made the cyclic
    collector run often over everything alive: a quarter of a cold run's CPU on flower. Start-up
    objects are frozen (never garbage) and the first generation collects less often."""
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def cmd_scan(args, rules) -> int:
    from .engine import Engine

    cfg = _config_for(args, rules)
    # every rule file has a checker (tests/test_registry.py), so the registry is the rule list;
    # the checkers themselves (and libcst) are imported only if some file is not in the cache
    selected = selected_rules(cfg, rules, set(rules))
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    baseline = None
    new_since = getattr(args, "new_since", None)
    if new_since and args.baseline:
        raise ConfigError("--new-since and --baseline: use one of them")
    if args.command == "check" and args.baseline:
        baseline = read_baseline(Path(args.baseline))
    fixing = args.command == "check" and (args.fix or args.diff)
    if args.command == "check" and args.unsafe_fixes and not fixing:
        raise ConfigError("--unsafe-fixes needs --fix or --diff")
    if new_since:
        from .newsince import revision

        repo, commit = revision(new_since, args.paths)

    def make_engine(config: Config, cwd: Path | None = None) -> Engine:
        return Engine(config, rules, selected, jobs=jobs, prefilter=not args.no_prefilter,
                      full=args.full, cwd=cwd, cache_dir=_cache_dir(args, cfg))

    engine = make_engine(cfg)
    _tune_gc()
    with _data_engine(engine, args, jobs):
        if new_since:
            from .engine import apply_baseline
            from .newsince import fingerprints_at

            # now first: the scan of REV then finds the unchanged files in the cache
            report = _run_with_progress(engine, args)
            baseline = fingerprints_at(repo, commit, args.paths, cfg, make_engine)
            apply_baseline(report, baseline)  # and --fix rescans against the same fingerprints
            report.new_since = new_since
        else:
            report = _run_with_progress(engine, args, baseline=baseline)
        if fixing and args.diff:
            return _diff(args, rules, report, cfg)
        if fixing:
            report, code = _fix(args, rules, engine, report, baseline)
            if code is not None:
                return code
        if args.command == "check" and (args.format == "sarif" or args.sarif_output):
            from .fixes.run import plan

            report.fixes = {fx.finding: fx for p in plan(report, rules, unsafe=True) for fx in p.fixes}

    if args.command == "baseline":
        write_baseline(Path(args.output), report)
        print(f"aiprivlint: wrote {len(report.findings)} finding(s) to {args.output}", file=sys.stderr)
        return EXIT_OK

    from .reporters import render

    out_stream = sys.stdout
    text = render(args.format, report, rules,
                  color=args.format == "text" and not args.output and _use_color(out_stream),
                  quiet=args.quiet)
    extra = [(args.sarif_output, "sarif")] if args.sarif_output else []
    for path, fmt in ([(args.output, None)] if args.output else []) + extra:
        try:
            Path(path).write_text(text if fmt is None else render(fmt, report, rules), encoding="utf-8")
        except OSError as exc:
            print(f"aiprivlint: error: cannot write {path}: {exc.strerror}", file=sys.stderr)
            return EXIT_ERROR
    if not args.output:
        out_stream.write(text)
        out_stream.flush()
    if args.format in ("text", "github") or args.output:
        _print_errors(report)
    return _exit_code(args, cfg, report)


def _print_errors(report) -> None:
    for err in report.errors:
        print(f"aiprivlint: {err.path}: {err.kind}: {err.message}", file=sys.stderr)


def _exit_code(args, cfg: Config, report) -> int:
    if args.exit_zero:
        return EXIT_OK
    failing = [f for f in report.findings
               if cfg.fail_on is not None and f.severity and f.severity >= cfg.fail_on]
    return EXIT_FINDINGS if failing else EXIT_OK


FIX_ROUNDS = 5  # fixes that overlap another are applied in the next round, after a rescan


def _fix_summary(fixed: int, held: int, verb: str = "fixed") -> str:
    more = f" ({held} more with --unsafe-fixes)" if held else ""
    return f"aiprivlint: {fixed} {verb}{more}"


def _diff(args, rules, report, cfg: Config) -> int:
    """``--diff``: the fixes as a unified diff on stdout; no file changes; the exit code is the
    scan's."""
    from .fixes.run import apply, plan, unified_diff

    plans = plan(report, rules, args.unsafe_fixes)
    changed, counts = apply(plans)
    sys.stdout.write(unified_diff(plans, changed))
    sys.stdout.flush()
    _print_errors(report)
    if not args.quiet:
        print(_fix_summary(sum(counts.values()), sum(len(p.held) for p in plans), "would be fixed"),
              file=sys.stderr)
    return _exit_code(args, cfg, report)


def _fix(args, rules, engine, report, baseline):
    """``--fix``: apply the fixes, rescan the files, again while fixes that overlapped others are
    left (at most FIX_ROUNDS times); returns the report of what remains (and an exit code when
    a file could not be written)."""
    from collections import Counter

    from .fixes.run import apply, plan, write

    total: Counter = Counter()
    for round_ in range(FIX_ROUNDS + 1):
        plans = plan(report, rules, args.unsafe_fixes)
        changed, counts = apply(plans)
        if not changed or round_ == FIX_ROUNDS:
            break
        errors = write(plans, changed)
        for err in errors:
            print(f"aiprivlint: error: {err}", file=sys.stderr)
        if errors:
            return report, EXIT_ERROR
        total += counts
        report = _run_with_progress(engine, args, baseline=baseline)
    if not args.quiet:
        print(_fix_summary(sum(total.values()), sum(len(p.held) for p in plans)), file=sys.stderr)
    return report, None


def cmd_audit(args, rules) -> int:
    """One scan with the mitigation facts switched on, written as an HTML or Markdown report.
    Exit 0 when the report was written (it is a report, not a gate), 2 on errors."""
    from .audit import build_audit
    from .checkers import implemented_rule_ids
    from .engine import Engine

    fmt = args.format or {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}.get(
        Path(args.out).suffix.lower())
    if fmt is None:
        raise ConfigError(f"--out {args.out}: cannot tell the format from the suffix; "
                          "use .html or .md, or pass --format")
    cfg = _config_for(args, rules)
    selected = selected_rules(cfg, rules, implemented_rule_ids())
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    engine = Engine(cfg, rules, selected, jobs=jobs, prefilter=not args.no_prefilter,
                    full=args.full, cache_dir=_cache_dir(args, cfg))
    engine.options["_audit"] = True  # facts-only rules: the mitigations in use
    _tune_gc()
    with _data_engine(engine, args, jobs):
        report = _run_with_progress(engine, args)
    from .discovery import printable_name

    target = printable_name(args.paths[0] if len(args.paths) == 1 else ", ".join(args.paths))
    if target == ".":
        target = Path.cwd().name or "."
    model = build_audit(report, rules, cfg, target=target, paths=args.paths)
    if fmt == "md":
        from .reporters.markdown import render_markdown as render_audit
    else:
        from .reporters.html import render_html as render_audit
    try:
        Path(args.out).write_text(render_audit(model), encoding="utf-8")
    except OSError as exc:
        print(f"aiprivlint: error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    _print_errors(report)
    if not args.quiet:
        print(f"aiprivlint: wrote {args.out}: {model.findings} finding(s), "
              f"{model.mitigation_summary}", file=sys.stderr)
    return EXIT_OK


def _cache_dir(args, cfg: Config) -> Path | None:
    if args.no_cache or os.environ.get("AIPRIVLINT_NO_CACHE"):
        return None
    if os.environ.get("AIPRIVLINT_CACHE_DIR"):
        return Path(os.environ["AIPRIVLINT_CACHE_DIR"])
    from .cache import CACHE_DIR_NAME

    # next to a discovered config (the project root), else in the current folder
    found = cfg.path is not None and not args.config
    return (cfg.root if found else Path.cwd()) / CACHE_DIR_NAME


@contextlib.contextmanager
def _data_engine(engine, args, jobs: int):
    """Where ``--full`` reads the parts of large data files: ``--engine dask`` connects to
    ``--scheduler``, or runs a LocalCluster of ``jobs`` workers for the run."""
    engine.options["_progress"] = _progress_bar(args) is not None
    if args.engine != "dask":
        yield
        return
    if args.scheduler is None and os.environ.get("DASK_SCHEDULER_ADDRESS"):
        args.scheduler = os.environ["DASK_SCHEDULER_ADDRESS"]
    from .pii.dask_engine import DaskUnavailable, require, start_local_cluster, stop_local_cluster

    try:
        require()
    except DaskUnavailable as exc:
        raise ConfigError(str(exc)) from None
    engine.options["_engine"] = "dask"
    if args.scheduler:
        engine.options["_scheduler"] = args.scheduler
        yield
        return
    address, proc = start_local_cluster(max(1, jobs))
    engine.options["_scheduler"] = address
    try:
        yield
    finally:
        stop_local_cluster(proc)


def _run_with_progress(engine, args, **kw):
    """``engine.run`` with a progress bar where one helps; the bar's line is cleared however the
    run ends."""
    bar = _progress_bar(args)
    try:
        return engine.run(args.paths, progress=bar, **kw)
    finally:
        if bar is not None:
            bar.close()


def _progress_bar(args):
    """A progress bar on stderr, only on a TTY, never in CI or with --quiet."""
    if args.quiet or os.environ.get("CI") or not sys.stderr.isatty():
        return None
    from .progress import ProgressBar

    return ProgressBar(sys.stderr)


def read_baseline(path: Path) -> set[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {str(e["fingerprint"]) for e in doc["findings"]}
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found (create it with `aiprivlint baseline`)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not an aiprivlint baseline file ({type(exc).__name__})") from None


def write_baseline(path: Path, report) -> None:
    doc = {
        "tool": "aiprivlint",
        "version": 1,
        "findings": [
            {"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "line": f.line}
            for f in report.findings
        ],
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def cmd_rules(args, rules) -> int:
    from .checkers import implemented_rule_ids

    implemented = implemented_rule_ids()
    rows = [r for r in rules.values() if r.id in implemented]
    if args.format == "json":
        print(json.dumps([
            {"id": r.id, "name": r.name, "category": r.category, "severity": r.severity.label,
             "confidence": r.confidence, "fixable": r.fixable, "preview": r.preview,
             "fixes": [{"applicability": f.applicability, "description": f.description}
                       for f in r.fixes],
             "summary": r.summary, "help_uri": r.help_uri} for r in rows], indent=2))
        return EXIT_OK
    header = ("ID", "NAME", "CATEGORY", "SEVERITY", "FIXABLE")
    table = [header] + [(r.id, r.name + (" (preview)" if r.preview else ""), r.category,
                         r.severity.label, _fix_kinds(r)) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return EXIT_OK


def _fix_kinds(rule) -> str:
    """``safe``, ``unsafe``, ``safe+unsafe`` (fixes of both kinds) or ``no``."""
    kinds = [k for k in ("safe", "unsafe") if any(f.applicability == k for f in rule.fixes)]
    return "+".join(kinds) or "no"


def cmd_explain(args, rules) -> int:
    rid = args.rule.upper()
    rule = rules.get(rid)
    if rule is None:
        print(f"aiprivlint: error: unknown rule {args.rule!r} (see `aiprivlint rules`)", file=sys.stderr)
        return EXIT_ERROR
    print(explain_text(rule))
    return EXIT_OK


def explain_text(rule) -> str:
    """What ``aiprivlint explain ID`` prints (the language server's hover shows it too)."""
    out = [
        f"{rule.id} {rule.name}",
        "",
        f"Category:   {rule.category}  (one of: {', '.join(CATEGORIES)})",
        f"Severity:   {rule.severity.label}",
        f"Confidence: {rule.confidence}",
        f"Fixable:    {_fix_kinds(rule)}{' (check --fix; unsafe ones with --unsafe-fixes)' if rule.fixes else ''}",
        *([f"Preview:    yes: runs only when selected by its id (--extend-select {rule.id})"]
          if rule.preview else []),
        "",
        rule.summary,
        "",
        "## Why is this a privacy risk?",
        "",
        rule.risk,
        "",
        "## What to do",
        "",
        rule.mitigation,
        "",
        "## References",
        "",
    ]
    out += [f"- {ref.title}: {ref.url}" for ref in rule.references]
    if rule.fixes:
        out += ["", "## Automatic fixes", ""]
        for fx in rule.fixes:
            out += [f"- {fx.description} ({fx.applicability}). {' '.join(fx.why.split())}"]
    return "\n".join(out)
