"""AIP502 unsafe-deserialization. Docs live in rules/AIP502.toml.

How the check works: calls are resolved through imports (``import torch as T``, ``from pickle
import loads``); a same-named method on an object that is not the imported module (``self.load``,
``ckpt.load``) never fires. Safe forms stay quiet: ``torch.load(..., weights_only=True)``,
``np.load`` without ``allow_pickle=True``, ``yaml.load(..., Loader=yaml.SafeLoader)``,
``keras.models.load_model`` without ``safe_mode=False``.
"""

from __future__ import annotations

import ast

from ._ast_base import AstRule, args_in_order
from ...findings import Severity

PICKLE_LIKE = {
    "pickle.load", "pickle.loads", "pickle.Unpickler", "_pickle.load", "_pickle.loads",
    "cPickle.load", "cPickle.loads", "dill.load", "dill.loads", "cloudpickle.load",
    "cloudpickle.loads", "joblib.load", "sklearn.externals.joblib.load", "pandas.read_pickle",
    "shelve.open", "torch.serialization.load",
}
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
KERAS_LOAD = {"keras.models.load_model", "tensorflow.keras.models.load_model",
              "keras.saving.load_model", "tf_keras.models.load_model"}
YAML_LOAD = ("yaml.load", "yaml.load_all", "ruamel.yaml.load")  # unsafe without a safe Loader
YAML_UNSAFE = ("yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load")


class UnsafeDeserialization(AstRule):
    rule_id = "AIP502"
    needs = ("load", "pickle", "Unpickler", "shelve")

    VALID = [
        "import torch\nstate = torch.load(path, weights_only=True)",
        "import yaml\ncfg = yaml.safe_load(f)",
        "import yaml\ncfg = yaml.load(f, Loader=yaml.SafeLoader)",
        "import numpy as np\narr = np.load('x.npy')",
        "import json\nd = json.load(f)",
        "class Ckpt:\n    def load(self, p): ...\nckpt = Ckpt()\nckpt.load('x')",
        "from safetensors.torch import load_file\nsd = load_file('model.safetensors')",
        "import io, torch\nwith io.BytesIO() as buf:\n    torch.save(m, buf)\n    buf.seek(0)\n"
        "    clone = torch.load(buf, weights_only=False)",
    ]
    INVALID = [
        "import torch\nstate = torch.load(path)",
        "import torch as T\nstate = T.load(path, map_location='cpu')",
        "from torch import load\nstate = load(path, weights_only=False)",
        "import pickle\nobj = pickle.loads(blob)",
        "import joblib\nclf = joblib.load('model.joblib')",
        "import numpy as np\narr = np.load('x.npy', allow_pickle=True)",
        "import pandas as pd\ndf = pd.read_pickle('df.pkl')",
        "import yaml\ncfg = yaml.load(f)",
        "import io, torch\nbuf = io.BytesIO(blob_from_request)\nm = torch.load(buf, weights_only=False)",
        "import yaml\ncfg = yaml.load(f, Loader=yaml.Loader)",
        "from tensorflow import keras\nm = keras.models.load_model('m.keras', safe_mode=False)",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._buffers: set[str] = set()  # names bound to an empty io.BytesIO() of this file

    def _empty_buffer(self, value: ast.expr) -> bool:
        return (isinstance(value, ast.Call) and not value.args and not value.keywords
                and self.qualified_name(value.func) in ("io.BytesIO", "io.StringIO"))

    def visit_withitem(self, node: ast.withitem) -> None:
        if isinstance(node.optional_vars, ast.Name) and self._empty_buffer(node.context_expr):
            self._buffers.add(node.optional_vars.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                if self._empty_buffer(node.value):
                    self._buffers.add(target.id)
                else:
                    self._buffers.discard(target.id)

    def _in_process_round_trip(self, node: ast.Call) -> bool:
        """torch.save(obj, buf); torch.load(buf): an object cloned through a buffer this process
        filled itself (a deep copy idiom), not an artefact from elsewhere."""
        args = args_in_order(node)
        return bool(args) and isinstance(args[0][1], ast.Name) and args[0][1].id in self._buffers

    def visit_Call(self, node: ast.Call) -> None:
        name = self.qualified_name(node.func)
        if name is None:
            return
        if name in ("torch.load", "pickle.load", "dill.load", "cloudpickle.load") \
                and self._in_process_round_trip(node):
            return
        if name == "torch.load":
            if self.kwarg_is(node, "weights_only", False):
                self.report(node, "torch.load(..., weights_only=False) unpickles arbitrary objects "
                            "from the checkpoint; pass weights_only=True or use safetensors")
            elif self.kwarg(node, "weights_only") is None:
                # torch >= 2.6 defaults to weights_only=True; older releases unpickle everything
                self.report(node, "torch.load without weights_only=True unpickles arbitrary "
                            "objects on torch < 2.6; pass weights_only=True explicitly or use "
                            "safetensors", severity=Severity.MEDIUM)
        elif name in PICKLE_LIKE:
            short = name.split(".")[-2] + "." + name.split(".")[-1]
            self.report(node, f"{short} deserialises arbitrary Python objects: loading an "
                        "untrusted model or data file runs its code; prefer safetensors, JSON or "
                        "ONNX for artefacts you did not create")
        elif name == "numpy.load":
            if self.kwarg_is(node, "allow_pickle", True):
                self.report(node, "np.load(..., allow_pickle=True) unpickles object arrays; keep "
                            "allow_pickle=False for files you did not create")
        elif name in YAML_LOAD:
            if not self._safe_yaml(node):
                self.report(node, "yaml.load without a safe Loader can construct arbitrary Python "
                            "objects; use yaml.safe_load or Loader=yaml.SafeLoader")
        elif name in YAML_UNSAFE:
            self.report(node, f"{name} can construct arbitrary Python objects; use yaml.safe_load")
        elif name in KERAS_LOAD:
            if self.kwarg_is(node, "safe_mode", False):
                self.report(node, "load_model(..., safe_mode=False) allows arbitrary code in "
                            "Lambda layers of the saved model; keep safe_mode=True")

    def _safe_yaml(self, node: ast.Call) -> bool:
        kw = self.kwarg(node, "Loader")
        loader = kw.value if kw is not None else None
        args = args_in_order(node)
        if loader is None and len(args) >= 2 and args[1][0] is None:
            loader = args[1][1]
        if loader is None:
            return False
        name = self.dotted_name(loader) or ""
        return name.split(".")[-1] in SAFE_YAML_LOADERS
