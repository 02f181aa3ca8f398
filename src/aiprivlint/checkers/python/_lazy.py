"""libcst, imported on first use.

Importing libcst costs about 0.2 s, a quarter of a pre-commit run on a few files. Since the ast
gates decide most files without libcst, the rule modules take ``cst`` from here (``from ._lazy
import cst``): a module object whose code runs on the first attribute access. A module may
therefore not touch ``cst`` at import time (base classes, module-level tuples of node types);
tests/test_cli.py checks that a run on a file no libcst rule can fire on never loads it.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"No module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


cst = lazy_import("libcst")
