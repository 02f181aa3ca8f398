"""Models in the code: generation, confidence scores and embeddings, and what coarsens them.

* **Generation.** ``.generate`` / ``.chat`` of a model (``AutoModelForCausalLM.from_pretrained``,
  vLLM ``LLM``, a receiver named ``model``/``llm``/``policy``... in a file that imports
  transformers, torch ...), ``tokenizer.decode`` / ``batch_decode`` (the text of whatever the
  ids were: a prompt's ids decode to the prompt, ids of unknown origin are generated tokens), a
  ``transformers.pipeline`` of a text task: model output (``model-output``).
* **Scores** (``score``, ``vec`` or ``one``): ``predict_proba``, softmax / sigmoid (functions,
  methods and ``nn.Softmax`` modules, a local ``def softmax``), ``.logits``, ``.logprobs`` /
  ``top_logprobs``, ``torch.topk`` values, ``generate(..., output_scores=True).scores``, Keras
  ``predict``, classification pipelines (``pipeline-scores``: ``["score"]`` is a score,
  ``["label"]`` is not).
* **Embeddings** (``embedding``): ``SentenceTransformer.encode``, ``embed_query`` /
  ``embed_documents``, ``client.embeddings.create(...).data[0].embedding``,
  ``last_hidden_state``, ``pooler_output``, ``get_text_features``, feature-extraction
  pipelines, face encodings; a function named for what it returns (``get_embeddings``,
  ``mean_pooling``, ``extract_logprobs``) is taken at its word.
* **What clears them**: ``argmax`` / label lookups, comparisons, ``int()``, bucketing
  (``np.digitize``, ``pd.cut``), rounding or formatting to at most two decimals (``round(p, 2)``,
  ``f"{p:.1f}"``, ``f"{p:.0%}"``); similarities of embeddings (``util.cos_sim``, ``a @ b.T``)
  are scores over documents, not vectors. A scalar taken from a vector (``float(p.max())``,
  ``p[pred]`` outside a loop, ``.item()``) is one score; scores collected in a loop or spelled
  out in a literal (``{"cat": float(p[0]), "dog": float(p[1])}``) are a vector again.
"""

from __future__ import annotations

import re

from ..flow.model import CallSite, Kind, Model
from ..flow.values import CLEAN, EMPTY, Label, Obj, Val, flat, is_literal, limit, obj
from .llm import response_attr
from .kinds import (EMBEDDING, EMBEDDING_RESPONSE, FILE, GENERATE_SCORES, OUTPUT, PERSONAL,
                    PIPELINE_SCORES, PROMPT, REQUEST_INPUT, SCORE, SCORES_RESPONSE, USER)

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
TEXT_TASKS = {"text-generation", "text2text-generation", "summarization", "translation",
              "conversational", "image-to-text", "automatic-speech-recognition",
              "document-question-answering", "visual-question-answering", "image-text-to-text"}
NON_TEXT_TASKS = {
    "text-classification", "sentiment-analysis", "zero-shot-classification",
    "image-classification", "zero-shot-image-classification", "audio-classification",
    "video-classification", "object-detection", "zero-shot-object-detection",
    "image-segmentation", "depth-estimation", "feature-extraction", "image-feature-extraction",
    "mask-generation", "image-to-image", "text-to-audio", "text-to-speech",
}

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
DROP_ATTRS = {"shape", "dtype", "device", "ndim", "size", "indices", "is_cuda", "requires_grad",
              "label", "labels", "label_ids", "id2label", "config", "name", "id", "model",
              "usage", "object", "created", "text", "content", "message", "sequences",
              "generated_text", "finish_reason", "index", "role", "token_ids", "tokens"}
TEXT_KEYS = {"label", "labels", "label_id", "class", "class_name", "class_id", "category",
             "prediction", "predicted_class", "predicted_label", "pred", "word", "entity",
             "entity_group", "answer", "sequence", "token_str", "token", "text", "generated_text",
             "id", "ids", "start", "end", "box", "name"}
SAFE_METHODS = {"argmax", "argmin", "argsort", "nonzero", "keys", "index", "count", "gt", "ge",
                "lt", "le", "eq", "ne", "bool", "int", "long", "numel", "dim", "size", "isnan",
                "isinf", "any", "all", "sign", "floor", "ceil", "trunc", "isfinite", "nelement",
                "startswith", "endswith", "lower", "upper", "strip", "split", "__len__",
                "__contains__"}
