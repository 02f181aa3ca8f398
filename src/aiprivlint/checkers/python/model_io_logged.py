"""AIP203 model-io-logged. Docs live in rules/AIP203.toml.

How the check works: a small, intra-file taint analysis that runs inside the shared traversal.

* **Sources.** A value is *model output* when it comes from a call the rule can identify: a
  method of an LLM client built from a known constructor (``OpenAI()``, ``anthropic.Anthropic()``,
  ``cohere.ClientV2()``, ``Mistral()``...; ``client.chat.completions.create``,
  ``client.messages.create``, ``client.responses.create``...), module-level SDK functions
  (``litellm.completion``, ``openai.ChatCompletion.create``, ``ollama.chat``), ``invoke`` /
  ``predict`` / ``run`` / ``stream`` / ``query`` on an object built by LangChain, LangGraph or
  LlamaIndex (``prompt | llm`` pipes included), a call of a ``transformers.pipeline`` whose task
  produces text, ``.generate`` of a model and ``tokenizer.decode`` / ``batch_decode``. Objects are
  resolved through imports and assignments; where the receiver is unknown, a receiver *name*
  (``model``, ``llm``, ``tokenizer``, ``client``) counts only when the file imports the matching
  library, and a receiver the imports say is something else (a Twilio client's
  ``messages.create``) never counts. A value is *prompt* / *user input* when it is ``input()``, a
  request body (``request.json``, ``request.form``...) in web code, or — in files that use an LLM
  or generation library — a parameter or non-constant variable with a prompt-like name
  (``prompt``, ``user_input``, ``question``, ``messages``; ``query`` only next to an LLM API). A
  variable assigned only from literals (a hard-coded prompt) is not user data.
* **Propagation.** Taint follows assignments (strong update in order, tuple unpacking pairwise,
  ``zip``/``enumerate`` pairwise in loops), attribute access and subscripts
  (``resp.choices[0].message.content``), f-strings, ``%`` and ``+``, ``str.format``/``join``,
  string methods on tainted values, containers and comprehensions, ``json.dumps``,
  ``pd.DataFrame``, ``gather_object``; mutators (``rows.append(output)``) taint their receiver;
  ``self.x`` fields are tracked per class; a function or method whose ``return`` is model output
  makes its call sites model output. Unknown calls do *not* propagate (precision first).
* **Sanitisers.** ``len()``, ``hash``/``hashlib``, numbers and booleans, ``.count()``/``.shape``
  and metadata attributes (``usage``, ``*_tokens``, ``id``, ``model``, ``stop_reason``,
  ``finish_reason``, ``role``, ``type``, latency...) end the taint.
* **Sinks.** ``logging``/logger methods, ``logfire``, ``print``/``pprint``/rich console,
  ``sys.stdout.write``, ``wandb.log``/``wandb.Table``/``table.add_data``, ``mlflow.log_text``/
  ``log_dict``/``log_param(s)``/``log_table``/``set_tag``, TensorBoard ``add_text`` and
  ``tf.summary.text``. One finding per sink call.
* **Severity.** ``print`` is low (tutorial and notebook output); loggers, logfire and experiment
  trackers are medium; a logger in web-serving code (FastAPI, Flask, Django...) outside
  tests/examples/notebooks is high. ``input()`` echoed with ``print`` is not reported (the user
  sees what they typed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._lazy import cst

from . import CodeRule, literal_value
from ._ast_base import Summary
from ...findings import Severity

# --- contexts: which libraries the file imports ----------------------------------------------
IMPORT_RE = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]*\(?[ \t]*([\w, \t]*)|"
                       r"import[ \t]+([\w., \t]+))", re.M)
API_LLM_MODULES = {
    "openai", "anthropic", "cohere", "mistralai", "litellm", "langgraph", "llama_index", "groq",
    "together", "ollama", "google.generativeai", "google.genai", "vertexai", "dspy", "guidance",
    "instructor", "crewai", "semantic_kernel", "haystack", "smolagents", "pydantic_ai",
    "huggingface_hub", "fireworks", "replicate", "langchain", "langsmith", "autogen", "ag2",
}
LOCAL_LLM_MODULES = {
    "transformers", "vllm", "trl", "text_generation", "llama_cpp", "ctransformers", "mlx_lm",
    "sglang", "unsloth", "peft", "optimum", "tensorrt_llm", "keras_nlp", "keras_hub",
}
ML_MODULES = {"torch", "accelerate", "deepspeed", "jax", "flax"}
WEB_MODULES = {"fastapi", "flask", "starlette", "django", "sanic", "aiohttp", "tornado",
               "litestar", "quart", "bentoml", "ray.serve", "falcon", "langserve", "litserve"}
TB_MODULES = {"tensorboardX", "torch.utils.tensorboard", "tensorboard", "pytorch_lightning",
              "lightning"}


def imported_modules(code: str) -> set[str]:
    """Every module path named by an import statement, with its parents (``a.b.c``, ``a.b``,
    ``a``) and ``from google import genai`` spelled ``google.genai``."""
    out: set[str] = set()
    for m in IMPORT_RE.finditer(code):
        names = []
        if m.group(1):
            names.append(m.group(1))
            names.extend(f"{m.group(1)}.{n.strip()}" for n in (m.group(2) or "").split(",")
                         if n.strip())
        else:
            names.extend(n.strip().split()[0] for n in m.group(3).split(",") if n.strip())
        for name in names:
            parts = name.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


def _uses(mods: set[str], wanted: set[str], prefixes: tuple[str, ...] = ()) -> bool:
    return bool(mods & wanted) or (bool(prefixes) and any(m.startswith(prefixes) for m in mods))


TUTORIAL_PATH_RE = re.compile(
    r"(^|/)(tests?|testing|examples?|docs?|tutorials?|notebooks?|demos?|samples?|scripts|"
    r"cookbooks?|recipes)(/|$)|(^|/)test_[^/]*$|_test\.py$", re.I)

# --- objects ---------------------------------------------------------------------------------
CLIENT_CTORS = {
    "openai.OpenAI", "openai.AsyncOpenAI", "openai.AzureOpenAI", "openai.AsyncAzureOpenAI",
    "openai.Client", "openai.AsyncClient",
    "anthropic.Anthropic", "anthropic.AsyncAnthropic", "anthropic.AnthropicBedrock",
    "anthropic.AsyncAnthropicBedrock", "anthropic.AnthropicVertex", "anthropic.AsyncAnthropicVertex",
    "anthropic.Client", "cohere.Client", "cohere.ClientV2", "cohere.AsyncClient",
    "cohere.AsyncClientV2", "mistralai.Mistral", "mistralai.client.MistralClient",
    "mistralai.async_client.MistralAsyncClient", "groq.Groq", "groq.AsyncGroq",
    "together.Together", "together.AsyncTogether", "ollama.Client", "ollama.AsyncClient",
    "huggingface_hub.InferenceClient", "huggingface_hub.AsyncInferenceClient",
    "google.genai.Client", "google.generativeai.GenerativeModel", "fireworks.client.Fireworks",
    "litellm.Router", "vertexai.generative_models.GenerativeModel",
    "vertexai.preview.generative_models.GenerativeModel",
}
# packages whose every constructor / factory yields a runnable LLM object
LLM_OBJECT_PACKAGES = ("langchain", "langgraph", "llama_index", "crewai", "dspy", "smolagents",
                       "pydantic_ai", "haystack")
MODULE_SOURCES = {
    "litellm.completion", "litellm.acompletion", "litellm.text_completion",
    "litellm.atext_completion", "litellm.responses", "litellm.aresponses",
    "openai.ChatCompletion.create", "openai.ChatCompletion.acreate", "openai.Completion.create",
    "openai.Completion.acreate", "openai.chat.completions.create", "openai.completions.create",
    "openai.responses.create", "ollama.chat", "ollama.generate",
}
# call chains (after the client receiver) that return generated content
CLIENT_GEN_TAILS = {
    "chat.completions.create", "chat.completions.parse", "beta.chat.completions.parse",
    "chat.completions.stream", "beta.chat.completions.stream", "completions.create",
    "responses.create", "responses.parse", "responses.stream", "messages.create",
    "messages.stream", "messages.parse", "beta.messages.create", "beta.messages.stream",
    "beta.messages.parse", "chat.complete", "chat.complete_async", "chat.stream",
    "chat.stream_async", "fim.complete", "models.generate_content",
    "models.generate_content_stream", "aio.models.generate_content", "chat", "generate",
    "generate_content", "generate_content_async", "send_message", "text_generation",
    "chat_completion", "completion", "acompletion",
}
# tails that need the SDK imported when the receiver itself is unknown
UNKNOWN_CLIENT_TAILS = {
    "chat.completions.create": "openai", "chat.completions.parse": "openai",
    "beta.chat.completions.parse": "openai", "chat.completions.stream": "openai",
    "responses.create": "openai", "responses.parse": "openai", "responses.stream": "openai",
    "messages.create": "anthropic", "messages.stream": "anthropic", "messages.parse": "anthropic",
    "beta.messages.create": "anthropic", "beta.messages.stream": "anthropic",
    "chat.complete": "mistralai", "models.generate_content": "google",
    "models.generate_content_stream": "google", "aio.models.generate_content": "google",
}
LLM_GEN_METHODS = {
    "invoke", "ainvoke", "stream", "astream", "batch", "abatch", "astream_events", "astream_log",
    "stream_events", "run", "arun", "predict", "apredict", "predict_messages", "query", "aquery",
    "chat", "achat", "complete", "acomplete", "stream_chat", "astream_chat", "stream_complete",
    "astream_complete", "generate", "agenerate", "call", "acall", "kickoff", "kickoff_async",
    "run_sync", "generate_content", "forward",
}
CLIENT_GEN_METHODS = {"create", "parse", "stream", "complete", "chat", "generate",
                      "generate_content", "text_generation", "chat_completion", "send_message"}
MODEL_GEN_METHODS = {"generate", "chat", "stream_chat", "generate_content"}
DECODE_METHODS = {"decode", "batch_decode", "convert_tokens_to_string", "convert_ids_to_tokens"}
TOKENIZER_PACKAGES = ("transformers", "tokenizers", "trl", "peft", "sentencepiece", "tiktoken",
                      "unsloth", "mlx_lm", "vllm")
MODEL_PACKAGES = ("transformers", "peft", "trl", "unsloth", "optimum", "vllm", "mlx_lm",
                  "auto_gptq", "awq", "llama_cpp", "ctransformers")
NON_TEXT_PIPELINE_TASKS = {
    "text-classification", "sentiment-analysis", "zero-shot-classification",
    "image-classification", "zero-shot-image-classification", "audio-classification",
    "video-classification", "object-detection", "zero-shot-object-detection",
    "image-segmentation", "depth-estimation", "feature-extraction", "image-feature-extraction",
    "mask-generation", "image-to-image", "text-to-audio", "text-to-speech",
}
LOGGER_FACTORIES = {"logging.getLogger", "logging.Logger", "structlog.get_logger",
                    "structlog.getLogger", "loguru.logger", "logging.root"}

# --- receivers by name (used only when the object itself is unknown) -------------------------
TOKENIZER_NAME_RE = re.compile(r"(?i)(tokeni[sz]er|processor|processing_class|(^|_)tok)$")
MODEL_NAME_RE = re.compile(
    r"(?i)(^|_)(model|llm|lm|policy|generator|actor|student|teacher|engine|pipe|pipeline)s?$")
LLM_NAME_RE = re.compile(
    r"(?i)(llm|chain|agent|executor|chat_?model|chatbot|graph|query_engine|chat_engine|"
    r"rag|runnable|crew|assistant)s?$")
LOGGER_NAME_RE = re.compile(r"(?i)^_*(logger|log|logging|lg)$|_logger$")
WRITER_NAME_RE = re.compile(r"(?i)(writer|tb|tensorboard|experiment|summary)$")
REQUEST_NAMES = {"request", "req", "flask_request"}
REQUEST_BODY_ATTRS = {"json", "form", "args", "values", "data", "body", "get_json", "files",
                      "query_params", "POST", "GET", "stream"}

# --- sinks -----------------------------------------------------------------------------------
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal",
               "log", "trace", "success", "msg", "notice"}
LOGFIRE_METHODS = LOG_METHODS | {"span", "instrument"}
PRINT_QUALIFIED = {"builtins.print", "rich.print", "pprint.pprint", "pprint.pp", "tqdm.tqdm.write",
                   "tqdm.write", "tqdm.auto.tqdm.write", "click.echo", "typer.echo",
                   "sys.stdout.write", "sys.stderr.write", "rich.pretty.pprint"}
# which arguments of a tracker call carry content: (positional index, keyword)
TRACKER_ARGS: dict[str, tuple[tuple[int, str], ...]] = {
    "mlflow.log_text": ((0, "text"),), "mlflow.log_dict": ((0, "dictionary"),),
    "mlflow.log_param": ((1, "value"),), "mlflow.log_params": ((0, "params"),),
    "mlflow.log_table": ((0, "data"),), "mlflow.set_tag": ((1, "value"),),
    "mlflow.set_tags": ((0, "tags"),), "tensorflow.summary.text": ((1, "data"),),
    "wandb.log": ((0, "data"),), "wandb.Table": ((1, "data"), (-1, "dataframe"), (-1, "rows")),
}
SINK_METHODS = LOG_METHODS | {"print", "log", "add_data", "add_text"} | {
    k.split(".", 1)[1] for k in TRACKER_ARGS if k.startswith("mlflow.")}
IGNORED_KWARGS = {"end", "sep", "flush", "file", "exc_info", "stack_info", "stacklevel", "step",
                  "global_step", "walltime", "commit", "artifact_file", "columns", "tag", "key",
                  "run_id", "level", "highlight", "style", "justify"}

# --- sanitisers ------------------------------------------------------------------------------
METADATA = {
    "usage", "total_tokens", "prompt_tokens", "completion_tokens", "input_tokens",
    "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "reasoning_tokens",
    "token_count", "num_tokens", "n_tokens", "id", "ids_count", "model", "model_name", "model_id",
    "created", "created_at", "object", "stop_reason", "stop_sequence", "finish_reason", "role",
    "type", "status", "status_code", "shape", "dtype", "device", "ndim", "size", "latency",
    "elapsed", "duration", "response_ms", "system_fingerprint", "index", "logprobs", "score",
    "scores", "sequences_scores", "name", "tool_call_id", "headers", "request_id", "_request_id",
    "cost", "response_cost", "prompt_eval_count", "eval_count", "eval_duration",
    "total_duration", "load_duration", "usage_metadata", "token_usage", "response_metadata",
    "llm_output", "num_input_tokens", "num_output_tokens", "is_error", "stop", "error",
}
SANITIZER_BUILTINS = {"len", "hash", "id", "type", "isinstance", "issubclass", "bool", "int",
                      "float", "complex", "round", "abs", "sum", "range", "callable", "hasattr",
                      "any", "all", "ord", "chr", "bin", "hex", "oct", "divmod", "pow", "vars",
                      "dir", "print"}
PASSTHROUGH_BUILTINS = {"str", "repr", "ascii", "format", "list", "tuple", "set", "frozenset",
                        "dict", "sorted", "reversed", "iter", "next", "max", "min", "filter",
                        "map", "zip", "enumerate", "bytes", "bytearray"}
SANITIZER_PREFIXES = ("hashlib.", "hmac.", "time.", "datetime.", "math.", "uuid.", "zlib.",
                      "secrets.", "statistics.", "timeit.", "tiktoken.", "numpy.mean", "numpy.sum",
                      "numpy.std", "numpy.median", "numpy.max", "numpy.min", "numpy.argmax",
                      "torch.mean", "torch.sum", "torch.numel", "operator.length_hint",
                      "sys.getsizeof", "os.path", "pathlib.")
PASSTHROUGH_QUALIFIED = {
    "json.dumps", "pprint.pformat", "html.escape", "copy.copy", "copy.deepcopy",
    "pandas.DataFrame", "pandas.DataFrame.from_dict", "pandas.DataFrame.from_records",
    "pandas.Series", "pandas.concat", "numpy.array", "numpy.asarray", "itertools.chain",
    "itertools.chain.from_iterable", "accelerate.utils.gather_object", "accelerate.utils.gather",
    "accelerate.utils.broadcast_object_list", "textwrap.fill", "textwrap.wrap",
    "textwrap.shorten", "textwrap.indent", "textwrap.dedent", "markdown.markdown",
    "IPython.display.Markdown", "rich.markdown.Markdown", "rich.text.Text", "rich.panel.Panel",
    "datasets.Dataset.from_dict", "datasets.Dataset.from_list", "yaml.dump", "yaml.safe_dump",
    "json.loads", "random.choice", "random.sample", "random.choices", "numpy.random.choice",
}
SANITIZER_METHODS = {
    "count", "index", "find", "rfind", "rindex", "startswith", "endswith", "isalpha", "isdigit",
    "isnumeric", "isalnum", "isspace", "isupper", "islower", "istitle", "isdecimal",
    "isidentifier", "isprintable", "isascii", "__len__", "size", "numel", "nelement", "dim",
    "item", "bit_length", "keys", "total_seconds", "hexdigest", "digest", "sum", "mean", "std",
    "max", "min", "argmax", "argmin", "var", "norm", "get_num_tokens", "nbytes",
}
STRING_BUILDERS = {"format", "format_map", "join", "replace", "strip", "lstrip", "rstrip",
                   "lower", "upper", "title", "capitalize", "removeprefix", "removesuffix",
                   "center", "ljust", "rjust", "zfill", "expandtabs", "casefold", "dedent"}
MUTATORS = {"append", "extend", "insert", "add", "update", "appendleft", "extendleft",
            "add_row", "add_rows", "put", "put_nowait", "setdefault", "add_message",
            "add_messages", "add_user_message", "add_ai_message", "writelines"}

PROMPT_NAMES = {
    "prompt", "prompts", "user_prompt", "user_prompts", "user_input", "user_inputs",
    "user_message", "user_messages", "user_msg", "user_query", "user_question", "user_text",
    "question", "questions", "messages", "chat_history", "conversation", "input_text",
    "input_texts", "prompt_text", "prompts_text", "prompt_texts", "text_input", "user_content",
}
API_ONLY_NAMES = {"query", "queries", "user_request"}


@dataclass(frozen=True)
class Taint:
    kind: str  # "model output" | "prompt" | "user input"
    origin: str  # what produced it: "client.messages.create()", "parameter 'prompt'"
    heuristic: bool = False  # from a variable name, not a resolved call

    def rank(self) -> int:
        return (0 if self.heuristic else 2) + (1 if self.kind == "model output" else 0)


@dataclass(frozen=True)
class Val:
    taint: Taint | None = None
    obj: str | None = None  # client|llm|pipeline|model|tokenizer|logger|wandb-run|...|foreign
    const: bool = False  # built only from literals
    elems: tuple[Taint | None, ...] | None = None  # per element, for a function returning a tuple


CLEAN = Val()
CONST = Val(const=True)


def _best(*taints: Taint | None) -> Taint | None:
    best = None
    for t in taints:
        if t is not None and (best is None or t.rank() > best.rank()):
            best = t
    return best


@dataclass
class ClassInfo:
    fields: dict[str, Val] = field(default_factory=dict)
    methods: dict[str, Val] = field(default_factory=dict)  # summaries of return values


@dataclass
class Frame:
    kind: str  # module | class | function
    vars: dict[str, Val] = field(default_factory=dict)
    funcs: dict[str, Val] = field(default_factory=dict)  # summaries of return values
    returns: list = field(default_factory=list)  # Taint | None, or a tuple of them per return
    cls: ClassInfo | None = None  # the class of a method, or the class itself

    def summary(self) -> Val | None:
        """What a call of this function returns, when some return is model output / user input."""
        flat: list[Taint | None] = []
        for r in self.returns:
            flat.extend(r if isinstance(r, tuple) else (r,))
        best = _best(*flat)
        if best is None:
            return None
        elems = None
        if self.returns and all(isinstance(r, tuple) for r in self.returns) and \
                len({len(r) for r in self.returns}) == 1:
            elems = tuple(_best(*col) for col in zip(*self.returns))
        return Val(best, elems=elems)


# --- the ast gate (PythonChecker skips the libcst parse when it says no) ----------------------
_LLM_PREFIXES = ("langchain_", "autogen_")
# last names of the calls that can be a sink: print, the qualified print/tracker functions and
# the logging-module functions (also reached through `from logging import info`), any method
# _sink_of accepts on a receiver
_SINK_CALLS = (SINK_METHODS | LOGFIRE_METHODS | {"print"}
               | {q.rsplit(".", 1)[-1] for q in PRINT_QUALIFIED | set(TRACKER_ARGS)})
# model output outside an LLM/generation import context: tokenizer/processor decode (a qualified
# `...tokenizer.decode` or a receiver named like a tokenizer), `.generate` of a receiver named
# like a model, a model of a MODEL_PACKAGES package that is no LLM module (auto_gptq, awq)
_LOCAL_SOURCE_CALLS = DECODE_METHODS | MODEL_GEN_METHODS
# SDKs whose clients / functions the rule resolves although the package root is no LLM module
# (`import google` then `google.genai.Client()`; UNKNOWN_CLIENT_TAILS' "google")
_OTHER_SDK_ROOTS = tuple(sorted(
    ({q.split(".")[0] for q in CLIENT_CTORS | MODULE_SOURCES} | set(UNKNOWN_CLIENT_TAILS.values()))
    - API_LLM_MODULES - LOCAL_LLM_MODULES))
_CLIENT_SOURCE_CALLS = (CLIENT_GEN_METHODS | {q.rsplit(".", 1)[-1] for q in MODULE_SOURCES}
                        | {t.rsplit(".", 1)[-1] for t in CLIENT_GEN_TAILS | set(UNKNOWN_CLIENT_TAILS)})
_REQUEST_GATE_NAMES = REQUEST_NAMES | {"Request", "HttpRequest", "WSGIRequest", "ASGIRequest"}


def _gate_modules(summary: Summary) -> set[str]:
    """A superset of the modules ``visit_Module`` finds: it reads ``import`` lines off the raw
    text (IMPORT_RE), so such a line inside a docstring or string counts for it too."""
    mods = set(summary.imports)
    for s in summary.strings:
        if "import" in s:
            mods |= imported_modules(s)
    return mods


def _aliased_calls(summary: Summary, wanted: set[str]) -> bool:
    """Whether a call of an import alias (``from logging import info as note; note(x)``) has a
    qualified name whose last part is in ``wanted``; a summary's calls only see the alias."""
    return any(asname in summary.calls and last in wanted for asname, last in summary.aliases)


