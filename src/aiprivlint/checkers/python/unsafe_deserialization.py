"""AIP502 unsafe-deserialization. Docs live in rules/AIP502.toml.

How the check works: calls are resolved through imports (``import torch as T``, ``from pickle
import loads``); a same-named method on an object that is not the imported module (``self.load``,
``ckpt.load``) never fires. Safe forms stay quiet: ``torch.load(..., weights_only=True)``,
``np.load`` without ``allow_pickle=True``, ``yaml.load(..., Loader=yaml.SafeLoader)``,
``keras.models.load_model`` without ``safe_mode=False``.

An artefact the module writes itself is not one "you did not create": a load whose file is
written by the same module (``torch.save(x, f"{self.dir}/cv.pt")`` ... ``torch.load(f"{self.dir}
/cv.pt")``, ``pickle.dump`` into ``open(self.state_file, "wb")`` ... ``pickle.load`` from
``open(self.state_file, "rb")``, a cache it fills) stays quiet. The file is compared by its
expression as written: an attribute, a call or a literal anywhere in the module, a bare local
name only inside the same function. More generally, a module that writes a serialisation format
itself (``pickle.dump``, ``torch.save``, ``joblib.dump``, ``np.save``, ``to_pickle``)
works with its own artefacts of that format: a checkpoint it saves and resumes from, results it
pickles and plots. Its loads of files of that format stay quiet; ``pickle.loads(data)`` is still
reported, since bytes may arrive over a network (a model server's request payload) even where the
module pickles its own replies. Loads are therefore decided when the module is left.

A module that checks what it downloads against a hash the code pins (``download_url(url, root,
filename, md5)``, ``get_file(..., file_hash=h)``, ``pooch.retrieve(url, known_hash=h)``) loads
verified artefacts: its loads of files stay quiet (its ``loads`` of bytes do not).

Across modules: a load of a file named in the code (``"results.pkl"``, ``os.path.join(d,
"partition.pkl")``) is decided per project, because another module may write it (the server that
pickles ``results.pkl``, the notebook that plots it). Such a load becomes a ``deserialise-file``
fact and every write of a named file a ``writes-file`` fact; the project rule
``checkers/project/own_artefacts.py`` reports the loads of files no module of the project writes.
"""

from __future__ import annotations

import ast
import re

from ._ast_base import AstRule, args_in_order
from ...findings import Severity
from ...pyast import called_name
from ...models.artefacts import (KERAS_LOADERS, LEGACY_KERAS_SUFFIXES, MARSHAL_LOADS,
                                 MSGPACK_NUMPY_LOADS, MULTI_PARTY_IMPORTS, NATIVE_LIBRARY_LOADS,
                                 OBJECT_COLLECTIVES, ONNX_CUSTOM_OPS, PACKAGE_IMPORTERS,
                                 SAVED_MODEL_LOADS, SAVED_MODEL_SAVES,
                                 SAVED_MODEL_WRITERS)