CONTAINER_KEEP = {"model_dump", "dict", "to_dict", "json", "model_dump_json", "copy", "items",
                  "values", "to_json", "tolist", "__iter__"}
LOGPROB_NAMES = {"logprobs", "top_logprobs", "prompt_logprobs", "logprob", "cumulative_logprob",
                 "token_logprobs"}
COARSEN_CALLS = {"numpy.digitize", "numpy.searchsorted", "pandas.cut", "pandas.qcut",
                 "numpy.floor", "numpy.ceil", "math.floor", "math.ceil", "numpy.sign",
                 "torch.bucketize", "numpy.rint", "torch.floor", "torch.ceil",
                 "numpy.argmax", "numpy.argmin", "numpy.argsort", "torch.argmax",
                 "torch.argmin", "torch.argsort", "tensorflow.argmax", "tensorflow.math.argmax",
                 "jax.numpy.argmax", "numpy.nanargmax", "numpy.isclose", "numpy.allclose",
                 "torch.isclose", "numpy.count_nonzero", "numpy.unique", "numpy.nonzero",
                 "torch.nonzero", "numpy.flatnonzero", "numpy.shape"}
ROUND_CALLS = {"numpy.round", "numpy.around", "numpy.round_", "torch.round"}
REDUCE_CALLS = {"numpy.max", "numpy.amax", "numpy.min", "numpy.amin", "numpy.nanmax",
                "torch.max", "torch.min", "torch.amax", "tensorflow.reduce_max",
                "tensorflow.math.reduce_max", "statistics.mean", "numpy.mean", "numpy.sum",
                "numpy.std", "numpy.median", "torch.mean", "torch.sum", "torch.numel"}
TOPK_CALLS = {"torch.topk", "tensorflow.math.top_k", "tensorflow.nn.top_k", "torch.sort",
              "torch.kthvalue", "jax.lax.top_k"}
SIMILARITY_CALLS = {"sentence_transformers.util.cos_sim", "sentence_transformers.util.dot_score",
                    "sklearn.metrics.pairwise.cosine_similarity", "scipy.spatial.distance.cdist",
                    "scipy.spatial.distance.cosine", "torch.nn.functional.cosine_similarity",
                    "torch.cdist", "faiss.pairwise_distances"}
PRODUCT_CALLS = {"numpy.dot", "numpy.inner", "numpy.matmul", "torch.mm", "torch.matmul",
                 "torch.bmm", "torch.inner", "torch.einsum", "numpy.einsum", "torch.dot"}
ARRAY_MODULES = ("numpy.", "torch.", "tensorflow.", "jax.", "scipy.", "pandas.", "cupy.")
PASS_NAMES = {"jsonify", "make_response", "json_response", "jsonable_encoder", "asdict",
              "b64encode", "urlsafe_b64encode", "render", "render_template",
              "render_template_string", "deepcopy", "cast", "to_json", "dump_json",
              "encode_json", "orjson_dumps", "model_validate", "parse_obj", "dataclass_json",
              "tolist", "from_numpy", "convert_to_tensor", "format_response", "json_serializable",
              "get_predict_response", "map_class_to_label"}
NOT_EMBEDDED = {"html", "video", "url", "layer", "layers", "tokens", "positions", "iframe",
                "widget", "link", "youtube", "map", "plot", "chart", "figure", "font", "fonts",
                "dim", "size"}
MAX_DECIMALS = 2

# generation (model output)
MODEL_GEN_METHODS = {"generate", "chat", "stream_chat", "generate_content"}
DECODE_METHODS = {"decode", "batch_decode", "convert_tokens_to_string", "convert_ids_to_tokens"}
TOKENIZER_PACKAGES = ("transformers", "tokenizers", "trl", "peft", "sentencepiece", "tiktoken",
                      "unsloth", "mlx_lm", "vllm")
MODEL_PACKAGES = ("transformers", "peft", "trl", "unsloth", "optimum", "vllm", "mlx_lm",
                  "auto_gptq", "awq", "llama_cpp", "ctransformers")
ML_MODULES = ("torch", "transformers", "trl", "peft", "accelerate", "deepspeed", "jax", "flax",
              "vllm", "unsloth", "mlx_lm", "tensorflow", "keras")
