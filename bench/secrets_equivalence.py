"""AIP105: are the prefiltered scan's findings the same as detect-secrets' full-file scan's?

For every file AIP105 looks at in a corpus (Python, notebooks, .env, YAML, JSON, TOML, INI),
this runs

  (a) detect-secrets' own full scan: ``detect_secrets.core.scan.scan_file`` on the file, inside
      ``transient_settings`` with exactly the plugins and filters AIP105 uses; and
  (b) aiprivlint's prefiltered scan (``aiprivlint.secrets.scanner.scan_file_text``): the prefilter
      regex marks candidate lines, detect-secrets judges only those,

and compares what they report (line, secret type and a hash of the value; values are never
printed), then prints counts, every difference, and the CPU time each took (process time, so
that other load on the machine does not blur the comparison).

Notebooks: detect-secrets 1.5.0 has no notebook transformer (its ``scan_file`` reads the raw JSON,
where code is escaped); AIP105 scans the decoded cell sources and outputs instead. For them (a) is
the same line-by-line detect-secrets pass over *all* decoded lines, and the native raw-JSON
``scan_file`` is timed and counted separately, for reference.

.env files: AIP105 runs detect-secrets' eager pass on them even when the first pass found
something (``scan_file`` stops there); for them (a) is detect-secrets' line pass over every line
of both passes.

``--filters detect-secrets`` uses detect-secrets' default filters instead of AIP105's, so that
far more candidates survive to be compared. ``--plugins all`` runs every plugin detect-secrets
ships (also the entropy and public-IP plugins, which AIP105 leaves off or limits to config
files) on every file kind: the strictest test of the prefilter, since those plugins fire on far
more lines.

Usage:
    python bench/secrets_equivalence.py [CORPUS] [--plugins default|all]
        [--filters default|detect-secrets] [--kinds python,notebook,...] [--limit N]

CORPUS defaults to /tmp/corpus/flower (a clone of adap/flower). Exit status 1 when (a) != (b).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections import Counter
from pathlib import Path

KINDS = {"python", "notebook", "env", "yaml", "json", "toml", "ini"}
CONFIG_KINDS = {"env", "yaml", "toml", "ini"}


# detect-secrets' default filter set (Settings.clear() in detect_secrets/settings.py)
DETECT_SECRETS_FILTERS = tuple(
    "detect_secrets.filters." + f for f in (
        "allowlist.is_line_allowlisted", "heuristic.is_sequential_string",
        "heuristic.is_potential_uuid", "heuristic.is_likely_id_string",
        "heuristic.is_templated_secret", "heuristic.is_prefixed_with_dollar_sign",
        "heuristic.is_indirect_reference", "heuristic.is_lock_file",
        "heuristic.is_not_alphanumeric_string", "heuristic.is_swagger_file"))


def _files(corpus: Path):
    from aiprivlint.config import Config
    from aiprivlint.discovery import Discovery

    cfg = Config(root=corpus)
    return [sf for sf in Discovery(cfg, corpus).files([str(corpus)]) if sf.kinds & KINDS]


def _key(hit_line: int, secret_type: str, secret: str) -> tuple[int, str, str]:
    return hit_line, secret_type, hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default="/tmp/corpus/flower")
    ap.add_argument("--plugins", choices=("default", "all"), default="default")
    ap.add_argument("--filters", choices=("default", "detect-secrets"), default="default",
                    help="AIP105's filters, or detect-secrets' defaults only (more hits to compare)")
    ap.add_argument("--kinds", type=lambda v: set(v.split(",")), default=KINDS,
                    help="only files of these kinds (comma-separated; default: all AIP105 reads)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    args = ap.parse_args(argv)

    corpus = Path(args.corpus).resolve()
    if not corpus.is_dir():
        print(f"no such corpus: {corpus}", file=sys.stderr)
        return 2
    os.chdir(corpus)  # detect-secrets is given paths relative to the corpus, as its CLI does

    from detect_secrets.__version__ import VERSION as DS_VERSION
    from detect_secrets.core.scan import scan_file

    from aiprivlint.checkers.secrets import notebook_lines
    from aiprivlint.secrets import scanner
    from aiprivlint.secrets.scanner import CODE, CONFIG, STANDARD_PLUGINS, Profile

    filters = scanner.DEFAULT_FILTERS if args.filters == "default" else DETECT_SECRETS_FILTERS
    if args.plugins == "all":
        every = Profile("all", tuple((n, None) for n in STANDARD_PLUGINS)
                        + tuple((n, None) for n in scanner.OUR_PLUGINS), filters)
        profile_for = lambda kinds: every  # noqa: E731
    else:
        code = Profile("code", CODE.plugins, filters)
        config = Profile("config", CONFIG.plugins, filters)
        profile_for = lambda kinds: config if kinds & CONFIG_KINDS else code  # noqa: E731

    files = [sf for sf in _files(corpus) if sf.kinds & args.kinds]
    if args.limit:
        files = files[: args.limit]
    t_full = t_pref = t_native_nb = 0.0
    n_full: Counter[str] = Counter()
    n_pref: Counter[str] = Counter()
    n_native_nb: Counter[str] = Counter()
    diffs: list[str] = []
    lines_total = lines_candidate = files_judged = skipped = 0

    for sf in files:
        rel = sf.path.relative_to(corpus).as_posix()
        profile = profile_for(sf.kinds)
        try:
            data = sf.path.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            skipped += 1
            continue
        if b"\0" in data[:8192]:
            skipped += 1
            continue
        if "notebook" in sf.kinds:
            nb_text = text.lstrip("\ufeff")
            try:
                lines, _ = notebook_lines(nb_text)
            except ValueError:
                skipped += 1
                continue
            t = time.process_time()
            with scanner.settings(profile):
                native = list(scan_file(rel))
            t_native_nb += time.process_time() - t
            n_native_nb.update(s.type for s in native)
            t = time.process_time()
            full = scanner.scan_lines(notebook_lines(nb_text)[0], rel, profile, prefilter=False)
            t_full += time.process_time() - t
            full_keys = Counter(_key(h.line, h.secret_type, h.secret) for h in full)
            t = time.process_time()  # as the checker does: gate on the raw text, then parse
            pref = []
            if profile.prefilter.may_fire_on(nb_text, notebook=True):
                pref = scanner.scan_lines(notebook_lines(nb_text)[0], rel, profile, prefilter=True)
            t_pref += time.process_time() - t
            scanned_text = "".join(lines)
        elif "env" in sf.kinds:
            # AIP105 runs both passes on .env files (scan_file skips the second when the first
            # found something): the baseline is detect-secrets' line pass on every line of both
            t = time.process_time()
            full = scanner.scan_file_text(text, rel, profile, prefilter=False, all_passes=True)
            t_full += time.process_time() - t
            full_keys = Counter(_key(h.line, h.secret_type, h.secret) for h in full)
            t = time.process_time()
            pref = scanner.scan_file_text(text, rel, profile, prefilter=True, all_passes=True)
            t_pref += time.process_time() - t
            scanned_text = scanner.universal_newlines(text)
        else:
            t = time.process_time()
            with scanner.settings(profile):
                full_secrets = list(scan_file(rel))
            t_full += time.process_time() - t
            full_keys = Counter(_key(s.line_number, s.type, s.secret_value or "") for s in full_secrets)
            t = time.process_time()
            pref = scanner.scan_file_text(text, rel, profile, prefilter=True)
            t_pref += time.process_time() - t
            scanned_text = scanner.universal_newlines(text)
        pref_keys = Counter(_key(h.line, h.secret_type, h.secret) for h in pref)
        n_full.update(k[1] for k in full_keys.elements())
        n_pref.update(k[1] for k in pref_keys.elements())
        nlines = scanned_text.count("\n") + 1
        lines_total += nlines
        cands = scanner.candidate_lines(scanned_text, profile.prefilter)
        lines_candidate += len(cands)
        files_judged += bool(cands)
        if full_keys != pref_keys:
            for k in sorted((full_keys - pref_keys).elements()):
                diffs.append(f"  only in full scan:   {rel}:{k[0]}  {k[1]}  (hash {k[2]})")
            for k in sorted((pref_keys - full_keys).elements()):
                diffs.append(f"  only in prefiltered: {rel}:{k[0]}  {k[1]}  (hash {k[2]})")

    print(f"corpus: {corpus}   detect-secrets {DS_VERSION}   "
          f"plugins: {args.plugins}   filters: {args.filters}")
    print(f"files: {len(files)} ({skipped} skipped: binary or not UTF-8)   "
          f"lines: {lines_total}   candidate lines: {lines_candidate} "
          f"({100 * lines_candidate / max(lines_total, 1):.2f}%)   "
          f"files with candidate lines: {files_judged}")
    print(f"(a) full detect-secrets scan: {sum(n_full.values())} secrets in {t_full:.1f} s CPU")
    print(f"(b) prefiltered scan:         {sum(n_pref.values())} secrets in {t_pref:.1f} s CPU"
          f"   ({t_full / max(t_pref, 1e-9):.0f}x faster)")
    for typ in sorted(set(n_full) | set(n_pref)):
        print(f"    {typ:32} full {n_full[typ]:5}   prefiltered {n_pref[typ]:5}")
    if n_native_nb or t_native_nb:
        print(f"notebooks, detect-secrets' native scan of the raw JSON (reference, not compared): "
              f"{sum(n_native_nb.values())} secrets in {t_native_nb:.1f} s CPU")
    if diffs:
        print(f"DIFFERENCES ({len(diffs)}):")
        print("\n".join(diffs))
        return 1
    print("findings equal: yes (every file: same lines, types and values)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
