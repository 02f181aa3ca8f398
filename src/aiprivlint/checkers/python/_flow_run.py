"""Phase 1 of the flow rules: run the dataflow engine once on a module the ast walk parsed.

Builds what the engine needs to know of the file (:class:`~aiprivlint.flow.model.ModuleInfo`:
its imports, whether it is a notebook, library code, a tutorial, a script), positions as the
user sees them (a notebook's raw JSON lines), and returns the module summary as plain data.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import Iterable

from ...flow.interp import Analysis
from ...flow.model import ModuleInfo, Registry
from ...flow.summary import ModuleSummary, Pos
from ...pyast import called_name, dotted, through_imports

TUTORIAL_PATH_RE = re.compile(
    r"(^|/)(examples?|docs?|tutorials?|notebooks?|demos?|samples?|scripts|cookbooks?|recipes|"
    r"courses?|lessons?|labs?|workshops?|playground|sandbox|quickstarts?|getting[_-]started|"
    r"how[_-]?tos?|guides?|exercises?|solutions?|homeworks?|assignments?|snippets|"
    r"benchmarks?|experiments?|notebook)(/|$)", re.I)
MAIN_GUARD_RE = re.compile(r"^if\s+__name__\s*==\s*['\"]__main__['\"]\s*:", re.M)


def module_info(rel: str, path: Path | None, code: str, imports: set[str], notebook: bool,
                options: dict) -> ModuleInfo:
    tutorial = bool(TUTORIAL_PATH_RE.search(rel))
    script = bool(MAIN_GUARD_RE.search(code))
    library = False
    from ...discovery import is_test_path
    if not notebook and not tutorial and not script and path is not None \
            and not is_test_path(rel):
        try:
            library = (path.parent / "__init__.py").is_file()
        except OSError:
            library = False
    return ModuleInfo(rel, notebook, set(imports), library, tutorial, script, options)


class _Locator:
    """Positions of nodes as the user sees them (1-based columns in characters; a notebook's
    lines are the raw .ipynb lines)."""

    def __init__(self, source: str, nb) -> None:
        self.lines = source.splitlines()
        self.nb = nb

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def column(self, line: int, byte_offset: int) -> int:
        text = self.line_text(line)
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def pos(self, node: ast.AST) -> Pos:
        line = getattr(node, "lineno", 1) or 1
        end_line = getattr(node, "end_lineno", None) or line
        col = self.column(line, getattr(node, "col_offset", 0) or 0)
        end_col = self.column(end_line, getattr(node, "end_col_offset", None) or 0)
        if self.nb is not None:
            r_line, r_col, cell = self.nb.raw_position(line, col - 1)
            e_line, e_col, _ = self.nb.raw_position(end_line, end_col - 1)
            return Pos(r_line, r_col, e_line, e_col, cell, line)
        return Pos(line, col, end_line, end_col, None, line)

    def raw_line(self, node) -> int:
        line = getattr(node, "lineno", 0) or 0
        if not line:
            return 0
        if self.nb is not None:
            return self.nb.raw_position(line, 0)[0]
        return line


def _numbers_only(node: ast.expr) -> bool:
    """A list or tuple, nested, of number literals (``[(-1.0, 2.0), (3.0, 4.0)]``)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return bool(node.elts) and all(_numbers_only(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


def random_inputs_only(tree: ast.Module, imports: set[str]) -> bool:
    """The module makes its tensors up (``torch.randn``, ``np.random.normal``, a
    ``torch.tensor`` of numbers written in the code) and reads no data at all (no file, dataset,
    database or download): whatever it trains, it trains on nobody's records. The imports decide
    first; the tree is walked only for a module of an array library that imports no dataset."""
    from ...models.data import (DATA_IMPORTS, DATA_READ_CALLS, LITERAL_INPUT_CALLS,
                                RANDOM_INPUT_CALLS, RANDOM_INPUT_HEADS, RANDOM_INPUT_NAMES)

    if not any(i.split(".")[0] in RANDOM_INPUT_HEADS for i in imports) or any(
            i == d or i.startswith(d + ".") or (d.endswith("_") and i.startswith(d))
            for i in imports for d in DATA_IMPORTS):
        return False
    random = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        last = called_name(func)
        if last in DATA_READ_CALLS:
            return False
        made_up = last in RANDOM_INPUT_CALLS or (
            last in LITERAL_INPUT_CALLS and node.args and _numbers_only(node.args[0]))
        if made_up and isinstance(func, ast.Attribute):
            head = dotted(func.value)
            random = random or (head is not None and head.partition(".")[0] in RANDOM_INPUT_NAMES)
    return random


def public_data_only(tree: ast.Module, aliases: dict[str, str]) -> list[str]:
    """The published benchmarks the module trains on (``["CIFAR10"]``), when every record it reads
    comes from a library's collection of public datasets (``torchvision.datasets.CIFAR10``,
    ``tf.keras.datasets.mnist.load_data``, ``tfds.load("lm1b")``): the same records for everyone
    who loads them. Empty when it also reads anything else (a file, a Hub id, a database, a
    download, a library's folder reader of the user's own files)."""
    from ...models.data import DATA_READ_CALLS, LOCAL_COLLECTIONS, PUBLIC_COLLECTIONS
    from ...models.llm import HTTP_CLIENTS

    found: set[str] = set()
    inside: set[int] = set()  # calls nested in a public loader's call (its transform, its root)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in inside:
            continue
        q = through_imports(dotted(node.func), aliases)
        last = called_name(node.func)
        if q and last not in LOCAL_COLLECTIONS and any(q.startswith(p) for p in PUBLIC_COLLECTIONS):
            if q.startswith("tensorflow_datasets."):
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    return []  # a builder named at run time: anyone's data
                found.add(first.value)
            else:
                parts = q.split(".")
                found.add(parts[-2] if last in ("load_data", "load") and len(parts) > 2 else parts[-1])
            inside.update(id(n) for n in ast.walk(node) if isinstance(n, ast.Call))
            continue
        if last == "get":
            if q and q.split(".")[0] in HTTP_CLIENTS:
                return []
            continue  # a dict's or a config's get
        if last in DATA_READ_CALLS or last in LOCAL_COLLECTIONS:
            return []
    return sorted(found)


def analyse(tree: ast.Module, source: str, rel: str, path: Path | None, nb, imports: set[str],
            registry: Registry, options: dict) -> ModuleSummary:
    info = module_info(rel, path, source, imports, nb is not None, options)
    loc = _Locator(source, nb)
    info.line_of = loc.raw_line
    summary = Analysis(tree, registry, info, loc.pos, loc.line_text).run()
    summary.meta = {"notebook": info.notebook, "library": info.library, "tutorial": info.tutorial,
                    "script": info.script, "imports": sorted(info.imported)}
    if not info.library:
        if random_inputs_only(tree, imports):
            summary.meta["random_inputs"] = True
        elif "datasets" in source:
            public = public_data_only(tree, dict(summary.aliases))
            if public:
                summary.meta["public_data"] = public
    return summary


def analyse_file(path: Path, rel: str, notebook: bool, registry: Registry,
                 options: dict, imports: Iterable[str] | None = None) -> ModuleSummary | None:
    """Phase 2's on-demand analysis of a module phase 1 did not analyse (a helper next to a
    module that takes part in a flow). None when it cannot be read or parsed. ``imports``:
    the module's imports as phase 1 found them (else they are walked for)."""
    from ._ast_base import parse_ast
    from ...notebook import NotebookError, code_of, parse_notebook, without_payloads

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    nb = None
    if notebook:
        try:
            nb = code_of(parse_notebook(without_payloads(text)))
        except NotebookError:
            return None
        text = nb.code
    tree = parse_ast(text)
    if tree is None:
        return None
    try:
        return analyse(tree, text, rel, path, nb,
                       set(imports) if imports is not None else imports_of(tree), registry, options)
    except (RecursionError, MemoryError):
        return None


def imports_of(tree: ast.Module) -> set[str]:
    """``Summary.imports`` of the gates: every module path an import names, with its parents;
    ``from a.b import c`` adds ``a.b.c`` too."""
    from ._ast_base import Summary

    summary = Summary(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            summary.visit_Import(node)
        elif isinstance(node, ast.ImportFrom):
            summary.visit_ImportFrom(node)
    return summary.imports


# an import statement at the start of a line: ``from .a.b import (c, d)``, ``import a.b as c``
# (continued with a backslash or inside parentheses)
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*"
    r"(\([^)]*\)|[^\n#;\\]*(?:\\\n[^\n#;\\]*)*)"
    r"|import[ \t]+([^\n#;\\]*(?:\\\n[^\n#;\\]*)*))", re.M)
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_COMMENT = re.compile(r"#[^\n]*")


def scan_imports(code: str) -> list[str]:
    """The names ``Summary.imports | Summary.relative`` would hold, read off the text without
    a parse: for a module no rule needs parsed, phase 2 only asks what it imports (to find
    the helpers a flow may cross). An import in a string that looks like a statement counts
    too; that costs at most one module analysed on demand."""
    out: set[str] = set()
    for m in _IMPORT_LINE.finditer(code):
        dots, module, names, plain = m.groups()
        if plain is not None:
            for item in plain.replace("\\\n", " ").split(","):
                name = _DOTTED.match(item.strip())
                if name:
                    parts = name.group(0).split(".")
                    out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
            continue
        if not dots and not module:
            continue
        items = _COMMENT.sub("", names).strip().strip("()").replace("\\\n", " ").split(",")
        found = [n.group(0) for n in (_DOTTED.match(i.strip()) for i in items) if n]
        if dots:
            out.update(dots + (f"{module}." if module else "") + n for n in found
                       if "." not in n)
            continue
        parts = module.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        out.update(f"{module}.{n}" for n in found if "." not in n)
    return sorted(out)


def analyse_code(code: str, rel: str = "snippet.py", registry: Registry | None = None,
                 options: dict | None = None) -> ModuleSummary:
    """The summary of a piece of code (tests and the engine's own checks)."""
    from ...models import registry as default_registry

    tree = ast.parse(code)
    return analyse(tree, code, rel, None, None, imports_of(tree), registry or default_registry(),
                   options or {})


__all__ = ["analyse", "analyse_code", "module_info", "imports_of", "TUTORIAL_PATH_RE", "os"]
