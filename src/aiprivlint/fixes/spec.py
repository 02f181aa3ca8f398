"""The ``[[fix]]`` tables of a rule file: what a fix changes, as data next to the rule.

A rule file may carry any number of ``[[fix]]`` tables; for a finding, the first table that
matches it and changes the reported node is its fix. Fields:

``applicability``  ``"safe"`` (keeps the meaning of the code for legitimate inputs) or
                   ``"unsafe"`` (may change behaviour: a person reviews it), as Ruff defines them.
``description``    what the fix does, one line (shown in diffs, SARIF and code actions).
``why``            why it is safe or unsafe (documentation: ``aiprivlint explain``).
``action``         one of :data:`ACTIONS` (the shared machinery in ``actions.py``).
``names``          patterns (``fnmatch``) for the reported node's subject: the callee of a
                   call, the target of an assignment, resolved through the file's imports
                   (``T.load`` -> ``torch.load``) or as written (``client.chat.completions.create``).
                   Default: any.
``exclude``        patterns (as ``names``) of subjects the fix is not for: a call whose
                   argument the fix drops would then always fail (``load_tool`` without
                   ``trust_remote_code``). Default: none.
``details``        values the finding's ``details`` must have (a string or a list of allowed
                   strings per key). Default: any.
``keyword``, ``position``, ``value``  the argument ``set-keyword`` sets to the Python source
                   ``value`` (``position``: where it may be passed positionally);
                   ``set-assigned`` sets the assigned value to ``value``.
``keywords``       ``remove-keywords``: keyword -> the literal source it is removed with.
``rename``         ``rename``: last name -> new last name, of the callee, or of ``argument``.
``argument``       ``rename``: ``{keyword, position}`` of the argument renamed instead.
``absent``         arguments (``{keyword, position}``) that must not be passed for the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

APPLICABILITIES = ("safe", "unsafe")
ACTIONS = ("set-keyword", "remove-keywords", "rename", "set-assigned")
_FIELDS = {"applicability", "description", "why", "action", "names", "exclude", "details", "keyword",
           "position", "value", "keywords", "rename", "argument", "absent"}


class FixSpecError(ValueError):
    pass


@dataclass(frozen=True)
class ArgRef:
    keyword: str
    position: int | None = None


@dataclass(frozen=True)
class FixSpec:
    applicability: str
    description: str
    why: str
    action: str
    names: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    details: tuple[tuple[str, tuple[str, ...]], ...] = ()
    keyword: str = ""
    position: int | None = None
    value: str = ""
    keywords: tuple[tuple[str, str], ...] = ()
    rename: tuple[tuple[str, str], ...] = ()
    argument: ArgRef | None = None
    absent: tuple[ArgRef, ...] = ()

    def matches_details(self, details: dict[str, Any]) -> bool:
        for key, allowed in self.details:
            value = details.get(key)
            if not isinstance(value, (str, bool, int)) or str(value) not in allowed:
                return False
        return True


def _str(entry: dict, key: str, required: bool = False) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise FixSpecError(f"fix field {key!r} must be a non-empty string")
    return value.strip()


def _argref(value: object) -> ArgRef:
    if not isinstance(value, dict) or not isinstance(value.get("keyword"), str) \
            or set(value) - {"keyword", "position"} \
            or not isinstance(value.get("position", 0), int):
        raise FixSpecError("an argument must be {keyword = \"...\", position = N}")
    return ArgRef(value["keyword"], value.get("position"))


def _expr(source: str, key: str) -> str:
    import ast

    try:
        ast.parse(source, mode="eval")
    except SyntaxError:
        raise FixSpecError(f"fix field {key!r} must be a Python expression") from None
    return source


def _mapping(entry: dict, key: str) -> tuple[tuple[str, str], ...]:
    value = entry.get(key)
    if not isinstance(value, dict) or not value or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise FixSpecError(f"fix field {key!r} must be a table of strings")
    return tuple(sorted(value.items()))


def parse_fix(entry: object) -> FixSpec:
    """One ``[[fix]]`` table, checked (``FixSpecError`` says what is wrong)."""
    if not isinstance(entry, dict):
        raise FixSpecError("fix must be a table ([[fix]])")
    extra = sorted(set(entry) - _FIELDS)
    if extra:
        raise FixSpecError(f"unknown fix field(s): {', '.join(extra)}")
    applicability = _str(entry, "applicability", True)
    if applicability not in APPLICABILITIES:
        raise FixSpecError(f"fix applicability must be one of {', '.join(APPLICABILITIES)}")
    action = _str(entry, "action", True)
    if action not in ACTIONS:
        raise FixSpecError(f"unknown fix action {action!r} (one of {', '.join(ACTIONS)})")
    names, exclude = entry.get("names", []), entry.get("exclude", [])
    for key, value in (("names", names), ("exclude", exclude)):
        if not isinstance(value, list) or not all(isinstance(n, str) and n for n in value):
            raise FixSpecError(f"fix field {key!r} must be a list of strings")
    details = entry.get("details", {})
    if not isinstance(details, dict):
        raise FixSpecError("fix field 'details' must be a table")
    det = []
    for key, allowed in sorted(details.items()):
        allowed = allowed if isinstance(allowed, list) else [allowed]
        if not all(isinstance(a, (str, bool, int)) for a in allowed):
            raise FixSpecError("fix field 'details' must map keys to values or lists of values")
        det.append((key, tuple(str(a) for a in allowed)))
    position = entry.get("position")
    if position is not None and (not isinstance(position, int) or position < 0):
        raise FixSpecError("fix field 'position' must be a whole number >= 0")
    spec = dict(applicability=applicability, description=_str(entry, "description", True),
                why=_str(entry, "why", True), action=action, names=tuple(names), exclude=tuple(exclude),
                details=tuple(det), position=position,
                absent=tuple(_argref(a) for a in entry.get("absent", [])))
    if action == "set-keyword":
        spec.update(keyword=_str(entry, "keyword", True), value=_expr(_str(entry, "value", True), "value"))
    elif action == "set-assigned":
        spec.update(value=_expr(_str(entry, "value", True), "value"))
    elif action == "remove-keywords":
        spec.update(keywords=_mapping(entry, "keywords"))
    elif action == "rename":
        spec.update(rename=_mapping(entry, "rename"))
        if "argument" in entry:
            spec.update(argument=_argref(entry["argument"]))
    return FixSpec(**spec)


def parse_fixes(value: object) -> tuple[FixSpec, ...]:
    if not isinstance(value, list):
        raise FixSpecError("fix must be an array of tables ([[fix]])")
    return tuple(parse_fix(e) for e in value)
