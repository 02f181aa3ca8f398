"""AIP401 confidence-scores-exposed and AIP402 embeddings-exposed. Docs: rules/AIP401.toml,
rules/AIP402.toml.

How the check works, in three steps over one file:

1. **Find the handlers**: the functions whose return value reaches a client. FastAPI / Flask /
   Starlette / Quart / Sanic / Litestar / Ninja routes (``@app.get``, ``@router.post``,
   ``@bp.route``, ``add_api_route``, ``add_url_rule``), Django views (functions taking ``request``
   in ``views.py``, ``@api_view``, ``get``/``post``... of class-based views), Gradio functions
   (``gr.Interface(fn=...)``, ``btn.click(fn, ...)``, event decorators, lambdas), BentoML
   ``@bentoml.api`` / ``@svc.api``, Ray Serve ``@serve.deployment`` functions, ``__call__`` and
   the public methods other deployments reach through handles (not the class's own helpers),
   KServe ``Model.predict`` (or ``postprocess``, which then receives ``predict``'s result), plus
   TorchServe, LitServe, Triton and MLflow pyfunc models. In a Streamlit app the "handler" is the
   script: display calls (``st.write``, ``st.json``, ``st.dataframe``, ``col.metric``...) are the sinks.
2. **Track values inside each function** (``_serving_taint.py``): assignments, tuple unpacking, dict/list
   literals and comprehensions, ``.tolist()``, ``jsonify``/``JSONResponse``/response models, loops
   that append, f-strings. Sources are ``predict_proba``, softmax / sigmoid (functions, methods and
   ``nn.Softmax`` modules), ``.logits``, ``.logprobs`` / ``top_logprobs``, ``torch.topk`` values,
   ``generate(..., output_scores=True).scores``, Keras ``predict``, Hugging Face classification
   pipelines (AIP401); ``SentenceTransformer.encode``, ``embed_query`` / ``embed_documents``,
   ``client.embeddings.create(...).data[0].embedding``, ``last_hidden_state``, ``pooler_output``,
   ``get_text_features``, feature-extraction pipelines, face encodings (AIP402). Calls to functions
   of the same file are followed through summaries (which parameters reach the return value);
   a function of another module is taken at its word when its name's last word says what it
   returns (``extract_logprobs``, ``get_embeddings``, ``mean_pooling``).
3. **Mitigations clear the value**: ``argmax`` / label lookups, comparisons (``p > 0.5``),
   ``int()``, bucketing (``np.digitize``, ``pd.cut``), and rounding or formatting to at most two
   decimals (``round(p, 2)``, ``f"{p:.1f}"``, ``f"{p:.0%}"``). Unknown lower-case functions are
   treated as transforming the value (no finding); constructors (``Prediction(probs=...)``) and
   JSON/response helpers pass it through. Similarities of embeddings (``util.cos_sim``,
   ``corpus_emb @ query_emb``) are scores over documents, not embedding vectors.

Severity: AIP401 is high when a vector of scores leaves (full probabilities, logits, log-probs,
top-k), medium when only a top-1 score does. AIP402 is medium, low for a purpose-built embedding
endpoint (route or function named ``embed``/``encode``/``vector``...) where the vectors are the
product: the finding then documents the access control, rate limits and noise the service needs.

Limits: one file at a time (a route that calls ``service.predict`` in another module is not
followed); values stored on objects are followed only through ``self.x`` assigned in
``__init__`` / ``load`` / ``setup``; branches are merged, not correlated (a model that returns
logits or hidden states depending on ``self.task`` is taken to return both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Union

from ._lazy import cst

from . import CodeRule, fast_walk, literal_value
from ...findings import Severity
from ._serving_taint import (EMPTY, INPUT, Taint, attr, element, exposed, flatten, has_tup,
                             has_vector, is_input, iterate, method, reduce_one, seq,
                             strip_inputs, subscript, substitute, tup, union, upgrade)

# --- vocabulary ------------------------------------------------------------------------------

WEB_FRAMEWORKS = ("fastapi", "flask", "starlette", "quart", "sanic", "aiohttp", "litestar",
                  "ninja", "django", "rest_framework", "bottle", "falcon", "tornado", "ray.serve",
                  "bentoml", "litserve", "gradio")
WEB_APPS = {"fastapi.FastAPI": "FastAPI route", "fastapi.APIRouter": "FastAPI route",
            "flask.Flask": "Flask route", "flask.Blueprint": "Flask route",
            "quart.Quart": "Quart route", "quart.Blueprint": "Quart route",
            "sanic.Sanic": "Sanic route", "sanic.Blueprint": "Sanic route",
            "ninja.NinjaAPI": "Django Ninja route", "ninja.Router": "Django Ninja route",
            "starlette.applications.Starlette": "Starlette route"}
ROUTE_VERBS = {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket",
               "head", "options"}
ROUTE_ADDERS = {"add_api_route", "add_url_rule", "add_route", "add_get", "add_post", "add_put",
                "add_websocket_route", "add_api_websocket_route"}
GRADIO_EVENTS = {"click", "submit", "change", "upload", "input", "select", "load", "release",
                 "stream", "then", "success", "blur", "focus", "clear", "like", "edit",
                 "play", "stop_recording", "start_recording", "tick"}
STREAMLIT_SINKS = {"write", "json", "dataframe", "table", "bar_chart", "line_chart",
                   "area_chart", "scatter_chart", "metric", "text", "markdown", "caption",
                   "success", "info", "warning", "error", "code", "progress", "data_editor",
                   "subheader", "header", "title", "write_stream", "toast", "latex"}
DJANGO_VIEW_BASES = ("django.views", "rest_framework.views", "rest_framework.generics",
                     "rest_framework.viewsets", "rest_framework.mixins", "flask.views",
                     "ninja")
CBV_METHODS = {"get", "post", "put", "patch", "delete", "list", "create", "retrieve", "update",
               "partial_update", "dispatch_request"}

SOFTMAX_NAMES = {"softmax", "log_softmax", "sigmoid", "expit", "logsigmoid", "stable_softmax"}
SOFTMAX_MODULES = {"Softmax", "LogSoftmax", "Sigmoid"}
PROBA_METHODS = {"predict_proba": "predict_proba", "predict_log_proba": "predict_log_proba",
                 "decision_function": "decision_function"}
EMBED_METHODS = {"embed_query", "embed_documents", "aembed_query", "aembed_documents",
                 "get_text_embedding", "get_query_embedding", "get_text_embedding_batch",
                 "aget_query_embedding", "aget_text_embedding", "get_image_embedding",
                 "embed_image", "encode_text", "encode_image", "get_text_features",
                 "get_image_features", "get_audio_features", "feature_extraction",
                 "get_sentence_embedding", "get_sentence_embeddings"}
ENCODER_METHODS = {"encode", "encode_queries", "encode_corpus", "encode_documents",
                   "encode_query", "encode_multi_process", "encode_document"}
ENCODER_CTORS = {"sentence_transformers.SentenceTransformer",
                 "sentence_transformers.SentenceTransformer.SentenceTransformer",
                 "InstructorEmbedding.INSTRUCTOR", "FlagEmbedding.FlagModel",
                 "FlagEmbedding.BGEM3FlagModel", "FlagEmbedding.FlagLLMModel",
                 "FlagEmbedding.FlagICLModel", "FlagEmbedding.FlagAutoModel.from_finetuned",
                 "angle_emb.AnglE.from_pretrained", "fastembed.TextEmbedding",
                 "fastembed.ImageEmbedding", "model2vec.StaticModel.from_pretrained"}
ENCODER_LIBS = ("sentence_transformers", "InstructorEmbedding", "FlagEmbedding", "angle_emb",
                "model2vec")
ENCODER_RECEIVER = re.compile(r"model|encoder|embedder|embedding|sbert|bert|retriever|^st$|"
                              r"bi_?enc", re.I)
KERAS_LOADERS = {"tensorflow.keras.models.load_model", "keras.models.load_model",
                 "keras.saving.load_model", "tf_keras.models.load_model",
                 "tensorflow.keras.saving.load_model"}
SCORE_TASKS = {"text-classification", "sentiment-analysis", "image-classification",
               "audio-classification", "zero-shot-classification",
               "zero-shot-image-classification", "zero-shot-audio-classification",
               "token-classification", "ner", "fill-mask", "question-answering",
               "object-detection", "zero-shot-object-detection", "video-classification",
               "document-question-answering", "visual-question-answering", "image-segmentation"}
VECTOR_TASKS = {"zero-shot-classification", "zero-shot-image-classification",
                "zero-shot-audio-classification"}
EMBED_TASKS = {"feature-extraction", "image-feature-extraction"}

ATTR_401 = {"logits": "vec", "logits_per_image": "vec", "logits_per_text": "vec",
            "logprobs": "vec", "top_logprobs": "vec", "prompt_logprobs": "vec",
            "logprob": "one", "cumulative_logprob": "one", "probs": "vec",
            "probabilities": "vec", "token_logprobs": "vec"}
ATTR_402 = {"last_hidden_state", "pooler_output", "hidden_states", "text_embeds",
            "image_embeds", "embedding", "embeddings", "image_embeddings", "text_embeddings",
            "encoder_last_hidden_state", "sentence_embedding"}
KEY_401 = {"logits", "logprobs", "top_logprobs", "probabilities", "probs", "log_probs",
           "prompt_logprobs", "token_logprobs"}
KEY_402 = {"embedding", "embeddings", "last_hidden_state", "pooler_output", "hidden_states",
           "text_embeds", "image_embeds", "sentence_embedding"}

COARSEN_CALLS = {"numpy.digitize", "numpy.searchsorted", "pandas.cut", "pandas.qcut",
                 "numpy.floor", "numpy.ceil", "math.floor", "math.ceil", "numpy.sign",
                 "torch.bucketize", "numpy.rint", "torch.floor", "torch.ceil",
                 "numpy.argmax", "numpy.argmin", "numpy.argsort", "torch.argmax",
                 "torch.argmin", "torch.argsort", "tensorflow.argmax", "tensorflow.math.argmax",
                 "jax.numpy.argmax", "numpy.nanargmax", "numpy.isclose", "numpy.allclose",
                 "torch.isclose", "numpy.count_nonzero", "numpy.unique", "numpy.nonzero",
                 "torch.nonzero", "numpy.flatnonzero", "numpy.shape"}
ROUND_CALLS = {"numpy.round", "numpy.around", "numpy.round_", "torch.round", "builtins.round"}
REDUCE_CALLS = {"numpy.max", "numpy.amax", "numpy.min", "numpy.amin", "numpy.nanmax",
                "torch.max", "torch.min", "torch.amax", "tensorflow.reduce_max",
                "tensorflow.math.reduce_max", "statistics.mean"}
TOPK_CALLS = {"torch.topk", "tensorflow.math.top_k", "tensorflow.nn.top_k", "torch.sort",
              "torch.kthvalue", "jax.lax.top_k"}
SAFE_BUILTINS = {"int", "bool", "len", "isinstance", "hash", "id", "type", "callable",
                 "hasattr", "print", "range", "getattr", "setattr", "issubclass"}
PASS_BUILTINS = {"list", "tuple", "dict", "sorted", "reversed", "zip", "enumerate", "str",
                 "repr", "map", "filter", "set", "frozenset", "iter", "next", "abs", "sum",
                 "vars"}
PASS_NAMES = {"jsonify", "make_response", "json_response", "jsonable_encoder", "asdict",
              "dumps", "b64encode", "urlsafe_b64encode", "render", "render_template",
              "render_template_string", "deepcopy", "copy", "cast", "to_json", "dump_json",
              "encode_json", "orjson_dumps", "model_validate", "parse_obj", "dataclass_json",
              "Response", "tolist", "array", "asarray", "tensor", "as_tensor", "stack", "cat",
              "concatenate", "vstack", "hstack", "normalize", "squeeze", "from_numpy",
              "convert_to_tensor", "format_response", "json_serializable",
              "get_predict_response", "map_class_to_label"}
ARRAY_MODULES = ("numpy.", "torch.", "tensorflow.", "jax.", "scipy.", "pandas.", "cupy.")
SIMILARITY_CALLS = {"sentence_transformers.util.cos_sim", "sentence_transformers.util.dot_score",
                    "sklearn.metrics.pairwise.cosine_similarity", "scipy.spatial.distance.cdist",
                    "scipy.spatial.distance.cosine", "torch.nn.functional.cosine_similarity",
                    "torch.cdist", "faiss.pairwise_distances"}
PRODUCT_CALLS = {"numpy.dot", "numpy.inner", "numpy.matmul", "torch.mm", "torch.matmul",
                 "torch.bmm", "torch.inner", "torch.einsum", "numpy.einsum", "torch.dot"}
WIRING_NAMES = GRADIO_EVENTS | ROUTE_ADDERS | {"Interface", "ChatInterface", "on"}
NOT_EMBEDDED = {"html", "video", "url", "layer", "layers", "tokens", "positions", "iframe",
                "widget", "link", "youtube", "map", "plot", "chart", "figure", "font", "fonts",
                "dim", "size"}
MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault", "put", "put_nowait",
            "appendleft", "__setitem__"}
EXECUTORS = {"run_in_executor": 1, "to_thread": 0, "run_in_threadpool": 0, "run_sync": 0}
SAFE_NAME_PARTS = {"id", "ids", "idx", "index", "indices", "label", "labels", "class",
                   "classes", "cls", "pred", "preds", "prediction", "predictions", "token",
                   "tokens", "name", "names", "text", "texts", "category", "word", "words"}
EMBED_PURPOSE = re.compile(r"embed|encod|vector|represent|feature|similar", re.I)
NON_WEB_MODULES = {"json", "torch", "pickle", "yaml", "os", "sys", "requests", "httpx", "numpy",
                   "pandas", "functools", "pytest", "unittest", "re", "math", "random", "time",
                   "logging", "joblib", "shutil", "subprocess", "typing", "dataclasses",
                   "collections", "itertools", "click", "typer", "select", "tensorflow", "keras",
                   "jax", "safetensors", "dill", "cloudpickle", "ujson", "orjson", "toml",
                   "tomllib", "configparser", "importlib", "datasets", "transformers", "PIL",
                   "cv2", "sklearn", "scipy", "urllib", "aiofiles", "asyncio", "threading"}
MAX_DECIMALS = 2  # rounding or formatting to at most this many decimals counts as coarsening

Func = Union["cst.FunctionDef", "cst.Lambda"]


@dataclass(eq=False)
class ClassInfo:
    node: cst.ClassDef
    name: str
    bases: list[str]
    decorators: list[str]
    methods: dict[str, "FuncInfo"] = field(default_factory=dict)
    self_env: dict[str, Taint] | None = None


@dataclass(eq=False)
class FuncInfo:
    node: Func
    name: str
    cls: ClassInfo | None
    parent: "FuncInfo | None"
    params: list[str]


@dataclass
class Handler:
    fi: FuncInfo
    where: str
    route: str | None = None
    # parameter -> the method whose return value it receives (KServe predict -> postprocess)
    bound_from: dict[str, FuncInfo] = field(default_factory=dict)


@dataclass
class Summary:
    ret: Taint
    sink_params: set[str]


@dataclass
class Result:
    rule: str
    node: cst.CSTNode
    message: str
    details: dict
    severity: Severity | None


# --- collection ------------------------------------------------------------------------------

def _params(node: Func) -> list[str]:
    p = node.params
    return [x.name.value for x in (*p.posonly_params, *p.params, *p.kwonly_params)]


def _str_arg(call: cst.Call, keyword: str | None = None, position: int = 0) -> str | None:
    if keyword:
        for a in call.args:
            if a.keyword is not None and a.keyword.value == keyword:
                ok, v = literal_value(a.value)
                return v if ok and isinstance(v, str) else None
    pos = [a for a in call.args if a.keyword is None and not a.star]
    if len(pos) > position:
        ok, v = literal_value(pos[position].value)
        return v if ok and isinstance(v, str) else None
    return None


class _Collector:
    """Records, during the engine's one traversal, the file's functions, classes, assignments
    and candidate wiring calls; ``finalize`` then (when every import is known) decides which
    functions are handlers and what a few objects are (an encoder, a pipeline, a Flask app)."""

    def __init__(self, rule: CodeRule) -> None:
        self.rule = rule
        self.funcs: list[FuncInfo] = []
        self.by_name: dict[str, list[FuncInfo]] = {}
        self.classes: list[ClassInfo] = []
        self.types: dict[str, str] = {}
        self.handlers: list[Handler] = []
        self.wired: list[tuple[cst.BaseExpression, str, FuncInfo | None, ClassInfo | None]] = []
        self.lambdas: dict[cst.Lambda, FuncInfo] = {}
        self._scopes: list[ClassInfo | FuncInfo] = []
        self._assigns: list[tuple[cst.BaseExpression, cst.Call]] = []
        self._calls: list[tuple[cst.Call, FuncInfo | None, ClassInfo | None]] = []

    def finalize(self) -> None:
        rule = self.rule
        self.web = any(rule.is_imported(m) for m in WEB_FRAMEWORKS)
        self.gradio = rule.is_imported("gradio")
        self.bentoml = rule.is_imported("bentoml")
        self.route_label = self._route_label()
        path = rule.path.replace("\\", "/")
        base = path.rsplit("/", 1)[-1]
        self.views_file = (base.startswith("views") and base.endswith(".py")) or "/views/" in path
        self.django = rule.is_imported("django") or rule.is_imported("rest_framework")
        for target, value in self._assigns:
            self._type_target(target, value)
        for fi in self.funcs:
            if isinstance(fi.node, cst.FunctionDef):
                self._decorated_handler(fi, fi.node)
        for info in self.classes:
            info.bases = [b for b in (self._name(a.value) for a in info.node.bases
                                      if a.keyword is None) if b]
            info.decorators = [d for d in (self._name(x.decorator.func if isinstance(
                x.decorator, cst.Call) else x.decorator) for x in info.node.decorators) if d]
            self._class_handlers(info)
        for call, fi, cls in self._calls:
            self._wiring(call, fi, cls)

    def _route_label(self) -> str:
        for mod, label in (("fastapi", "FastAPI route"), ("flask", "Flask route"),
                           ("quart", "Quart route"), ("sanic", "Sanic route"),
                           ("starlette", "Starlette route"), ("litestar", "Litestar route"),
                           ("ninja", "Django Ninja route"), ("aiohttp", "aiohttp route")):
            if self.rule.is_imported(mod):
                return label
        return "HTTP route"

    # scopes
    def _cls(self) -> ClassInfo | None:
        return self._scopes[-1] if self._scopes and isinstance(self._scopes[-1], ClassInfo) else None

    def _func(self) -> FuncInfo | None:
        for s in reversed(self._scopes):
            if isinstance(s, FuncInfo):
                return s
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        info = ClassInfo(node, node.name.value, [], [])
        self.classes.append(info)
        self._scopes.append(info)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        cls = self._cls()
        fi = FuncInfo(node, node.name.value, cls, self._func(), _params(node))
        self.funcs.append(fi)
        if cls is not None:
            cls.methods[fi.name] = fi
        else:
            self.by_name.setdefault(fi.name, []).append(fi)
        self._scopes.append(fi)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.lambdas[node] = FuncInfo(node, "<lambda>", None, self._func(), _params(node))

    def _name(self, node: cst.CSTNode | None) -> str | None:
        return self.rule.qualified_name(node) or self.rule.dotted_name(node)

    # handlers from decorators
    def _decorated_handler(self, fi: FuncInfo, node: cst.FunctionDef) -> None:
        for deco in node.decorators:
            d = deco.decorator
            call = d if isinstance(d, cst.Call) else None
            func = call.func if call is not None else d
            q = self.rule.qualified_name(func) or ""
            dotted = self.rule.dotted_name(func) or ""
            last = dotted.rsplit(".", 1)[-1]
            if q in ("bentoml.api", "bentoml.task") or (
                    self.bentoml and last == "api" and "." in dotted):
                self.handlers.append(Handler(fi, "BentoML API"))
                return
            if q == "ray.serve.deployment" and fi.cls is None:
                self.handlers.append(Handler(fi, "Ray Serve deployment"))
                return
            if q in ("rest_framework.decorators.api_view", "rest_framework.decorators.action"):
                self.handlers.append(Handler(fi, "Django REST framework view"))
                return
            if q.startswith(("litestar.", "sanic.", "robyn.")) and last in ROUTE_VERBS:
                path = _str_arg(call, "path") if call is not None else None
                self.handlers.append(Handler(fi, self.route_label, path))
                return
            if (call is not None and isinstance(func, cst.Attribute) and last in ROUTE_VERBS
                    and self.web and not self._foreign(func.value)):
                path = _str_arg(call, "path") or _str_arg(call, "rule")
                self.handlers.append(Handler(fi, self._app_label(func.value), path))
                return
            if (self.gradio and isinstance(func, cst.Attribute) and last in GRADIO_EVENTS
                    and not self._foreign(func.value)) or q == "gradio.on" or q == "gradio.render":
                self.handlers.append(Handler(fi, "Gradio event handler"))
                return
        if (self.views_file and self.django and fi.cls is None and fi.parent is None
                and fi.params[:1] in (["request"], ["req"])):
            self.handlers.append(Handler(fi, "Django view", fi.name))

    def _app_label(self, receiver: cst.BaseExpression) -> str:
        """"Flask route" when the decorator's object was made by ``Flask(...)`` in this file."""
        kind = self.types.get(self.rule.dotted_name(receiver) or "", "")
        return kind[4:] if kind.startswith("web:") else self.route_label

    def _foreign(self, receiver: cst.BaseExpression) -> bool:
        """A receiver imported from a module unrelated to serving (``json.load``, ``torch.load``);
        an ``app`` or ``router`` imported from the project's own modules is not foreign."""
        q = self.rule.qualified_name(receiver)
        return q is not None and q.split(".")[0] in NON_WEB_MODULES

    def _class_handlers(self, info: ClassInfo) -> None:
        bases = info.bases
        m = info.methods

        def add(name: str, where: str, bound_from: str | None = None) -> None:
            fi = m.get(name)
            if fi is None:
                return
            h = Handler(fi, where)
            if bound_from is not None and bound_from in m and len(fi.params) >= 2:
                h.bound_from[fi.params[1]] = m[bound_from]
            self.handlers.append(h)

        if any(d == "ray.serve.deployment" for d in info.decorators):
            add("__call__", "Ray Serve deployment")
            # other public methods are reached through deployment handles
            # (handle.predict.remote(x)), unless the class only uses them as its own helpers
            internal = _self_calls(info.node)
            for name in m:
                if not name.startswith("_") and name not in internal and name not in (
                        "reconfigure", "check_health"):
                    add(name, "Ray Serve deployment")
        if any(b in ("kserve.Model", "kserve.model.Model", "kserve.KFModel", "kfserving.KFModel")
               for b in bases):
            if "postprocess" in m:
                add("postprocess", "KServe model", "predict")
            else:
                add("predict", "KServe model")
        if any(b.startswith("ts.torch_handler") for b in bases):
            if "postprocess" in m:
                add("postprocess", "TorchServe handler", "inference")
            else:
                add("inference", "TorchServe handler")
            add("handle", "TorchServe handler")
        if any(b in ("litserve.LitAPI", "litserve.api.LitAPI") for b in bases):
            if "encode_response" in m:
                add("encode_response", "LitServe API", "predict")
            else:
                add("predict", "LitServe API")
        if any(b in ("mlflow.pyfunc.PythonModel", "mlflow.pyfunc.model.PythonModel") for b in bases):
            add("predict", "MLflow pyfunc model")
        if info.name == "TritonPythonModel" and self.rule.is_imported("triton_python_backend_utils"):
            add("execute", "Triton Python model")
        if any(b.startswith(DJANGO_VIEW_BASES) for b in bases):
            for name in CBV_METHODS:
                add(name, "class-based view")

    # object types and wiring
    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, cst.Call):
            for t in node.targets:
                self._assigns.append((t.target, node.value))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.value, cst.Call):
            self._assigns.append((node.target, node.value))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.item, cst.Call):
            self._assigns.append((node.asname.name, node.item))

    def _type_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(value, cst.Call):
            return
        kind = self.object_type(value)
        if kind is None:
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            if kind == "st":
                for el in target.elements:
                    name = self.rule.dotted_name(el.value)
                    if name:
                        self.types[name] = kind
            return
        name = self.rule.dotted_name(target)
        if name:
            self.types[name] = kind

    def object_type(self, call: cst.Call) -> str | None:
        q = self.rule.qualified_name(call.func) or ""
        if q in ENCODER_CTORS:
            return "encoder"
        if q in ("transformers.pipeline", "transformers.pipelines.pipeline"):
            task = _str_arg(call, "task")
            if task in EMBED_TASKS:
                return "pipe402"
            if task in SCORE_TASKS:
                kind = "vec" if task in VECTOR_TASKS or _all_scores(call) else "one"
                return f"pipe401:{kind}:{task}"
            return None
        if q in KERAS_LOADERS:
            return "keras"
        if q in WEB_APPS:
            return f"web:{WEB_APPS[q]}"
        if q.startswith("streamlit.") and q.rsplit(".", 1)[-1] in {
                "columns", "tabs", "expander", "container", "empty", "sidebar", "form",
                "popover", "status", "chat_message"}:
            return "st"
        return None

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else (
            func.value if isinstance(func, cst.Name) else "")
        if name in WIRING_NAMES:
            self._calls.append((node, self._func(), self._cls()))

    def _wiring(self, node: cst.Call, ctx_fi: FuncInfo | None, ctx_cls: ClassInfo | None) -> None:
        func = node.func
        q = self.rule.qualified_name(func) or ""
        if self.gradio:
            fn = None
            if q in ("gradio.Interface", "gradio.ChatInterface"):
                fn = self._arg(node, "fn", 0)
            elif q == "gradio.on":
                fn = self._arg(node, "fn", 1)
            elif (isinstance(func, cst.Attribute) and func.attr.value in GRADIO_EVENTS
                  and not self._foreign(func.value)):
                fn = self._arg(node, "fn", 0)
            if fn is not None:
                self.wired.append((fn, "Gradio event handler", ctx_fi, ctx_cls))
        if self.web and isinstance(func, cst.Attribute) and func.attr.value in ROUTE_ADDERS:
            fn = (self._arg(node, "endpoint", None) or self._arg(node, "view_func", None)
                  or self._arg(node, "handler", None))
            cands = [fn] if fn is not None else [a.value for a in node.args[1:]
                                                  if a.keyword is None and not a.star]
            for c in cands:
                self.wired.append((c, self._app_label(func.value), ctx_fi, ctx_cls))

    @staticmethod
    def _arg(call: cst.Call, keyword: str, position: int | None) -> cst.BaseExpression | None:
        for a in call.args:
            if a.keyword is not None and a.keyword.value == keyword:
                return a.value
        if position is None:
            return None
        pos = [a for a in call.args if a.keyword is None and not a.star]
        return pos[position].value if len(pos) > position else None


