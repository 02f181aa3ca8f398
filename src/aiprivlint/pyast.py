"""Small helpers over Python's ``ast`` shared by the checkers and the dataflow engine."""

from __future__ import annotations

import ast


def dotted(node: ast.AST | None) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def called_name(func: ast.AST) -> str | None:
    """The name a call's function is called by: ``f`` for ``f(...)``, ``m`` for ``a.b.m(...)``;
    None for anything else (``f()(...)``, ``x[0](...)``)."""
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def through_imports(name: str | None, imports: dict[str, str]) -> str | None:
    """``T.load`` -> ``torch.load`` when ``imports`` maps the head ``T`` to ``torch``; None when
    the head is no imported name."""
    if name is None:
        return None
    head, _, rest = name.partition(".")
    target = imports.get(head)
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target
