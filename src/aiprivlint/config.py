"""Configuration: ``[tool.aiprivlint]`` in pyproject.toml, or ``.aiprivlint.toml``.

The file is looked for from the first scanned path upwards; the nearest one wins. Command-line
options override it. Unknown keys and rule ids are errors that name the key and the file.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .findings import Severity
from .registry import CATEGORIES, CONFIDENCES, Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """A usage or configuration error: the CLI prints it and exits 2."""


DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".env.d", "node_modules", "site-packages",
    "__pycache__", "build", "dist", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".aiprivlint_cache", "*.egg-info", ".ipynb_checkpoints", ".eggs",
    "__pypackages__", ".direnv",
)

# Rule options: name -> (type(s), default). Checkers read them from ctx.options.
RULE_OPTIONS: dict[str, tuple[tuple[type, ...], Any]] = {
    "max-file-size": ((int,), 5 * 1024 * 1024),  # bytes; larger code/config files are skipped
    "max-rows": ((int,), 10_000),  # rows read per data file (AIP101) unless --full
    # with --full, a csv/tsv/jsonl/parquet file of two parts or more is read in parts this size
    "data-chunk-size": ((int,), 64 * 1024 * 1024),
    "personal-data": ((bool,), None),  # force the project's personal-data evidence on/off
    "default-region": ((str,), None),  # phone number region for national formats, e.g. "DE"
    "max-epsilon": ((int, float), 10.0),
    "max-delta": ((int, float), 1e-5),
    "min-noise-multiplier": ((int, float), 0.5),
    "require-secure-mode": ((bool,), False),
    "dataset-cards": ((list,), []),  # card paths declared by the user (AIP106)
    # "skip": behaviour rules (all but data-management) do not report in test code; "check": they do
    "test-code": ((str,), "skip"),
    # findings below this confidence are not shown (a rule lowers it where its evidence is weak:
    # rules/<ID>.toml says when); "low" shows every finding
    "min-confidence": ((str,), "medium"),
}
OPTION_CHOICES = {"test-code": ("skip", "check"), "min-confidence": CONFIDENCES}
CONFIDENCE_RANK = {c: i for i, c in enumerate(CONFIDENCES)}  # low < medium < high
# The range of each numeric option: (lowest, lowest allowed?, highest or None, highest allowed?).
# A value outside it would switch a rule off by accident (max-rows = -1 reads no row).
OPTION_RANGES: dict[str, tuple[float, bool, float | None, bool]] = {
    "max-file-size": (1, True, None, False),
    "max-rows": (1, True, None, False),
    "data-chunk-size": (1, True, None, False),
    "max-epsilon": (0, False, None, False),
    "max-delta": (0, False, 1, False),
    "min-noise-multiplier": (0, True, None, False),
}
# `fail-on = "never"` (and `--fail-on never`): findings never fail the run; errors still exit 2
FAIL_ON_NEVER = "never"

LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")
KNOWN_KEYS = set(LIST_KEYS) | {"per-file-ignores", "fail-on", "risk-profile"} | set(RULE_OPTIONS)


@dataclass
class Config:
    path: Path | None = None  # the file it came from
    root: Path = field(default_factory=Path.cwd)  # patterns are relative to this folder
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    fail_on: Severity | None = Severity.LOW  # None: never fail on findings (fail-on = "never")
    risk_profile: dict[str, int] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str) -> Any:
        return self.options.get(name, RULE_OPTIONS[name][1])


def parse_fail_on(text: str) -> Severity | None:
    """A ``fail-on`` value: a severity, or ``never`` (None)."""
    if text.strip().lower() == FAIL_ON_NEVER:
        return None
    try:
        return Severity.parse(text)
    except ValueError:
        raise ValueError(f"unknown fail-on level {text!r} (expected one of: low, medium, high, "
                         f"critical, {FAIL_ON_NEVER})") from None


def read_toml(path: Path) -> dict[str, Any]:
    """A config file's TOML, or a ConfigError naming the file (and the line, when it is known)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or type(exc).__name__}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 (byte {exc.start}); a TOML file must be UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _tool_table(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """``[tool.aiprivlint]`` of a parsed pyproject.toml, None when it has none; a ConfigError when
    ``tool`` or ``tool.aiprivlint`` is not a table (``tool = 5``)."""
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: tool: must be a table ([tool.aiprivlint]), not {type(tool).__name__}")
    table = tool.get("aiprivlint")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.aiprivlint: must be a table, not {type(table).__name__}")
    return table


def find_config(start: Path) -> Path | None:
    """The nearest ``.aiprivlint.toml``, or pyproject.toml with ``[tool.aiprivlint]``, from
    ``start`` upwards. A pyproject.toml on the way that cannot be read is a ConfigError: it may
    hold the settings (an ignore list dropped silently would pass a gate by mistake)."""
    start = Path(os.path.abspath(start))
    try:
        start = start.resolve()
    except (OSError, RuntimeError):  # a symlink loop: its folder is where to look
        pass
    folder = start if start.is_dir() else start.parent
    for d in (folder, *folder.parents):
        dot = d / ".aiprivlint.toml"
        if dot.is_file():
            return dot
        py = d / "pyproject.toml"
        if py.is_file() and _tool_table(read_toml(py), py) is not None:
            return py
    return None


def load_config(path: Path | None, rules: dict[str, Rule]) -> Config:
    if path is None:
        return Config()
    data = read_toml(path)
    if path.name == "pyproject.toml" or "tool" in data:
        table = _tool_table(data, path) or {}
    else:
        table = data
    return parse_table(table, path, rules)


def _where(path: Path, key: str) -> str:
    prefix = "tool.aiprivlint." if path.name == "pyproject.toml" else ""
    return f"{path}: {prefix}{key}"


def parse_table(table: dict[str, Any], path: Path, rules: dict[str, Rule]) -> Config:
    cfg = Config(path=path, root=path.parent.resolve())
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{_where(path, unknown[0])}: unknown key {unknown[0]!r} "
                          f"(known keys: {', '.join(sorted(KNOWN_KEYS))})")
    for key in LIST_KEYS:
        if key in table:
            value = table[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{_where(path, key)}: must be a list of strings")
    for key in ("select", "ignore", "extend-select"):
        for sel in table.get(key, []):
            check_selector(sel, rules, _where(path, key))
    cfg.select = table.get("select")
    cfg.ignore = list(table.get("ignore", []))
    cfg.extend_select = list(table.get("extend-select", []))
    cfg.exclude = list(table.get("exclude", [])) + list(table.get("extend-exclude", []))
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{_where(path, 'per-file-ignores')}: must be a table of pattern = [ids]")
    for pattern, ids in pfi.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ConfigError(f"{_where(path, 'per-file-ignores')}: {pattern!r} must map to a list of rule ids")
        for sel in ids:
            check_selector(sel, rules, _where(path, f"per-file-ignores.{pattern!r}"))
        cfg.per_file_ignores[pattern] = ids
    if "fail-on" in table:
        try:
            cfg.fail_on = parse_fail_on(str(table["fail-on"]))
        except ValueError as exc:
            raise ConfigError(f"{_where(path, 'fail-on')}: {exc}") from None
    profile = table.get("risk-profile", {})
    if not isinstance(profile, dict):
        raise ConfigError(f"{_where(path, 'risk-profile')}: must be a table of category = adjustment")
    for cat, adj in profile.items():
        if cat not in CATEGORIES:
            raise ConfigError(f"{_where(path, 'risk-profile')}: unknown risk category {cat!r} "
                              f"(categories: {', '.join(CATEGORIES)})")
        if isinstance(adj, bool) or not isinstance(adj, int) or not -3 <= adj <= 3:
            raise ConfigError(f"{_where(path, 'risk-profile.' + cat)}: must be an integer from -3 to 3 "
                              "(severity steps up or down)")
        cfg.risk_profile[cat] = adj
    for key, (types, _default) in RULE_OPTIONS.items():
        if key in table:
            value = table[key]
            if isinstance(value, bool) and bool not in types:
                ok = False
            else:
                ok = isinstance(value, types)
            if not ok:
                names = " or ".join(t.__name__ for t in types)
                raise ConfigError(f"{_where(path, key)}: must be of type {names}")
            if key in OPTION_CHOICES and value not in OPTION_CHOICES[key]:
                raise ConfigError(f"{_where(path, key)}: must be one of "
                                  f"{', '.join(map(repr, OPTION_CHOICES[key]))}")
            if key in OPTION_RANGES and not _in_range(value, *OPTION_RANGES[key]):
                raise ConfigError(f"{_where(path, key)}: {value!r} is out of range "
                                  f"(must be {_range_text(*OPTION_RANGES[key])})")
            cfg.options[key] = value
    return cfg


def _in_range(value: float, lo: float, lo_ok: bool, hi: float | None, hi_ok: bool) -> bool:
    if not math.isfinite(value):
        return False
    if value < lo or (value == lo and not lo_ok):
        return False
    return hi is None or value < hi or (value == hi and hi_ok)


def _range_text(lo: float, lo_ok: bool, hi: float | None, hi_ok: bool) -> str:
    text = f"{'>=' if lo_ok else '>'} {lo}"
    if hi is not None:
        text += f" and {'<=' if hi_ok else '<'} {hi}"
    return text


def check_selector(sel: str, rules: dict[str, Rule], where: str) -> None:
    if sel == "ALL" or sel in CATEGORIES or sel in rules:
        return
    if sel.startswith("AIP") and any(r.startswith(sel) for r in rules):
        return
    raise ConfigError(f"{where}: unknown rule id or category {sel!r} "
                      f"(see `aiprivlint rules` for the ids)")


def expand(selectors: list[str], rules: dict[str, Rule], preview: bool = True) -> set[str]:
    """The ids ``selectors`` name; with ``preview=False``, preview rules only by their own id
    (``ALL``, a category or a prefix does not switch one on)."""
    out: set[str] = set()
    for sel in selectors:
        if sel == "ALL":
            out.update(rules)
        elif sel in CATEGORIES:
            out.update(r for r, rule in rules.items() if rule.category == sel)
        else:
            out.update(r for r in rules if r == sel or r.startswith(sel))
    if not preview:
        out = {r for r in out if not rules[r].preview or r in selectors}
    return out


def selected_rules(cfg: Config, rules: dict[str, Rule], available: set[str]) -> frozenset[str]:
    """The rule ids to run: ``select`` (default: all but preview rules) plus ``extend-select``
    minus ``ignore``. A preview rule runs when its own id is selected."""
    base = expand(cfg.select if cfg.select is not None else ["ALL"], rules, preview=False)
    base |= expand(cfg.extend_select, rules, preview=False)
    base -= expand(cfg.ignore, rules)
    return frozenset(base & available)


def effective_severity(rule: Rule, cfg: Config, base: Severity | None = None) -> Severity:
    sev = base or rule.severity
    return sev.shift(cfg.risk_profile.get(rule.category, 0))
