"""Facts for the card rules: where code publishes models, and which local data it loads.

Two code rules that report nothing themselves; the project rules decide from their facts.

``ModelPublishFacts`` (runs for AIP303) emits ``model-publish`` {api, target, conditional,
auto_card} where code releases a model:

* ``<model>.push_to_hub(...)`` / ``save_to_hub`` (not on ``self`` / ``cls`` / ``super()``, not
  where the import says the receiver is something else than a Hugging Face object), and
  ``save_pretrained(..., push_to_hub=True)``; a receiver that is a dataset (bound from
  ``load_dataset`` / ``Dataset.from_*``, or named ``ds`` / ``dataset`` / ``trainset`` ...) or
  pushed to a repository whose name ends in a data word (``acme/cleaned-dataset``) emits
  ``dataset-publish`` instead;
* training arguments with ``push_to_hub=True`` (``TrainingArguments`` and the TRL configs);
* ``huggingface_hub`` uploads — ``upload_folder`` / ``upload_file`` / ``upload_large_folder`` /
  ``create_commit`` as module functions or ``HfApi`` methods — unless ``repo_type`` is
  ``"dataset"`` or ``"space"``; ``push_to_hub_keras`` / ``push_to_hub_fastai``, timm's
  ``push_to_hf_hub``;
* model registries: ``mlflow.register_model``, ``mlflow.<flavor>.log_model(...,
  registered_model_name=...)``, ``MlflowClient().create_registered_model`` /
  ``create_model_version``, ``wandb`` ``link_model`` / ``log_model``, Vertex AI
  ``aiplatform.Model.upload``, Azure ML ``Model.register`` / ``ml_client.models.create_or_update``,
  SageMaker ``<model>.register(...)``.

``push_to_hub=<flag>`` (not a literal) is a conditional release (``conditional: true``).
A Hub release with ``private=True`` (``hub_private_repo=True`` in training arguments) also emits
``private-publish`` {api}, the audit's evidence that Hub repositories are kept private.

``DatasetPathFacts`` (runs for AIP106) emits ``dataset-path`` {path, loader} for a local path
literal given to ``datasets.load_dataset`` (a packaged builder such as ``"csv"`` with
``data_files=`` / ``data_dir=``, or a local folder), ``load_from_disk``, ``Dataset.from_csv`` /
``from_json`` / ``from_parquet`` / ``from_text``, and to ``pandas.read_*`` when the path names a
data folder or a training set (``data/train.csv``; a ``results.csv`` in a plotting script is not a
dataset). Paths built with ``os.path.join`` / ``pathlib.Path`` from literals count; URLs, hub ids,
absolute paths and paths built at run time do not.

Both skip test code (``tests/``, ``test_*.py``): fixtures are not releases.
"""

from __future__ import annotations

import ast
import re

from ._ast_base import AstRule, dotted, first_positional, literal_value, unstar as _unstar

HF_PACKAGES = ("huggingface_hub", "transformers", "datasets", "diffusers", "peft", "trl",
               "sentence_transformers", "setfit", "timm", "accelerate", "optimum", "keras",
               "tensorflow", "torch", "fastai", "span_marker", "gliner")
HF_UPLOADS = {"upload_folder", "upload_file", "upload_large_folder", "create_commit"}
DATASET_CTORS = {"load_dataset", "load_from_disk", "from_pandas", "from_dict", "from_list",
                 "from_csv", "from_json", "from_parquet", "from_text", "from_generator",
                 "from_sql", "concatenate_datasets", "interleave_datasets", "DatasetDict",
                 "train_test_split", "map", "filter", "select", "shuffle", "remove_columns",
                 "rename_column", "cast_column", "with_format"}
# an agent tool (smolagents / transformers agents / LangChain): its push_to_hub shares the tool's
# code, not a trained model; bound from a ``*Tool(...)`` class or ``load_tool``, or named so
TOOL_NAME = re.compile(r"(^|_)tools?(_|\d|$)", re.I)
TOOL_CTOR = re.compile(r"(^[A-Z]\w*Tool$)|^(load_tool|tool)$")
DATASET_NAME = re.compile(r"(^|_)(ds|dset|dataset|datasets|data|corpus|df)(_|\d|$)|dataset"
                          r"|[a-z]sets?$", re.I)  # trainset, testset, distilabel's distiset
