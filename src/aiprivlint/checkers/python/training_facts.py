"""Facts for AIP201 (training-without-dp): where a file trains, and which privacy mechanisms it uses.

This rule reports nothing; it emits per-file facts that the project rule AIP201 combines
(a training entry point, in a project with personal data, and no DP mechanism anywhere in it).
Test code (``is_test_path``: ``tests/``, ``e2e/``, ``test_*.py``, ``conftest.py`` ...) emits no
facts unless ``test-code = "check"``: a DP engine configured in a unit test protects nothing,
and a test's training loop trains nothing.

- ``dp-mechanism`` {framework, api}: Opacus ``PrivacyEngine`` / ``make_private*`` / ``attach`` /
  ``DPOptimizer``; TF-Privacy DP optimizers, ``DPModel`` / ``DPSequential`` /
  ``make_dp_model_class``, DP estimators and DP queries; jax-privacy (not its accounting or
  auditing modules); dp-transformers ``PrivacyArguments`` (also as an ``HfArgumentParser``
  dataclass), ``OpacusDPTrainer``, ``DPCallback``; private-transformers ``PrivacyEngine``;
  Flower DP strategy wrappers, ``LocalDpMod`` and the central-DP client mods in ``mods=[...]``;
  TFF DP aggregators; diffprivlib models and mechanisms.
- ``federated`` {framework}: the first import of a federated-learning framework in the file
  (flower, tff, fedml, pysyft, nvflare, openfl, fate, substra, fedlab). Not privacy on its own,
  but a mitigation an audit should show.
- ``training-entry`` {framework, api}, at the call that trains:
  ``.train()`` on a Hugging Face / TRL / dp-transformers / SetFit trainer (``hf-trainer``,
  ``trl``, ``setfit``) or a TF estimator (``tf-estimator``); ``.fit()`` on a Lightning
  ``Trainer`` (``lightning``), a Keras model (``keras``) or a SentenceTransformer;
  ``fit`` / ``fit_one_cycle`` / ``fine_tune`` on a fastai ``Learner`` (``fastai``);
  ``optimizer.step()`` / ``scaler.step(optimizer)`` / ``optimizer.apply_gradients(...)`` /
  Flax's ``state.apply_gradients(grads=...)`` inside
  a ``for``/``while`` loop of the same function, or in a function (``train_step``) that the
  file calls inside a loop (``manual-loop``).

How receivers are typed: variables remember the qualified name of the call they were last
assigned from (``trainer = SFTTrainer(...)``, ``model = keras.Sequential(...)``,
``self.model = ...`` per class), through classes of the file (``class MyTrainer(Trainer)``);
an origin outside the known ML libraries (a project's ``load_model()``) counts as unknown.
Estimators from scikit-learn, XGBoost, LightGBM, CatBoost, statsmodels, diffprivlib ... are
never training entry points here. When the receiver's origin is unknown (a parameter), a
``.fit`` counts as Keras only in a file that imports Keras/TensorFlow and only with evidence:
the same receiver is ``.compile``-d in the file, or the call passes a Keras-only argument
(``epochs``, ``validation_data``, ``validation_split``, ``steps_per_epoch``, ...); a ``.train()``
counts only on a receiver named ``*trainer`` in a file that imports transformers/TRL.
"""

from __future__ import annotations

import ast
import re
from typing import ClassVar

from ._ast_base import AstRule, args_in_order as _args_in_order, unstar as _unstar
from ._flow_rule import FlowRule
from ...models.train import is_gradient_step, is_optimizer_name