def _all_scores(call: cst.Call) -> bool:
    for a in call.args:
        if a.keyword is None:
            continue
        ok, v = literal_value(a.value)
        if a.keyword.value == "top_k" and (not ok or v is None or (isinstance(v, int) and v > 1)):
            return True
        if a.keyword.value == "return_all_scores" and ok and v is True:
            return True
    return False


# --- coarsening ------------------------------------------------------------------------------

_PREC = re.compile(r"\.(\d+)([a-zA-Z%]?)")
_PCT_SPEC = re.compile(r"%[-+ #0]*\d*(?:\.(\d+))?([diouxXeEfFgGcrsa%])")
_BRACE_SPEC = re.compile(r"\{[^{}]*?(?::([^{}]*))?\}")


def _spec_coarse(spec: str, extra: int = 0) -> bool:
    """Whether a format spec (``.2f``, ``.0%``, ``d``) keeps at most MAX_DECIMALS decimals of
    a probability; ``extra`` counts decimals moved before the point (``p * 100``)."""
    if re.search(r"[dnxXob]$", spec):
        return extra <= MAX_DECIMALS
    m = _PREC.search(spec)
    if not m:
        return False
    digits = int(m.group(1)) + (2 if m.group(2) == "%" else 0) + extra
    return digits <= MAX_DECIMALS