# the repository a push goes to, whose last word (its head noun) names data: its author's word
# ("acme/cleaned-preference-dataset", "acme/reviews-data-v2"; not "acme/data-quality-classifier")
DATASET_REPO = re.compile(r"(^|[-_.])(dataset|datasets|data|corpus|corpora)([-_.]?v?\d+)?$", re.I)
PACKAGED_BUILDERS = {"csv", "json", "parquet", "text", "arrow", "pandas", "imagefolder",
                     "audiofolder", "videofolder", "webdataset", "xml"}
DATA_EXT = re.compile(r"\.(csv|tsv|jsonl?|ndjson|parquet|pq|arrow|txt|xlsx?|feather)(\.gz|\.bz2|\.zst)?$",
                      re.I)
DATA_PARTS = {"data", "datasets", "dataset", "corpus", "corpora", "raw", "processed"}
TRAINING_NAME = re.compile(r"train|dataset|corpus|finetun|fine_tun|sft|instruct", re.I)
PANDAS_READERS = {"read_csv", "read_json", "read_parquet", "read_table", "read_excel",
                  "read_feather"}
MLFLOW_CLIENT_METHODS = {"create_registered_model", "create_model_version"}
HUB_FUNCTIONS = HF_UPLOADS | {"push_to_hub_keras", "push_to_hub_fastai"}
WANDB_METHODS = {"link_model", "log_model"}
DATASET_FILE_CTORS = {"from_csv", "from_json", "from_parquet", "from_text"}