TOKENIZER_NAME_RE = re.compile(r"(?i)(tokeni[sz]er|processor|processing_class|(^|_)tok)$")
MODEL_NAME_RE = re.compile(
    r"(?i)(^|_)(model|llm|lm|policy|generator|actor|student|teacher|engine|pipe|pipeline)s?$")


# --- label kinds -------------------------------------------------------------------------------
def _score_attr(lb: Label, name: str) -> tuple:
    return () if name in DROP_ATTRS else (lb,)


def _score_key(lb: Label, key) -> tuple:
    return () if isinstance(key, str) and key in TEXT_KEYS else (lb,)


def _score_method(lb: Label, name: str) -> tuple:
    return () if name in SAFE_METHODS else (lb,)


def _spec_coarse(spec: str, moved: int = 0) -> bool:
    """Whether a format spec (``.2f``, ``.0%``, ``d``, ``%.1f``) keeps at most MAX_DECIMALS
    decimals of a probability; ``moved`` counts decimals moved before the point (``p * 100``)."""
    spec = spec.lstrip("%") if spec.startswith("%") else spec
    if re.search(r"[dnxXobiouc]$", spec):
        return moved <= MAX_DECIMALS
    m = re.search(r"\.(\d+)([a-zA-Z%]?)", spec)
    if not m:
        return False
    digits = int(m.group(1)) + (2 if m.group(2) == "%" else 0) + moved
    return digits <= MAX_DECIMALS


def _score_format(lb: Label, spec: str, moved: int) -> tuple:
    return () if _spec_coarse(spec, moved) else (lb,)


def _score_reduce(lb: Label) -> tuple:
    return (Label(SCORE, "one", lb.origin, lb.line),)


def _score_collect(lb: Label) -> tuple:
    return (Label(SCORE, "vec", lb.origin, lb.line),) if lb.tag == "one" else (lb,)


def _drop(lb: Label, *_: object) -> tuple:
    return ()


def _keep(lb: Label, *_: object) -> tuple:
    return (lb,)


def _scores_resp_attr(lb: Label, name: str) -> tuple:
    if name in ("choices", "outputs", "output", "data"):
        return (lb,)
    if name in LOGPROB_NAMES:
        return (Label(SCORE, "vec", lb.origin, lb.line),)
    return ()


def _scores_resp_key(lb: Label, key) -> tuple:
    if not isinstance(key, str) or key in ("choices", "outputs"):
        return (lb,)
    if key in LOGPROB_NAMES:
        return (Label(SCORE, "vec", lb.origin, lb.line),)
    return ()


def _emb_resp_attr(lb: Label, name: str) -> tuple:
    if name == "data":
        return (lb,)
    if name in ("embedding", "embeddings", "values", "float_"):
        return (Label(EMBEDDING, "vec", lb.origin, lb.line),)
    return ()


def _emb_resp_key(lb: Label, key) -> tuple:
    if not isinstance(key, str) or key == "data":
        return (lb,)
    if key in ("embedding", "embeddings"):
        return (Label(EMBEDDING, "vec", lb.origin, lb.line),)
    return ()


def _gen_scores(lb: Label, name) -> tuple:
    if isinstance(name, str) and name in ("scores", "logits", "sequences_scores"):
        return (Label(SCORE, "vec", lb.origin, lb.line),)
    return ()


def _pipe_key(lb: Label, key) -> tuple:
    if isinstance(key, str):
        if key == "score":
            return (Label(SCORE, "one", lb.origin, lb.line),)
        if key == "scores":
            return (Label(SCORE, "vec", lb.origin, lb.line),)
        return ()
    return (lb,)


def _pipe_reduce(lb: Label) -> tuple:
    return (Label(SCORE, "one", lb.origin, lb.line),)


def _container_method(lb: Label, name: str) -> tuple:
    return (lb,) if name in CONTAINER_KEEP else ()


def _text_reduce(lb: Label) -> tuple:
    return ()


KINDS = [
    Kind(SCORE, attr=_score_attr, key=_score_key, method=_score_method, reduce=_score_reduce,
         collect=_score_collect, format=_score_format, pick=True),
    Kind(EMBEDDING, attr=_score_attr, key=_score_key, method=_score_method, reduce=_drop,
         format=_score_format),
    Kind(SCORES_RESPONSE, attr=_scores_resp_attr, key=_scores_resp_key, method=_container_method,
         reduce=_drop),
    Kind(EMBEDDING_RESPONSE, attr=_emb_resp_attr, key=_emb_resp_key, method=_container_method,
         reduce=_drop),
    Kind(GENERATE_SCORES, attr=_gen_scores, key=_gen_scores, method=_container_method,
         reduce=_drop),
    Kind(PIPELINE_SCORES, attr=_drop, key=_pipe_key, method=_container_method,
         reduce=_pipe_reduce, pick=True),
    Kind(REQUEST_INPUT, attr=_score_attr, key=_score_key, method=_score_method),
]


