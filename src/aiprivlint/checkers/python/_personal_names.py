"""Which names in a piece of code denote a personal field (``models.kinds.personal``, on AIP102's
classifier: the flow engine's definition), for the ast rules that ask it of an expression
(AIP108's hash input, AIP205's span attribute)."""

from __future__ import annotations

import ast

from ...models.kinds import personal as personal_name  # noqa: F401 - the one definition
from ...pii.fields import FieldClass


def names_read(node: ast.AST):
    """Every field name an expression reads: attributes (``user.email``), literal keys
    (``row["phone"]``, ``d.get("ssn")``) and plain names (``email``)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            yield sub.attr
        elif isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant) \
                and isinstance(sub.slice.value, str):
            yield sub.slice.value
        elif isinstance(sub, ast.Name):
            yield sub.id
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) \
                and sub.func.attr == "get" and sub.args and isinstance(sub.args[0], ast.Constant) \
                and isinstance(sub.args[0].value, str):
            yield sub.args[0].value


def personal_read(node: ast.AST) -> FieldClass | None:
    """The first personal field an expression reads, or None."""
    for name in names_read(node):
        fc = personal_name(name)
        if fc is not None:
            return fc
    return None