def _local_llm_source(summary: Summary, mods: set[str]) -> bool:
    """A source other than a decode/generate call when the only LLM imports are local
    generation libraries: a prompt-like name (``_prompt_name``; its API-only names need an
    API import), ``input()``, a request body in web code (``request.json`` or a parameter
    annotated ``Request``), a ``transformers.pipeline`` object."""
    if "input" in summary.calls or "pipeline" in summary.names:
        return True
    if any(n.lower() in PROMPT_NAMES for n in summary.names):
        return True
    return _uses(mods, WEB_MODULES) and bool(summary.names & _REQUEST_GATE_NAMES)


def _calls_any(summary: Summary, wanted: set[str]) -> bool:
    return bool(summary.calls & wanted) or _aliased_calls(summary, wanted)


class ModelIOLogged(CodeRule):
    rule_id = "AIP203"
    needs = ("print", "log", "wandb", "mlflow", "add_text", "write", "echo", "summary")

    VALID = [
        # lengths, token counts, ids and latencies are fine
        "from openai import OpenAI\nimport logging\nlog = logging.getLogger(__name__)\n"
        "client = OpenAI()\nresp = client.chat.completions.create(model='m', messages=[])\n"
        "log.info('tokens=%d', resp.usage.total_tokens)\n"
        "log.info('chars=%d', len(resp.choices[0].message.content))",
        "import anthropic, hashlib, logging\nclient = anthropic.Anthropic()\n"
        "msg = client.messages.create(model='m', max_tokens=10, messages=[])\n"
        "logging.info('id=%s stop=%s', msg.id, msg.stop_reason)\n"
        "logging.info(hashlib.sha256(msg.content[0].text.encode()).hexdigest())",
        # a hard-coded prompt is not user data
        "from transformers import pipeline\nprompt = 'Once upon a time'\nprint(prompt)",
        # Twilio's messages.create is not a model call
        "import anthropic\nfrom twilio.rest import Client\nsms = Client('sid', 'tok')\n"
        "m = sms.messages.create(body='hi', to='+1', from_='+2')\nprint(m)",
        # an unrelated decode
        "import base64\nfrom transformers import AutoModel\nraw = base64.b64decode(x).decode()\n"
        "print(raw)",
        # time deltas
        "import time, logging\nfrom openai import OpenAI\nclient = OpenAI()\nt0 = time.time()\n"
        "r = client.responses.create(model='m', input='x')\nlogging.info('took %.2f', time.time() - t0)",
        # echoing what the user typed in a CLI is not logging
        "import openai\nuser_input = input('> ')\nprint('you said', user_input)",
    ]
    INVALID = [
        "from openai import OpenAI\nimport logging\nlogger = logging.getLogger(__name__)\n"
        "client = OpenAI()\nresp = client.chat.completions.create(model='m', messages=[])\n"
        "logger.info(f'answer: {resp.choices[0].message.content}')",
        "import anthropic\nclient = anthropic.Anthropic()\n"
        "msg = client.messages.create(model='m', max_tokens=10, messages=[])\n"
        "print(msg.content[0].text)",
        "from transformers import AutoTokenizer, AutoModelForCausalLM\n"
        "tok = AutoTokenizer.from_pretrained('gpt2')\nmodel = AutoModelForCausalLM.from_pretrained('gpt2')\n"
        "out = model.generate(**tok('hi', return_tensors='pt'))\nprint(tok.decode(out[0]))",
        "import wandb\nfrom transformers import pipeline\ngen = pipeline('text-generation', model='gpt2')\n"
        "texts = [gen(p)[0]['generated_text'] for p in ['a', 'b']]\n"
        "wandb.log({'samples': wandb.Table(columns=['text'], data=[[t] for t in texts])})",
        "import logging\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI()\n"
        "def answer(question):\n    logging.info('question: %s', question)\n"
        "    return llm.invoke(question).content",
        "import mlflow\nimport litellm\nr = litellm.completion(model='m', messages=[])\n"
        "mlflow.log_text(r.choices[0].message.content, 'answer.txt')",
    ]

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        """Necessary for a finding (the rule emits no facts): an ML/LLM import (``enabled``), a
        call that can be a sink, and a source. With an API-LLM import anything goes. With only
        local generation libraries (transformers, trl...) a source is a prompt-like name, an
        ``input()`` call, a request body in web code, a ``transformers.pipeline``, or one of the
        decode / generate calls, which are also the only sources without any LLM import (besides
        a client of an SDK outside the LLM module lists: google)."""
        mods = _gate_modules(summary)
        api = _uses(mods, API_LLM_MODULES, _LLM_PREFIXES)
        local = _uses(mods, LOCAL_LLM_MODULES)
        if not (api or local or _uses(mods, ML_MODULES)):
            return False
        if not (api or _calls_any(summary, _LOCAL_SOURCE_CALLS)
                or (summary.imports_any(*_OTHER_SDK_ROOTS) and _calls_any(summary, _CLIENT_SOURCE_CALLS))
                or (local and _local_llm_source(summary, mods))):
            return False
        return _calls_any(summary, _SINK_CALLS)

    # --- lifecycle ----------------------------------------------------------------------
    def visit_Module(self, node: cst.Module) -> None:
        code = self._source()
        mods = imported_modules(code)
        self.api_llm = _uses(mods, API_LLM_MODULES, ("langchain_", "autogen_"))
        self.local_llm = _uses(mods, LOCAL_LLM_MODULES)
        self.llm_ctx = self.api_llm or self.local_llm
        self.ml_ctx = self.llm_ctx or _uses(mods, ML_MODULES)
        self.web_ctx = _uses(mods, WEB_MODULES)
        self.tb_ctx = _uses(mods, TB_MODULES)
        self.enabled = self.ml_ctx
        self.twilio = "twilio" in code
        self.tutorial = self._run.nb is not None or bool(TUTORIAL_PATH_RE.search(self.path))
        self.frames: list[Frame] = [Frame("module")]
        self.overlays: list[dict[str, Val]] = []
        # top-level `name = Ctor(...)` statements, so functions defined above them still know
        # what `client` is
        self.module_defs: dict[str, cst.BaseExpression] = {}
        if self.enabled:
            for stmt in node.body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    for small in stmt.body:
                        if (isinstance(small, cst.Assign) and len(small.targets) == 1
                                and isinstance(small.targets[0].target, cst.Name)
                                and isinstance(small.value, cst.Call)):
                            self.module_defs.setdefault(small.targets[0].target.value, small.value)

    def _source(self) -> str:
        """The code as parsed (``node.code`` would regenerate it from the tree: costly)."""
        nb = self._run.nb
        return nb.code if nb is not None else self._run.ctx.text

    # scopes
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.enabled:
            self.frames.append(Frame("class", cls=ClassInfo()))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        if self.enabled:
            self.frames.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.enabled:
            return
        parent = self.frames[-1]
        frame = Frame("function", cls=parent.cls if parent.kind == "class" else
                      (parent.cls if parent.kind == "function" else None))
        self.frames.append(frame)
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                every.append(star)
        for p in every:
            name = p.name.value
            val = CLEAN
            if p.annotation is not None:
                val = self._obj_from_annotation(p.annotation.annotation)
            if val.obj is None and self._prompt_name(name):
                val = Val(Taint("prompt", f"parameter '{name}'", heuristic=True))
            frame.vars[name] = val

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.enabled:
            return
        frame = self.frames.pop()
        summary = frame.summary()
        if summary is None:
            return
        parent = self.frames[-1]
        if parent.kind == "class" and parent.cls is not None:
            parent.cls.methods[node.name.value] = summary
        else:
            parent.funcs[node.name.value] = summary

    def visit_Return(self, node: cst.Return) -> None:
        frame = self.frames[-1] if self.enabled else None
        if frame is None or frame.kind != "function" or node.value is None:
            return

        def resolved(t: Taint | None) -> Taint | None:
            # only resolved sources travel through calls: a parameter named `prompt` does not
            return t if t is not None and not t.heuristic else None

        value = node.value
        if isinstance(value, cst.Tuple) and not any(
                isinstance(e, cst.StarredElement) for e in value.elements):
            frame.returns.append(tuple(resolved(self.ev(e.value).taint) for e in value.elements))
        else:
            frame.returns.append(resolved(self.ev(value).taint))

    # bindings
    def leave_Assign(self, node: cst.Assign) -> None:
        if not self.enabled:
            return
        for target in node.targets:
            self.bind(target.target, node.value)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not self.enabled:
            return
        if node.value is not None:
            self.bind(node.target, node.value)
        else:
            val = self._obj_from_annotation(node.annotation.annotation)
            if val.obj and isinstance(node.target, cst.Name):
                self.frames[-1].vars[node.target.value] = val

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        if not self.enabled:
            return
        val = self.ev(node.value)
        if val.taint is not None:
            self._weak(node.target, val.taint)

    def leave_NamedExpr(self, node: cst.NamedExpr) -> None:
        if self.enabled:
            self.bind(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        if self.enabled:
            self.bind_iter(node.target, node.iter)

    def visit_With(self, node: cst.With) -> None:
        if not self.enabled:
            return
        for item in node.items:
            if item.asname is not None:
                self.bind(item.asname.name, item.item)

    # --- calls: sinks and mutators ------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        if not self.enabled:
            return
        func = node.func
        sink = self._sink_of(node)
        if sink is None:
            if isinstance(func, cst.Attribute) and func.attr.value in MUTATORS and node.args:
                taint = _best(*(self.ev(a.value).taint for a in node.args))
                if taint is not None:
                    self._weak(func.value, taint)
            return
        kind, label, arg_spec = sink
        args = self._sink_args(node, arg_spec)
        taint = _best(*(self.ev(a).taint for a in args))
        if taint is None:
            return
        if kind == "print" and taint.kind == "user input":
            return
        self._report(node, kind, label, taint)

    def _report(self, node: cst.Call, kind: str, label: str, taint: Taint) -> None:
        verb = {"print": "printed", "logging": "logged", "logfire": "sent to Logfire",
                "wandb": "sent to Weights & Biases", "mlflow": "logged to MLflow",
                "tensorboard": "written to TensorBoard"}[kind]
        if kind == "print":
            severity = Severity.LOW
        elif (kind == "logging" and self.web_ctx and not self.tutorial
              and not taint.heuristic):
            severity = Severity.HIGH
        else:
            severity = Severity.MEDIUM
        what = {"model output": "Model output", "prompt": "Prompt text",
                "user input": "User input"}[taint.kind]
        message = (f"{what} ({taint.origin}) is {verb} verbatim by {label}(); log a length, "
                   "a hash, an id or token counts instead, or redact it first")
        details = {"sink": kind, "sink_call": label, "source": taint.kind,
                   "source_origin": taint.origin,
                   "source_resolution": "name" if taint.heuristic else "call"}
        self.report(node, message, details=details, severity=severity)

    def _sink_args(self, node: cst.Call, spec: tuple[tuple[int, str], ...] | None
                   ) -> list[cst.BaseExpression]:
        if spec is None:
            return [a.value for a in node.args
                    if a.keyword is None or a.keyword.value not in IGNORED_KWARGS]
        out = []
        positional = [a for a in node.args if a.keyword is None and not a.star]
        for index, kw in spec:
            if 0 <= index < len(positional):
                out.append(positional[index].value)
            arg = self.kwarg(node, kw)
            if arg is not None:
                out.append(arg.value)
        out.extend(a.value for a in node.args if a.star)
        return out

    def _sink_of(self, node: cst.Call) -> tuple[str, str, tuple | None] | None:
        """(kind, label, which args carry content) when the call is a logging/print sink."""
        func = node.func
        dotted = self.dotted_name(func) or ""
        q = self.qualified_name(func)
        if isinstance(func, cst.Name) and func.value == "print" and q is None \
                and self._lookup("print") is None:
            return "print", "print", None
        if q is not None:
            if q in PRINT_QUALIFIED:
                return "print", dotted, None
            if q in TRACKER_ARGS:
                kind = q.split(".")[0]
                kind = {"tensorflow": "tensorboard"}.get(kind, kind)
                return kind, dotted, TRACKER_ARGS[q]
            head, _, last = q.rpartition(".")
            if head in ("logging", "absl.logging", "loguru.logger", "structlog") and \
                    last in LOG_METHODS:
                return "logging", dotted, None
            if head == "logfire" and last in LOGFIRE_METHODS:
                return "logfire", dotted, None
            if head == "wandb.run" and last == "log":
                return "wandb", dotted, ((0, "data"),)
            if q.startswith("mlflow.") and ("mlflow." + last) in TRACKER_ARGS:
                return "mlflow", dotted, TRACKER_ARGS["mlflow." + last]
        if not isinstance(func, cst.Attribute):
            return None
        meth = func.attr.value
        if meth not in SINK_METHODS:
            return None
        recv = func.value
        rv = self.ev(recv)
        rname = self._last_name(recv)
        if meth in LOG_METHODS and (rv.obj == "logger" or (
                rv.obj is None and rname is not None and LOGGER_NAME_RE.search(rname)
                and not isinstance(recv, cst.Call))):
            if rname == "self":
                return None
            return "logging", dotted or f"<logger>.{meth}", None
        if meth in ("print", "log") and rv.obj == "console":
            return "print", dotted, None
        if meth == "log" and rv.obj == "wandb-run":
            return "wandb", dotted, ((0, "data"),)
        if meth in ("add_data",) and rv.obj == "wandb-table":
            return "wandb", dotted, None
        if meth == "add_text" and (rv.obj == "tb-writer" or (rv.obj is None and (
                self.tb_ctx or (rname is not None and WRITER_NAME_RE.search(rname))))):
            return "tensorboard", dotted, ((1, "text_string"),)
        if rv.obj == "mlflow-client" and ("mlflow." + meth) in TRACKER_ARGS:
            # MlflowClient methods take run_id first
            spec = tuple((i + 1 if i >= 0 else i, kw) for i, kw in TRACKER_ARGS["mlflow." + meth])
            return "mlflow", dotted, spec
        return None

    # --- binding helpers ----------------------------------------------------------------
    def bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            elems = [e.value for e in target.elements]
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(elems) \
                    and not any(isinstance(e, cst.StarredElement) for e in value.elements):
                for t, v in zip(elems, value.elements):
                    self.bind(t, v.value)
                return
            val = self.ev(value)
            if val.elems is not None and len(val.elems) == len(elems):
                for t, taint in zip(elems, val.elems):
                    self._set(t, Val(taint))
                return
            for t in elems:
                self._set(t, Val(val.taint))
            return
        self._set(target, self.ev(value))

    def bind_iter(self, target: cst.BaseExpression, it: cst.BaseExpression) -> None:
        for name, val in self._iter_bindings(target, it):
            self._set(name, val)

    def _iter_bindings(self, target, it) -> list[tuple[cst.BaseExpression, Val]]:
        """(target, element value) pairs for ``for target in it``: zip/enumerate/items pairwise."""
        elems = ([e.value for e in target.elements]
                 if isinstance(target, (cst.Tuple, cst.List)) else None)
        if isinstance(it, cst.Call) and elems is not None:
            fname = self.dotted_name(it.func)
            args = [a.value for a in it.args if a.keyword is None]
            if fname == "enumerate" and len(elems) == 2 and args:
                return [(elems[0], CLEAN), *self._iter_bindings(elems[1], args[0])]
            if fname == "zip" and len(elems) == len(args):
                out = []
                for t, a in zip(elems, args):
                    out.extend(self._iter_bindings(t, a))
                return out
            if isinstance(it.func, cst.Attribute) and it.func.attr.value == "items" \
                    and len(elems) == 2:
                return [(elems[0], CLEAN), (elems[1], Val(self.ev(it.func.value).taint))]
        val = self.ev(it)
        elem = Val(val.taint, const=val.const)
        if elems is not None:
            return [(t, Val(elem.taint)) for t in elems]
        return [(target, elem)]

    def _set(self, target: cst.BaseExpression, val: Val) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            if val.taint is None and val.obj in (None, "foreign") and not val.const and \
                    self._prompt_name(name):
                origin = f"variable '{name}'"
                val = Val(Taint("prompt", origin, heuristic=True))
            self.frames[-1].vars[name] = val
        elif isinstance(target, cst.Attribute):
            dotted = self.dotted_name(target)
            if dotted is None:
                return
            frame = self.frames[-1]
            frame.vars[dotted] = val
            if dotted.startswith("self.") and dotted.count(".") == 1 and frame.cls is not None:
                old = frame.cls.fields.get(target.attr.value)
                if old is not None and old.taint is not None and val.taint is None:
                    return  # fields are flow-insensitive across methods: keep the taint
                frame.cls.fields[target.attr.value] = val
        elif isinstance(target, cst.Subscript):
            if val.taint is not None:
                self._weak(target.value, val.taint)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for e in target.elements:
                self._set(e.value, Val(val.taint))
        elif isinstance(target, cst.StarredElement):
            self._set(target.value, val)

    def _weak(self, target: cst.BaseExpression, taint: Taint) -> None:
        """Add taint to the variable behind ``target`` (``rows``, ``self.logs["x"]``)."""
        while isinstance(target, cst.Subscript):
            target = target.value
        if isinstance(target, cst.Name):
            cur = self._lookup(target.value)
            if cur is not None and cur.obj in ("wandb-table",):
                return
            self.frames[-1].vars[target.value] = Val(_best(taint, cur.taint if cur else None),
                                                     cur.obj if cur else None)
        elif isinstance(target, cst.Attribute):
            dotted = self.dotted_name(target)
            if dotted is None:
                return
            frame = self.frames[-1]
            cur = self._lookup_dotted(dotted)
            frame.vars[dotted] = Val(_best(taint, cur.taint if cur else None))
            if dotted.startswith("self.") and dotted.count(".") == 1 and frame.cls is not None:
                old = frame.cls.fields.get(target.attr.value)
                frame.cls.fields[target.attr.value] = Val(
                    _best(taint, old.taint if old else None), old.obj if old else None)

    # --- lookups ------------------------------------------------------------------------
    def _lookup(self, name: str) -> Val | None:
        for ov in reversed(self.overlays):
            if name in ov:
                return ov[name]
        top = len(self.frames) - 1
        for i in range(top, -1, -1):
            frame = self.frames[i]
            if frame.kind == "class" and i != top:
                continue
            if name in frame.vars:
                return frame.vars[name]
        if name in self.module_defs:
            value = self.module_defs.pop(name)  # evaluate once; guards against recursion
            val = self.ev(value)
            self.frames[0].vars.setdefault(name, Val(obj=val.obj))
            return self.frames[0].vars[name]
        return None

    def _lookup_dotted(self, dotted: str) -> Val | None:
        top = len(self.frames) - 1
        for i in range(top, -1, -1):
            frame = self.frames[i]
            if frame.kind == "class" and i != top:
                continue
            if dotted in frame.vars:
                return frame.vars[dotted]
        if dotted.startswith("self.") and dotted.count(".") == 1:
            cls = self.frames[-1].cls
            if cls is not None and dotted[5:] in cls.fields:
                return cls.fields[dotted[5:]]
        return None

    def _lookup_func(self, name: str) -> Val | None:
        for frame in reversed(self.frames):
            if name in frame.funcs:
                return frame.funcs[name]
        return None

    def _prompt_name(self, name: str) -> bool:
        low = name.lower()
        if low in PROMPT_NAMES:
            return self.llm_ctx
        return low in API_ONLY_NAMES and self.api_llm

    @staticmethod
    def _last_name(node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            return node.attr.value
        return None

    def _obj_from_annotation(self, ann: cst.BaseExpression) -> Val:
        q = self.qualified_name(ann)
        if q is None:
            return CLEAN
        if q.rsplit(".", 1)[-1] in ("Request", "HttpRequest", "WSGIRequest", "ASGIRequest") \
                and self.web_ctx:
            return Val(obj="request")
        obj = self._ctor_obj(q, None)
        return Val(obj=None if obj == "foreign" else obj)

    # --- objects from constructors ------------------------------------------------------
    def _ctor_obj(self, q: str, call: cst.Call | None) -> str | None:
        if q in CLIENT_CTORS:
            return "client"
        root = q.split(".")[0]
        last = q.rsplit(".", 1)[-1]
        if q in LOGGER_FACTORIES or last in ("getLogger", "get_logger") or q == "loguru.logger":
            return "logger"
        if q == "wandb.init":
            return "wandb-run"
        if q == "wandb.Table":
            return "wandb-table"
        if last == "SummaryWriter" or q == "tensorflow.summary.create_file_writer":
            return "tb-writer"
        if q in ("rich.console.Console", "rich.get_console"):
            return "console"
        if q in ("mlflow.MlflowClient", "mlflow.tracking.MlflowClient",
                 "mlflow.client.MlflowClient"):
            return "mlflow-client"
        if q == "transformers.pipeline":
            task = None
            if call is not None:
                arg = self.kwarg(call, "task")
                if arg is None and call.args and call.args[0].keyword is None:
                    arg = call.args[0]
                if arg is not None:
                    ok, value = literal_value(arg.value)
                    task = value if ok and isinstance(value, str) else None
            return None if task in NON_TEXT_PIPELINE_TASKS else "pipeline"
        if root in ("langchain", "langgraph", "llama_index") or root.startswith("langchain_") \
                or root in LLM_OBJECT_PACKAGES:
            if "prompt" in q.lower() or last.endswith("Template") or "output_parser" in q \
                    or "message" in last.lower():
                return "template"
            return "llm"
        if root == "vllm" and last in ("LLM", "AsyncLLMEngine", "LLMEngine"):
            return "model"
        if last in ("from_pretrained", "load") or q.endswith(".from_pretrained"):
            owner = q.rsplit(".", 2)[-2] if q.count(".") >= 2 else ""
            if root in TOKENIZER_PACKAGES and re.search(r"(?i)token|processor", owner):
                return "tokenizer"
            if root in MODEL_PACKAGES and re.search(r"(?i)model|causallm|seq2seq|lm", owner):
                return "model"
        if root in ("transformers", "tiktoken") and re.search(r"(?i)tokeni[sz]er", last):
            return "tokenizer"
        return "foreign"

    # --- evaluation ---------------------------------------------------------------------
    def ev(self, node: cst.BaseExpression, depth: int = 0) -> Val:
        """The taint/object/constness of an expression, without side effects."""
        if depth > 60:
            return CLEAN
        d = depth + 1
        if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary,
                             cst.Ellipsis)):
            return CONST
        if isinstance(node, cst.ConcatenatedString):
            return self._merge([node.left, node.right], d)
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return CONST
            val = self._lookup(node.value)
            if val is not None:
                return val
            if node.value.isupper() and len(node.value) > 1:
                return CONST  # an imported or global CONSTANT
            return CLEAN
        if isinstance(node, cst.FormattedString):
            parts = [p.expression for p in node.parts
                     if isinstance(p, cst.FormattedStringExpression)]
            return self._merge(parts, d)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return self._merge([e.value for e in node.elements], d)
        if isinstance(node, cst.Dict):
            parts: list[cst.BaseExpression] = []
            for e in node.elements:
                if isinstance(e, cst.DictElement):
                    parts.extend((e.key, e.value))
                else:
                    parts.append(e.value)
            return self._merge(parts, d)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, (cst.Add, cst.Modulo)):
                return self._merge([node.left, node.right], d)
            if isinstance(node.operator, cst.BitOr):  # prompt | llm | parser
                left, right = self.ev(node.left, d), self.ev(node.right, d)
                if "llm" in (left.obj, right.obj) or "template" in (left.obj, right.obj):
                    return Val(obj="llm")
                return Val(_best(left.taint, right.taint))
            if isinstance(node.operator, cst.Multiply):
                left, right = self.ev(node.left, d), self.ev(node.right, d)
                return Val(_best(left.taint, right.taint), const=left.const and right.const)
            return CLEAN
        if isinstance(node, cst.BooleanOperation):
            return self._merge([node.left, node.right], d)
        if isinstance(node, cst.IfExp):
            return self._merge([node.body, node.orelse], d)
        if isinstance(node, cst.Await):
            return self.ev(node.expression, d)
        if isinstance(node, cst.NamedExpr):
            return self.ev(node.value, d)
        if isinstance(node, (cst.StarredElement,)):
            return self.ev(node.value, d)
        if isinstance(node, cst.Attribute):
            return self._ev_attribute(node, d)
        if isinstance(node, cst.Subscript):
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                ok, key = literal_value(node.slice[0].slice.value)
                if ok and isinstance(key, str) and key in METADATA:
                    return CLEAN
            base = self.ev(node.value, d)
            if base.elems is not None and len(node.slice) == 1 and \
                    isinstance(node.slice[0].slice, cst.Index):
                ok, idx = literal_value(node.slice[0].slice.value)
                if ok and isinstance(idx, int) and -len(base.elems) <= idx < len(base.elems):
                    return Val(base.elems[idx])
            return Val(base.taint, None, base.const)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self._ev_comp(node, d)
        if isinstance(node, cst.Call):
            return self._ev_call(node, d)
        return CLEAN

    def _merge(self, nodes, d: int) -> Val:
        taint = None
        const = True
        for n in nodes:
            v = self.ev(n, d)
            taint = _best(taint, v.taint)
            const = const and v.const
        return Val(taint, None, const)

    def _ev_comp(self, node, d: int) -> Val:
        overlay: dict[str, Val] = {}
        self.overlays.append(overlay)
        try:
            comp = node.for_in
            while comp is not None:
                for tgt, val in self._iter_bindings(comp.target, comp.iter):
                    self._bind_overlay(overlay, tgt, val)
                comp = comp.inner_for_in
            if isinstance(node, cst.DictComp):
                return self._merge([node.key, node.value], d)
            return self.ev(node.elt, d)
        finally:
            self.overlays.pop()

    def _bind_overlay(self, overlay: dict[str, Val], target, val: Val) -> None:
        if isinstance(target, cst.Name):
            overlay[target.value] = val
        elif isinstance(target, (cst.Tuple, cst.List)):
            for e in target.elements:
                self._bind_overlay(overlay, e.value, Val(val.taint))

    def _ev_attribute(self, node: cst.Attribute, d: int) -> Val:
        attr = node.attr.value
        dotted = self.dotted_name(node)
        if dotted is not None:
            val = self._lookup_dotted(dotted)
            if val is not None:
                return val
            root = dotted.split(".")[0]
            if root in REQUEST_NAMES and attr in REQUEST_BODY_ATTRS and dotted.count(".") == 1 \
                    and self.web_ctx and self.llm_ctx:
                return Val(Taint("user input", f"{dotted}"))
            q = self.qualified_name(node)
            if q is not None:
                if q in ("loguru.logger", "logging.root"):
                    return Val(obj="logger")
                return CLEAN
        if attr.isupper() and len(attr) > 1:
            return CONST
        base = self.ev(node.value, d)
        if base.taint is not None:
            return CLEAN if attr in METADATA else Val(base.taint)
        if base.obj == "request" and attr in REQUEST_BODY_ATTRS and self.llm_ctx:
            return Val(Taint("user input", dotted or attr))
        if base.obj in ("client", "llm", "model", "pipeline"):
            if TOKENIZER_NAME_RE.search(attr):
                return Val(obj="tokenizer")
            return Val(obj=base.obj)
        return CLEAN

    def _ev_call(self, node: cst.Call, d: int) -> Val:
        func = node.func
        args = [a.value for a in node.args]
        q = self.qualified_name(func)
        if isinstance(func, cst.Name) and q is None:
            name = func.value
            local = self._lookup(name)
            if (local is None or local.obj in (None, "tokenizer")) and (
                    (local is not None and local.obj == "tokenizer") or TOKENIZER_NAME_RE.search(name)):
                return self._merge(args, d)  # tokenizer(prompt): the ids are the prompt's
            if local is not None:
                if local.obj in ("pipeline", "llm"):
                    return Val(Taint("model output", f"{name}()"))
                if local.obj == "template":
                    return Val(self._merge(args, d).taint, obj="template")
                return CLEAN
            summary = self._lookup_func(name)
            if summary is not None:
                return summary
            if name in SANITIZER_BUILTINS:
                return CLEAN
            if name in PASSTHROUGH_BUILTINS:
                return self._merge(args, d)
            if name == "getattr" and len(args) >= 2:
                ok, attr = literal_value(args[1])
                if ok and attr in METADATA:
                    return CLEAN
                return Val(self.ev(args[0], d).taint)
            if name == "input":
                return Val(Taint("user input", "input()")) if self.llm_ctx else CLEAN
            return CLEAN
        if q is not None:
            return self._ev_qualified(node, q, args, d)
        if isinstance(func, cst.Call):  # pipeline("text-generation")(prompt)
            inner = self.ev(func, d)
            if inner.obj in ("pipeline", "llm"):
                return Val(Taint("model output", "a text-generation pipeline call"))
            return CLEAN
        if not isinstance(func, cst.Attribute):
            return CLEAN
        # calling an object held in an attribute: self.tokenizer(prompt), self.pipe(text)
        dotted = self.dotted_name(func)
        stored = self._lookup_dotted(dotted) if dotted else None
        if stored is not None and stored.obj in ("pipeline", "llm"):
            return Val(Taint("model output", f"{dotted}()"))
        if (stored is not None and stored.obj == "tokenizer") or (
                (stored is None or stored.obj is None) and TOKENIZER_NAME_RE.search(func.attr.value)):
            return self._merge(args, d)
        return self._ev_method(node, func, args, d)

    def _ev_qualified(self, node: cst.Call, q: str, args, d: int) -> Val:
        dotted = self.dotted_name(node.func) or q
        if q in MODULE_SOURCES:
            return Val(Taint("model output", f"{dotted}()"))
        if q.startswith(SANITIZER_PREFIXES):
            return CLEAN
        if q in PASSTHROUGH_QUALIFIED:
            return self._merge(args, d)
        head, _, last = q.rpartition(".")
        if last in DECODE_METHODS and re.search(r"(?i)tokeni[sz]er|processor", head):
            return self._decoded(args, f"{dotted}()", d)
        obj = self._ctor_obj(q, node)
        if obj == "template":
            merged = self._merge(args, d)
            return Val(merged.taint, obj="template", const=merged.const)
        if obj == "llm" and last[:1].islower() and last in LLM_GEN_METHODS:
            return Val(Taint("model output", f"{dotted}()"))
        if obj == "foreign" and isinstance(node.func, cst.Attribute) and last[:1].islower() \
                and q.count(".") >= 2:
            # `from app.agent import agent; agent.invoke(...)`: an imported *object*
            val = self._ev_method(node, node.func, args, d)
            if val.taint is not None or val.obj is not None:
                return val
        return Val(obj=obj)

    def _ev_method(self, node: cst.Call, func: cst.Attribute, args, d: int) -> Val:
        meth = func.attr.value
        dotted = self.dotted_name(func)
        label = f"{dotted}()" if dotted else f".{meth}()"
        # walk the receiver chain from its root: the first known object decides
        chain: list[cst.BaseExpression] = []
        cur: cst.BaseExpression = func
        while isinstance(cur, cst.Attribute):
            chain.append(cur.value)
            cur = cur.value
        chain.reverse()  # root first
        segments = (dotted or "").split(".")
        for i, base in enumerate(chain):
            if isinstance(base, cst.Name) and base.value in ("self", "cls") and len(chain) > 1:
                continue
            val = self.ev(base, d)
            tail = ".".join(segments[i + 1:]) if dotted else meth
            if val.taint is not None:
                recv_val = val if i == len(chain) - 1 else self.ev(func.value, d)
                if recv_val.taint is None:
                    return CLEAN
                return self._method_on_tainted(meth, recv_val, args, d)
            if val.obj is not None:
                return self._method_on_object(val.obj, tail, meth, label, node, args, d)
        # unknown receiver
        recv = func.value
        rname = self._last_name(recv)
        summary = None
        if isinstance(recv, cst.Name) and recv.value in ("self", "cls"):
            cls = self.frames[-1].cls
            if cls is not None:
                summary = cls.methods.get(meth)
        if summary is not None:
            return summary
        if dotted:
            for k in range(min(len(segments) - 1, 4), 1, -1):
                sdk = UNKNOWN_CLIENT_TAILS.get(".".join(segments[-k:]))
                if sdk is not None:
                    if self.is_imported(sdk) and not (sdk == "anthropic" and self.twilio):
                        return Val(Taint("model output", label))
                    break
        if rname is not None and rname not in ("self", "cls"):
            if meth in DECODE_METHODS and TOKENIZER_NAME_RE.search(rname):
                return self._decoded(args, label, d)
            if meth in MODEL_GEN_METHODS and MODEL_NAME_RE.search(rname) and self.ml_ctx \
                    and (meth == "generate" or self.local_llm):
                return Val(Taint("model output", label))
            if meth in LLM_GEN_METHODS and LLM_NAME_RE.search(rname) and (
                    self.is_imported("langchain") or self.is_imported("langgraph")
                    or self.is_imported("llama_index") or any(
                        t.startswith("langchain_") for t in self.imports.values())):
                return Val(Taint("model output", label))
            if meth in ("apply_chat_template",) and TOKENIZER_NAME_RE.search(rname):
                return self._merge(args, d)
            if rname in REQUEST_NAMES and meth in REQUEST_BODY_ATTRS and self.web_ctx \
                    and self.llm_ctx:
                return Val(Taint("user input", label))
        if meth in ("format", "format_map", "join"):
            recv_val = self.ev(recv, d)
            merged = self._merge(args, d)
            return Val(_best(merged.taint, recv_val.taint), None,
                       merged.const and (recv_val.const or isinstance(recv, cst.SimpleString)))
        if meth in STRING_BUILDERS:
            recv_val = self.ev(recv, d)
            return Val(recv_val.taint, None, recv_val.const)
        return CLEAN

    def _decoded(self, args, label: str, d: int) -> Val:
        """``tokenizer.decode(ids)``: the text of whatever the ids were (a prompt's ids decode to
        the prompt); ids of unknown origin are taken as generated tokens."""
        ids = [a for a in args if not isinstance(a, (cst.Name,)) or a.value not in ("True", "False")]
        taint = self._merge(ids, d).taint
        return Val(taint if taint is not None else Taint("model output", label))

    def _method_on_tainted(self, meth: str, val: Val, args, d: int) -> Val:
        if meth in SANITIZER_METHODS:
            return CLEAN
        if meth in ("format", "format_map", "join", "replace"):
            return Val(_best(val.taint, self._merge(args, d).taint))
        if meth == "get" and args:
            ok, key = literal_value(args[0])
            if ok and isinstance(key, str) and key in METADATA:
                return CLEAN
        return Val(val.taint)

    def _method_on_object(self, obj: str, tail: str, meth: str, label: str, node: cst.Call,
                          args, d: int) -> Val:
        if obj == "client":
            if any(w in tail for w in ("embed", "moderation", "count_tokens", "files.",
                                       "batches.", "models.list", "models.retrieve",
                                       "fine_tuning", "images.", "vector_stores")):
                return CLEAN
            if tail in CLIENT_GEN_TAILS or meth in CLIENT_GEN_METHODS:
                return Val(Taint("model output", label))
            return Val(obj="client")
        if obj == "llm":
            if meth in LLM_GEN_METHODS:
                return Val(Taint("model output", label))
            if meth.startswith(("get_num_tokens", "get_token")):
                return CLEAN
            return Val(obj="llm")
        if obj == "template":
            if meth in ("format", "format_prompt", "format_messages", "invoke", "to_string",
                        "to_messages"):
                merged = self._merge(args, d)
                return Val(merged.taint, None, merged.const)
            return Val(obj="template")
        if obj == "pipeline":
            if meth in DECODE_METHODS:
                return self._decoded(args, label, d)
            return CLEAN
        if obj == "model":
            if meth in MODEL_GEN_METHODS:
                return Val(Taint("model output", label))
            if meth in DECODE_METHODS and "tokenizer" in tail:
                return self._decoded(args, label, d)
            return CLEAN
        if obj == "tokenizer":
            if meth in DECODE_METHODS:
                return self._decoded(args, label, d)
            if meth in ("apply_chat_template", "encode", "tokenize", "__call__"):
                return self._merge(args, d)
            return CLEAN
        if obj == "request":
            if meth in REQUEST_BODY_ATTRS and self.llm_ctx:
                return Val(Taint("user input", label))
            return CLEAN
        if obj == "logger":
            return Val(obj="logger") if meth in ("getChild", "bind", "opt") else CLEAN
        if obj == "console":
            return CLEAN
        return CLEAN
