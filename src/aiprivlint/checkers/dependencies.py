"""Facts about the dependencies a project declares: the lowest version of a package it allows.

How the check works: requirement specifiers look the same in every manifest (``torch>=2.6`` in
``requirements.txt``, ``setup.cfg`` and PEP 621 ``dependencies``, ``torch = "^2.6"`` in Poetry
tables, ``pytorch=2.6`` in a conda ``environment.yml``, a wheel URL ``torch-2.6.0+cu118-...whl``),
so a manifest's text is read line by line for the packages in ``PACKAGES``. Each constraint
becomes a ``requires`` fact {package, min}: the lowest version the line allows, or ``"0"`` when
the line allows any (no lower bound). A project rule then knows, for example, that every
``torch`` the project may run with loads checkpoints with ``weights_only=True`` by default
(AIP502, ``checkers/project/own_artefacts.py``).
"""

from __future__ import annotations

import re

from . import FileChecker, FileContext, lines_holding

# names a manifest may use -> the package
PACKAGES = {"torch": "torch", "pytorch": "torch"}
MANIFEST = re.compile(r"(^|.*[-_.])requirements([-_.].*)?\.txt$|^pyproject\.toml$|^setup\.cfg$|"
                      r"^(environment|conda)([-_.].*)?\.ya?ml$", re.I)
_NAMES = "|".join(sorted(PACKAGES))
# torch>=2.6 / torch==2.6.0 / torch~=2.6 / torch = "^2.6" / torch = {version = ">=2.6"} / pytorch=2.6
SPEC = re.compile(rf"""(?<![\w.-])({_NAMES})\s*(?:\[[^\]]*\])?\s*(?:=\s*\{{?\s*(?:version\s*=\s*)?)?
                      ["']?\s*(==|>=|~=|\^|>|=)?\s*v?(\d+(?:\.\d+)*)""", re.X | re.I)
WHEEL = re.compile(rf"(?<![\w.-])({_NAMES})-(\d+(?:\.\d+)+)(?:%2B|\+|-)", re.I)
_ANY_NAME = re.compile("|".join(sorted(PACKAGES)), re.I)
MENTION = re.compile(rf"""(?<![\w./-])({_NAMES})(?![\w.-])\s*(?:\[[^\]]*\])?\s*(?:[;#"',<!]|$)""", re.I)


def lowest(op: str | None, version: str) -> str:
    """The lowest version an operator and version allow, compared conservatively: ``> 2.5``
    counts as 2.5 (it allows 2.5.1); ``<``, ``<=``, ``!=`` and a bare name allow any ("0")."""
    return version if op in ("==", ">=", "~=", "^", "=", ">") else "0"


def at_least(version: str, floor: tuple[int, ...]) -> bool:
    """``version`` (a constraint's lowest version) is at or above ``floor``."""
    parts = []
    for p in version.split("."):
        digits = re.match(r"\d+", p)
        parts.append(int(digits.group()) if digits else 0)
    return tuple(parts) >= floor


def constraints(text: str) -> list[tuple[int, str, str]]:
    """(line, package, lowest version) of every constraint on a package of PACKAGES."""
    out: list[tuple[int, str, str]] = []
    # every pattern below needs a package's name on its line: a hash line of a lock has none
    for n, line in lines_holding(text, _ANY_NAME):
        bare = line.split("#", 1)[0] if not line.lstrip().startswith(("http", "torch @")) else line
        wheel = WHEEL.search(line)
        if wheel:
            out.append((n, PACKAGES[wheel.group(1).lower()], wheel.group(2)))
            continue
        spec = SPEC.search(bare)
        if spec and spec.group(3):
            out.append((n, PACKAGES[spec.group(1).lower()], lowest(spec.group(2), spec.group(3))))
        elif MENTION.search(bare):
            out.append((n, PACKAGES[MENTION.search(bare).group(1).lower()], "0"))
    return out


class DependencyPins(FileChecker):
    rule_ids = ("AIP502",)
    kinds = frozenset({"text", "toml", "ini", "yaml"})

    def applies(self, ctx: FileContext) -> bool:
        return super().applies(ctx) and bool(MANIFEST.match(ctx.path.name))

    def check(self, ctx: FileContext) -> None:
        if not any(name in ctx.text.lower() for name in PACKAGES):
            return
        for line, package, low in constraints(ctx.text):
            ctx.fact("requires", line, package=package, min=low)
