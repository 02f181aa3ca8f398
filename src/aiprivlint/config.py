"""Configuration: ``[tool.aiprivlint]`` in pyproject.toml, or ``.aiprivlint.toml``.

The file is looked for from the first scanned path upwards; the nearest one wins. Command-line
options override it. Unknown keys and rule ids are errors that name the key and the file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .findings import Severity
from .registry import CATEGORIES, Rule

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
    "personal-data": ((bool,), None),  # force the project's personal-data evidence on/off
    "default-region": ((str,), None),  # phone number region for national formats, e.g. "DE"
    "max-epsilon": ((int, float), 10.0),
    "max-delta": ((int, float), 1e-5),
    "min-noise-multiplier": ((int, float), 0.5),
    "require-secure-mode": ((bool,), False),
    "dataset-cards": ((list,), []),  # card paths declared by the user (AIP106)
    # "skip": behaviour rules (all but data-management) do not report in test code; "check": they do
    "test-code": ((str,), "skip"),
}
OPTION_CHOICES = {"test-code": ("skip", "check")}

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
    fail_on: Severity = Severity.LOW
    risk_profile: dict[str, int] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str) -> Any:
        return self.options.get(name, RULE_OPTIONS[name][1])


def find_config(start: Path) -> Path | None:
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for d in (folder, *folder.parents):
        dot = d / ".aiprivlint.toml"
        if dot.is_file():
            return dot
        py = d / "pyproject.toml"
        if py.is_file():
            try:
                data = tomllib.loads(py.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "aiprivlint" in data.get("tool", {}):
                return py
    return None


def load_config(path: Path | None, rules: dict[str, Rule]) -> Config:
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml" or "tool" in data:
        table = data.get("tool", {}).get("aiprivlint", {})
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
            cfg.fail_on = Severity.parse(str(table["fail-on"]))
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
            cfg.options[key] = value
    return cfg


def check_selector(sel: str, rules: dict[str, Rule], where: str) -> None:
    if sel == "ALL" or sel in CATEGORIES or sel in rules:
        return
    if sel.startswith("AIP") and any(r.startswith(sel) for r in rules):
        return
    raise ConfigError(f"{where}: unknown rule id or category {sel!r} "
                      f"(see `aiprivlint rules` for the ids)")


def expand(selectors: list[str], rules: dict[str, Rule]) -> set[str]:
    out: set[str] = set()
    for sel in selectors:
        if sel == "ALL":
            out.update(rules)
        elif sel in CATEGORIES:
            out.update(r for r, rule in rules.items() if rule.category == sel)
        else:
            out.update(r for r in rules if r == sel or r.startswith(sel))
    return out


def selected_rules(cfg: Config, rules: dict[str, Rule], available: set[str]) -> frozenset[str]:
    """The rule ids to run: ``select`` (default: all) plus ``extend-select`` minus ``ignore``."""
    base = expand(cfg.select, rules) if cfg.select is not None else set(rules)
    base |= expand(cfg.extend_select, rules)
    base -= expand(cfg.ignore, rules)
    return frozenset(base & available)


def effective_severity(rule: Rule, cfg: Config, base: Severity | None = None) -> Severity:
    sev = base or rule.severity
    return sev.shift(cfg.risk_profile.get(rule.category, 0))