FEDERATED = {
    "flwr": "flower", "flwr_datasets": "flower", "tensorflow_federated": "tff", "fedml": "fedml",
    "syft": "pysyft", "nvflare": "nvflare", "openfl": "openfl", "federatedml": "fate",
    "fate_client": "fate", "fate_flow": "fate", "substrafl": "substra", "fedlab": "fedlab",
}
NOT_DEEP = {  # estimators whose .fit is not (DP-SGD style) model training
    "sklearn", "xgboost", "lightgbm", "catboost", "imblearn", "statsmodels", "umap", "hdbscan",
    "diffprivlib", "scipy", "prophet", "pmdarima", "sktime", "cuml", "tpot", "autosklearn",
    "pycaret", "mlxtend", "category_encoders", "skorch", "pandas", "numpy", "gensim", "river",
    "optuna", "interpret", "lifelines", "pygam", "tsfresh", "sentencepiece", "tokenizers",
}
KERAS_HEADS = {"keras", "tf_keras", "keras_hub", "keras_nlp", "keras_cv", "tfkeras"}
KERAS_ONLY_FIT_KWARGS = {"epochs", "validation_data", "validation_split", "steps_per_epoch",
                         "initial_epoch", "validation_steps", "validation_freq", "validation_batch_size"}
# Libraries whose classes this module knows; an origin elsewhere (a project helper such as
# ``load_model()``, ``hydra.utils.instantiate``) says nothing about the type: the heuristics apply.
TYPED_HEADS = NOT_DEEP | KERAS_HEADS | {
    "tensorflow", "tensorflow_estimator", "tensorflow_privacy", "jax_privacy", "lightning",
    "pytorch_lightning", "transformers", "trl", "dp_transformers", "setfit", "sentence_transformers",
    "fastai", "torch", "opacus", "peft", "accelerate", "flwr"}
FASTAI_TRAIN = {"fit", "fit_one_cycle", "fine_tune", "fit_flat_cos", "fit_sgdr"}
OPTIMIZER_HEADS = ("torch.optim.", "opacus.", "transformers.", "bitsandbytes.", "apex.",
                   "timm.optim", "torch_optimizer.", "tensorflow.keras.optimizers.",
                   "keras.optimizers.", "tf_keras.optimizers.", "tensorflow_privacy.",
                   "tensorflow.compat.v1.train.", "tensorflow.optimizers.", "deepspeed.ops.",
                   "lion_pytorch.", "schedulefree.", "heavyball.")
TFP_MECHANISM = re.compile(r"DP\w*Optimizer$|^VectorizedDP|^DPModel$|^DPSequential$"
                           r"|^make_dp_model_class$|^make_\w*optimizer_class$|^BoltOn"
                           r"|(Gaussian|Skellam|Laplace|AdaptiveClip)\w*Query$")
FLOWER_DP = {"LocalDpMod", "DPFedAvgFixed", "DPFedAvgAdaptive", "fixedclipping_mod",
             "adaptiveclipping_mod"}
DP_TRANSFORMERS = {"PrivacyArguments", "OpacusDPTrainer", "DPCallback"}
MAKE_PRIVATE_KWARGS = {"module", "optimizer", "data_loader", "noise_multiplier", "max_grad_norm",
                       "target_epsilon", "target_delta"}


def dp_framework(qual: str) -> str | None:
    """The DP framework a fully qualified call (or mod reference) belongs to, or None."""
    parts = qual.split(".")
    head, last = parts[0], parts[-1]
    if head == "opacus":
        if last == "PrivacyEngine" or (".optimizers" in qual and "Optimizer" in last) \
                or last == "DifferentiallyPrivateDistributedDataParallel":
            return "opacus"
    elif head == "private_transformers" and last == "PrivacyEngine":
        return "private-transformers"
    elif head == "tensorflow_privacy":
        if last.startswith("NoPrivacy"):
            return None
        if TFP_MECHANISM.search(last) or (".estimators." in qual and (
                last.startswith("DP") or last.endswith(("Classifier", "Regressor", "Estimator")))):
            return "tf-privacy"
    elif head == "jax_privacy":
        if not any(p in ("accounting", "auditing") for p in parts[1:-1]) and last[:1] != "_":
            return "jax-privacy"
    elif head == "dp_transformers":
        if last in DP_TRANSFORMERS:
            return "dp-transformers"
    elif head == "flwr":
        if last.startswith("DifferentialPrivacy") or last in FLOWER_DP:
            return "flower-dp"
    elif head == "tensorflow_federated":
        if "DifferentiallyPrivateFactory" in parts or last == "dp_aggregator":
            return "tff-dp"
    elif head == "diffprivlib":
        if any(p in ("models", "mechanisms", "tools") for p in parts):
            return "diffprivlib"
    return None