# --- generation ------------------------------------------------------------------------------
def _state(vals: list) -> str:
    if any(flat(v) for v in vals):
        return "labelled"
    if vals and all(is_literal(v) for v in vals):
        return "literal"
    return "unknown"


def output(site: CallSite, api: str, vals: list, extra: set | None = None) -> Val:
    labels = set(extra or ())
    for v in vals:
        labels |= {lb for lb in flat(v) if lb.kind != REQUEST_INPUT}
    labels.add(Label(OUTPUT, api, f"{api}()", site.line, (_state(vals),)))
    return Val(limit(labels), None, Obj("ml.output"))


def _content(site: CallSite, recv: bool = False) -> list:
    vals = [*site.args, *(v for k, v in site.kwargs.items()
                          if k not in ("max_new_tokens", "max_length", "do_sample", "temperature",
                                       "top_p", "top_k", "num_beams", "generation_config",
                                       "pad_token_id", "eos_token_id", "streamer",
                                       "return_dict_in_generate", "output_scores",
                                       "skip_special_tokens", "sampling_params", "use_cache"))]
    if recv and site.recv is not None and site.recv.labels:
        vals.append(Val(site.recv.labels))
    return vals


def _gen(site: CallSite) -> Val:
    vals = _content(site)
    extra = set()
    for k in ("output_scores", "output_logits"):
        ok, v = site.const(k)
        if ok and v is True:
            extra.add(Label(GENERATE_SCORES, "", "generate(output_scores=True)", site.line))
    return output(site, site.dotted or site.name, vals, extra)


def decoded(site: CallSite) -> Val:
    """``tokenizer.decode(ids)``: the text of whatever the ids were; ids of unknown origin are
    taken as generated tokens."""
    ids = [a for a in site.args if a.const() not in (True, False)]
    labels = set()
    for v in ids:
        labels |= {lb for lb in flat(v) if lb.kind != REQUEST_INPUT}
    if any(lb.kind == OUTPUT for lb in labels) or any(lb.kind in (USER, PROMPT, PERSONAL, FILE)
                                                     for lb in labels):
        return Val(limit(labels))
    return output(site, site.dotted or site.name, ids)


def tokenizer_ctor(site: CallSite) -> Val:
    return Val(obj=obj("ml.tokenizer"))


def model_ctor(site: CallSite) -> Val:
    return Val(obj=obj("ml.model"))


def tokenizer_method(site: CallSite) -> Val | None:
    if site.name in DECODE_METHODS:
        return decoded(site)
    if site.name in ("apply_chat_template", "encode", "tokenize", "__call__", "encode_plus",
                     "batch_encode_plus", "prepare_seq2seq_batch"):
        return site.content()
    return None  # the generic methods (and the name-based ones) decide


def model_method(site: CallSite) -> Val:
    if site.name in MODEL_GEN_METHODS:
        return _gen(site)
    if site.name in ("__call__", "forward"):
        return Val(site.content().labels, None, obj("ml.output-tensors"))
    if site.name in PROBA_METHODS:
        return Val(frozenset({Label(SCORE, "vec", PROBA_METHODS[site.name], site.line)}))
    if site.name in DECODE_METHODS and "tokenizer" in (site.dotted or ""):
        return decoded(site)
    if site.name in ("to", "eval", "cuda", "cpu", "half", "float", "train", "requires_grad_",
                     "merge_and_unload", "compile"):
        return Val(obj=site.recv.obj)
    return None  # get_image_features, predict_proba ...: the name-based models decide


def _ml(m) -> bool:
    return any(m.imports(x) for x in ML_MODULES)


def tokenizer_named(site: CallSite) -> Val | None:
    rname = site.recv_name or ""
    if not TOKENIZER_NAME_RE.search(rname):
        return None
    if site.name in DECODE_METHODS:
        return decoded(site)
    if site.name in ("apply_chat_template", "encode", "tokenize", "encode_plus", "batch_encode_plus",
                     "__call__"):
        if site.name == "encode" and not any(site.module.imports(p) for p in TOKENIZER_PACKAGES):
            return None
        return site.content()
    return None


