"""Positions of libcst nodes without re-generating the whole module.

libcst's PositionProvider re-generates the whole module's code, which costs more than the parse
on a file with one finding. Here a node is positioned by generating only a small piece around it:

1. the **statement line** (``SimpleStatementLine``) that holds it, the common case: generated
   with libcst's own position-tracking codegen state, started at the line ``ast`` gives for it
   and with the indentation of the blocks around it (libcst indents continuation lines too);
2. else the **top-level statement** that holds it, shifted by its line in ``ast``;
3. else (the parsers disagree about the statements, or a node the walk skips) the whole module.

The result equals PositionProvider's (tests/test_prefilter.py checks every node of the fixtures).
"""

from __future__ import annotations

import ast

from ._lazy import cst


def _resolve(module: cst.Module):
    from libcst.metadata import MetadataWrapper, PositionProvider

    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


# ast statement class -> libcst's, where the names differ
_AST_NAMES = {"Delete": "Del", "AsyncFunctionDef": "FunctionDef", "AsyncFor": "For",
              "AsyncWith": "With"}


def _ast_statements(tree: ast.Module) -> list[ast.stmt]:
    """Every statement, in source pre-order."""
    out: list[ast.stmt] = []

    def walk(stmts: list) -> None:
        for st in stmts:
            out.append(st)
            for name in ("body", "handlers", "orelse", "finalbody", "cases"):
                for child in getattr(st, name, None) or ():
                    if isinstance(child, ast.stmt):
                        walk([child])
                    else:  # ExceptHandler, match_case
                        walk(child.body)

    walk(tree.body)
    return out


class Positions:
    def __init__(self, module: cst.Module, tree: ast.Module | None, child_fields) -> None:
        self.module = module
        self.tree = tree
        self._child_fields = child_fields
        # id(node) -> (top-level index, enclosing statement line, indentation of that line)
        self._where: dict[int, tuple[int, cst.SimpleStatementLine | None, str]] | None = None
        self._ast_of: dict[int, ast.stmt] = {}  # id(libcst statement) -> its ast statement
        self._top_lines: list[int] | None = None
        self._pieces: dict[int, tuple] = {}
        self._full = None

    def get(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """(line, column, end line, end column), 1-based; (1, 1, 1, 1) for a foreign node."""
        if self._where is None:
            self._index()
        where = self._where.get(id(node)) if self._where else None
        if where is not None:
            top, line, indent = where
            if line is not None and id(line.body[0]) in self._ast_of:
                got = self._in_line(line, indent, node)
                if got is not None:
                    return got
            if self._top_lines is not None:
                got = self._in_top(top, node)
                if got is not None:
                    return got
        if self._full is None:
            self._full = _resolve(self.module)
        rng = self._full.get(node)
        if rng is None:
            return 1, 1, 1, 1
        return rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1

    def _in_line(self, line: cst.SimpleStatementLine, indent: str, node: cst.CSTNode):
        positions = self._pieces.get(id(line))
        if positions is None:
            from libcst.metadata.position_provider import (PositionProvider,
                                                           PositionProvidingCodegenState)

            provider = PositionProvider()
            state = PositionProvidingCodegenState(
                default_indent=self.module.default_indent,
                default_newline=self.module.default_newline, provider=provider,
                indent_tokens=[indent] if indent else [],
                line=self._ast_of[id(line.body[0])].lineno - len(line.leading_lines))
            line._codegen(state)
            positions = self._pieces[id(line)] = provider._computed
        rng = positions.get(node)
        if rng is None:
            return None
        return rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1

    def _in_top(self, top: int, node: cst.CSTNode):
        stmt = self.module.body[top]
        piece = self._pieces.get(id(stmt))
        if piece is None:  # a top-level statement has no indentation: only lines shift
            positions = _resolve(self.module.with_changes(body=[stmt], header=[], footer=[]))
            shift = self._top_lines[top] - positions[stmt].start.line
            piece = self._pieces[id(stmt)] = (positions, shift)
        positions, shift = piece
        rng = positions.get(node)
        if rng is None:
            return None
        return rng.start.line + shift, rng.start.column + 1, rng.end.line + shift, rng.end.column + 1

    def _index(self) -> None:
        """Where each node is (top-level index, enclosing statement line), and the pairing of
        libcst's statements with ast's, made only when both list the same statements."""
        self._where = {}
        statements: list[cst.CSTNode] = []
        small, compound = cst.BaseSmallStatement, cst.BaseCompoundStatement
        fields = self._child_fields
        where = self._where
        default_indent = self.module.default_indent
        for top, stmt in enumerate(self.module.body):
            stack: list[tuple[cst.CSTNode, cst.SimpleStatementLine | None, str]] = [(stmt, None, "")]
            while stack:  # pre-order, children in source order
                n, line, indent = stack.pop()
                if isinstance(n, cst.SimpleStatementLine):
                    line = n
                elif isinstance(n, (small, compound)):
                    statements.append(n)
                if isinstance(n, (cst.IndentedBlock, cst.Match)):  # the two that indent
                    indent += default_indent if n.indent is None else n.indent
                where[id(n)] = (top, line, indent)
                kids: list[cst.CSTNode] = []
                for name in fields(type(n)):
                    child = getattr(n, name, None)
                    if isinstance(child, cst.CSTNode):
                        kids.append(child)
                    elif isinstance(child, (list, tuple)):
                        kids.extend(c for c in child if isinstance(c, cst.CSTNode))
                stack.extend((k, line, indent) for k in reversed(kids))
        if self.tree is None:
            return
        ast_statements = _ast_statements(self.tree)
        if len(ast_statements) != len(statements) or any(
                _AST_NAMES.get(type(a).__name__, type(a).__name__) != type(c).__name__
                for c, a in zip(statements, ast_statements)):
            return
        self._ast_of = {id(c): a for c, a in zip(statements, ast_statements)}
        self._top_lines = [self._ast_of[id(s.body[0] if isinstance(s, cst.SimpleStatementLine)
                                           else s)].lineno for s in self.module.body]