INPUTS_MARK = "#inputs"
# a word every qualified name dp_framework() accepts puts in the file's text (its import)
_DP_WORDS = ("opacus", "private_transformers", "tensorflow_privacy", "jax_privacy",
             "dp_transformers", "DifferentialPrivacy", *sorted(FLOWER_DP), "tensorflow_federated",
             "diffprivlib")


def _optimizes_inputs(value: ast.expr) -> bool:
    """``torch.optim.LBFGS([image])``: an optimizer over a list of plain tensors (style transfer,
    latent or adversarial optimisation), not over a model's parameters or param groups."""
    if not isinstance(value, ast.Call):
        return False
    args = _args_in_order(value)
    if not args or args[0][0] is not None:
        return False
    first = args[0][1]
    return isinstance(first, (ast.List, ast.Tuple)) and bool(first.elts) and all(
        isinstance(_unstar(el), (ast.Name, ast.Attribute)) for el in first.elts)


def _last(dotted: str | None) -> str:
    return (dotted or "").split(".")[-1]


class TrainingFacts(AstRule):
    """Facts only (no findings): see the module docstring."""

    rule_id = "AIP201"  # its findings come from the project rule checkers/project/training_without_dp.py
    test_code = "skip"
    needs = ("fit", "train", "step", "apply_gradients", "opacus", "privacy", "Privacy", "flwr",
             "federated", "fedml", "syft", "nvflare", "openfl", "substrafl", "fedlab", "fate",
             "dp_", "DP", "diffprivlib", "LocalDpMod")

    VALID = [
        # a scikit-learn fit is not a training entry point, and nothing here is a finding
        "from sklearn.linear_model import LogisticRegression\nclf = LogisticRegression()\n"
        "clf.fit(X, y)",
        "from transformers import Trainer\ntrainer = Trainer(model=m, args=a, train_dataset=d)\n"
        "trainer.train()",
    ]
    # No INVALID snippets: a single snippet file cannot carry the personal-data evidence that the
    # project rule needs; tests/test_training_facts.py asserts on the facts instead.
    INVALID: ClassVar[list[str]] = []

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._test = self.skips(self.path, self.options)
        # variable origins: one dict per function scope (module first), one per class (self.x)
        self._scopes: list[dict[str, str | None]] = [{}]
        self._classes: list[dict[str, str | None]] = []
        self._local_classes: dict[str, str | None] = {}  # class name -> origin of its base
        self._loops: list[int] = [0]
        self._compiled: set[str] = set()
        self._federated: set[str] = set()
        self._functions: list[str] = []  # names of the enclosing functions
        self._called_in_loop: set[str] = set()  # functions called inside a loop in this file
        self._steps_outside_loops: list[tuple[ast.Call, str, str]] = []  # (call, function, api)
        # _dp_call reports a name dp_framework() knows, resolved through an import: the text
        # then holds its module (or, for Flower, its class) name. Most calls of most files can
        # skip it.
        self._dp_possible = any(w in runner.source for w in _DP_WORDS)

    # --- emitting ------------------------------------------------------------------------
    def _emit(self, kind: str, node: ast.AST, **data) -> None:
        if not self._test:
            self.fact(kind, node, **data)

    # --- scopes, loops, classes ----------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        params = node.args
        scope: dict[str, str | None] = {
            p.arg: None for p in [*params.posonlyargs, *params.args, *params.kwonlyargs]}
        self._scopes.append(scope)
        self._loops.append(0)
        self._functions.append(node.name)

    def leave_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._scopes.pop()
        self._loops.pop()
        self._functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef
    leave_AsyncFunctionDef = leave_FunctionDef

    def leave_Module(self, node: ast.Module) -> None:
        # a step function (``def train_step(...): ... optimizer.step()``) called from a loop
        for call, function, api in self._steps_outside_loops:
            if function in self._called_in_loop:
                self._emit("training-entry", call, framework="manual-loop", api=api)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        origin = None
        for base in node.bases:
            origin = self._origin_of_callee(_unstar(base))
            if origin:
                break
        self._local_classes[node.name] = origin
        self._classes.append({})

    def leave_ClassDef(self, node: ast.ClassDef) -> None:
        self._classes.pop()

    def visit_For(self, node: ast.stmt) -> None:
        self._loops[-1] += 1

    def leave_For(self, node: ast.stmt) -> None:
        self._loops[-1] -= 1

    visit_AsyncFor = visit_While = visit_For
    leave_AsyncFor = leave_While = leave_For

    # --- origins -------------------------------------------------------------------------
    def _origin_of_callee(self, func: ast.expr) -> str | None:
        """Qualified name of what a call of ``func`` returns an instance of (best effort)."""
        qual = self.qualified_name(func)
        if qual is not None:
            return qual
        if isinstance(func, ast.Name) and func.id in self._local_classes:
            return self._local_classes[func.id]
        if isinstance(func, ast.Attribute) and func.attr in ("from_pretrained", "from_preset"):
            inner = self._origin_of_callee(func.value)
            return f"{inner}.{func.attr}" if inner else None
        return None

    def _origin(self, expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Call):
            return self._origin_of_callee(expr.func)
        if isinstance(expr, ast.Name):
            for scope in reversed(self._scopes):
                if expr.id in scope:
                    return scope[expr.id]
            return None
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) \
                and expr.value.id == "self" and self._classes:
            return self._classes[-1].get(expr.attr)
        return None

    def _bind(self, target: ast.expr, origin: str | None) -> None:
        if isinstance(target, ast.Name):
            self._scopes[-1][target.id] = origin
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                and target.value.id == "self" and self._classes:
            self._classes[-1][target.attr] = origin
        elif isinstance(target, (ast.Tuple, ast.List)):
            for el in target.elts:
                self._bind(el, None)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        origin = self._origin(node.value)
        if origin and _optimizes_inputs(node.value):
            origin += INPUTS_MARK
        for t in node.targets:
            self._bind(t, origin)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, self._origin(node.value))

    # --- imports: federated frameworks ---------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._federated_import(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or node.module is None:
            return
        self._federated_import(node.module, node)

    def _federated_import(self, module: str | None, node: ast.AST) -> None:
        framework = FEDERATED.get((module or "").split(".")[0])
        if framework and framework not in self._federated:
            self._federated.add(framework)
            self._emit("federated", node, framework=framework, module=module)

    # --- calls ---------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if self._dp_possible:
            self._dp_call(node)
        if self._loops[-1] > 0:
            callee = node.func
            if isinstance(callee, ast.Attribute) and self.dotted_name(callee.value) == "self":
                self._called_in_loop.add(callee.attr)
            elif isinstance(callee, ast.Name):
                self._called_in_loop.add(callee.id)
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            recv = node.func.value
            if method == "train":
                self._train(node, recv)
            elif method in FASTAI_TRAIN:
                self._fit(node, recv, method)
            elif method in ("step", "apply_gradients"):
                self._step(node, recv, method)
            elif method == "compile":
                dotted = self.dotted_name(recv)
                if dotted:
                    self._compiled.add(dotted)

    def _dp_call(self, node: ast.Call) -> None:
        origin = self._origin_of_callee(node.func)
        if origin:
            framework = dp_framework(origin)
            if framework:
                self._emit("dp-mechanism", node, framework=framework, api=origin)
        elif isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in ("make_private", "make_private_with_epsilon", "attach"):
                self._engine_method(node, method)
        # references: Flower client mods in mods=[...], dp-transformers' dataclass in a parser
        mods = self.kwarg(node, "mods")
        if mods is not None and isinstance(mods.value, (ast.List, ast.Tuple)):
            for el in mods.value.elts:
                self._reference(_unstar(el))
        if _last(origin) == "HfArgumentParser" and (node.args or node.keywords):
            first = _args_in_order(node)[0][1]
            items = first.elts if isinstance(first, (ast.List, ast.Tuple)) else [first]
            for el in items:
                self._reference(_unstar(el))

    def _reference(self, expr: ast.expr) -> None:
        qual = self.qualified_name(expr) if isinstance(expr, (ast.Name, ast.Attribute)) else None
        if qual:
            framework = dp_framework(qual)
            if framework:
                self._emit("dp-mechanism", expr, framework=framework, api=qual)

    def _engine_method(self, node: ast.Call, method: str) -> None:
        recv = node.func.value  # type: ignore[attr-defined]
        origin = self._origin(recv)
        if origin and dp_framework(origin) in ("opacus", "private-transformers"):
            self._emit("dp-mechanism", node, framework=dp_framework(origin), api=f"{origin}.{method}")
            return
        if origin is not None or method == "attach":
            return
        kwargs = {k.arg for k in node.keywords if k.arg}
        if self.is_imported("opacus") and kwargs & MAKE_PRIVATE_KWARGS:
            self._emit("dp-mechanism", node, framework="opacus",
                       api=f"opacus.PrivacyEngine.{method}")

    # --- training entry points -----------------------------------------------------------
    def _typed_origin(self, recv: ast.expr) -> str | None:
        origin = self._origin(recv)
        return origin if origin and origin.split(".")[0] in TYPED_HEADS else None

    def _train(self, node: ast.Call, recv: ast.expr) -> None:
        origin = self._typed_origin(recv)
        framework = None
        if origin:
            head, last = origin.split(".")[0], _last(origin)
            if last.endswith("Trainer"):
                framework = {"transformers": "hf-trainer", "trl": "trl",
                             "dp_transformers": "hf-trainer", "setfit": "setfit"}.get(head)
            if origin.startswith(("tensorflow.estimator.", "tensorflow_estimator.",
                                  "tensorflow.compat.v1.estimator.")) or (
                    head == "tensorflow_privacy" and ".estimators." in origin):
                framework = "tf-estimator"
        elif _last(self.dotted_name(recv)).lower().endswith("trainer"):
            if self.is_imported("trl"):
                framework = "trl"
            elif any(self.is_imported(m) for m in ("transformers", "dp_transformers")):
                framework = "hf-trainer"
            elif self.is_imported("setfit"):
                framework = "setfit"
        if framework:
            self._emit("training-entry", node, framework=framework,
                       api=f"{origin or self.dotted_name(recv) or 'trainer'}.train")

    def _fit(self, node: ast.Call, recv: ast.expr, method: str = "fit") -> None:
        origin = self._typed_origin(recv)
        dotted = self.dotted_name(recv)
        framework = None
        if origin:
            head = origin.split(".")[0]
            if head in NOT_DEEP:
                return
            if head in ("lightning", "pytorch_lightning") and _last(origin) == "Trainer":
                framework = "lightning"
            elif self._is_keras(origin):
                framework = "keras"
            elif head == "sentence_transformers":
                framework = "sentence-transformers"
            elif head == "fastai":
                framework = "fastai"
            if method != "fit" and framework != "fastai":
                return
        elif method != "fit":
            return
        elif isinstance(recv, (ast.Name, ast.Attribute)):
            if _last(dotted).lower().endswith("trainer"):
                if self.is_imported("lightning") or self.is_imported("pytorch_lightning"):
                    framework = "lightning"
            elif any(self.is_imported(m) for m in ("keras", "tensorflow", "tf_keras")):
                kwargs = {k.arg for k in node.keywords if k.arg}
                if (dotted and dotted in self._compiled) or kwargs & KERAS_ONLY_FIT_KWARGS:
                    framework = "keras"
        if framework:
            self._emit("training-entry", node, framework=framework,
                       api=f"{origin or dotted or 'model'}.{method}")

    def _is_keras(self, origin: str) -> bool:
        head = origin.split(".")[0]
        if head in KERAS_HEADS or origin.startswith(("tensorflow.keras.", "tensorflow.python.keras.",
                                                      "tensorflow.compat.v1.keras.")):
            return True
        if head == "tensorflow_privacy" and _last(origin) in ("DPModel", "DPSequential", "BoltOnModel"):
            return True
        return origin.startswith("jax_privacy.") and _last(origin) == "make_private"

    def _step(self, node: ast.Call, recv: ast.expr, method: str) -> None:
        in_loop = self._loops[-1] > 0
        if not in_loop and not self._functions:
            return
        dotted = self.dotted_name(recv)
        origin = self._origin(recv)
        if method == "step":
            positional = [value for keyword, value in _args_in_order(node) if keyword is None]
            if self._is_scaler(recv, origin) and len(positional) == 1 \
                    and self._is_optimizer(positional[0]):
                self._step_entry(node, f"{origin or dotted}.step", in_loop)
                return
            if any(k.arg is not None and k.arg != "closure" for k in node.keywords) \
                    or len(node.args) + len(node.keywords) > 1:
                return
        if self._is_optimizer(recv):
            self._step_entry(node, f"{origin or dotted}.{method}", in_loop)
        elif is_gradient_step(method, "", {k.arg for k in node.keywords}):
            # Flax: ``state.apply_gradients(grads=grads)`` on a TrainState
            self._step_entry(node, f"{dotted or 'state'}.{method}", in_loop)

    def _step_entry(self, node: ast.Call, api: str, in_loop: bool) -> None:
        if in_loop:
            self._emit("training-entry", node, framework="manual-loop", api=api)
        elif self._functions:
            self._steps_outside_loops.append((node, self._functions[-1], api))

    def _is_optimizer(self, expr: ast.expr) -> bool:
        origin = self._origin(expr)
        if origin and origin.endswith(INPUTS_MARK):
            return False  # torch.optim.Adam([latents]): optimises inputs, not a model
        if origin:
            low = origin.lower()
            if "scheduler" in low or "lr_" in low or low.endswith("lr"):
                return False
            return origin.startswith(OPTIMIZER_HEADS) or "Optimizer" in _last(origin)
        return is_optimizer_name(_last(self.dotted_name(expr)))

    def _is_scaler(self, expr: ast.expr, origin: str | None) -> bool:
        if origin:
            return _last(origin) == "GradScaler"
        return "scaler" in _last(self.dotted_name(expr)).lower()