def model_named(site: CallSite) -> Val | None:
    rname = site.recv_name or ""
    if site.name not in MODEL_GEN_METHODS or not MODEL_NAME_RE.search(rname):
        return None
    m = site.module
    local = any(m.imports(p) for p in MODEL_PACKAGES)
    if not _ml(m) or not (site.name == "generate" or local):
        return None
    return _gen(site)


def tokenizer_call_named(site: CallSite) -> Val | None:
    """``tokenizer(prompt)`` / ``self.tokenizer(prompt)``: the ids are the prompt's."""
    return None


# --- pipelines ---------------------------------------------------------------------------------
def _all_scores(site: CallSite) -> bool:
    top_k = site.arg("top_k")
    if top_k is not None:
        v = top_k.const()
        if not top_k.consts or v is None or (isinstance(v, int) and v > 1):
            return True
    ok, v = site.const("return_all_scores")
    return ok and v is True


def pipeline(site: CallSite) -> Val:
    task = site.text("task", 0)
    return Val(obj=obj("ml.pipeline", task=task, all_scores=_all_scores(site)))


def pipeline_call(site: CallSite) -> Val:
    o = site.recv.obj
    if site.name not in ("__call__", "predict", "run"):
        if site.name in DECODE_METHODS:
            return decoded(site)
        return CLEAN
    task = o.get("task")
    if task in EMBED_TASKS:
        return Val(frozenset({Label(EMBEDDING, "vec", "feature-extraction pipeline", site.line)}))
    if task in SCORE_TASKS:
        vec = task in VECTOR_TASKS or o.get("all_scores") or _all_scores(site)
        return Val(frozenset({Label(PIPELINE_SCORES, "vec" if vec else "one",
                                    f'pipeline("{task}")', site.line)}))
    if task in NON_TEXT_TASKS:
        return CLEAN
    return output(site, "a text-generation pipeline" if task in (None, "text-generation") else
                  f'pipeline("{task}")', _content(site))


def vllm_ctor(site: CallSite) -> Val:
    return Val(obj=obj("ml.model"))


# --- scores and embeddings -------------------------------------------------------------------------
def _score(kind: str, src: str, line: int) -> Val:
    return Val(frozenset({Label(SCORE, kind, src, line)}))


def _embedding(src: str, line: int) -> Val:
    return Val(frozenset({Label(EMBEDDING, "vec", src, line)}))


def softmax_named(site: CallSite) -> Val | None:
    if site.name in SOFTMAX_NAMES:
        return _score("vec", site.name, site.line)
    return None


def _similarity_name(name: str) -> bool:
    parts = set(name.lower().split("_")) - {""}
    return bool(parts & {"similarity", "similarities", "sim", "sims", "distance", "distances",
                         "cdist", "cossim"}) or name in ("cos_sim", "dot_score", "pairwise_cos_sim")


def _drop_embeddings(labels) -> Val:
    kept = frozenset(lb for lb in labels if lb.kind not in (EMBEDDING, EMBEDDING_RESPONSE))
    return Val(kept) if kept else CLEAN


def similarity_named(site: CallSite) -> Val | None:
    if _similarity_name(site.name) or (site.q or "") in SIMILARITY_CALLS:
        return _drop_embeddings(site.content(recv=True).labels)
    return None


def named_source(site: CallSite) -> Val | None:
    """A function whose name says what it returns (``extract_logprobs``, ``get_embeddings``,
    ``mean_pooling``): its result is taken at its word. The head noun, the last word, decides."""
    name = site.name
    parts = [p for p in name.lower().split("_") if p]
    if not parts or site.q in ENCODER_CTORS:
        return None
    head = parts[-1]
    if head in {"logprobs", "logprob", "logits", "probs", "probabilities", "proba", "probas",
                "softmax"} and name not in PROBA_METHODS:
        return _score("vec", f"{name}()", site.line)
    if head in {"embedding", "embeddings", "embeds"} or (
            parts[0] in ("embed", "aembed") and head not in NOT_EMBEDDED and name not in EMBED_METHODS
            and name != "embed"):
        return _embedding(f"{name}()", site.line)
    if head in {"pool", "pooling", "pooled"} and set(parts) & {
            "mean", "cls", "max", "average", "avg", "last", "token", "weighted", "attention"}:
        return _embedding(f"{name}()", site.line)
    return None