def _path_literal(node: ast.expr) -> str | None:
    """The path a literal, ``os.path.join``/``Path(...)`` of literals, or ``Path / literal``
    spells (an f-string is not a literal, bytes are no path); else None."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Call):
        func = dotted(node.func) or ""
        if func.endswith(("path.join", "Path", "PurePath", "PosixPath")):
            if node.keywords:  # a keyword or ``**kw``
                return None
            parts = []
            for arg in node.args:
                if isinstance(arg, ast.Starred):
                    return None
                sub = _path_literal(arg)
                if sub is None:
                    return None
                parts.append(sub)
            return "/".join(p.strip("/") if i else p.rstrip("/") for i, p in enumerate(parts)) \
                if parts else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left, right = _path_literal(node.left), _path_literal(node.right)
        if left is not None and right is not None:
            return left.rstrip("/") + "/" + right.lstrip("/")
    return None


def _local(path: str) -> bool:
    p = path.strip()
    if not p or "://" in p or p.startswith(("/", "~", "gs:", "s3:", "hf:", "az:", "abfs:", "$")):
        return False
    return "{" not in p and "%" not in p


class ModelPublishFacts(AstRule):
    """Facts ``model-publish`` / ``dataset-publish`` for AIP303 (see the module docstring)."""

    rule_id = "AIP303"
    test_code = "never"  # a test's upload is not a release, whatever test-code says
    needs = ("push_to_hub", "save_to_hub", "upload_folder", "upload_file", "upload_large_folder",
             "create_commit", "register_model", "registered_model_name", "create_registered_model",
             "create_model_version", "link_model", "log_model", "push_to_hf_hub", "aiplatform",
             "azureml", "create_or_update", "sagemaker")  # not azure.ai.ml: `from azure.ai import ml`

    # a project whose only Python file is the snippet: these release a model without a card
    INVALID = [
        "model.push_to_hub('acme/support-intent-classifier')",
        "from huggingface_hub import HfApi\napi = HfApi()\n"
        "api.upload_folder(folder_path='out', repo_id='acme/churn-model')",
        "import mlflow\nmlflow.register_model('runs:/abc/model', 'churn-model')",
        "model.save_pretrained('out', push_to_hub=True)",
    ]
    VALID = [
        "from datasets import load_dataset\nds = load_dataset('csv', data_files='x.csv')\n"
        "ds.push_to_hub('acme/x', private=True)",
        "class M(PreTrainedModel):\n    def push_to_hub(self, *a, **kw):\n"
        "        return super().push_to_hub(*a, **kw)",
        "from huggingface_hub import upload_folder\n"
        "upload_folder(folder_path='out', repo_id='acme/data', repo_type='dataset')",
        "model.save_pretrained('out')",
        "import mylib\nmylib.push_to_hub(model)",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self.skip = self.skips(self.path, self.options)
        self.dataset_names: set[str] = set()
        self.hfapi_names: set[str] = set()
        self.mlflow_clients: set[str] = set()
        self.tool_names: set[str] = set()

    # --- bindings ----------------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        if self.skip or not isinstance(node.value, ast.Call):
            return
        func = node.value.func
        qn = self.qualified_name(func) or ""
        short = (self.dotted_name(func) or "").rsplit(".", 1)[-1]
        names = [self.dotted_name(t) for t in node.targets]
        names = [n for n in names if n]
        if qn.startswith("datasets.") or (short in DATASET_CTORS and (
                qn.startswith("datasets") or self._is_dataset(func))):
            self.dataset_names.update(names)
        elif qn.endswith("HfApi"):
            self.hfapi_names.update(names)
        elif qn.endswith("MlflowClient"):
            self.mlflow_clients.update(names)
        elif TOOL_CTOR.search(short) or (self.dotted_name(func) or "").startswith("Tool.from_"):
            self.tool_names.update(names)

    def _is_dataset(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Attribute):
            recv = self.dotted_name(func.value)
            return recv is not None and (recv in self.dataset_names or
                                         bool(DATASET_NAME.search(recv.rsplit(".", 1)[-1])))
        return False

    # --- calls -------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if self.skip:
            return
        func = node.func
        qn = self.qualified_name(func) or ""
        if qn and self._function(node, qn):
            return
        if isinstance(func, ast.Attribute):
            self._method(node, func, qn)

    def _emit(self, node: ast.Call, api: str, target: str, *, dataset: bool = False,
              conditional: bool = False, auto_card: bool = False) -> None:
        self.fact("dataset-publish" if dataset else "model-publish", node, api=api, target=target,
                  conditional=conditional, auto_card=auto_card)
        if target == "hub" and any(self._literal_kwarg(node, k) is True
                                   for k in ("private", "hub_private_repo")):
            self.fact("private-publish", node, api=api)  # the audit's evidence of private repos

    def _literal_kwarg(self, node: ast.Call, name: str) -> object:
        arg = self.kwarg(node, name)
        if arg is None:
            return None
        ok, value = literal_value(arg.value)
        return value if ok else None

    def _dataset_repo(self, node: ast.Call) -> bool:
        """The push names its target repository (first argument or ``repo_id``) as a dataset."""
        repo = self._literal_kwarg(node, "repo_id")
        if repo is None:
            first = first_positional(node)
            if first is not None:
                repo = literal_value(first)[1]
        return isinstance(repo, str) and bool(DATASET_REPO.search(repo.rsplit("/", 1)[-1]))

    def _push_flag(self, node: ast.Call) -> tuple[bool, bool]:
        """(publishes, conditional) for a ``push_to_hub=`` keyword."""
        arg = self.kwarg(node, "push_to_hub")
        if arg is None:
            return False, False
        ok, value = literal_value(arg.value)
        if ok:
            return bool(value), False
        return True, True

    def _method(self, node: ast.Call, func: ast.Attribute, qn: str) -> None:
        attr = func.attr
        recv_node = func.value
        recv = self.dotted_name(recv_node) or ""
        head = recv.split(".")[0]
        if head in ("self", "cls") or (isinstance(recv_node, ast.Call)
                                       and self.dotted_name(recv_node.func) == "super"):
            return
        if qn and not qn.startswith(HF_PACKAGES + ("mlflow", "wandb", "google", "azure",
                                                    "sagemaker")):
            return  # the import says the receiver is something else (mylib.push_to_hub)
        if attr in ("push_to_hub", "save_to_hub"):
            last = recv.rsplit(".", 1)[-1]
            if "card" in last.lower():
                return  # model_card.push_to_hub(): a card, not a model
            if recv in self.tool_names or TOOL_NAME.search(last):
                return  # an agent tool: its code is shared, not a trained model
            repo_type = self._literal_kwarg(node, "repo_type")
            if repo_type == "space":
                return
            is_ds = recv in self.dataset_names or bool(last and DATASET_NAME.search(last)) \
                or repo_type == "dataset" or self._dataset_repo(node)
            if isinstance(recv_node, ast.Call):
                is_ds = is_ds or self._is_dataset(recv_node.func)
            self._emit(node, f"{recv or '...'}.{attr}()", "hub", dataset=is_ds,
                       auto_card="trainer" in last.lower())
        elif attr == "save_pretrained":
            publishes, conditional = self._push_flag(node)
            if publishes:
                self._emit(node, "save_pretrained(push_to_hub=True)", "hub", conditional=conditional)
        elif attr in HF_UPLOADS and (qn.startswith("huggingface_hub") or recv in self.hfapi_names
                                     or (isinstance(recv_node, ast.Call) and (self.qualified_name(
                                         recv_node.func) or "").endswith("HfApi"))):
            self._hub_upload(node, attr)
        elif attr in MLFLOW_CLIENT_METHODS and (recv in self.mlflow_clients
                                                or self.is_imported("mlflow")):
            self._emit(node, f"MlflowClient.{attr}()", "registry")
        elif attr in WANDB_METHODS and (qn.startswith("wandb") or (
                self.is_imported("wandb") and head in ("run", "wandb_run", "wandb"))):
            self._emit(node, f"wandb {attr}()", "registry")
        elif attr == "register" and not qn and self.is_imported("sagemaker"):
            self._emit(node, f"{recv or '...'}.register()", "registry")
        elif attr == "create_or_update" and recv.endswith("models") and self.is_imported("azure.ai.ml"):
            self._emit(node, "ml_client.models.create_or_update()", "registry")

    def _function(self, node: ast.Call, qn: str) -> bool:
        """Calls named through an import (``mlflow.register_model``); True when handled."""
        short = qn.rsplit(".", 1)[-1]
        if qn.startswith("huggingface_hub") and short in HF_UPLOADS:
            self._hub_upload(node, short)
        elif qn.startswith("huggingface_hub") and short in HUB_FUNCTIONS - HF_UPLOADS:
            self._emit(node, f"{short}()", "hub")
        elif qn.startswith("timm") and short == "push_to_hf_hub":
            self._emit(node, "timm push_to_hf_hub()", "hub")
        elif qn == "mlflow.register_model":
            self._emit(node, "mlflow.register_model()", "registry")
        elif qn.startswith("mlflow.") and short == "log_model" and self.kwarg(
                node, "registered_model_name") is not None:
            self._emit(node, f"{qn}(registered_model_name=...)", "registry")
        elif qn.startswith("wandb") and short in WANDB_METHODS:
            self._emit(node, f"wandb.{short}()", "registry")
        elif (short.endswith("TrainingArguments") or short.endswith("Config")) and \
                qn.startswith(("transformers", "trl")):
            self._training_args(node, short)
        elif qn.startswith("google.cloud.aiplatform") and qn.endswith("Model.upload"):
            self._emit(node, "aiplatform.Model.upload()", "registry")
        elif qn.startswith("azureml") and qn.endswith("Model.register"):
            self._emit(node, "azureml Model.register()", "registry")
        else:
            return False
        return True

    def _training_args(self, node: ast.Call, name: str) -> None:
        publishes, conditional = self._push_flag(node)
        if publishes:
            self._emit(node, f"{name}(push_to_hub=True)", "hub", conditional=conditional,
                       auto_card=True)

    def _hub_upload(self, node: ast.Call, name: str) -> None:
        arg = self.kwarg(node, "repo_type")
        if arg is not None:
            ok, value = literal_value(arg.value)
            if ok and value in ("dataset", "space"):
                if value == "dataset":
                    self._emit(node, f"{name}(repo_type='dataset')", "hub", dataset=True)
                return
        self._emit(node, f"{name}()", "hub")


class DatasetPathFacts(AstRule):
    """Facts ``dataset-path`` for AIP106 (see the module docstring)."""

    rule_id = "AIP106"
    test_code = "never"  # a test's data path is no training set, whatever test-code says
    needs = ("load_dataset", "load_from_disk", "read_csv", "read_json", "read_parquet",
             "read_table", "read_excel", "read_feather", "from_csv", "from_json", "from_parquet",
             "from_text")

    # a project whose only files are the snippet: local data with no dataset card
    INVALID = [
        "from datasets import load_dataset\n"
        "ds = load_dataset('csv', data_files={'train': 'data/customers_train.csv'})",
        "import pandas as pd\ndf = pd.read_csv('data/patients.csv')",
        "from datasets import load_from_disk\nds = load_from_disk('./processed/tickets')",
    ]
    VALID = [
        "from datasets import load_dataset\nds = load_dataset('imdb')",
        "import pandas as pd\nresults = pd.read_csv('results.csv')",
        "from datasets import load_dataset\nds = load_dataset('csv', data_files=args.train_file)",
        "import pandas as pd\ndf = pd.read_csv('https://example.org/data/train.csv')",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self.skip = self.skips(self.path, self.options)

    def visit_Call(self, node: ast.Call) -> None:
        if self.skip:
            return
        qn = self.qualified_name(node.func) or ""
        short = qn.rsplit(".", 1)[-1]
        if qn == "datasets.load_dataset":
            self._load_dataset(node)
        elif qn.startswith("datasets") and short == "load_from_disk":
            self._emit(node, self._arg(node, 0, "dataset_path"), "load_from_disk")
        elif qn.startswith("datasets") and short in DATASET_FILE_CTORS:
            self._emit_many(node, self._arg_node(node, 0, "path_or_paths"), f"Dataset.{short}")
        elif qn.startswith("pandas.") and short in PANDAS_READERS:
            path = self._arg(node, 0, "filepath_or_buffer") or self._arg(node, 0, "path") \
                or self._arg(node, 0, "io")
            if path and self._looks_like_training_data(path):
                self._emit(node, path, f"pandas.{short}")

    @staticmethod
    def _looks_like_training_data(path: str) -> bool:
        parts = path.replace("\\", "/").split("/")
        return bool(DATA_EXT.search(parts[-1])) and (
            any(p.lower() in DATA_PARTS for p in parts[:-1]) or bool(TRAINING_NAME.search(parts[-1])))

    def _arg_node(self, node: ast.Call, index: int, name: str) -> ast.expr | None:
        kw = self.kwarg(node, name)
        if kw is not None:
            return kw.value
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        return positional[index] if len(positional) > index else None

    def _arg(self, node: ast.Call, index: int, name: str) -> str | None:
        value = self._arg_node(node, index, name)
        return _path_literal(value) if value is not None else None

    def _emit(self, node: ast.Call, path: str | None, loader: str) -> None:
        if path and _local(path):
            self.fact("dataset-path", node, path=path, loader=loader)

    def _emit_many(self, node: ast.Call, value: ast.expr | None, loader: str) -> None:
        """One fact per literal path in a str / list / dict of paths (``data_files=``)."""
        if value is None:
            return
        seen = []
        if isinstance(value, (ast.List, ast.Tuple)):
            items = [_unstar(e) for e in value.elts]
        elif isinstance(value, ast.Dict):
            items = []
            for key, v in zip(value.keys, value.values):
                if key is not None:  # not ``**d``
                    if isinstance(v, (ast.List, ast.Tuple)):
                        items.extend(_unstar(x) for x in v.elts)
                    else:
                        items.append(v)
        else:
            items = [value]
        for item in items:
            path = _path_literal(item)
            if path and path not in seen:
                seen.append(path)
                self._emit(node, path, loader)

    def _load_dataset(self, node: ast.Call) -> None:
        first = self._arg(node, 0, "path")
        data_files = self._arg_node(node, 99, "data_files")
        data_dir = self._arg(node, 99, "data_dir")
        hub_id = first is not None and first not in PACKAGED_BUILDERS \
            and not self._local_dataset_arg(first)
        if hub_id:
            return  # load_dataset("org/name", data_dir=...): files inside a hub repository
        if first is None and self._arg_node(node, 0, "path") is not None:
            return  # load_dataset(DATASET, data_dir=...): a path not written here, most often a
            # hub id kept in a constant; its data_dir is a folder of that repository
        if first in PACKAGED_BUILDERS or data_files is not None or data_dir:
            if data_files is not None:
                self._emit_many(node, data_files, f"load_dataset({first!r}, data_files=...)"
                                if first else "load_dataset(data_files=...)")
            if data_dir:
                self._emit(node, data_dir, "load_dataset(data_dir=...)")
            if first and first not in PACKAGED_BUILDERS and self._local_dataset_arg(first):
                self._emit(node, first, "load_dataset")
        elif first and self._local_dataset_arg(first):
            self._emit(node, first, "load_dataset")

    @staticmethod
    def _local_dataset_arg(path: str) -> bool:
        """``load_dataset("./my_data")`` reads a local folder; ``"org/name"`` is a hub id."""
        p = path.strip()
        return p.startswith(("./", "../")) or p.count("/") >= 2 or bool(DATA_EXT.search(p))
