"""AIP202 weak-dp-budget in TOML run-configs (Flower's ``[tool.flwr.app.config]``).

How the check works: Flower apps keep their hyper-parameters in ``pyproject.toml`` under
``[tool.flwr.app.config]`` (nested tables allowed) and read them in code with
``context.run_config["noise-multiplier"]``, which the Python side of AIP202 cannot resolve
file-locally. This checker reads the table itself and judges keys whose *names* say they are DP
parameters, with the same budget as the Python rule (``dp_budget.check_value``):

- ``noise-multiplier`` (any key with the words noise + multiplier), and keys with a word ``dp``,
  ``privacy`` or ``private``, or named ``target-epsilon`` / ``target-delta`` /
  ``clipping-norm`` / ``l2-norm-clip``, are DP keys on their own;
- ``epsilon``, ``delta``, ``max-grad-norm``, ``clip-norm`` are common outside DP (Adam's epsilon,
  Huber's delta, ordinary gradient clipping), so they are judged only when the same table (same
  nesting level) also has a key of the first kind.

Values are the literal TOML values (TOML has ``inf``); the finding is on the key's line.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from . import CheckerError, FileChecker, FileContext
from ..discovery import is_test_path

TABLE = ("tool", "flwr", "app", "config")
HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
KEY_LINE = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.\- ]+?))\s*=""")


def _words(key: str) -> list[str]:
    return [w for w in re.split(r"[-_.\s]+", key.lower()) if w]


def _role(key: str) -> tuple[str | None, bool]:
    """(role, strong) for a flattened key; strong keys are DP parameters by name alone."""
    words = _words(key)
    leaf = _words(key.split(".")[-1])
    dp_word = any(w in ("dp", "privacy", "private", "differential") for w in words)
    if "noise" in leaf and any(w in ("multiplier", "mult", "multiplicator") for w in leaf):
        return "noise", True
    if "epsilon" in leaf or (dp_word and "eps" in leaf):
        return "epsilon", dp_word or "target" in leaf
    if "delta" in leaf:
        return "delta", dp_word or "target" in leaf
    clip = ("clipping" in leaf and "norm" in leaf) or ("l2" in leaf and "clip" in leaf)
    if clip:
        return "clip", True
    if ("clip" in leaf and "norm" in leaf) or leaf[-3:] == ["max", "grad", "norm"]:
        return "clip", dp_word
    if "secure" in leaf and "mode" in leaf:
        return "secure", True
    return None, dp_word


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = value
    return out


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        return part[1:-1]
    return part


def _split_dotted(text: str) -> list[str]:
    return [_unquote(p) for p in re.findall(r"""("[^"]*"|'[^']*'|[^.]+)""", text)]


def _key_lines(text: str) -> dict[str, int]:
    """Line of every key below ``[tool.flwr.app.config]`` (flattened with '.')."""
    lines: dict[str, int] = {}
    inside: list[str] | None = None
    for n, line in enumerate(text.splitlines(), start=1):
        header = HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            parts = _split_dotted(header.group(1))
            inside = parts[len(TABLE):] if tuple(parts[:len(TABLE)]) == TABLE else None
            continue
        if line.lstrip().startswith("[["):
            inside = None
            continue
        if inside is None:
            continue
        m = KEY_LINE.match(line)
        if m:
            key = ".".join([*inside, *_split_dotted(m.group(1))])
            lines.setdefault(key, n)
    return lines


class FlowerRunConfig(FileChecker):
    rule_ids = ("AIP202",)
    kinds = frozenset({"toml"})

    def applies(self, ctx: FileContext) -> bool:
        return super().applies(ctx) and ctx.path.name == "pyproject.toml"

    def check(self, ctx: FileContext) -> None:
        if ctx.path.name != "pyproject.toml" or "flwr" not in ctx.text:
            return
        if ctx.options.get("test-code", "skip") == "skip" and is_test_path(ctx.rel):
            return
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        from .python.dp_budget import CONSEQUENCE, ROLE_WORDS, _fmt, _json_value, check_value

        try:
            data = tomllib.loads(ctx.text)
        except tomllib.TOMLDecodeError as exc:
            # tomllib's messages may quote a key ("Cannot declare 'x' twice"): the place only
            where = re.search(r"\((at [^()]*)\)\s*$", str(exc))
            raise CheckerError(f"invalid TOML{' ' + where.group(1) if where else ''}") from None
        table: Any = data
        for part in TABLE:
            table = table.get(part) if isinstance(table, dict) else None
        if not isinstance(table, dict):
            return
        values = _flatten(table)
        roles = {key: _role(key) for key in values}
        # a weak key (epsilon, delta, max-grad-norm) counts only next to a DP key in its table
        dp_tables = {key.rpartition(".")[0] for key, (role, strong) in roles.items() if strong}
        if not dp_tables:
            return
        lines = _key_lines(ctx.text)
        budgets = {"epsilon": "max-epsilon", "delta": "max-delta", "noise": "min-noise-multiplier",
                   "secure": "require-secure-mode"}
        for key, value in values.items():
            role, strong = roles[key]
            if role is None or key not in lines:
                continue
            if not strong and key.rpartition(".")[0] not in dp_tables:
                continue
            if role == "secure" and not ctx.options.get("require-secure-mode"):
                continue
            problem = check_value(role, value, ctx.options)
            if problem is None:
                continue
            why = "" if problem.explained else f"; {CONSEQUENCE[role]}"
            budget = ({"max-clipping-norm": 1e4} if role == "clip"
                      else {budgets[role]: ctx.options.get(budgets[role])})
            ctx.report(
                "AIP202", lines[key], 1,
                f"Flower run config: {key} = {_fmt(value)} in [tool.flwr.app.config] is "
                f"{problem.text}{why}",
                details={"parameter": key, "role": ROLE_WORDS[role], "framework": "flower",
                         "api": "tool.flwr.app.config", "value": _json_value(value),
                         "source": "pyproject.toml run config", "budget": budget},
                severity=problem.severity,
            )