def pass_named(site: CallSite) -> Val | None:
    """``jsonify(x)``, ``x.tolist()``, ``JSONResponse``-like helpers: what they are given."""
    if site.name not in PASS_NAMES:
        return None
    if site.recv is not None and not site.args and not site.kwargs:
        r = site.recv
        return Val(r.labels, None, None, r.elems, r.item, r.keys)
    one = site.args[0] if len(site.args) == 1 and not site.kwargs else None
    return Val(site.content(recv=site.recv is not None and site.recv.obj is None).labels, None,
               None, one.elems if one else None, one.item if one else None,
               one.keys if one else None)


def proba(site: CallSite) -> Val:
    return _score("vec", PROBA_METHODS[site.name], site.line)


def embed_method(site: CallSite) -> Val:
    return _embedding(site.name, site.line)


def embed_any(site: CallSite) -> Val | None:
    """``.embed(...)``: an embeddings response (discord's Embed is no model)."""
    if site.recv is not None and site.recv.obj is not None and site.recv.obj.type == "ref" \
            and str(site.recv.obj.get("q", "")).startswith("discord"):
        return None
    if site.recv_name in ("self", "cls"):
        return None
    return Val(frozenset({Label(EMBEDDING_RESPONSE, "", "embed", site.line)}))


def encoder_ctor(site: CallSite) -> Val:
    return Val(obj=obj("ml.encoder"))


def encoder_method(site: CallSite) -> Val | None:
    if site.name in ENCODER_METHODS:
        return _embedding(f"{site.recv_name or 'encoder'}.{site.name}", site.line)
    if site.name in EMBED_METHODS:
        return embed_method(site)
    return None


def encoder_named(site: CallSite) -> Val | None:
    if site.name not in ENCODER_METHODS:
        return None
    m = site.module
    if not any(m.imports(x) for x in ENCODER_LIBS):
        return None
    tail = site.recv_name or ""
    if ENCODER_RECEIVER.search(tail) and "tok" not in tail.lower():
        return _embedding(f"{tail}.{site.name}", site.line)
    return None


def keras_ctor(site: CallSite) -> Val:
    return Val(obj=obj("ml.keras"))


def keras_method(site: CallSite) -> Val:
    if site.name == "predict":
        return _score("vec", "Keras model.predict", site.line)
    return CLEAN


def softmax_module(site: CallSite) -> Val:
    return Val(obj=obj("ml.softmax", name=(site.q or "").rsplit(".", 1)[-1]))


def softmax_call(site: CallSite) -> Val:
    if site.name in ("__call__", "forward"):
        return _score("vec", site.recv.obj.get("name"), site.line)
    return CLEAN


def logprobs_kw(site: CallSite) -> Val | None:
    """A method asked for log-probs: the response leads to scores."""
    if site.name[:1].isupper():
        return None
    for k in ("logprobs", "top_logprobs"):
        v = site.arg(k)
        if v is None:
            continue
        c = v.const() if v.consts else "?"
        if c not in (None, False, 0):
            return Val(frozenset({Label(SCORES_RESPONSE, "", f"{site.name}(logprobs=...)", site.line)}))
    if site.name == "generate":
        for k in ("output_scores", "output_logits"):
            ok, v = site.const(k)
            if ok and v is True:
                return Val(frozenset({Label(GENERATE_SCORES, "", "generate(output_scores=True)",
                                            site.line)}))
    return None


def embeddings_chain(site: CallSite) -> Val | None:
    dotted = site.dotted or ""
    if dotted.endswith(("embeddings.create", "Embedding.create", "embeddings.acreate")) or \
            site.name == "embed_content" or (site.name == "embeddings"
                                            and site.recv_name not in ("self", "cls")):
        return Val(frozenset({Label(EMBEDDING_RESPONSE, "", ".".join(dotted.split(".")[-2:])
                                    or "embeddings API", site.line)}))
    return None


def face(site: CallSite) -> Val:
    q = site.q or ""
    if "represent" in q:
        return Val(frozenset({Label(EMBEDDING_RESPONSE, "", "DeepFace.represent", site.line)}))
    return _embedding("face_recognition.face_encodings", site.line)