# a download call, and the argument names that pin the hash of what it fetches
DOWNLOADER = re.compile(r"(?i)download|^get_file$|^retrieve$|^fetch_file$|^cached_download$")
HASH_ARGS = {"md5", "sha1", "sha256", "file_hash", "known_hash", "hash_prefix", "checksum",
             "expected_hash", "expected_md5", "expected_sha256", "md5sum", "sha256sum"}

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
# writers: qualified name -> position of the file argument (keyword name, index)
WRITERS = {
    "torch.save": ("f", 1), "joblib.dump": ("filename", 1), "pickle.dump": ("file", 1),
    "dill.dump": ("file", 1), "cloudpickle.dump": ("file", 1), "pandas.to_pickle": ("path", 1),
    "numpy.save": ("file", 0), "numpy.savez": ("file", 0), "numpy.savez_compressed": ("file", 0),
}
# serialisation formats: a module that writes a format and loads it back works with its own
# artefacts (a checkpoint it saves and resumes from, results it pickles and plots, state or
# messages it pickles between its own rounds or processes)
_PICKLE = ("pickle", "_pickle", "cPickle", "dill", "cloudpickle")
FORMAT_OF_WRITER = {
    # files only: dumps() makes bytes for someone else (a reply, a queue), no artefact of its own
    **{f"{m}.{f}": "pickle" for m in _PICKLE for f in ("dump", "Pickler")},
    "pandas.to_pickle": "pickle", "torch.save": "torch", "joblib.dump": "joblib",
    "sklearn.externals.joblib.dump": "joblib", "numpy.save": "numpy", "numpy.savez": "numpy",
    "numpy.savez_compressed": "numpy",
}
# bytes writers: messages of the project's own protocol (a worker's reply, a queue item)
FORMAT_OF_BYTES_WRITER = {f"{m}.dumps": "pickle" for m in _PICKLE}
FORMAT_OF_LOADER = {
    **{f"{m}.{f}": "pickle" for m in _PICKLE for f in ("load", "loads", "Unpickler")},
    "pandas.read_pickle": "pickle", "shelve.open": "pickle", "torch.load": "torch",
    "torch.serialization.load": "torch", "joblib.load": "joblib",
    "sklearn.externals.joblib.load": "joblib", "numpy.load": "numpy",
}
# loaders whose file argument is compared with what the module writes
LOAD_FILE_ARG = {"torch.load": ("f", 0), "joblib.load": ("filename", 0), "pickle.load": ("file", 0),
                 "dill.load": ("file", 0), "cloudpickle.load": ("file", 0),
                 "pandas.read_pickle": ("filepath_or_buffer", 0), "numpy.load": ("file", 0),
                 "torch.serialization.load": ("f", 0), "pickle.Unpickler": ("file", 0),
                 **dict.fromkeys(KERAS_LOADERS, ("filepath", 0))}