def _scaled(expr: cst.BaseExpression | None) -> int:
    """Decimals a scaling moves before the point: ``p * 100`` -> 2, ``100 * p`` -> 2."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Multiply):
        best = max(_scaled(expr.left), _scaled(expr.right))
        for side in (expr.left, expr.right):
            ok, v = literal_value(side)
            if ok and isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 10:
                best = max(best, len(str(int(v))) - 1)
        return best
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.args:
        return _scaled(expr.args[0].value)  # float(p * 100)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return _scaled(expr.func.value)  # (p * 100).item()
    if isinstance(expr, cst.Attribute):
        return _scaled(expr.value)
    return 0


# --- analysis --------------------------------------------------------------------------------

class _Scope:
    """The state of one function (or the module body) while its statements are walked."""

    def __init__(self, fi: FuncInfo | None, env: dict[str, Taint], mode: str) -> None:
        self.fi = fi
        self.env = env
        self.mode = mode  # "module" | "summary" | "handler"
        self.returns: list[tuple[cst.CSTNode, Taint]] = []  # return/yield nodes and their taint
        self.sink_params: set[str] = set()  # parameters that reach a Streamlit display call
        self.loops: list[Taint] = []  # taints of the loops/comprehensions we are inside


class _Analysis:
    def __init__(self, rule: CodeRule, module: cst.Module, col: _Collector) -> None:
        self.rule = rule
        self.col = col
        col.finalize()
        self.streamlit = rule.is_imported("streamlit")
        self.encoder_lib = any(rule.is_imported(m) for m in ENCODER_LIBS)
        self.globals: dict[str, Taint] = {}
        self.summaries: dict[int, Summary] = {}
        self.active: set[int] = set()
        self.results: list[Result] = []
        self._seen: set[tuple[str, int]] = set()
        self.module = module

    # driver
    def run(self) -> list[Result]:
        sc = _Scope(None, {}, "module")
        self._block(self.module.body, sc)
        self.globals = {k: strip_inputs(v) for k, v in sc.env.items()}
        self.summaries.clear()
        if self.streamlit:
            for fi in self.col.funcs:
                self._summary(fi)
        for h in self._handlers():
            self._handler(h)
        return self.results

    def _handlers(self) -> list[Handler]:
        out = list(self.col.handlers)
        for expr, where, ctx_fi, ctx_cls in self.col.wired:
            fi = self._resolve_ref(expr, ctx_fi, ctx_cls)
            if fi is not None:
                out.append(Handler(fi, where))
        seen: set[int] = set()
        uniq = []
        for h in out:
            if id(h.fi) not in seen:
                seen.add(id(h.fi))
                uniq.append(h)
        return uniq

    def _resolve_ref(self, expr: cst.BaseExpression, ctx_fi: FuncInfo | None,
                     ctx_cls: ClassInfo | None) -> FuncInfo | None:
        if isinstance(expr, cst.Lambda):
            return self.col.lambdas.get(expr)
        if isinstance(expr, cst.Call):  # functools.partial(fn, ...)
            name = self.rule.qualified_name(expr.func) or self.rule.dotted_name(expr.func)
            if name in ("functools.partial", "partial") and expr.args:
                return self._resolve_ref(expr.args[0].value, ctx_fi, ctx_cls)
            return None
        if isinstance(expr, cst.Name):
            return self._func_named(expr.value, ctx_fi)
        dotted = self.rule.dotted_name(expr)
        if dotted and dotted.count(".") == 1 and dotted.split(".")[0] in ("self", "cls"):
            cls = ctx_cls or (ctx_fi.cls if ctx_fi else None)
            if cls is not None:
                return self._method(cls, dotted.split(".")[1])
        return None

    def _func_named(self, name: str, ctx: FuncInfo | None) -> FuncInfo | None:
        cands = self.col.by_name.get(name)
        if not cands:
            return None
        chain = []
        f = ctx
        while f is not None:
            chain.append(f)
            f = f.parent
        for c in reversed(cands):
            if c.parent is None or c.parent in chain:
                return c
        return cands[-1]

    def _method(self, cls: ClassInfo, name: str, depth: int = 0) -> FuncInfo | None:
        fi = cls.methods.get(name)
        if fi is not None or depth > 3:
            return fi
        for base in cls.bases:
            for other in self.col.classes:
                if other.name == base.rsplit(".", 1)[-1] and other is not cls:
                    hit = self._method(other, name, depth + 1)
                    if hit is not None:
                        return hit
        return None

    def _self_env(self, cls: ClassInfo) -> dict[str, Taint]:
        if cls.self_env is None:
            cls.self_env = {}
            for name in ("__init__", "setup", "load", "initialize", "__post_init__"):
                fi = cls.methods.get(name)
                if fi is None or not isinstance(fi.node, cst.FunctionDef):
                    continue
                sc = _Scope(fi, {p: EMPTY for p in fi.params}, "summary")
                self._block(fi.node.body.body if isinstance(fi.node.body, cst.IndentedBlock)
                            else fi.node.body.body, sc)
                for k, v in sc.env.items():
                    if k.startswith("self.") and v:
                        cls.self_env[k] = frozenset(lb for lb in v if lb[0] != "param")
        return cls.self_env

    def _env_for(self, fi: FuncInfo, params: dict[str, Taint]) -> dict[str, Taint]:
        env: dict[str, Taint] = {}
        if fi.cls is not None:
            env.update(self._self_env(fi.cls))
        env.update(params)
        return env

    def _summary(self, fi: FuncInfo) -> Summary:
        key = id(fi)
        s = self.summaries.get(key)
        if s is not None:
            return s
        if key in self.active:
            return Summary(EMPTY, set())
        self.active.add(key)
        try:
            params = {p: frozenset({("param", p)}) for p in fi.params}
            sc = _Scope(fi, self._env_for(fi, params), "summary")
            self._body(fi, sc)
            ret = union(*(t for _, t in sc.returns))
            s = Summary(ret, sc.sink_params)
        finally:
            self.active.discard(key)
        self.summaries[key] = s
        return s

    def _body(self, fi: FuncInfo, sc: _Scope) -> None:
        node = fi.node
        if isinstance(node, cst.Lambda):
            sc.returns.append((node, self._ev(node.body, sc)))
            return
        body = node.body
        self._block(body.body, sc)

    def _handler(self, h: Handler) -> None:
        fi = h.fi
        params: dict[str, Taint] = {}
        skip_self = fi.cls is not None and fi.params[:1] in (["self"], ["cls"])
        for i, p in enumerate(fi.params):
            if i == 0 and skip_self:
                params[p] = EMPTY
            else:
                params[p] = INPUT
        for p, src in h.bound_from.items():
            params[p] = self._handler_return(src)
        sc = _Scope(fi, self._env_for(fi, params), "handler")
        self._body(fi, sc)
        for node, taint in sc.returns:
            self._report(node, taint, h)

    def _handler_return(self, fi: FuncInfo) -> Taint:
        params = {p: (EMPTY if i == 0 and fi.cls is not None else INPUT)
                  for i, p in enumerate(fi.params)}
        sc = _Scope(fi, self._env_for(fi, params), "handler")
        self._body(fi, sc)
        return strip_inputs(union(*(t for _, t in sc.returns)))

    # reporting
    def _report(self, node: cst.CSTNode, taint: Taint, h: Handler | None,
                where: str | None = None) -> None:
        hits = exposed(strip_inputs(frozenset(lb for lb in flatten(taint) if lb[0] != "param")))
        for rule, items in hits.items():
            key = (rule, id(node))
            if key in self._seen:
                continue
            self._seen.add(key)
            srcs = sorted({s for _, s in items})
            place = where or (h.where if h else "handler")
            fname = h.fi.name if h else None
            verb = "displays" if h is None else "returns"
            to = "to the user" if h is None else "to the client"
            if rule == "AIP401":
                vector = not all(k == "one" for k, _ in items)
                what = ("a vector of confidence scores" if vector
                        else "a top-1 confidence score")
                hint = ("drop log-probs from the response, or keep the endpoint internal"
                        if any("logprob" in s for s in srcs)
                        else "return the label only, or round/bucket the score")
                msg = (f"{place}{_fn(fname)} {verb} {what} ({', '.join(srcs[:3])}) {to}: "
                       f"scores feed membership inference, model inversion and extraction; {hint}")
                self.results.append(Result(rule, node, msg, {
                    "handler": place, "function": fname, "sources": srcs,
                    "exposure": "vector" if vector else "top-1"},
                    None if vector else Severity.MEDIUM))
            else:
                purpose = bool(h and (EMBED_PURPOSE.search(h.route or "")
                                      or EMBED_PURPOSE.search(h.fi.name)))
                msg = (f"{place}{_fn(fname)} {verb} raw embedding vectors "
                       f"({', '.join(srcs[:3])}) {to}: embeddings can be inverted to "
                       "recover the input and help extract the model; "
                       + ("this looks like an embedding service, so gate it with access "
                          "control and rate limits" if purpose else
                          "return ids or scores of nearest neighbours instead"))
                self.results.append(Result(rule, node, msg, {
                    "handler": place, "function": fname, "sources": srcs,
                    "embedding_service": purpose},
                    Severity.LOW if purpose else None))

    # statements
    def _block(self, stmts: Iterable[cst.CSTNode], sc: _Scope) -> None:
        for st in stmts:
            self._stmt(st, sc)

    def _stmt(self, st: cst.CSTNode, sc: _Scope) -> None:
        if isinstance(st, cst.SimpleStatementLine):
            for small in st.body:
                self._small(small, sc)
        elif isinstance(st, cst.BaseSmallStatement):  # body of a one-line suite
            self._small(st, sc)
        elif isinstance(st, cst.If):
            branches: list = []
            cur: cst.If = st
            has_else = False
            while True:
                self._ev(cur.test, sc)
                branches.append(cur.body.body)
                o = cur.orelse
                if isinstance(o, cst.If):
                    cur = o
                    continue
                if isinstance(o, cst.Else):
                    branches.append(o.body.body)
                    has_else = True
                break
            if not has_else:
                branches.append(())
            self._branches(branches, sc)
        elif isinstance(st, cst.For):
            it = self._ev(st.iter, sc)
            before = dict(sc.env)
            sc.loops.append(it)
            for _ in range(2):
                self._bind(st.target, self._iter_elem(it), sc)
                self._block(st.body.body, sc)
            sc.loops.pop()
            self._merge(sc, before)
            if st.orelse is not None:
                self._block(st.orelse.body.body, sc)
        elif isinstance(st, cst.While):
            self._ev(st.test, sc)
            before = dict(sc.env)
            sc.loops.append(EMPTY)
            for _ in range(2):
                self._block(st.body.body, sc)
            sc.loops.pop()
            self._merge(sc, before)
        elif isinstance(st, cst.With):
            for item in st.items:
                t = self._ev(item.item, sc)
                if item.asname is not None:
                    self._bind(item.asname.name, t, sc)
            self._block(st.body.body, sc)
        elif isinstance(st, (cst.Try, cst.TryStar)):
            self._block(st.body.body, sc)
            branches = [h.body.body for h in st.handlers]
            if branches:
                self._branches([*branches, ()], sc)
            if st.orelse is not None:
                self._block(st.orelse.body.body, sc)
            if st.finalbody is not None:
                self._block(st.finalbody.body.body, sc)
        elif isinstance(st, cst.Match):
            self._ev(st.subject, sc)
            self._branches([c.body.body for c in st.cases] + [()], sc)
        # FunctionDef / ClassDef: analysed on their own

    def _branches(self, branches: list, sc: _Scope) -> None:
        start = dict(sc.env)
        envs = []
        for body in branches:
            sc.env = dict(start)
            self._block(body, sc)
            envs.append(sc.env)
        merged: dict[str, Taint] = {}
        for env in envs:
            for k, v in env.items():
                merged[k] = union(merged.get(k, EMPTY), v)
        sc.env = merged

    @staticmethod
    def _merge(sc: _Scope, before: dict[str, Taint]) -> None:
        for k, v in before.items():
            sc.env[k] = union(sc.env.get(k, EMPTY), v)

    def _small(self, node: cst.CSTNode, sc: _Scope) -> None:
        if isinstance(node, cst.Assign):
            t = self._ev(node.value, sc)
            for target in node.targets:
                self._bind(target.target, t, sc)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self._bind(node.target, self._ev(node.value, sc), sc)
        elif isinstance(node, cst.AugAssign):
            t = self._ev(node.value, sc)
            key = self.rule.dotted_name(node.target)
            if key:
                sc.env[key] = union(sc.env.get(key, EMPTY), t)
            else:
                self._mutate(node.target, t, sc)
        elif isinstance(node, cst.Return):
            if node.value is not None:
                sc.returns.append((node, self._ev(node.value, sc)))
        elif isinstance(node, cst.Expr):
            v = node.value
            if isinstance(v, cst.Yield):
                if v.value is not None and not isinstance(v.value, cst.From):
                    sc.returns.append((v, self._ev(v.value, sc)))
            elif isinstance(v, cst.Await) and isinstance(v.expression, cst.Yield):
                self._ev(v.expression, sc)
            else:
                self._ev(v, sc)

    def _bind(self, target: cst.BaseExpression, t: Taint, sc: _Scope) -> None:
        if isinstance(target, cst.Name):
            sc.env[target.value] = t
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = list(target.elements)
            for i, el in enumerate(elements):
                if isinstance(el, cst.StarredElement):
                    self._bind(el.value, flatten(t), sc)
                    continue
                part = element(t, i)
                if part is None:
                    part = t
                    name = self.rule.dotted_name(el.value) or ""
                    if _safe_name(name):
                        part = EMPTY
                self._bind(el.value, part, sc)
        elif isinstance(target, cst.Attribute):
            key = self.rule.dotted_name(target)
            if key:
                sc.env[key] = t
            self._mutate(target.value, t, sc)
        elif isinstance(target, cst.Subscript):
            self._mutate(target.value, t, sc, keyed=True)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, flatten(t), sc)

    def _mutate(self, obj: cst.BaseExpression, t: Taint, sc: _Scope, keyed: bool = False) -> None:
        """``obj[k] = t`` / ``obj.append(t)``: the container now holds ``t``. Inside a loop over
        a score vector (or, for ``obj[k] = ...``, any loop: a mapping keyed per class) single
        scores add up to a vector; appending one top-1 score per item of a batch does not."""
        if not t:
            return
        while isinstance(obj, (cst.Subscript, cst.Attribute)) and not (
                isinstance(obj, cst.Attribute) and self.rule.dotted_name(obj) in sc.env):
            obj = obj.value
        key = self.rule.dotted_name(obj)
        if not key:
            return
        if (keyed and sc.loops) or any(has_vector(x) for x in sc.loops):
            t = upgrade(t)
        sc.env[key] = union(sc.env.get(key, EMPTY), flatten(t))

    @staticmethod
    def _iter_elem(t: Taint) -> Taint:
        return iterate(t)

    # expressions
    def _ev(self, node: cst.BaseExpression | None, sc: _Scope) -> Taint:
        if node is None:
            return EMPTY
        if isinstance(node, cst.Name):
            return self._lookup(node, sc)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, sc)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, sc)
        if isinstance(node, cst.Call):
            return self._call(node, sc)
        if isinstance(node, cst.Await):
            return self._ev(node.expression, sc)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Modulo) and isinstance(
                    node.left, (cst.SimpleString, cst.ConcatenatedString)):
                return self._percent_format(node, sc)
            left, right = self._ev(node.left, sc), self._ev(node.right, sc)
            if isinstance(node.operator, cst.MatrixMultiply) and _is_embedding(left) \
                    and _is_embedding(right):  # corpus_emb @ query_emb.T: similarities
                return _drop_embeddings(union(left, right))
            return union(left, right)
        if isinstance(node, cst.UnaryOperation):
            t = self._ev(node.expression, sc)
            return EMPTY if isinstance(node.operator, cst.Not) else t
        if isinstance(node, cst.BooleanOperation):
            return union(self._ev(node.left, sc), self._ev(node.right, sc))
        if isinstance(node, cst.Comparison):
            self._ev(node.left, sc)
            return EMPTY
        if isinstance(node, cst.IfExp):
            self._ev(node.test, sc)
            return union(self._ev(node.body, sc), self._ev(node.orelse, sc))
        if isinstance(node, cst.Tuple) and not any(
                isinstance(el, cst.StarredElement) for el in node.elements):
            return tup(*(self._ev(el.value, sc) for el in node.elements))
        if isinstance(node, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            parts = [flatten(self._ev(el.value, sc)) for el in node.elements]
            return _collect(parts)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self._comprehension(node, sc)
        if isinstance(node, cst.FormattedString):
            return self._fstring(node, sc)
        if isinstance(node, cst.NamedExpr):
            t = self._ev(node.value, sc)
            self._bind(node.target, t, sc)
            return t
        if isinstance(node, cst.Yield):
            if node.value is not None and not isinstance(node.value, cst.From):
                sc.returns.append((node, self._ev(node.value, sc)))
            return EMPTY
        if isinstance(node, cst.StarredElement):
            return self._ev(node.value, sc)
        return EMPTY

    def _lookup(self, node: cst.Name, sc: _Scope) -> Taint:
        name = node.value
        if name in sc.env:
            return sc.env[name]
        if name in self.globals:
            return self.globals[name]
        q = self.rule.qualified_name(node)
        if q in ("flask.request", "quart.request", "bottle.request", "sanic.request"):
            return INPUT
        return EMPTY

    def _blocks_source(self, receiver: cst.BaseExpression, receiver_taint: Taint) -> bool:
        """Fields of request input (an echoed client vector), of imported names
        (``openai.embeddings``) and of ``self`` (layers such as ``self.embeddings``) are no
        source."""
        if self.rule.dotted_name(receiver) in ("self", "cls"):
            return True
        if self.rule.qualified_name(receiver) is not None:
            return True
        return is_input(receiver_taint)

    def _attribute(self, node: cst.Attribute, sc: _Scope) -> Taint:
        dotted = self.rule.dotted_name(node)
        if dotted and dotted in sc.env:
            return sc.env[dotted]
        name = node.attr.value
        base = self._ev(node.value, sc)
        t = attr(base, name)
        if exposed(t):
            return t
        if name in ATTR_401 and not self._blocks_source(node.value, base):
            t = union(t, frozenset({("401", ATTR_401[name], f".{name}")}))
        elif name in ATTR_402 and not self._blocks_source(node.value, base):
            t = union(t, frozenset({("402", "vec", f".{name}")}))
        return t

    def _subscript(self, node: cst.Subscript, sc: _Scope) -> Taint:
        base = self._ev(node.value, sc)
        key: object = None
        literal = False
        picked = False
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            idx = node.slice[0].slice.value
            self._ev(idx, sc)
            literal, key = literal_value(idx)
            # probs[pred] outside a loop picks the score of one class (the top-1 in practice);
            # probs[i] inside a loop or comprehension walks the vector
            picked = not literal and not sc.loops and isinstance(
                idx, (cst.Name, cst.Attribute, cst.Call))
        t = subscript(base, key, literal)
        if picked and not has_tup(base):
            t = reduce_one(t) | frozenset(lb for lb in t if lb[0] not in ("401", "p401"))
        if literal and isinstance(key, str) and not self._blocks_source(node.value, base):
            if key in KEY_401:
                t = union(t, frozenset({("401", "vec", f'["{key}"]')}))
            elif key in KEY_402:
                t = union(t, frozenset({("402", "vec", f'["{key}"]')}))
        return t

    def _fstring(self, node: cst.FormattedString, sc: _Scope) -> Taint:
        parts = []
        for p in node.parts:
            if isinstance(p, cst.FormattedStringExpression):
                t = self._ev(p.expression, sc)
                spec = "".join(x.value for x in (p.format_spec or ())
                               if isinstance(x, cst.FormattedStringText))
                if spec and _spec_coarse(spec, _scaled(p.expression)):
                    continue
                parts.append(flatten(t))
        return union(*parts)

    def _percent_format(self, node: cst.BinaryOperation, sc: _Scope) -> Taint:
        ok, fmt = literal_value(node.left)
        t = self._ev(node.right, sc)
        values = ([el.value for el in node.right.elements]
                  if isinstance(node.right, cst.Tuple) else [node.right])
        extra = max((_scaled(v) for v in values), default=0)
        if ok and isinstance(fmt, str):
            specs = [m for m in _PCT_SPEC.finditer(fmt) if m.group(2) != "%"]
            if specs and all((m.group(2) in "diouxXc" and extra <= MAX_DECIMALS) or (
                    m.group(1) is not None and int(m.group(1)) + extra <= MAX_DECIMALS
                    and m.group(2) in "fFeEgG") for m in specs):
                return EMPTY
        return flatten(t)

    def _comprehension(self, node: cst.CSTNode, sc: _Scope) -> Taint:
        saved = dict(sc.env)
        saved_loops = list(sc.loops)
        for_in = node.for_in
        iters = []
        while for_in is not None:
            it = self._ev(for_in.iter, sc)
            iters.append(it)
            sc.loops.append(it)
            self._bind(for_in.target, self._iter_elem(it), sc)
            for cond in for_in.ifs:
                self._ev(cond.test, sc)
            for_in = for_in.inner_for_in
        if isinstance(node, cst.DictComp):
            t = flatten(self._ev(node.value, sc))
        else:
            t = flatten(self._ev(node.elt, sc))
        sc.env = saved
        sc.loops = saved_loops
        if isinstance(node, cst.DictComp) or any(has_vector(x) for x in iters):
            t = upgrade(t)
        return t

    # calls
    def _args(self, call: cst.Call, sc: _Scope) -> list[Taint]:
        return [self._ev(a.value, sc) for a in call.args]

    def _call(self, call: cst.Call, sc: _Scope) -> Taint:
        func = call.func
        arg_taints = self._args(call, sc)
        args_all = union(*(flatten(t) for t in arg_taints))
        q = self.rule.qualified_name(func)
        dotted = self.rule.dotted_name(func)
        last = dotted.rsplit(".", 1)[-1] if dotted else (
            func.attr.value if isinstance(func, cst.Attribute) else "")

        # 1. softmax / sigmoid by name: a local ``def softmax`` is a softmax too
        if last in SOFTMAX_NAMES:
            return frozenset({("401", "vec", last)})
        # 2. similarities of embeddings (cos_sim, cdist, a helper named cosine_similarity) are
        #    scores over documents, not vectors of the embedding space
        if _similarity_name(last) or q in SIMILARITY_CALLS:
            return _drop_embeddings(args_all)
        # 3. functions and methods of this file; a helper named for what it computes
        #    (``mean_pooling``, ``get_embeddings``) counts even when its body hides it
        local = self._local_callee(func, sc)
        if local is not None:
            t = self._apply(local, call, arg_taints, sc, is_method=isinstance(func, cst.Attribute))
            return t or self._named_source(last)
        if last in EXECUTORS:
            pos = [a for a in call.args if a.keyword is None and not a.star]
            i = EXECUTORS[last]
            if len(pos) > i:
                target = self._resolve_ref(pos[i].value, sc.fi, sc.fi.cls if sc.fi else None)
                if target is not None:
                    rest = [self._ev(a.value, sc) for a in pos[i + 1:]]
                    return self._apply_positional(target, rest)
            return EMPTY

        # 4. streamlit display calls
        if self.streamlit and self._is_st_sink(func):
            self._sink(call, args_all, sc)
            return EMPTY

        # 5. other sources
        src = self._source(call, func, q, last, sc, arg_taints)
        if src is not None:
            return src

        # 6. methods of a tainted receiver, container mutation, string formatting
        if isinstance(func, cst.Attribute):
            recv_t = self._ev(func.value, sc)
            name = func.attr.value
            if recv_t:
                return self._method_on(recv_t, name, call, arg_taints, sc)
            if name in MUTATORS:
                self._mutate(func.value, args_all, sc)
                return EMPTY
            if name == "format" and isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString)):
                extra = max((_scaled(a.value) for a in call.args), default=0)
                return self._brace_format(func.value, args_all, extra)
            if name == "join":
                return args_all
            if name == "get":
                return EMPTY

        # 7. library functions: coarsening, reducing, passing through
        qn = q or (f"builtins.{dotted}" if dotted and "." not in dotted else "")
        if qn in ROUND_CALLS:
            return self._round(call, arg_taints)
        if qn in COARSEN_CALLS or dotted in SAFE_BUILTINS:
            return EMPTY
        if dotted in ("float", "max", "min", "statistics.mean") or qn in REDUCE_CALLS:
            if qn in ("torch.max", "torch.min") and self._has_dim(call, 2):
                return tup(reduce_one(self._first(arg_taints)), EMPTY)
            return reduce_one(args_all)
        if qn in TOPK_CALLS:
            return tup(self._topk_kind(call, self._first(arg_taints), 1), EMPTY)
        if dotted == "zip":
            return seq(*(iterate(t) for t in arg_taints))
        if dotted == "enumerate":
            return seq(EMPTY, iterate(self._first(arg_taints)))
        if dotted in ("list", "tuple", "sorted", "reversed", "iter") and len(arg_taints) >= 1:
            return arg_taints[0]
        if dotted == "next":
            return iterate(self._first(arg_taints))
        if dotted in PASS_BUILTINS or last in PASS_NAMES:
            return args_all
        if q in PRODUCT_CALLS and len(arg_taints) >= 2 and _is_embedding(arg_taints[0]) \
                and _is_embedding(arg_taints[1]):
            return _drop_embeddings(args_all)
        if q and q.startswith(ARRAY_MODULES):
            return args_all
        if last[:1].isupper():
            if last.endswith(("Exception", "Error", "Warning")):
                return EMPTY
            return args_all
        return self._named_source(last)

    @staticmethod
    def _named_source(name: str) -> Taint:
        """A function of another module whose name says what it returns (``extract_logprobs``,
        ``get_embeddings``, ``mean_pooling``): its result is taken at its word. The head noun,
        the last word, decides (``get_proba_output_names`` returns names)."""
        parts = [p for p in name.lower().split("_") if p]
        if not parts:
            return EMPTY
        head = parts[-1]
        if head in {"logprobs", "logprob", "logits", "probs", "probabilities", "proba", "probas",
                    "softmax"}:
            return frozenset({("401", "vec", f"{name}()")})
        if head in {"embedding", "embeddings", "embeds"} or (
                parts[0] in ("embed", "aembed") and head not in NOT_EMBEDDED):
            return frozenset({("402", "vec", f"{name}()")})
        if head in {"pool", "pooling", "pooled"} and set(parts) & {
                "mean", "cls", "max", "average", "avg", "last", "token", "weighted", "attention"}:
            return frozenset({("402", "vec", f"{name}()")})
        return EMPTY

    def _local_callee(self, func: cst.BaseExpression, sc: _Scope) -> FuncInfo | None:
        if isinstance(func, cst.Name):
            if func.value in sc.env:  # a local variable holding a callable
                return None
            return self._func_named(func.value, sc.fi)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and \
                func.value.value in ("self", "cls") and sc.fi is not None and sc.fi.cls is not None:
            return self._method(sc.fi.cls, func.attr.value)
        return None

    def _apply(self, fi: FuncInfo, call: cst.Call, arg_taints: list[Taint], sc: _Scope,
               is_method: bool) -> Taint:
        params = list(fi.params)
        if is_method and params[:1] in (["self"], ["cls"]):
            params = params[1:]
        bindings: dict[str, Taint] = {}
        pos_i = 0
        for a, t in zip(call.args, arg_taints):
            if a.keyword is not None:
                bindings[a.keyword.value] = t
            elif not a.star and pos_i < len(params):
                bindings[params[pos_i]] = t
                pos_i += 1
        s = self._summary(fi)
        if s.sink_params:
            leaked = union(*(bindings.get(p, EMPTY) for p in s.sink_params))
            self._sink(call, leaked, sc)
        return substitute(s.ret, bindings)

    def _apply_positional(self, fi: FuncInfo, taints: list[Taint]) -> Taint:
        s = self._summary(fi)
        return substitute(s.ret, dict(zip(fi.params, taints)))

    def _sink(self, call: cst.Call, t: Taint, sc: _Scope) -> None:
        if sc.mode == "summary":
            sc.sink_params.update(lb[1] for lb in flatten(t) if lb[0] == "param")
        concrete = frozenset(lb for lb in flatten(t) if lb[0] != "param")
        if concrete:
            self._report(call, concrete, None, where="Streamlit app")

    def _is_st_sink(self, func: cst.BaseExpression) -> bool:
        if not isinstance(func, cst.Attribute) or func.attr.value not in STREAMLIT_SINKS:
            return False
        q = self.rule.qualified_name(func) or ""
        if q.startswith("streamlit."):
            return True
        recv = self.rule.dotted_name(func.value)
        if recv is not None and self.col.types.get(recv) == "st":
            return True
        return isinstance(func.value, cst.Call) and self.col.object_type(func.value) == "st"

    def _source(self, call: cst.Call, func: cst.BaseExpression, q: str | None, last: str,
                sc: _Scope, arg_taints: list[Taint]) -> Taint | None:
        """The taint a call creates, or None when it is no source (softmax-like calls are
        decided before, as they win over a local definition)."""
        m = func.attr.value if isinstance(func, cst.Attribute) else None
        if m in PROBA_METHODS:
            return frozenset({("401", "vec", PROBA_METHODS[m])})
        if isinstance(func, cst.Call):  # nn.Softmax(dim=1)(logits), pipeline(...)(text)
            inner = self.rule.qualified_name(func.func) or self.rule.dotted_name(func.func) or ""
            if inner.rsplit(".", 1)[-1] in SOFTMAX_MODULES:
                return frozenset({("401", "vec", inner.rsplit(".", 1)[-1])})
            kind = self.col.object_type(func)
            return self._typed_call(kind, call) if kind else None
        dotted = self.rule.dotted_name(func) or ""
        ftype = self.col.types.get(dotted) if dotted else None
        if ftype is not None and ftype.startswith("pipe"):
            return self._typed_call(ftype, call)
        if isinstance(func, cst.Attribute):
            recv = self.rule.dotted_name(func.value) or ""
            recv_type = self.col.types.get(recv)
            if isinstance(func.value, cst.Call):
                recv_type = self.col.object_type(func.value) or recv_type
            if m in ENCODER_METHODS and self._is_encoder(func.value, recv, recv_type):
                return frozenset({("402", "vec", f"{_tail(recv) or 'encoder'}.{m}")})
            if m in EMBED_METHODS:
                return frozenset({("402", "vec", m)})
            if m == "embed" and not self._receiver_is_module(func.value, ("discord",)):
                return frozenset({("c402", "embed")})
            if m == "predict" and recv_type == "keras":
                return frozenset({("401", "vec", "Keras model.predict")})
            if m == "generate" and any(self.rule.kwarg_is(call, k, True)
                                       for k in ("output_scores", "output_logits")):
                return frozenset({("g401", "generate(output_scores=True)")})
        if dotted.endswith(("embeddings.create", "Embedding.create", "embeddings.acreate")) or \
                (q or "") in ("ollama.embeddings", "ollama.embed") or last == "embed_content" or \
                (m == "embeddings" and self.rule.dotted_name(func.value) not in ("self", "cls")):
            return frozenset({("c402", ".".join(dotted.split(".")[-2:]) or "embeddings API")})
        if q in ("deepface.DeepFace.represent", "deepface.modules.representation.represent"):
            return frozenset({("c402", "DeepFace.represent")})
        if q in ("face_recognition.face_encodings", "face_recognition.api.face_encodings"):
            return frozenset({("402", "vec", "face_recognition.face_encodings")})
        if m is not None and not m[:1].isupper():
            lp = self.rule.kwarg(call, "logprobs")
            tl = self.rule.kwarg(call, "top_logprobs")
            for a in (lp, tl):
                if a is None:
                    continue
                ok, v = literal_value(a.value)
                if not ok or (v not in (None, False, 0)):
                    return frozenset({("c401", f"{m}(logprobs=...)")})
        return None

    def _typed_call(self, kind: str, call: cst.Call) -> Taint | None:
        if kind == "pipe402":
            return frozenset({("402", "vec", "feature-extraction pipeline")})
        if kind.startswith("pipe401"):
            _, scores, task = kind.split(":", 2)
            vec = scores == "vec" or _all_scores(call)
            return frozenset({("p401", "vec" if vec else "one", f'pipeline("{task}")')})
        if kind == "encoder":
            return None
        return None

    def _is_encoder(self, receiver: cst.BaseExpression, recv: str, recv_type: str | None) -> bool:
        if recv_type == "encoder":
            return True
        if isinstance(receiver, cst.Call) and self.col.object_type(receiver) == "encoder":
            return True
        if not self.encoder_lib or not recv:
            return False
        tail = _tail(recv)
        return bool(ENCODER_RECEIVER.search(tail)) and "tok" not in tail.lower()

    def _receiver_is_module(self, receiver: cst.BaseExpression, mods: tuple[str, ...]) -> bool:
        q = self.rule.qualified_name(receiver) or ""
        return q.startswith(mods)

    def _method_on(self, recv_t: Taint, name: str, call: cst.Call, arg_taints: list[Taint],
                   sc: _Scope) -> Taint:
        if name in ("item",):
            return reduce_one(recv_t)
        if name in ("max", "min", "amax", "amin") and not has_tup(recv_t):
            if self._has_dim(call, 1) and self.rule.kwarg(call, "axis") is None:
                return tup(reduce_one(recv_t), EMPTY)
            return reduce_one(recv_t)
        if name == "topk" or name == "sort":
            return tup(self._topk_kind(call, recv_t, 0), EMPTY)
        if name == "round":
            return self._round_method(call, recv_t)
        if name == "get":
            pos = [a for a in call.args if a.keyword is None]
            if pos:
                ok, key = literal_value(pos[0].value)
                return subscript(recv_t, key, ok)
            return EMPTY
        if name in MUTATORS:
            self._mutate(call.func.value, union(*(flatten(t) for t in arg_taints)), sc)  # type: ignore[attr-defined]
            return EMPTY
        return method(recv_t, name)

    @staticmethod
    def _has_dim(call: cst.Call, min_positional: int) -> bool:
        """``torch.max(x, 1)`` / ``x.max(dim=1)``: a (values, indices) pair, not a scalar."""
        if any(a.keyword is not None and a.keyword.value == "dim" for a in call.args):
            return True
        return len([a for a in call.args if a.keyword is None and not a.star]) >= min_positional

    def _topk_kind(self, call: cst.Call, t: Taint, k_pos: int) -> Taint:
        k = self.rule.kwarg(call, "k")
        if k is None:
            pos = [a for a in call.args if a.keyword is None]
            k = pos[k_pos] if len(pos) > k_pos else None
        if k is not None:
            ok, v = literal_value(k.value)
            if ok and v == 1:
                return reduce_one(t)
        return flatten(t)

    @staticmethod
    def _first(arg_taints: list[Taint]) -> Taint:
        return arg_taints[0] if arg_taints else EMPTY

    def _decimals_ok(self, call: cst.Call, position: int, extra: int) -> bool:
        """Whether the ndigits/decimals argument rounds to at most MAX_DECIMALS (counting the
        ``extra`` decimals of a ``p * 100`` being rounded)."""
        a = self.rule.kwarg(call, "decimals") or self.rule.kwarg(call, "ndigits")
        if a is None:
            pos = [x for x in call.args if x.keyword is None]
            if len(pos) <= position:
                return extra <= MAX_DECIMALS  # round(x) -> integer
            a = pos[position]
        ok, v = literal_value(a.value)
        return ok and isinstance(v, int) and v + extra <= MAX_DECIMALS

    def _round(self, call: cst.Call, arg_taints: list[Taint]) -> Taint:
        extra = _scaled(call.args[0].value) if call.args else 0
        return EMPTY if self._decimals_ok(call, 1, extra) else flatten(self._first(arg_taints))

    def _round_method(self, call: cst.Call, recv_t: Taint) -> Taint:
        extra = _scaled(call.func.value) if isinstance(call.func, cst.Attribute) else 0
        return EMPTY if self._decimals_ok(call, 0, extra) else flatten(recv_t)

    def _brace_format(self, fmt_node: cst.BaseExpression, args: Taint, extra: int) -> Taint:
        ok, fmt = literal_value(fmt_node)
        if ok and isinstance(fmt, str):
            specs = [m.group(1) or "" for m in _BRACE_SPEC.finditer(fmt)]
            if specs and all(_spec_coarse(s, extra) for s in specs):
                return EMPTY
        return args


def _similarity_name(name: str) -> bool:
    parts = set(name.lower().split("_")) - {""}
    return bool(parts & {"similarity", "similarities", "sim", "sims", "distance", "distances",
                         "cdist", "cossim"}) or name in ("cos_sim", "dot_score", "pairwise_cos_sim")


def _is_embedding(t: Taint) -> bool:
    return any(lb[0] in ("402", "c402") for lb in flatten(t))


def _drop_embeddings(t: Taint) -> Taint:
    return frozenset(lb for lb in flatten(t) if lb[0] not in ("402", "c402"))


def _self_calls(node: cst.CSTNode) -> set[str]:
    """Names of the methods a class calls on itself (``self.preprocess(x)``)."""
    names: set[str] = set()

    def on_call(call: cst.Call) -> None:
        f = call.func
        if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value == "self":
            names.add(f.attr.value)

    fast_walk(node, {"Call": [on_call]}, {})
    return names


def _collect(parts: list[Taint]) -> Taint:
    """A literal list or dict: two or more single scores in it (``{"cat": float(p[0]),
    "dog": float(p[1])}``) are the score vector, spelled out."""
    t = union(*parts)
    singles = sum(1 for p in parts if any(lb[0] == "401" and lb[1] == "one" for lb in p))
    return upgrade(t) if singles >= 2 else t


def _fn(name: str | None) -> str:
    return f" `{name}`" if name and name != "<lambda>" else ""


def _tail(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1] if dotted else ""


def _safe_name(name: str) -> bool:
    """Whether an unpacking target is named as a label or an index (``pred``, ``top_class``,
    ``logprob_token_ids``): the head noun, the last word, decides."""
    parts = [p for p in re.split(r"[_\W]+", _tail(name).lower()) if p]
    return bool(parts) and parts[-1] in SAFE_NAME_PARTS


# --- the rules -------------------------------------------------------------------------------

_NEEDS = ("fastapi", "flask", "Flask", "django", "rest_framework", "gradio", "streamlit",
          "bentoml", "ray.serve", "ray import serve", "serve.deployment", "kserve", "kfserving",
          "starlette", "quart", "sanic", "aiohttp", "litestar", "ninja", "litserve",
          "ts.torch_handler", "triton_python_backend_utils", "mlflow.pyfunc", "bottle")
_SOURCE_WORDS = re.compile(
    r"proba|softmax|sigmoid|expit|logit|logprob|topk|top_k|scores|encode|embed|hidden_state|"
    r"pooler|features|predict|pipeline|probs|probabilit|represent|face_encodings|Softmax|"
    r"Sigmoid")


# The packages a handler hangs off (step 1): a route, view, event or model class is recognised
# through an import of one of them (``is_imported``, qualified names) or, for class bases and
# decorators, a dotted name that starts with one; Streamlit sinks need streamlit imported. Each
# puts the names of its dotted path among the file's identifiers (``Summary.names``): the
# package's first name, and its other parts where the rule only knows a subpackage (a local
# ``ts`` or a ``ray`` cluster is not TorchServe or Ray Serve).
_SERVING_PATHS = tuple(sorted({tuple(m.split(".")) for m in (
    *WEB_FRAMEWORKS, *DJANGO_VIEW_BASES, "streamlit", "kserve", "kfserving", "ts.torch_handler",
    "litserve", "mlflow.pyfunc", "triton_python_backend_utils", "robyn", "litestar", "sanic")}))
_PREFIX_HEADS = tuple(b for b in DJANGO_VIEW_BASES if "." not in b)  # "ninja" is a prefix test


class _ServingRule(CodeRule):
    """Shared by AIP401 and AIP402 (no rule id of its own, so it is not a rule). The first of
    the two instances created for a file records the file's structure during the traversal;
    whichever reaches the end of the module first runs the analysis, the other reuses it."""

    @classmethod
    def gate(cls, summary) -> bool:
        """No finding without a handler or a Streamlit sink, and none of those without one of
        the serving packages among the file's names (see ``_SERVING_PATHS``)."""
        names = summary.names
        return any(all(part in names for part in path) for path in _SERVING_PATHS) or any(
            n.startswith(_PREFIX_HEADS) for n in names)

    def __init__(self, runner) -> None:
        super().__init__(runner)
        shared = getattr(runner, "_aiprivlint_serving", None)
        self._owner = shared is None
        if shared is None:
            shared = runner._aiprivlint_serving = {"collector": _Collector(self), "results": None}
        self._shared = shared
        self._col: _Collector | None = shared["collector"] if self._owner else None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self._col is not None:
            self._col.visit_ClassDef(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        if self._col is not None:
            self._col.leave_ClassDef(original_node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._col is not None:
            self._col.visit_FunctionDef(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        if self._col is not None:
            self._col.leave_FunctionDef(original_node)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if self._col is not None:
            self._col.visit_Lambda(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._col is not None:
            self._col.visit_Assign(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self._col is not None:
            self._col.visit_AnnAssign(node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self._col is not None:
            self._col.visit_WithItem(node)

    def visit_Call(self, node: cst.Call) -> None:
        if self._col is not None:
            self._col.visit_Call(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        results = self._shared["results"]
        if results is None:
            results = []
            # the file's text (raw JSON for a notebook: a superset of its code), not
            # Module.code, which would regenerate the source
            if _SOURCE_WORDS.search(self._run.ctx.text):
                results = _Analysis(self, original_node, self._shared["collector"]).run()
            self._shared["results"] = results
        for r in results:
            if r.rule == self.rule_id:
                self.report(r.node, r.message, details=r.details, severity=r.severity)


class ConfidenceScoresExposed(_ServingRule):
    rule_id = "AIP401"
    needs = _NEEDS

    VALID = [
        # only the label leaves
        "from fastapi import FastAPI\nimport torch\napp = FastAPI()\n"
        "@app.post('/classify')\ndef classify(req):\n"
        "    probs = torch.softmax(model(req.x), dim=-1)\n"
        "    return {'label': labels[int(probs.argmax())]}",
        # coarsened score
        "from flask import Flask, jsonify\napp = Flask(__name__)\n"
        "@app.route('/p', methods=['POST'])\ndef p():\n"
        "    proba = clf.predict_proba(X)[0]\n"
        "    return jsonify(label=int(proba.argmax()), confidence=round(float(proba.max()), 1))",
        # thresholded
        "from fastapi import APIRouter\nrouter = APIRouter()\n@router.post('/spam')\n"
        "async def spam(body):\n    p = clf.predict_proba([body.text])[0][1]\n"
        "    return {'spam': bool(p > 0.5)}",
        # not a handler
        "import torch\ndef evaluate(x):\n    return torch.softmax(model(x), -1)",
        # Streamlit, formatted as a percentage without decimals
        "import streamlit as st\nprobs = clf.predict_proba(X)[0]\n"
        "st.write(f'Confidence: {probs.max():.0%}')",
        # KServe: postprocess receives predict's probabilities and keeps only the class
        "import numpy as np\nfrom kserve import Model\nclass M(Model):\n"
        "    def predict(self, payload, headers=None):\n"
        "        return self.clf.predict_proba(payload['instances'])\n"
        "    def postprocess(self, result, headers=None):\n"
        "        return {'predictions': [int(np.argmax(p)) for p in result]}",
        # top-k class names, not their scores
        "from fastapi import FastAPI\nimport torch\napp = FastAPI()\n@app.post('/top')\n"
        "def top(req):\n    _, idx = torch.topk(model(req.x).softmax(-1), k=3)\n"
        "    return [labels[i] for i in idx.tolist()]",
        # a same-named .click on something that is not a Gradio component
        "import json\nimport gradio as gr\ndef f(x):\n    return clf.predict_proba(x)\n"
        "json.load(f)",
    ]
    INVALID = [
        "from fastapi import FastAPI\nimport torch.nn.functional as F\napp = FastAPI()\n"
        "@app.post('/classify')\ndef classify(req):\n"
        "    logits = model(**tok(req.text, return_tensors='pt')).logits\n"
        "    return {'probs': F.softmax(logits, dim=-1).tolist()}",
        "from flask import Flask, jsonify\napp = Flask(__name__)\n"
        "@app.route('/predict', methods=['POST'])\ndef predict():\n"
        "    proba = clf.predict_proba(X)[0]\n"
        "    return jsonify({c: float(p) for c, p in zip(clf.classes_, proba)})",
        "import gradio as gr\nimport torch\ndef predict(img):\n"
        "    prediction = torch.nn.functional.softmax(model(img)[0], dim=0)\n"
        "    return {labels[i]: float(prediction[i]) for i in range(1000)}\n"
        "gr.Interface(fn=predict, inputs='image', outputs=gr.Label(num_top_classes=3)).launch()",
        "from fastapi import FastAPI\napp = FastAPI()\n@app.post('/chat')\nasync def chat(q):\n"
        "    r = client.chat.completions.create(model='gpt-4o', messages=q.messages, logprobs=True,"
        " top_logprobs=5)\n    return r.choices[0].logprobs",
        "import streamlit as st\nprobs = model.predict_proba(X)\nst.dataframe(probs)",
        "from rest_framework.decorators import api_view\nfrom rest_framework.response import Response\n"
        "@api_view(['POST'])\ndef predict(request):\n"
        "    p = clf.predict_proba([request.data['x']])[0]\n"
        "    return Response({'label': int(p.argmax()), 'confidence': float(p.max())})",
        "from kserve import Model\nclass M(Model):\n"
        "    def predict(self, payload, headers=None):\n"
        "        return {'predictions': self.clf.predict_proba(payload['instances']).tolist()}",
    ]


class EmbeddingsExposed(_ServingRule):
    rule_id = "AIP402"
    needs = _NEEDS

    VALID = [
        # ids of nearest neighbours instead of vectors
        "from fastapi import FastAPI\nfrom sentence_transformers import SentenceTransformer\n"
        "app = FastAPI()\nmodel = SentenceTransformer('all-MiniLM-L6-v2')\n"
        "@app.post('/search')\ndef search(q):\n    v = model.encode(q.text)\n"
        "    return {'ids': index.search(v, 5)}",
        # tokenizer.encode is not an embedding
        "from fastapi import FastAPI\napp = FastAPI()\n@app.post('/tok')\ndef tok(q):\n"
        "    return {'ids': tokenizer.encode(q.text)}",
        # str.encode with an embedding library imported
        "from flask import Flask\nfrom sentence_transformers import SentenceTransformer\n"
        "app = Flask(__name__)\n@app.route('/x')\ndef x():\n    return text.encode('utf-8')",
        # similarities of embeddings are scores over documents, not vectors
        "from fastapi import FastAPI\nfrom sentence_transformers import SentenceTransformer, util\n"
        "app = FastAPI()\nm = SentenceTransformer('all-MiniLM-L6-v2')\n@app.post('/sim')\n"
        "def sim(req):\n    a, b = m.encode(req.a), m.encode(req.b)\n"
        "    return {'similarity': util.cos_sim(a, b).item()}",
        # the client's own vector echoed back is no leak of the model
        "from flask import Flask, jsonify, request\napp = Flask(__name__)\n"
        "@app.route('/store', methods=['POST'])\ndef store():\n"
        "    return jsonify(saved=request.get_json()['embedding'])",
    ]
    INVALID = [
        "from fastapi import FastAPI\nfrom sentence_transformers import SentenceTransformer\n"
        "app = FastAPI()\nmodel = SentenceTransformer('all-MiniLM-L6-v2')\n"
        "@app.post('/search')\ndef search(q):\n    v = model.encode(q.text)\n"
        "    return {'ids': index.search(v, 5), 'vector': v.tolist()}",
        "from flask import Flask, jsonify\nfrom openai import OpenAI\napp = Flask(__name__)\n"
        "client = OpenAI()\n@app.route('/embed', methods=['POST'])\ndef embed():\n"
        "    r = client.embeddings.create(model='text-embedding-3-small', input='x')\n"
        "    return jsonify(r.data[0].embedding)",
        "import gradio as gr\nfrom langchain_openai import OpenAIEmbeddings\n"
        "emb = OpenAIEmbeddings()\n"
        "gr.Interface(fn=lambda t: emb.embed_query(t), inputs='text', outputs='json').launch()",
        "from fastapi import FastAPI\napp = FastAPI()\n@app.post('/features')\ndef f(req):\n"
        "    out = model(**tok(req.text, return_tensors='pt'))\n"
        "    return out.last_hidden_state.mean(dim=1).tolist()",
        "import bentoml\nfrom sentence_transformers import SentenceTransformer\n"
        "@bentoml.service\nclass Embedder:\n    def __init__(self):\n"
        "        self.model = SentenceTransformer('all-MiniLM-L6-v2')\n"
        "    @bentoml.api\n    def encode(self, texts: list[str]):\n"
        "        return self.model.encode(texts)",
    ]
