"""Which names in a piece of code denote a personal field (AIP102's classifier), for the ast rules
that ask it of an expression (AIP108's hash input, AIP205's span attribute)."""

from __future__ import annotations

import ast

from ...pii.fields import FieldClass, classify_field


def personal_name(name: str) -> FieldClass | None:
    """The class of a field name that denotes personal data on its own (``email``,
    ``client_ip``), None for other names and for ``name``/``address`` alone (ambiguous)."""
    fc = classify_field(name)
    return fc if fc is not None and not fc.ambiguous else None


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