class TrainingData(FlowRule):
    """Facts only: what each training call trains on, as the dataflow engine traced it
    (``models/train.py``: a trainer's ``train_dataset``, ``fit``'s data, a training loop's batches;
    through functions, modules and notebook cells). A ``training-data`` fact {data: [...]} at the
    call's line; the project rule joins it with the ``training-entry`` fact of the same line."""

    rule_id = "AIP201"
    test_code = "skip"
    facts_only = True
    sinks = frozenset({"train"})
    needs = ("train", "fit", "fine_tune", "step", "apply_gradients")

    @classmethod
    def gate(cls, summary) -> bool:
        return bool(summary.calls & {"train", "fit", "fit_one_cycle", "fine_tune", "fit_flat_cos",
                                     "fit_sgdr", "step", "apply_gradients"})

    def judge(self, ev, ctx) -> None:
        from ...models.kinds import DATASET, FILE, PERSONAL

        data = []
        for lb in sorted(ev.value.labels, key=lambda lb: lb.sort_key()):
            if lb.kind == FILE:
                data.append({"kind": "file", "path": lb.data[0], "column": lb.tag,
                             "read": lb.origin, "line": lb.line,
                             "dropped": list(lb.data[1])})
            elif lb.kind == DATASET:
                data.append({"kind": "dataset", "id": lb.tag, "read": lb.origin, "line": lb.line,
                             "loader": lb.data[0] if lb.data else ""})
            elif lb.kind == PERSONAL:
                data.append({"kind": "field", "field": lb.tag, "read": lb.origin, "line": lb.line,
                             "category": lb.data[0], "reason": lb.data[1]})
        ctx.fact("training-data", ev.module, ev.pos.line, api=ev.info.get("api", ""),
                 data=data[:12])