def score_read(key, base: Val, recv, is_attr: bool, module, node) -> Val | None:
    """``out.logits`` / ``r["logprobs"]`` / ``out.last_hidden_state`` on a value that is not
    request input, ``self`` (a layer) or an imported module."""
    if not isinstance(key, str):
        return None
    table401 = ATTR_401 if is_attr else {k: "vec" for k in KEY_401}
    table402 = ATTR_402 if is_attr else KEY_402
    if key not in table401 and key not in table402:
        return None
    if recv in ("self", "cls") or any(lb.kind == REQUEST_INPUT for lb in base.labels):
        return None
    if base.obj is not None and base.obj.type in ("ref", "class", "web.request"):
        return None
    if any(lb.kind in (SCORE, EMBEDDING, PIPELINE_SCORES) for lb in base.labels):
        return None  # already what it is
    src = f".{key}" if is_attr else f'["{key}"]'
    if key in table401:
        return _score(table401[key], src, 0)
    return _embedding(src, 0)


# --- numbers ---------------------------------------------------------------------------------
def _decimals_ok(site: CallSite, position: int, moved: int) -> bool:
    a = site.arg("decimals") or site.arg("ndigits")
    if a is None:
        a = site.arg(None, position)
        if a is None:
            return moved <= MAX_DECIMALS
    v = a.const()
    return isinstance(v, int) and not isinstance(v, bool) and v + moved <= MAX_DECIMALS


def round_call(site: CallSite) -> Val:
    moved = site.scaled[0] if site.scaled else 0
    if _decimals_ok(site, 1, moved):
        return CLEAN
    return Val(flat(site.args[0])) if site.args else CLEAN


def round_method(site: CallSite) -> Val | None:
    recv = site.recv
    if recv is None or not recv.labels:
        return None
    moved = site.scaled_recv
    if _decimals_ok(site, 0, moved):
        return CLEAN
    return Val(flat(recv))


def coarsen(site: CallSite) -> Val:
    return CLEAN


def _has_dim(site: CallSite, min_positional: int) -> bool:
    return "dim" in site.kwargs or len(site.args) >= min_positional


def reduce_call(site: CallSite) -> Val:
    from ..flow.interp import reduce_labels
    reg = site.module.registry
    first = site.args[0] if site.args else CLEAN
    if (site.q or "") in ("torch.max", "torch.min") and _has_dim(site, 2):
        values = reduce_labels(reg, flat(first))
        return Val(values, None, None, (Val(values), CLEAN), None,
                   (("values", Val(values)), ("indices", CLEAN)))
    return Val(reduce_labels(reg, frozenset().union(*(flat(a) for a in site.args)) if site.args else EMPTY))


def _topk_kind(site: CallSite, v: Val, k_pos: int) -> frozenset:
    from ..flow.interp import reduce_labels
    k = site.arg("k", k_pos)
    if k is not None and k.const() == 1:
        return reduce_labels(site.module.registry, flat(v))
    return flat(v)


def topk_call(site: CallSite) -> Val:
    first = site.args[0] if site.args else CLEAN
    values = _topk_kind(site, first, 1)
    return Val(values, None, None, (Val(values), CLEAN), None,
               (("values", Val(values)), ("indices", CLEAN)))


def max_method(site: CallSite) -> Val | None:
    from ..flow.interp import reduce_labels
    recv = site.recv
    if recv is None or not recv.labels or recv.elems is not None:
        return None
    reduced = reduce_labels(site.module.registry, recv.labels)
    if _has_dim(site, 1) and "axis" not in site.kwargs:
        return Val(reduced, None, None, (Val(reduced), CLEAN), None,
                   (("values", Val(reduced)), ("indices", CLEAN)))
    return Val(reduced)


def topk_method(site: CallSite) -> Val | None:
    recv = site.recv
    if recv is None or not recv.labels:
        return None
    values = _topk_kind(site, recv, 0)
    return Val(values, None, None, (Val(values), CLEAN), None,
               (("values", Val(values)), ("indices", CLEAN)))


def product(site: CallSite) -> Val:
    if len(site.args) >= 2 and _is_emb(site.args[0]) and _is_emb(site.args[1]):
        return _drop_embeddings(site.content().labels)
    return site.content()


def _is_emb(v: Val) -> bool:
    return any(lb.kind in (EMBEDDING, EMBEDDING_RESPONSE) for lb in flat(v))


def matmul(site: CallSite) -> Val | None:
    left, right = site.recv, site.args[0]
    if _is_emb(left) and _is_emb(right):
        return _drop_embeddings(flat(left) | flat(right))
    return None


