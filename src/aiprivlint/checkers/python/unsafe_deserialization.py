"""AIP502 unsafe-deserialization. Docs live in rules/AIP502.toml.

How the check works: calls are resolved through imports (``import torch as T``, ``from pickle
import loads``); a same-named method on an object that is not the imported module (``self.load``,
``ckpt.load``) never fires. Safe forms stay quiet: ``torch.load(..., weights_only=True)``,
``np.load`` without ``allow_pickle=True``, ``yaml.load(..., Loader=yaml.SafeLoader)``,
``keras.models.load_model`` without ``safe_mode=False``.
"""

from __future__ import annotations

from ._lazy import cst

from . import CodeRule
from ._ast_base import Summary
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
# every qualified call name the rule can report
REPORTED = {"torch.load", "numpy.load", *PICKLE_LIKE, *YAML_LOAD, *YAML_UNSAFE, *KERAS_LOAD}


class UnsafeDeserialization(CodeRule):
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

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        # every report is on a call whose qualified name is in REPORTED; np.load reports only
        # with allow_pickle=, load_model only with safe_mode=
        names = REPORTED
        if "allow_pickle" not in summary.keywords:
            names = names - {"numpy.load"}
        if "safe_mode" not in summary.keywords:
            names = names - KERAS_LOAD
        return summary.may_call(names)

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._buffers: set[str] = set()  # names bound to an empty io.BytesIO() of this file

    def _empty_buffer(self, value: cst.BaseExpression) -> bool:
        return (isinstance(value, cst.Call) and not value.args
                and self.qualified_name(value.func) in ("io.BytesIO", "io.StringIO"))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname and isinstance(node.asname.name, cst.Name) and self._empty_buffer(node.item):
            self._buffers.add(node.asname.name.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if self._empty_buffer(node.value):
                    self._buffers.add(target.target.value)
                else:
                    self._buffers.discard(target.target.value)

    def _in_process_round_trip(self, node: cst.Call) -> bool:
        """torch.save(obj, buf); torch.load(buf): an object cloned through a buffer this process
        filled itself (a deep copy idiom), not an artefact from elsewhere."""
        return bool(node.args) and isinstance(node.args[0].value, cst.Name) \
            and node.args[0].value.value in self._buffers

    def visit_Call(self, node: cst.Call) -> None:
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

    def _safe_yaml(self, node: cst.Call) -> bool:
        loader = self.kwarg(node, "Loader")
        if loader is None and len(node.args) >= 2 and node.args[1].keyword is None:
            loader = node.args[1]
        if loader is None:
            return False
        name = self.dotted_name(loader.value) or ""
        return name.split(".")[-1] in SAFE_YAML_LOADERS