class UnsafeDeserialization(AstRule):
    rule_id = "AIP502"
    # a load, or a write of a file format (its writes-file / writes-format facts decide other
    # modules' loads)
    needs = ("load", "pickle", "Unpickler", "shelve", "save", "dump", "Pickler", "_object",
             "PackageImporter", "msgpack", ONNX_CUSTOM_OPS)

    VALID = [
        "import torch\nstate = torch.load(path, weights_only=True)",
        "import pickle\ndef put(db, path):\n    with open(path, 'wb') as f:\n        pickle.dump(db, f)\n"
        "def get(path):\n    with open(path, 'rb') as f:\n        return pickle.load(f)",
        "import torch\nclass C:\n    def save(self):\n        torch.save(self.cv, f'{self.dir}/cv.pt')\n"
        "    def load(self):\n        self.cv = torch.load(f'{self.dir}/cv.pt')",
        "import pickle\ndef put(db, path):\n    with open(path, 'wb') as f:\n        pickle.dump(db, f)\n"
        "    with open(path, 'rb') as f:\n        return pickle.load(f)",
        "import yaml\ncfg = yaml.safe_load(f)",
        "import yaml\ncfg = yaml.load(f, Loader=yaml.SafeLoader)",
        "import numpy as np\narr = np.load('x.npy')",
        "import json\nd = json.load(f)",
        "import torch.distributed as dist\nout = [None]\ndist.broadcast_object_list(out, src=0)",
        "import tensorflow as tf\ntf.saved_model.save(m, d)\nm2 = tf.saved_model.load(d)",
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
        "import torch.distributed as dist\nimport flwr\nout = [None]\ndist.broadcast_object_list(out, src=0)",
        "import tensorflow as tf\nm = tf.saved_model.load(downloaded_dir)",
        "from torch.package import PackageImporter\nimp = PackageImporter('model.pt')",
        "import msgpack_numpy as m\nm.patch()",
        "import marshal\ncode = marshal.loads(blob)",
        "import torch\ntorch.ops.load_library(lib_path)",
        "import onnxruntime as ort\nso = ort.SessionOptions()\nso.register_custom_ops_library(p)",
        "from tensorflow import keras\nm = keras.models.load_model('downloaded.h5')",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._buffers: set[str] = set()  # names bound to an empty io.BytesIO() of this file
        self._funcs: list[str] = []  # the enclosing functions
        # (func, handle name) -> (file key, file name) of the file it was opened on
        self._handles: dict[tuple[str, str], tuple[tuple[str, str], str | None]] = {}
        self._written: set[tuple[str, str]] = set()  # (scope, file) the module writes
        self._formats: set[str] = set()  # serialisation formats the module writes to files
        self._byte_formats: set[str] = set()  # formats it serialises to bytes (dumps)
        self._written_names: set[str] = set()  # file names (last part) the module writes
        self._safe_loaders: frozenset[str] | None = None  # see _safe_loader_classes
        self._pending: list[tuple[ast.Call, tuple[str, str] | None, tuple]] = []
        self._verified = False  # the module checks what it downloads against a pinned hash
        self._exports_saved_model = False  # tf.saved_model.save / export_saved_model here

    # --- which files the module writes, and which file each handle is ---------------------------
    def visit_FunctionDef(self, node) -> None:
        self._funcs.append(node.name)

    def leave_FunctionDef(self, node) -> None:
        self._funcs.pop()

    visit_AsyncFunctionDef = visit_FunctionDef
    leave_AsyncFunctionDef = leave_FunctionDef

    def _key(self, expr: ast.expr | None) -> tuple[str, str] | None:
        """(scope, text) of a file expression: a bare name belongs to its function."""
        if expr is None:
            return None
        ok, value = self.literal(expr)
        if ok and isinstance(value, str):
            text = value[:-4] if value.endswith((".npy", ".npz")) else value  # np.save adds .npy
            return "", repr(text)
        if isinstance(expr, ast.Name):
            if expr.id in self._buffers:
                return None
            got = self._handles.get((self._scope(), expr.id))
            return got[0] if got is not None else (self._scope(), expr.id)
        try:
            return "", ast.unparse(expr)
        except Exception:  # noqa: BLE001 - an odd node: not comparable
            return None

    def _scope(self) -> str:
        return ".".join(self._funcs)

    def _name(self, expr: ast.expr | None) -> str | None:
        """The file name an expression ends in, when written in the code: ``"results.pkl"``,
        ``f"{out}/results.pkl"``, ``os.path.join(d, "results.pkl")``, ``out / "results.pkl"``,
        a handle opened on one of those (``np.save`` adds ``.npy``: compared without it)."""
        name = None
        if isinstance(expr, ast.Name):
            got = self._handles.get((self._scope(), expr.id))
            return got[1] if got is not None else None
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            name = expr.value
        elif isinstance(expr, ast.JoinedStr) and expr.values:
            last = expr.values[-1]
            if isinstance(last, ast.Constant) and isinstance(last.value, str):
                name = last.value
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            return self._name(expr.right)
        elif isinstance(expr, ast.Call) and expr.args and (
                (self.dotted_name(expr.func) or "").endswith("path.join")):
            return self._name(expr.args[-1])
        if not name:
            return None
        name = name.replace("\\", "/").rsplit("/", 1)[-1]
        if name.endswith((".npy", ".npz")):
            name = name[:-4]
        # a name of its own (not "" or ".pkl" after a placeholder): letters before the suffix
        return name if len(name.split(".")[0]) >= 2 else None

    def _open_file(self, value: ast.expr) -> tuple[tuple[str, str], str | None] | None:
        """The file key and name of ``open(X, mode)`` / ``X.open(mode)`` (written down when
        the mode writes)."""
        if not isinstance(value, ast.Call):
            return None
        func = value.func
        args = args_in_order(value)
        if isinstance(func, ast.Name) and func.id == "open" or self.qualified_name(func) in (
                "io.open", "gzip.open", "bz2.open", "lzma.open"):
            target = args[0][1] if args and args[0][0] is None else None
            modes = [v for k, v in args[1:] if k in (None, "mode")][:1]
        elif isinstance(func, ast.Attribute) and func.attr == "open":
            target = func.value
            modes = [v for k, v in args if k in (None, "mode")][:1]
        else:
            return None
        key = self._key(target)
        if key is None:
            return None
        ok, mode = self.literal(modes[0]) if modes else (True, "r")
        if ok and isinstance(mode, str) and any(c in mode for c in "wax"):
            self._wrote(target)
        return key, self._name(target)

    def _bind(self, name: str, value: ast.expr) -> None:
        got = self._open_file(value)
        if got is not None:
            self._handles[(self._scope(), name)] = got

    def _empty_buffer(self, value: ast.expr) -> bool:
        return (isinstance(value, ast.Call) and not value.args and not value.keywords
                and self.qualified_name(value.func) in ("io.BytesIO", "io.StringIO"))

    def visit_withitem(self, node: ast.withitem) -> None:
        if isinstance(node.optional_vars, ast.Name):
            if self._empty_buffer(node.context_expr):
                self._buffers.add(node.optional_vars.id)
            self._bind(node.optional_vars.id, node.context_expr)
        else:
            self._open_file(node.context_expr)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                if self._empty_buffer(node.value):
                    self._buffers.add(target.id)
                else:
                    self._buffers.discard(target.id)
                self._bind(target.id, node.value)

    def _in_process_round_trip(self, node: ast.Call) -> bool:
        """torch.save(obj, buf); torch.load(buf): an object cloned through a buffer this process
        filled itself (a deep copy idiom), not an artefact from elsewhere."""
        args = args_in_order(node)
        return bool(args) and isinstance(args[0][1], ast.Name) and args[0][1].id in self._buffers

    def _file_arg(self, node: ast.Call, where: tuple[str, int]) -> ast.expr | None:
        kw = self.kwarg(node, where[0])
        if kw is not None:
            return kw.value
        positional = [v for k, v in args_in_order(node) if k is None]
        return positional[where[1]] if len(positional) > where[1] else None

    def _wrote(self, target: ast.expr | None) -> None:
        """The module writes the file ``target`` names."""
        key = self._key(target)
        if key is not None:
            self._written.add(key)
        fname = self._name(target)
        if fname:
            self._written_names.add(fname)

    def _verifies_download(self, node: ast.Call) -> bool:
        """``download_url(url, root, filename, md5)``, ``get_file(..., file_hash=h)``,
        ``pooch.retrieve(url, known_hash=h)``, ``download_url_to_file(..., hash_prefix=h)``: a
        download checked against a hash the code pins."""
        if not DOWNLOADER.search(called_name(node.func) or ""):
            return False
        return any((k in HASH_ARGS) if k is not None else (
            isinstance(v, ast.Name) and v.id in HASH_ARGS) for k, v in args_in_order(node)
            if not (isinstance(v, ast.Constant) and v.value is None))

    def visit_Call(self, node: ast.Call) -> None:
        if not self._verified and self._verifies_download(node):
            self._verified = True
        name = self.qualified_name(node.func)
        if name in SAVED_MODEL_SAVES or (isinstance(node.func, ast.Attribute)
                                          and node.func.attr in SAVED_MODEL_WRITERS):
            self._exports_saved_model = True
        if name is None:
            if isinstance(node.func, ast.Attribute) and node.func.attr == ONNX_CUSTOM_OPS \
                    and self.is_imported("onnxruntime"):
                self._pending.append((node, None, (ONNX_CUSTOM_OPS, None)))
                return
            if isinstance(node.func, ast.Attribute) and node.func.attr == "save":
                target = self._file_arg(node, ("filepath", 0))
                if (self._name(target) or "").lower().endswith(LEGACY_KERAS_SUFFIXES):
                    self._wrote(target)  # model.save("m.h5"): a Keras model of its own
                return
            if isinstance(node.func, ast.Attribute) and node.func.attr == "to_pickle":
                self._formats.add("pickle")
                self._wrote(self._file_arg(node, ("path", 0)))  # df.to_pickle(path)
            return
        if name in FORMAT_OF_BYTES_WRITER:
            self._byte_formats.add(FORMAT_OF_BYTES_WRITER[name])
            return
        if name in FORMAT_OF_WRITER:
            self._formats.add(FORMAT_OF_WRITER[name])
            if name in WRITERS:
                self._wrote(self._file_arg(node, WRITERS[name]))
            return
        if name in ("torch.load", "pickle.load", "dill.load", "cloudpickle.load") \
                and self._in_process_round_trip(node):
            return
        where = LOAD_FILE_ARG.get(name)
        target = self._file_arg(node, where) if where else None
        self._pending.append((node, self._key(target), (name, self._name(target))))

    def leave_Module(self, node: ast.Module) -> None:
        for fname in sorted(self._written_names):
            self.fact("writes-file", node, name=fname)
        for fmt in sorted(self._formats):
            self.fact("writes-format", node, format=fmt, to="file")
        for fmt in sorted(self._byte_formats - self._formats):
            self.fact("writes-format", node, format=fmt, to="bytes")
        for call, key, (name, fname) in self._pending:
            if key is not None and key in self._written:
                continue  # the module wrote this file itself
            fmt = FORMAT_OF_LOADER.get(name)
            if fmt in self._formats and not name.endswith(".loads"):
                # the module writes this format to files itself: its own artefacts
                continue
            if fmt is not None and self._verified and not name.endswith(".loads"):
                continue  # it checks its downloads against pinned hashes: verified artefacts
            verdict = self._verdict(call, name)
            if verdict is None:
                continue
            message, severity = verdict
            if fmt is None:
                self.report(call, message, severity=severity)  # yaml, keras: no artefact format
                continue
            # another module of the project may write what this one loads (the server's
            # results.pkl a plotting notebook reads, the replies its workers pickle), and the
            # project may require a torch that loads weights only: decided per project
            via = "bytes" if name.endswith(".loads") else "file"
            torch_default = name == "torch.load" and self.kwarg(call, "weights_only") is None
            self._defer(call, fname if via == "file" else None, message, severity,
                        format=fmt, via=via, torch_default=torch_default)

    def _defer(self, node: ast.Call, fname: str | None, message: str, severity: Severity | None,
               **how) -> None:
        """A ``deserialise-file`` fact: the finding, kept for the project phase
        (``checkers/project/own_artefacts.py``). The source line is kept as a digest only (the
        finding's fingerprint is computed from it; facts go in the cache)."""
        import hashlib

        line, col, end_line, end_col, context, cell = self._run.locate(node)
        self._run.ctx.fact("deserialise-file", line, name=fname, message=message,
                           severity=severity.name.lower() if severity else None, column=col,
                           end_line=end_line, end_column=end_col, cell=cell,
                           context=hashlib.sha256(context.strip().encode()).hexdigest()[:32],
                           **how)

    def _verdict(self, node: ast.Call, name: str) -> tuple[str, Severity | None] | None:
        """The message (and severity) of a finding at this load, or None."""
        if name == "torch.load":
            if self.kwarg_is(node, "weights_only", False):
                return ("torch.load(..., weights_only=False) unpickles arbitrary objects from the "
                        "checkpoint; pass weights_only=True or use safetensors", None)
            if self.kwarg(node, "weights_only") is None:
                # torch >= 2.6 defaults to weights_only=True; older releases unpickle everything
                return ("torch.load without weights_only=True unpickles arbitrary objects on "
                        "torch < 2.6; pass weights_only=True explicitly or use safetensors",
                        Severity.MEDIUM)
        elif name in PICKLE_LIKE:
            short = name.split(".")[-2] + "." + name.split(".")[-1]
            return (f"{short} deserialises arbitrary Python objects: loading an untrusted model "
                    "or data file runs its code; prefer safetensors, JSON or ONNX for artefacts "
                    "you did not create", None)
        elif name == "numpy.load":
            if self.kwarg_is(node, "allow_pickle", True):
                return ("np.load(..., allow_pickle=True) unpickles object arrays; keep "
                        "allow_pickle=False for files you did not create", None)
        elif name in YAML_LOAD:
            if not self._safe_yaml(node):
                return ("yaml.load without a safe Loader can construct arbitrary Python objects; "
                        "use yaml.safe_load or Loader=yaml.SafeLoader", None)
        elif name in YAML_UNSAFE:
            return (f"{name} can construct arbitrary Python objects; use yaml.safe_load", None)
        elif name in KERAS_LOAD:
            if self.kwarg_is(node, "safe_mode", False):
                return ("load_model(..., safe_mode=False) allows arbitrary code in Lambda layers "
                        "of the saved model; keep safe_mode=True", None)
            if name in KERAS_LOADERS and self._legacy_h5(node):
                return ("load_model of a legacy HDF5 (.h5) file: safe_mode does not apply to that "
                        "format, and a Lambda layer's marshalled bytecode runs when it loads; "
                        "convert trusted models to .keras and load only files you created",
                        Severity.MEDIUM)
        return self._verdict_more(node, name)

    def _verdict_more(self, node: ast.Call, name: str) -> tuple[str, Severity | None] | None:
        """The loaders that run code in other ways than pickle files: object collectives, torch
        packages, msgpack-numpy, marshal, SavedModels, native libraries."""
        if name in OBJECT_COLLECTIVES:
            # between the ranks of one training job (TRL's tensor-parallel prompts) the sender
            # is the same code on the same cluster: not reported
            if not any(self.is_imported(m) for m in MULTI_PARTY_IMPORTS):
                return None
            return (f"{name.rsplit('.', 1)[-1]} unpickles what the other participants send, and "
                    "this module takes part in a federated or multi-party setup: a malicious "
                    "participant runs code here; exchange tensors or JSON, not Python objects",
                    Severity.MEDIUM)
        if name in PACKAGE_IMPORTERS:
            return ("torch.package.PackageImporter imports the Python code and pickles packed "
                    "in the archive; load only packages you built", None)
        if name in MSGPACK_NUMPY_LOADS:
            return ("msgpack_numpy decodes object arrays with pickle in older releases; use "
                    "plain msgpack with numeric arrays, or safetensors, for data you did not "
                    "create", Severity.MEDIUM)
        if name in MARSHAL_LOADS:
            return ("marshal is not secure against crafted data and loads code objects; never "
                    "unmarshal bytes you did not create", Severity.MEDIUM)
        if name in SAVED_MODEL_LOADS:
            if self._exports_saved_model:
                return None  # a SavedModel the module exports itself
            return ("tf.saved_model.load runs the graph of the SavedModel, whose ops can read "
                    "and write files; load only SavedModels you created or reviewed",
                    Severity.LOW)
        if name in NATIVE_LIBRARY_LOADS or name == ONNX_CUSTOM_OPS:
            short = ".".join(name.split(".")[-2:]) if "." in name else name
            return (f"{short} loads a native library, whose code runs with this process's "
                    "rights; load only libraries built from reviewed source, never one "
                    "downloaded with a model", Severity.MEDIUM)
        return None

    def _legacy_h5(self, node: ast.Call) -> bool:
        target = self._file_arg(node, ("filepath", 0))
        if target is None:
            return False
        ok, value = self.literal(target)
        if not (ok and isinstance(value, str)):
            name = self._name(target)
            value = name or ""
        return value.lower().endswith(LEGACY_KERAS_SUFFIXES)

    def _safe_yaml(self, node: ast.Call) -> bool:
        kw = self.kwarg(node, "Loader")
        loader = kw.value if kw is not None else None
        args = args_in_order(node)
        if loader is None and len(args) >= 2 and args[1][0] is None:
            loader = args[1][1]
        if loader is None:
            return False
        name = self.dotted_name(loader) or ""
        return name.split(".")[-1] in SAFE_YAML_LOADERS or name in self._safe_loader_classes()

    def _safe_loader_classes(self) -> frozenset[str]:
        """The module's own loader classes built on a safe one (``class NoAliasLoader(yaml.
        SafeLoader)``, and classes built on those), found once a file."""
        found = self._safe_loaders
        if found is None:
            classes = [n for n in self._run.summary.tree.body if isinstance(n, ast.ClassDef)]
            safe: set[str] = set()
            grew = True
            while grew:  # a class may build on a safe class defined before or after it
                grew = False
                for c in classes:
                    if c.name in safe:
                        continue
                    bases = [(self.dotted_name(b) or "").split(".")[-1] for b in c.bases]
                    if any(b in SAFE_YAML_LOADERS or b in safe for b in bases):
                        safe.add(c.name)
                        grew = True
            found = self._safe_loaders = frozenset(safe)
        return found