def array_pass(site: CallSite) -> Val:
    return site.content()


MODEL = Model(
    "ml",
    calls={
        **{q: pipeline for q in ("transformers.pipeline", "transformers.pipelines.pipeline")},
        **{q: encoder_ctor for q in ENCODER_CTORS},
        **{q: keras_ctor for q in KERAS_LOADERS},
        **{q: coarsen for q in COARSEN_CALLS},
        **{q: round_call for q in ROUND_CALLS},
        **{q: reduce_call for q in REDUCE_CALLS},
        **{q: topk_call for q in TOPK_CALLS},
        **{q: product for q in PRODUCT_CALLS},
        **{f"torch.nn.{m}": softmax_module for m in SOFTMAX_MODULES},
        "vllm.LLM": vllm_ctor, "vllm.AsyncLLMEngine": vllm_ctor, "vllm.LLMEngine": vllm_ctor,
        "deepface.DeepFace.represent": face, "deepface.modules.representation.represent": face,
        "face_recognition.face_encodings": face, "face_recognition.api.face_encodings": face,
    },
    prefixes=[(p, array_pass) for p in ARRAY_MODULES],
    methods={
        "ml.tokenizer": {"*": tokenizer_method},
        "ml.model": {"*": model_method},
        "ml.pipeline": {"*": pipeline_call},
        "ml.encoder": {"*": encoder_method},
        "ml.keras": {"*": keras_method},
        "ml.softmax": {"*": softmax_call},
    },
    builtins={"round": round_call},
    receivers=[(TOKENIZER_NAME_RE, tokenizer_named), (MODEL_NAME_RE, model_named),
               (re.compile(r""), encoder_named), (re.compile(r""), embeddings_chain),
               (re.compile(r""), logprobs_kw)],
    reads=[score_read],
    kinds=KINDS,
    attrs={"ml.output": response_attr},
    any_methods={**{m: proba for m in PROBA_METHODS}, **{m: embed_method for m in EMBED_METHODS},
                 "embed": embed_any, "round": round_method, "max": max_method, "min": max_method,
                 "amax": max_method, "amin": max_method, "topk": topk_method, "sort": topk_method,
                 "__matmul__": matmul},
    named=[(re.compile(r"^(softmax|log_softmax|sigmoid|expit|logsigmoid|stable_softmax)$"),
            softmax_named),
           (re.compile(r"(?i)sim|distance|cdist|dot_score"), similarity_named),
           (re.compile(r"(?i)(logprobs?|logits|probs|probabilities|probas?|softmax|embeddings?|"
                       r"embeds|pool|pooling|pooled)$|^a?embed_"), named_source),
           (re.compile("^(" + "|".join(sorted(PASS_NAMES)) + ")$"), pass_named)],
)


def _pretrained(site: CallSite):  # pragma: no cover - placeholder for prefix table symmetry
    return None


def pretrained(site: CallSite) -> Val | None:
    """``AutoTokenizer.from_pretrained`` / ``AutoModelForCausalLM.from_pretrained``."""
    q = site.q or ""
    root = q.split(".")[0]
    last = q.rsplit(".", 1)[-1]
    if last not in ("from_pretrained", "load"):
        if root in ("transformers", "tiktoken") and re.search(r"(?i)tokeni[sz]er", last):
            return tokenizer_ctor(site)
        return None
    owner = q.rsplit(".", 2)[-2] if q.count(".") >= 2 else ""
    if root in TOKENIZER_PACKAGES and re.search(r"(?i)token|processor", owner):
        return tokenizer_ctor(site)
    if root in MODEL_PACKAGES and re.search(r"(?i)model|causallm|seq2seq|lm", owner):
        return model_ctor(site)
    return None


def qualified_decode(site: CallSite) -> Val | None:
    """``from text_tokenizer import decode as detok``: a tokenizer's or processor's decode,
    whatever the package."""
    head, _, last = (site.q or "").rpartition(".")
    if last in DECODE_METHODS and re.search(r"(?i)tokeni[sz]er|processor", head):
        return decoded(site)
    return None


MODEL.prefixes = [(p + ".", pretrained) for p in sorted(set(TOKENIZER_PACKAGES) | set(MODEL_PACKAGES))
                  ] + [(p, array_pass) for p in ARRAY_MODULES] + [("", qualified_decode)]
