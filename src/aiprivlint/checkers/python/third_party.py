"""AIP302 personal-data-to-third-party. Docs live in rules/AIP302.toml.

How the check works: after the shared traversal (imports known), files that use a model-API SDK
or name a model-API host are interpreted once by :class:`_taint.Interp` (see its docstring for
the propagation rules); this module supplies what is domain knowledge.

* **API calls (sinks).** Clients built from known constructors (``OpenAI()``, ``AzureOpenAI()``,
  ``anthropic.Anthropic()``, ``cohere.ClientV2()``, ``Mistral()``, ``genai.Client()``,
  ``genai.GenerativeModel()``, ``InferenceClient()``, Groq, Together, ``boto3.client(
  "bedrock-runtime")``...): any call on them (``client.chat.completions.create``,
  ``client.messages.create``, ``client.embeddings.create``, ``model.generate_content``...);
  module-level SDK functions (``openai.chat.completions.create``, ``litellm.completion``,
  ``genai.generate_text``, ``replicate.run``); LangChain / LlamaIndex chat models and embeddings
  of remote providers (``ChatOpenAI``, ``ChatAnthropic``, ``init_chat_model``...), chains built
  from them (``prompt | llm``, ``LLMChain(llm=llm)``, agents) and their ``invoke`` / ``stream`` /
  ``batch`` / ``predict`` / ``embed_*`` / ``from_texts`` calls; ``requests`` / ``httpx`` /
  ``aiohttp`` requests whose URL (literal, constant, f-string or ``base_url``) names a model-API
  host (api.openai.com, api.anthropic.com, generativelanguage.googleapis.com, api.cohere.ai,
  api.mistral.ai, api-inference.huggingface.co...). A client pointed at localhost (``base_url=
  "http://localhost:11434/v1"``, ``InferenceClient("http://127.0.0.1:8080")``) and local models
  (Ollama, ``HuggingFacePipeline``, llama.cpp, vLLM) are not third parties. Objects the imports
  say are something else (a Twilio client's ``messages.create``, Stripe's ``Customer.create``)
  never count. Where the receiver is unknown (a parameter ``client``, a client imported from
  another module of the project, ``get_client()``), an SDK-specific call chain counts when it
  names its ``model=``/``messages=`` (``chat.completions.create``; ``messages.create`` only with
  anthropic imported), and ``llm.invoke`` / ``chain.invoke`` on an LLM-named receiver counts in a
  file whose chat-model imports are all of one remote provider.
* **Sources.** A field whose *name* denotes personal data by AIP102's classifier
  (:func:`aiprivlint.pii.fields.classify_field`; names that are ambiguous alone, ``name`` and
  ``address``, do not count, nor free-text fields like ``email_text``): ``row["email"]``,
  ``df[["name", "ssn"]]``, ``customer.get("phone")``, ``user.phone``; fields of request bodies
  (FastAPI/Flask handler parameters named for personal data, parameters typed with a pydantic
  model / dataclass / TypedDict of the file that has personal fields, ``request.form["email"]``,
  ``request.get_json()["email"]``). Configuration (``os.environ``, ``settings``, ``args``...)
  is not a source. Free text (``ticket_text``, ``question``) is not a source: the rule only
  reports what the code names as personal.
* **Sanitisers.** Presidio (``AnonymizerEngine().anonymize``, LangChain's
  ``PresidioAnonymizer``), ``scrubadub.clean`` / ``Scrubber().clean``, ``hashlib`` / ``hmac``,
  and the aiprivlint redaction convention: any function or method whose name starts with
  ``redact``, ``anonymise``/``anonymize``, ``pseudonymise``/``pseudonymize``, ``mask_pii`` or
  ``scrub``. Their result is clean; a ``pseudonymisation`` fact records where they are applied.
* **Files (cross-file).** A value read from a file named by a literal path (``pd.read_csv(
  "data/customers.csv")``, ``open(...)``, ``Path(...).read_text()``, ``load_dataset("csv",
  data_files=...)``) that reaches an API call gives a ``third-party-file-flow`` fact {provider,
  api, file, field, dropped}; the project rule in ``checkers/project/third_party_files.py``
  reports it when AIP101 found personal values in that file — in the selected column when the
  code selected one (``df["notes"]``, ``row.notes``, also through a helper's parameter), not in
  columns it dropped (``df.drop(columns=["email"])``).
* **Facts.** ``third-party-api`` {provider, api[, host]} at every API call site recognised, and
  {provider, api: "ChatOpenAI()", site: "constructor"} where a client or model is built in a
  file that never calls it (it is passed to a chain elsewhere) — read by ``aiprivlint
  init-card``; ``pseudonymisation`` {api} where a sanitiser is applied (Presidio and scrubadub
  always, hashes and the naming convention when their input is personal data) — read by the
  audit.

One finding per API call (or per call of a same-file helper that sends its parameter), naming
the personal field, its category, the provider and where the value was read; never a value.
Not followed: functions imported from other modules (a ``build_prompt`` in ``utils.py``), record
classes defined in other modules, whole objects whose type the file does not define
(``str(customer)`` of an untyped parameter), values hidden in ``**kwargs``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ._lazy import cst

from . import CodeRule
from ._taint import (CLEAN, ClassInfo, Env, FuncInfo, Interp, Obj, Param, Record, Source, Val,
                     limit, stmts_of, str_literal)
from ...findings import Severity

# --- where the rule applies --------------------------------------------------------------------
_IMPORT = r"^\s*(?:from|import)\s+(?:{})\b"
API_IMPORT_RE = re.compile(_IMPORT.format(
    r"openai|anthropic|cohere|mistralai|litellm|langchain\w*|langgraph|llama_index|groq|together|"
    r"google\.generativeai|google\.genai|google\s+import\s+genai|vertexai|fireworks|replicate|"
    r"crewai|dspy|voyageai"), re.M)
# imported everywhere for other reasons: they count only next to their inference APIs
HUB_IMPORT_RE = re.compile(_IMPORT.format(r"huggingface_hub|boto3"), re.M)
HUB_API_RE = re.compile(r"InferenceClient|InferenceApi|bedrock-runtime")
HTTP_IMPORT_RE = re.compile(_IMPORT.format(r"requests|httpx|aiohttp"), re.M)
# a client imported from another module of the project: the call chain tells
SDK_CHAIN_RE = re.compile(r"\.chat\.completions\.(?:create|parse)\(|\.responses\.create\(|"
                          r"\.messages\.create\(|\.models\.generate_content\(")
WEB_IMPORT_RE = re.compile(_IMPORT.format(
    r"fastapi|flask|starlette|quart|sanic|litestar|django|aiohttp|bentoml|langserve"), re.M)

# --- providers ------------------------------------------------------------------------------------
OPENAI, AZURE, ANTHROPIC = "OpenAI", "Azure OpenAI", "Anthropic"
GEMINI, VERTEX, COHERE, MISTRAL = "Google Gemini API", "Google Vertex AI", "Cohere", "Mistral AI"
HF, GROQ, TOGETHER, BEDROCK = "Hugging Face Inference", "Groq", "Together AI", "AWS Bedrock"

CLIENT_CTORS = {
    **dict.fromkeys(("openai.OpenAI", "openai.AsyncOpenAI", "openai.Client", "openai.AsyncClient"), OPENAI),
    **dict.fromkeys(("openai.AzureOpenAI", "openai.AsyncAzureOpenAI"), AZURE),
    **dict.fromkeys(("anthropic.Anthropic", "anthropic.AsyncAnthropic", "anthropic.Client",
                     "anthropic.AsyncClient"), ANTHROPIC),
    **dict.fromkeys(("anthropic.AnthropicBedrock", "anthropic.AsyncAnthropicBedrock"),
                    "Anthropic via AWS Bedrock"),
    **dict.fromkeys(("anthropic.AnthropicVertex", "anthropic.AsyncAnthropicVertex"),
                    "Anthropic via Google Vertex AI"),
    **dict.fromkeys(("cohere.Client", "cohere.ClientV2", "cohere.AsyncClient",
                     "cohere.AsyncClientV2"), COHERE),
    **dict.fromkeys(("mistralai.Mistral", "mistralai.client.MistralClient",
                     "mistralai.async_client.MistralAsyncClient"), MISTRAL),
    **dict.fromkeys(("google.genai.Client", "google.generativeai.GenerativeModel",
                     "google.generativeai.ChatSession"), GEMINI),
    **dict.fromkeys(("vertexai.generative_models.GenerativeModel",
                     "vertexai.preview.generative_models.GenerativeModel",
                     "vertexai.language_models.TextGenerationModel.from_pretrained",
                     "vertexai.language_models.ChatModel.from_pretrained",
                     "vertexai.language_models.TextEmbeddingModel.from_pretrained"), VERTEX),
    **dict.fromkeys(("huggingface_hub.InferenceClient", "huggingface_hub.AsyncInferenceClient",
                     "huggingface_hub.InferenceApi", "huggingface_hub.inference_api.InferenceApi",
                     "huggingface_hub.inference._client.InferenceClient"), HF),
    **dict.fromkeys(("groq.Groq", "groq.AsyncGroq"), GROQ),
    **dict.fromkeys(("together.Together", "together.AsyncTogether"), TOGETHER),
    "fireworks.client.Fireworks": "Fireworks AI", "replicate.Client": "Replicate",
    **dict.fromkeys(("voyageai.Client", "voyageai.AsyncClient"), "Voyage AI"),
    "litellm.Router": "LiteLLM",
}
MODULE_SINKS = {
    **dict.fromkeys((f"litellm.{f}" for f in (
        "completion", "acompletion", "text_completion", "atext_completion", "embedding",
        "aembedding", "responses", "aresponses", "batch_completion", "moderation",
        "image_generation", "transcription")), "LiteLLM"),
    **dict.fromkeys((f"google.generativeai.{f}" for f in (
        "generate_text", "chat", "chat_async", "embed_content", "generate_embeddings",
        "count_message_tokens", "count_text_tokens")), GEMINI),
    **dict.fromkeys(("replicate.run", "replicate.stream", "replicate.async_run",
                     "replicate.predictions.create"), "Replicate"),
}
OPENAI_MODULE_RESOURCES = {"chat", "completions", "embeddings", "responses", "moderations", "images",
                           "audio", "files", "beta", "batches", "uploads", "ChatCompletion",
                           "Completion", "Embedding", "Moderation", "Image", "Audio", "File",
                           "Edit", "Answer", "Classification"}
# LangChain / LlamaIndex model classes of remote providers (by class name, under those packages)
LC_MODELS = {
    **dict.fromkeys(("ChatOpenAI", "OpenAI", "OpenAIEmbeddings", "OpenAIEmbedding", "OpenAIChat",
                     "OpenAIResponses"), OPENAI),
    **dict.fromkeys(("AzureChatOpenAI", "AzureOpenAI", "AzureOpenAIEmbeddings",
                     "AzureOpenAIEmbedding"), AZURE),
    **dict.fromkeys(("ChatAnthropic", "Anthropic", "AnthropicLLM", "ChatAnthropicMessages"), ANTHROPIC),
    **dict.fromkeys(("ChatGoogleGenerativeAI", "GoogleGenerativeAI", "GoogleGenerativeAIEmbeddings",
                     "Gemini", "GoogleGenAI", "GeminiEmbedding", "GoogleGenAIEmbedding"), GEMINI),
    **dict.fromkeys(("ChatVertexAI", "VertexAI", "VertexAIEmbeddings", "Vertex"), VERTEX),
    **dict.fromkeys(("ChatCohere", "Cohere", "CohereEmbeddings", "CohereRerank",
                     "CohereEmbedding"), COHERE),
    **dict.fromkeys(("ChatMistralAI", "MistralAI", "MistralAIEmbeddings", "MistralAIEmbedding"), MISTRAL),
    **dict.fromkeys(("HuggingFaceEndpoint", "HuggingFaceHub", "ChatHuggingFace",
                     "HuggingFaceInferenceAPI", "HuggingFaceInferenceAPIEmbeddings",
                     "HuggingFaceEndpointEmbeddings", "HuggingFaceInferenceAPIEmbedding",
                     "HuggingFaceTextGenInference"), HF),
    **dict.fromkeys(("ChatGroq", "Groq"), GROQ),
    **dict.fromkeys(("ChatTogether", "Together", "TogetherEmbeddings", "TogetherLLM"), TOGETHER),
    **dict.fromkeys(("ChatFireworks", "Fireworks"), "Fireworks AI"),
    **dict.fromkeys(("ChatBedrock", "ChatBedrockConverse", "BedrockChat", "Bedrock", "BedrockLLM",
                     "BedrockEmbeddings", "BedrockConverse"), BEDROCK),
    "ChatDeepSeek": "DeepSeek", "ChatPerplexity": "Perplexity", "ChatXAI": "xAI",
    **dict.fromkeys(("VoyageAIEmbeddings", "VoyageEmbedding", "VoyageAIRerank"), "Voyage AI"),
    **dict.fromkeys(("ChatLiteLLM", "LiteLLM"), "LiteLLM"),
}
LC_ROOTS = ("langchain", "llama_index", "langgraph", "crewai", "dspy")
LOCAL_MODEL_RE = re.compile(r"(?i)ollama|llamacpp|llama_cpp|vllm|huggingfacepipeline|"
                            r"gpt4all|ctransformers|mlx|lmstudio|localai|textgen")
MODEL_NAME_PROVIDERS = [
    (re.compile(r"^(ollama|ollama_chat|lm_studio|vllm|hosted_vllm|local)\b"), None),
    (re.compile(r"^azure"), AZURE),
    (re.compile(r"^(openai|gpt|o[134]\b|o[134]-|chatgpt|text-embedding|davinci|babbage)"), OPENAI),
    (re.compile(r"^(anthropic|claude)"), ANTHROPIC),
    (re.compile(r"^(vertex_ai|vertexai|google_vertexai)"), VERTEX),
    (re.compile(r"^(gemini|google|palm)"), GEMINI), (re.compile(r"^(cohere|command|embed-)"), COHERE),
    (re.compile(r"^(mistral|mistralai|codestral|open-mistral|mixtral)"), MISTRAL),
    (re.compile(r"^(huggingface|hf)\b"), HF), (re.compile(r"^groq"), GROQ),
    (re.compile(r"^together"), TOGETHER), (re.compile(r"^bedrock"), BEDROCK),
    (re.compile(r"^deepseek"), "DeepSeek"), (re.compile(r"^openrouter"), "OpenRouter"),
    (re.compile(r"^fireworks"), "Fireworks AI"), (re.compile(r"^(xai|grok)"), "xAI"),
]
HOSTS = [
    (re.compile(r"api\.openai\.com"), OPENAI), (re.compile(r"\.openai\.azure\.com"), AZURE),
    (re.compile(r"api\.anthropic\.com"), ANTHROPIC),
    (re.compile(r"generativelanguage\.googleapis\.com"), GEMINI),
    (re.compile(r"aiplatform\.googleapis\.com"), VERTEX), (re.compile(r"api\.cohere\.(ai|com)"), COHERE),
    (re.compile(r"api\.mistral\.ai"), MISTRAL),
    (re.compile(r"(api-inference|router)\.huggingface\.co|\.endpoints\.huggingface\.cloud"), HF),
    (re.compile(r"api\.groq\.com"), GROQ), (re.compile(r"api\.together\.(xyz|ai)"), TOGETHER),
    (re.compile(r"api\.fireworks\.ai"), "Fireworks AI"), (re.compile(r"api\.deepseek\.com"), "DeepSeek"),
    (re.compile(r"openrouter\.ai/api"), "OpenRouter"), (re.compile(r"api\.replicate\.com"), "Replicate"),
    (re.compile(r"api\.perplexity\.ai"), "Perplexity"), (re.compile(r"api\.x\.ai"), "xAI"),
    (re.compile(r"bedrock-runtime\.[a-z0-9-]+\.amazonaws\.com"), BEDROCK),
]
LOCAL_URL_RE = re.compile(r"(?i)localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|host\.docker\.internal")
BASE_URL_KWARGS = ("base_url", "api_base", "openai_api_base", "azure_endpoint", "endpoint_url",
                   "endpoint", "base", "host", "server_url", "inference_server_url")

HTTP_FUNCS = {f"{lib}.{m}" for lib in ("requests", "requests.api", "httpx")
              for m in ("post", "put", "patch", "get", "request", "stream")}
HTTP_SESSIONS = {"requests.Session", "requests.session", "requests.sessions.Session",
                 "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession"}
HTTP_METHODS = {"post", "put", "patch", "get", "request", "stream", "send"}
HTTP_CONTENT_KWARGS = {"json", "data", "content", "files", "params"}

# --- calls on API objects -------------------------------------------------------------------------
NON_CONTENT_KWARGS = {"model", "api_key", "timeout", "headers", "extra_headers", "max_retries",
                      "stream", "max_tokens", "temperature", "config", "callbacks"}
CLIENT_FACTORY = {"with_options", "with_raw_response", "with_streaming_response", "copy",
                  "start_chat", "get_model"}
CLIENT_FACTORY_TAILS = {"chats.create", "aio.chats.create"}
LLM_SAME = {"bind", "bind_tools", "with_structured_output", "with_config", "with_retry",
            "with_fallbacks", "configurable_fields", "configurable_alternatives", "as_retriever",
            "pipe", "with_types", "with_listeners", "assign", "pick", "as_query_engine",
            "as_chat_engine"}
LLM_SEND = {"invoke", "ainvoke", "stream", "astream", "batch", "abatch", "batch_as_completed",
            "astream_events", "astream_log", "stream_events", "run", "arun", "predict", "apredict",
            "predict_messages", "call", "acall", "__call__", "generate", "agenerate",
            "generate_prompt", "agenerate_prompt", "complete", "acomplete", "chat", "achat",
            "stream_chat", "astream_chat", "stream_complete", "astream_complete", "query", "aquery",
            "embed_query", "aembed_query", "embed_documents", "aembed_documents", "add_texts",
            "aadd_texts", "add_documents", "aadd_documents", "similarity_search",
            "asimilarity_search", "similarity_search_with_score", "max_marginal_relevance_search",
            "get_relevant_documents", "kickoff", "structured_predict", "get_text_embedding",
            "get_query_embedding", "get_text_embedding_batch", "forward"}
LC_SENDING_FACTORIES = {"from_texts", "afrom_texts", "from_documents", "afrom_documents"}
# call chains that identify an SDK when the receiver's type is unknown (a parameter, a client
# imported from another module of the project): (SDK that must be imported, or None when the
# chain is specific enough on its own; provider)
OPENAI_STYLE = "an OpenAI-compatible API"
UNKNOWN_TAILS = {
    "chat.completions.create": (None, OPENAI_STYLE), "chat.completions.parse": (None, OPENAI_STYLE),
    "beta.chat.completions.parse": (None, OPENAI_STYLE), "responses.create": ("openai", OPENAI),
    "responses.parse": ("openai", OPENAI), "embeddings.create": ("openai", OPENAI),
    "messages.create": ("anthropic", ANTHROPIC), "messages.stream": ("anthropic", ANTHROPIC),
    "beta.messages.create": ("anthropic", ANTHROPIC), "messages.count_tokens": ("anthropic", ANTHROPIC),
    "models.generate_content": ("google.genai", GEMINI), "chat.complete": ("mistralai", MISTRAL),
}
KNOWN_NON_API_ROOTS = ("twilio", "stripe", "django", "sqlalchemy", "slack_sdk", "telegram",
                       "discord", "boto3", "google.cloud", "azure", "sendgrid", "mailchimp")
LLM_NAME_RE = re.compile(
    r"(?i)(^|_)(llm|chat_?model|chain|agent|agent_executor|chatbot|qa_chain|rag_chain)s?$")

# --- sanitisers -----------------------------------------------------------------------------------
REDACT_RE = re.compile(r"(?i)^_*(redact|anonymi[sz]e|pseudonymi[sz]e|mask_pii|scrub)")
ANONYMIZER_CTORS = {
    "presidio_anonymizer.AnonymizerEngine": "presidio AnonymizerEngine",
    "presidio_anonymizer.BatchAnonymizerEngine": "presidio BatchAnonymizerEngine",
    "presidio_anonymizer.engine.AnonymizerEngine": "presidio AnonymizerEngine",
    "langchain_experimental.data_anonymizer.PresidioAnonymizer": "langchain PresidioAnonymizer",
    "langchain_experimental.data_anonymizer.PresidioReversibleAnonymizer":
        "langchain PresidioReversibleAnonymizer",
    "scrubadub.Scrubber": "scrubadub Scrubber",
}
SANITIZING_METHODS = {"count", "index", "find", "rfind", "startswith", "endswith", "isalpha",
                      "isdigit", "isnumeric", "isalnum", "isspace", "isupper", "islower",
                      "isascii", "__len__", "nunique", "isna", "isnull", "notna", "notnull",
                      "sum", "mean", "std", "min", "max", "describe", "value_counts", "shape",
                      "keys", "hexdigest", "digest", "bit_length", "dtype", "duplicated"}
COMBINE_METHODS = {"format", "format_map", "join", "replace", "substitute", "safe_substitute",
                   "format_messages", "format_prompt", "partial"}
MUTATORS = {"append", "extend", "insert", "update", "add", "appendleft", "extendleft",
            "setdefault", "put", "put_nowait", "add_message", "add_messages", "add_user_message",
            "add_ai_message", "write", "writelines"}
RECORD_DUMPS = {"model_dump", "dict", "json", "model_dump_json", "copy", "model_copy", "_asdict"}
FRAME_ACCESSORS = {"values", "iloc", "loc", "iat", "at", "str", "T", "array", "data", "text",
                   "content", "rows", "records", "choices", "message", "messages", "output",
                   "page_content", "body", "dt", "cat", "plot"}
TAINT_METADATA = {"shape", "dtype", "dtypes", "columns", "index", "size", "ndim", "empty",
                  "nbytes", "length", "__len__"}
SANITIZER_BUILTINS = {"len", "hash", "id", "type", "isinstance", "bool", "int", "float", "round",
                      "abs", "sum", "range", "callable", "hasattr", "any", "all", "print"}
PASSTHROUGH_BUILTINS = {"str", "repr", "ascii", "format", "list", "tuple", "set", "frozenset",
                        "dict", "sorted", "reversed", "iter", "next", "max", "min", "filter", "map",
                        "zip", "enumerate", "bytes", "vars"}
PASSTHROUGH = {
    "json.dumps", "json.loads", "json.load", "pprint.pformat", "html.escape", "copy.copy",
    "copy.deepcopy", "pandas.DataFrame", "pandas.Series", "pandas.concat",
    "pandas.DataFrame.from_records", "pandas.DataFrame.from_dict", "pandas.json_normalize",
    "itertools.chain", "itertools.chain.from_iterable", "textwrap.dedent", "textwrap.fill",
    "textwrap.indent", "textwrap.shorten", "textwrap.wrap", "yaml.dump", "yaml.safe_dump",
    "yaml.safe_load", "base64.b64encode", "base64.urlsafe_b64encode", "urllib.parse.urlencode",
    "urllib.parse.quote", "urllib.parse.quote_plus", "csv.reader", "csv.DictReader",
    "io.StringIO", "io.BytesIO", "string.Template", "datasets.Dataset.from_dict",
    "datasets.Dataset.from_list", "datasets.Dataset.from_pandas", "collections.OrderedDict",
    "dataclasses.replace", "operator.itemgetter", "functools.reduce",
}
FILE_READERS = {f"{lib}.{f}" for lib in ("pandas", "polars", "modin.pandas", "dask.dataframe")
                for f in ("read_csv", "read_json", "read_excel", "read_parquet", "read_table",
                          "read_feather", "read_ndjson", "scan_csv", "scan_parquet", "read_jsonl",
                          "scan_ndjson")} | {"numpy.loadtxt", "numpy.genfromtxt",
                                             "datasets.load_dataset", "jsonlines.open"}
FILE_KWARGS = ("file", "filepath_or_buffer", "path", "source", "fname", "path_or_buf")
PATH_CTORS = {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"}

EXCLUDED_ROOTS = {"os", "sys", "environ", "config", "cfg", "conf", "settings", "args", "opts",
                  "options", "flags", "FLAGS", "env", "secrets", "headers", "hparams", "params_config",
                  "parser", "schema", "fields", "columns", "st_secrets", "app_config", "CONFIG",
                  "SETTINGS", "metadata", "meta", "defaults", "constants"}
EXCLUDED_RECEIVER_RE = re.compile(r"(?i)(config|settings|secret|schema|column|pattern|regex|"
                                  r"recogni[sz]er|validator|template|example|fake|mock|dummy)s?$")
FREE_TEXT_WORDS = {"text", "texts", "message", "messages", "msg", "html", "snippet", "draft",
                   "reply", "replies", "response", "prompt", "summary", "classification", "intent",
                   "sentiment", "category", "spam", "subject", "thread", "conversation",
                   "transcript", "note", "notes", "id", "ids", "template", "tool", "agent"}
ROUTE_ATTRS = {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket",
               "post_route", "endpoint"}
RECORD_BASES = {"BaseModel", "TypedDict", "NamedTuple", "SQLModel", "Schema", "Document"}
CONFIG_CLASS_RE = re.compile(r"(Config|Configuration|Args|Arguments|Settings|Options|Params|"
                             r"Parameters|Hparams|Env|Environment)$")


def personal(name: str):
    """The FieldClass of a field name that denotes personal data by itself, else None."""
    from ...pii.fields import classify_field, words  # imported on first use: 40 ms at start-up

    fc = classify_field(name)
    if fc is None or fc.ambiguous:
        return None
    ws = words(name)
    phrase = set(fc.phrase.split())
    if ws and ws[-1] in FREE_TEXT_WORDS and ws[-1] not in phrase:
        return None  # email_text, phone_message: content about it, not the identifier
    return fc


def provider_of_model(name: str | None) -> str | None | bool:
    """Provider of a model string (``"openai:gpt-4o"``, ``"anthropic/claude-3"``, ``"gpt-4o"``);
    False when the model is local (``ollama/llama3``), None when unknown."""
    if not name:
        return None
    low = name.lower().replace(":", "/")
    for pat, prov in MODEL_NAME_PROVIDERS:
        if pat.search(low):
            return prov if prov is not None else False
    return None


def provider_of_url(url: str | None) -> str | None:
    if not url:
        return None
    for pat, prov in HOSTS:
        if pat.search(url):
            return prov
    return None


@dataclass(frozen=True)
class SinkInfo:
    provider: str
    api: str  # the call as written: client.chat.completions.create
    host: str = ""  # HTTP calls: the API host


class _Analysis(Interp):
    """The interpreter with AIP302's knowledge; collects hits and facts for the rule."""

    def __init__(self, rule: "PersonalDataToThirdParty", code: str) -> None:
        super().__init__()
        self.rule = rule
        self.web = bool(WEB_IMPORT_RE.search(code))
        self.hits: dict[cst.Call, list] = {}  # node -> [SinkInfo, set[Source], via, origin node]
        self.api_nodes: set[int] = set()
        self.call_providers: set[str] = set()
        self.ctor_sites: dict[str, tuple[cst.Call, str]] = {}  # provider -> first construction
        self.pseudo_seen: set[str] = set()
        self.file_providers = self._providers_from_imports()

    # --- names -----------------------------------------------------------------------------
    def dotted(self, node):
        return self.rule.dotted_name(node)

    def qualified(self, node):
        return self.rule.qualified_name(node)

    def _providers_from_imports(self) -> set[str]:
        out: set[str] = set()
        for target in self.rule.imports.values():
            last = target.rsplit(".", 1)[-1]
            root = target.split(".")[0]
            if LOCAL_MODEL_RE.search(target):
                out.add("")  # a local model class is in use: names alone decide nothing
            elif root.startswith(LC_ROOTS) and last in LC_MODELS:
                out.add(LC_MODELS[last])
        return out

    # --- facts and hits -------------------------------------------------------------------
    def send(self, node: cst.Call, info: SinkInfo, env: Env, recv: Val | None = None,
             skip_first: int = 0, content_kwargs: set[str] | None = None) -> Val:
        """``node`` is an API call: record the fact, and the data that reaches it."""
        if id(node) not in self.api_nodes:
            self.api_nodes.add(id(node))
            extra = {"host": info.host} if info.host else {}
            self.rule.fact("third-party-api", node, provider=info.provider, api=info.api, **extra)
            self.call_providers.add(info.provider)
        taint: set = set(self.flat(recv)) if recv is not None else set()
        positional = 0
        for arg in node.args:
            v = self.ev(arg.value, env)
            if arg.keyword is None and not arg.star:
                positional += 1
                if positional <= skip_first:
                    continue
            elif arg.keyword is not None:
                kw = arg.keyword.value
                if content_kwargs is not None and kw not in content_kwargs:
                    continue
                if content_kwargs is None and kw in NON_CONTENT_KWARGS:
                    continue
            taint |= self.flat(v)
        if taint:
            self.on_sink(node, info, limit(taint), env)
        return CLEAN

    def hit(self, node, info, sources, via, origin_node) -> None:
        entry = self.hits.setdefault(node, [info, set(), via, origin_node])
        entry[1].update(sources)

    def sanitized(self, node: cst.Call, label: str, env: Env, always: bool = False) -> Val:
        tainted = False
        for a in node.args:  # personal data by name, not a checksum of a model file
            tainted |= any(isinstance(x, Source) and x.kind != "file"
                           for x in self.flat(self.ev(a.value, env)))
        if (always or tainted) and label not in self.pseudo_seen:
            self.pseudo_seen.add(label)
            self.rule.fact("pseudonymisation", node, api=label)
        return CLEAN

    # --- sources ----------------------------------------------------------------------------
    def _excluded_receiver(self, base: cst.CSTNode) -> bool:
        dotted = self.dotted(base)
        if dotted is None:
            root = base
            while type(root) in (cst.Attribute, cst.Subscript, cst.Call):
                root = root.value if not type(root) is cst.Call else root.func
            dotted = self.dotted(root)
            if dotted is None:
                return False
        parts = dotted.split(".")
        if parts[0] in self.rule.imports and parts[0] not in ("request", "flask_request"):
            return True  # a module attribute: os.environ, st.secrets, settings imported
        if any(p in EXCLUDED_ROOTS for p in parts):
            return True
        last = parts[-1]
        return bool(EXCLUDED_RECEIVER_RE.search(last)) or (last[:1].isupper() and not last.isupper())

    def hook_key_source(self, node, base_node, key, env):
        fc = personal(key)
        if fc is None or self._excluded_receiver(base_node):
            return None
        base = self.dotted(base_node)
        origin = f'{base}["{key}"]' if base else f'…["{key}"]'
        return Source("field", key, fc.category, fc.reason, origin, node, fc.special)

    def hook_attr_source(self, node, base, env):
        attr = node.attr.value
        fc = personal(attr)
        if fc is None or self._excluded_receiver(node.value):
            return None
        dotted = self.dotted(node)
        return Source("field", attr, fc.category, fc.reason, dotted or f"….{attr}", node, fc.special)

    def hook_narrow(self, taint, key):
        """``df["notes"]`` on data read from a file: the column; ``{"train": df}["train"]``
        only unwraps the container; on a parameter, the key is applied at the call sites."""
        out = set()
        for s in taint:
            if type(s) is Param and not s.key:
                s = Param(s.index, s.name, key)
            elif isinstance(s, Source) and s.kind == "file" and not s.field:
                if s.nested:
                    s = Source("file", "", origin=s.origin, node=s.node, path=s.path, dropped=s.dropped)
                elif key not in s.dropped:
                    s = Source("file", key, origin=f'{s.origin}["{key}"]', node=s.node, path=s.path)
            out.add(s)
        return frozenset(out)

    def hook_attr(self, taint, attr):
        if attr in TAINT_METADATA:
            return frozenset(x for x in taint if not (isinstance(x, Source) and x.kind == "file"))
        if attr in FRAME_ACCESSORS or attr.startswith("_"):
            return taint
        return self.hook_narrow(taint, attr)  # row.notes: a column

    def hook_contain(self, taint):
        return frozenset(Source("file", "", origin=s.origin, node=s.node, path=s.path,
                                dropped=s.dropped, nested=True)
                         if isinstance(s, Source) and s.kind == "file" and not s.field else s
                         for s in taint)

    def hook_param(self, func: FuncInfo, param: cst.Param, index: int, env: Env):
        name = param.name.value
        handler = self._route(func.node)
        rec = None
        if param.annotation is not None:
            rec = self._record_of_annotation(param.annotation.annotation, env)
        if param.annotation is not None and rec is None:
            q = self.qualified(param.annotation.annotation)
            if q in CLIENT_CTORS:
                return Val(obj=Obj("client", CLIENT_CTORS[q], q.rsplit(".", 1)[-1]))
            if q and q.split(".")[0].startswith(LC_ROOTS) and q.rsplit(".", 1)[-1] in LC_MODELS:
                last = q.rsplit(".", 1)[-1]
                return Val(obj=Obj("llm", LC_MODELS[last], last))
        if rec is not None:
            where = (f"the request body ({rec.name}) of the {handler} handler {func.name}()"
                     if handler else f"parameter '{name}' ({rec.name}) of {func.name}()")
            return Val(rec=(rec, where, param))
        if handler and name not in ("request", "req", "self"):
            fc = personal(name)
            if fc is not None:
                return Val(frozenset({Source("request", name, fc.category, fc.reason,
                                             f"request parameter '{name}' of the {handler} "
                                             f"handler {func.name}()", param, fc.special)}))
        return None

    def _route(self, fn: cst.FunctionDef) -> str | None:
        if not self.web:
            return None
        for dec in fn.decorators:
            d = dec.decorator
            if type(d) is cst.Call and type(d.func) is cst.Attribute \
                    and d.func.attr.value in ROUTE_ATTRS:
                roots = {t.split(".")[0] for t in self.rule.imports.values()}
                for fw in ("fastapi", "flask", "starlette", "quart", "sanic", "litestar", "aiohttp"):
                    if fw in roots:
                        return {"fastapi": "FastAPI", "flask": "Flask"}.get(fw, fw)
                return "web"
        return None

    # --- records ------------------------------------------------------------------------------
    def hook_record(self, cls: ClassInfo):
        if CONFIG_CLASS_RE.search(cls.name):
            return None
        bases = {b.split(".")[-1] for b in cls.bases}
        decos = {(self.dotted(d.decorator if not type(d.decorator) is cst.Call else d.decorator.func) or "")
                 .split(".")[-1] for d in cls.node.decorators}
        if not (bases & RECORD_BASES or "dataclass" in decos or "define" in decos):
            return None
        fields = []
        for s in stmts_of(cls.node.body):
            if type(s) is cst.SimpleStatementLine:
                for small in s.body:
                    if type(small) is cst.AnnAssign and type(small.target) is cst.Name:
                        name = small.target.value
                        fields.append((name, personal(name), _annotation_name(small.annotation.annotation)))
        return Record(cls.name, tuple(fields))

    def _record_of_annotation(self, ann: cst.CSTNode, env: Env) -> Record | None:
        name = _annotation_name(ann)
        cls = env.lookup_class(name) if name else None
        return cls.record if cls is not None else None

    def record_field(self, rec, key):
        record, origin, node = rec
        for name, fc, ann in record.fields:
            if name != key:
                continue
            if fc is not None:
                kind = "request" if "request body" in origin else "record"
                return Val(frozenset({Source(kind, name, fc.category, fc.reason,
                                             f"{origin}, field '{name}'", node, fc.special)}))
            cls = self.module_env.lookup_class(ann) if ann else None
            if cls is not None and cls.record is not None:
                return Val(rec=(cls.record, f"{origin}, field '{name}'", node))
            return CLEAN
        return CLEAN

    def record_sources(self, rec, depth: int = 0):
        record, origin, node = rec
        out = set()
        for name, fc, ann in record.fields:
            if fc is not None:
                kind = "request" if "request body" in origin else "record"
                out.add(Source(kind, name, fc.category, fc.reason, f"{origin}, field '{name}'",
                               node, fc.special))
            elif ann and depth < 3:
                cls = self.module_env.lookup_class(ann)
                if cls is not None and cls.record is not None and cls.record is not record:
                    out |= self.record_sources((cls.record, f"{origin}, field '{name}'", node), depth + 1)
        return frozenset(out)

    # --- calls -------------------------------------------------------------------------------
    def ev_call(self, node, env, d):
        func = node.func
        fname = func.value if type(func) is cst.Name else (
            func.attr.value if type(func) is cst.Attribute else None)
        if fname and REDACT_RE.match(fname):
            label = f"{fname}()"
            if type(func) is cst.Attribute:
                recv = self.ev(func.value, env, d)
                if recv.obj is not None and recv.obj.kind == "anonymizer":
                    label = f"{recv.obj.label}.{fname}"
            return self.sanitized(node, label, env,
                                  always=label != f"{fname}()")
        return super().ev_call(node, env, d)

    def hook_name_call(self, node, name, env):
        if name == "open":
            return self._file_read(node, "open", env)
        if name in PASSTHROUGH_BUILTINS:
            return self.merge([a.value for a in node.args], env)
        return None

    def hook_qualified_call(self, node, q, env):
        if q in ANONYMIZER_CTORS:
            kind = "scrubber" if q.startswith("scrubadub") else "anonymizer"
            return Val(obj=Obj(kind, label=ANONYMIZER_CTORS[q]))
        root = q.split(".")[0]
        last = q.rsplit(".", 1)[-1]
        if root == "scrubadub":
            return self.sanitized(node, "scrubadub.clean", env, always=True)
        if root in ("hashlib", "hmac"):
            return self.sanitized(node, q, env)
        if q in CLIENT_CTORS or (root == "huggingface_hub"
                                 and last in ("InferenceClient", "AsyncInferenceClient")):
            return self._client(node, q, CLIENT_CTORS.get(q, HF), env)
        if q in ("boto3.client", "boto3.session.Session.client") and node.args:
            service = str_literal(node.args[0].value)
            if service in ("bedrock-runtime", "bedrock-agent-runtime"):
                return Val(obj=Obj("client", BEDROCK, "boto3.client"))
            return Val(obj=Obj("foreign", label=q))
        if root.startswith(LC_ROOTS):
            return self._langchain(node, q, last, env)
        if q in HTTP_FUNCS:
            return self._http(node, q, None, env)
        if q in HTTP_SESSIONS:
            base = self._kw_text(node, ("base_url",), env)
            return Val(obj=Obj("http", base=base or ""))
        sink = self._module_sink(node, q, env)
        if sink is not None:
            return self.send(node, sink, env)
        if q in FILE_READERS:
            return self._file_read(node, q, env)
        if q in PATH_CTORS:
            text = self.merge([a.value for a in node.args], env).text
            return Val(obj=Obj("path", base=text or ""))
        if q == "os.path.join":
            texts = [self.ev(a.value, env).text for a in node.args]
            if all(t is not None for t in texts):
                return Val(text=posixpath.join(*texts))
            return CLEAN
        if q == "dataclasses.asdict" and node.args:
            v = self.ev(node.args[0].value, env)
            return Val(v.taint, rec=v.rec)
        if q in PASSTHROUGH:
            return self.merge([a.value for a in node.args], env)
        if type(node.func) is cst.Attribute and not root.startswith(KNOWN_NON_API_ROOTS):
            # an object imported from the project: `from app.llm import client`
            sink = self._tail_sink(self.dotted(node.func) or "", 1, None, node)
            if sink is not None:
                return self.send(node, sink, env)
        return Val(obj=Obj("foreign", label=q))

    def _client(self, node: cst.Call, q: str, provider: str, env: Env) -> Val:
        base = self._kw_text(node, BASE_URL_KWARGS, env)
        if base is None and provider == HF:
            base = self._first_text(node, "model", env)
        if base is not None and LOCAL_URL_RE.search(base):
            return Val(obj=Obj("foreign", label=q))  # a local server, not a third party
        if base is not None and provider in (OPENAI, AZURE):
            provider = provider_of_url(base) or (provider if "openai" in base else
                                                 f"the OpenAI-compatible API at {_host(base)}")
        if provider == GEMINI and self.rule.kwarg_is(node, "vertexai", True):
            provider = VERTEX
        self.ctor_sites.setdefault(provider, (node, q.rsplit(".", 1)[-1]))
        return Val(obj=Obj("client", provider, q.rsplit(".", 1)[-1]))

    def _langchain(self, node: cst.Call, q: str, last: str, env: Env) -> Val:
        provider: str | None | bool = None
        if last in LC_MODELS:
            provider = LC_MODELS[last]
        elif last in ("init_chat_model", "init_embeddings", "LM", "LLM", "ChatLiteLLM") or q.endswith(".LLM"):
            model = self._kw_text(node, ("model_provider",), env)
            if model is None:
                model = self._first_text(node, "model", env)
            provider = provider_of_model(model)
            if provider is None and last in ("init_chat_model", "init_embeddings"):
                provider = "the chat model provider configured at runtime"
        if isinstance(provider, str):
            base = self._kw_text(node, BASE_URL_KWARGS, env)
            if base is not None and LOCAL_URL_RE.search(base):
                return Val(obj=Obj("foreign", label=q))
            for a in node.args:
                self.ev(a.value, env)
            self.ctor_sites.setdefault(provider, (node, last))
            return Val(obj=Obj("llm", provider, last))
        if provider is False or LOCAL_MODEL_RE.search(q):
            return Val(obj=Obj("foreign", label=q))
        # factories and chains: built from a remote model they send to it
        vals = [(a, self.ev(a.value, env)) for a in node.args]
        model = next((v.obj for _, v in vals if v.obj is not None and v.obj.kind == "llm"), None)
        if model is not None:
            if last in LC_SENDING_FACTORIES:
                self.send(node, SinkInfo(model.provider, self.dotted(node.func) or last), env)
            return Val(obj=Obj("llm", model.provider, model.label))
        taint: set = set()
        for _, v in vals:
            taint |= self.flat(v)
        return Val(limit(taint), obj=Obj("template", label=last))

    def _module_sink(self, node: cst.Call, q: str, env: Env) -> SinkInfo | None:
        api = self.dotted(node.func) or q
        parts = q.split(".")
        if parts[0] == "openai" and len(parts) >= 3 and parts[1] in OPENAI_MODULE_RESOURCES:
            return SinkInfo(OPENAI, api)
        prov = MODULE_SINKS.get(q)
        if prov is None:
            return None
        if prov == "LiteLLM":
            base = self._kw_text(node, ("api_base", "base_url"), env)
            if base is not None and LOCAL_URL_RE.search(base):
                return None
            mp = provider_of_model(self._first_text(node, "model", env))
            if mp is False:
                return None
            prov = mp or "the LiteLLM provider for the configured model"
        return SinkInfo(prov, api)

    def _http(self, node: cst.Call, q: str, base: str | None, env: Env) -> Val:
        method = q.rsplit(".", 1)[-1]
        positional = [a for a in node.args if a.keyword is None and not a.star]
        url_index = 1 if method == "request" or (method == "stream" and q.startswith("httpx")) else 0
        arg = self.rule.kwarg(node, "url")
        if arg is None and len(positional) > url_index:
            arg = positional[url_index]
        url = self.ev(arg.value, env).text if arg is not None else None
        if base:
            url = base + (url or "")
        prov = provider_of_url(url)
        if prov is None:
            for a in node.args:
                self.ev(a.value, env)
            return CLEAN
        label = self.dotted(node.func) or method
        return self.send(node, SinkInfo(prov, label, _host(url or "")), env,
                         skip_first=url_index + 1, content_kwargs=HTTP_CONTENT_KWARGS)

    def hook_obj_call(self, node, recv, meth, env):
        o = recv.obj
        tail = ".".join((*recv.path, meth))
        if o.kind in ("anonymizer", "scrubber"):
            if meth in ("clean", "clean_documents", "anonymize", "anonymize_list", "anonymize_dict",
                        "anonymize_documents"):
                return self.sanitized(node, f"{o.label}.{meth}", env, always=True)
            return Val(obj=o)
        if o.kind == "client":
            if meth in CLIENT_FACTORY or tail in CLIENT_FACTORY_TAILS:
                return Val(obj=o)
            api = self.dotted(node.func) or f"{o.label}().{tail}"
            return self.send(node, SinkInfo(o.provider, api), env, recv=recv)
        if o.kind == "llm":
            if recv.path:
                return CLEAN
            if meth in LLM_SAME:
                return Val(recv.taint, o)
            if meth in LLM_SEND:
                api = self.dotted(node.func) or f"{o.label}.{meth}"
                if meth == "__call__":
                    api = f"{self.dotted(node.func) or o.label}()"
                return self.send(node, SinkInfo(o.provider, api), env, recv=recv)
            return CLEAN
        if o.kind == "template":
            taint = set(self.flat(recv))
            for a in node.args:
                taint |= self.flat(self.ev(a.value, env))
            return Val(limit(taint), obj=o)
        if o.kind == "http":
            if meth in HTTP_METHODS:
                return self._http(node, f"session.{meth}", o.base, env)
            return CLEAN
        if o.kind == "path":
            if meth in ("read_text", "read_bytes", "open"):
                return self._file_read(node, meth, env, path=o.base)
            if meth == "joinpath":
                text = self.merge([a.value for a in node.args], env).text or ""
                return Val(obj=Obj("path", base=f"{o.base}/{text}"))
            return CLEAN
        return None  # foreign: fall through to the generic method handling

    def hook_method_call(self, node, func, recv, env):
        meth = func.attr.value
        args = [a.value for a in node.args]
        if meth in MUTATORS and args:
            taint: set = set()
            for a in args:
                taint |= self.flat(self.ev(a, env))
            self.weak(func.value, self.hook_contain(frozenset(taint)), env)
            return CLEAN
        if meth == "get" and args and recv.rec is None:
            key = str_literal(args[0])
            if key is not None:
                src = self.hook_key_source(node, func.value, key, env)
                if src is not None:
                    return Val(limit(recv.taint | {src}))
                return Val(self.hook_narrow(recv.taint, key)) if recv.taint else CLEAN
        if recv.rec is not None:
            if meth in RECORD_DUMPS:
                return Val(recv.taint, rec=_filter_record(recv.rec, node))
            if meth in SANITIZING_METHODS:
                return CLEAN
            return Val(self.flat(recv))
        if recv.obj is None and not any(isinstance(x, Source) for x in recv.taint):
            sink = self._unknown_client(node, func, env)
            if sink is not None:
                return self.send(node, sink, env)
        if recv.taint:
            if meth in SANITIZING_METHODS:
                return CLEAN
            if meth in ("drop", "remove_columns"):
                return Val(_dropped(recv.taint, node))
            taint = set(recv.taint)
            if meth in COMBINE_METHODS:
                for a in args:
                    taint |= self.flat(self.ev(a, env))
            return Val(limit(taint))
        if meth in COMBINE_METHODS:
            merged = self.merge(args, env)
            return Val(merged.taint, text=recv.text)
        for a in args:
            self.ev(a, env)
        return CLEAN

    def _unknown_client(self, node: cst.Call, func: cst.Attribute, env: Env) -> SinkInfo | None:
        """A call on a receiver of unknown type (a parameter, ``self.client`` set elsewhere,
        ``get_client()`` from another module): decided by the call chain and the arguments."""
        names: list[str] = []
        cur: cst.CSTNode = func
        while type(cur) is cst.Attribute:
            names.append(cur.attr.value)
            cur = cur.value
        names.reverse()
        root = cur.value if type(cur) is cst.Name else "_"
        if root in ("self", "cls") and len(names) > 1:
            rv = self._self_field(root, names[0], env)  # self.client
            root, names = names[0], names[1:]
        else:
            rv = self.ev(cur, env)
        if rv.obj is not None or rv.inst is not None:
            return None
        head = f"{self.dotted(cur.func)}()" if type(cur) is cst.Call and self.dotted(cur.func) else "…"
        label = self.dotted(func) or ".".join((head, *names))
        return self._tail_sink(".".join((root, *names)), 1, label, node)

    def _self_field(self, root: str, attr: str, env: Env) -> Val:
        v = env.lookup(f"{root}.{attr}")
        if v is not None:
            return v
        owner = env.lookup(root)
        return self.class_field(owner.inst, attr) if owner is not None and owner.inst is not None else CLEAN

    def _tail_sink(self, dotted: str, root_len: int, label: str | None,
                   node: cst.Call) -> SinkInfo | None:
        """An SDK-specific call chain (``chat.completions.create``) that names its model or
        messages, or an LLM-named object's ``invoke`` in a file whose only chat-model imports
        are of one remote provider."""
        parts = dotted.split(".")
        tail = ".".join(parts[root_len:])
        if tail in UNKNOWN_TAILS:
            if not any(a.keyword is not None and a.keyword.value in ("model", "messages", "contents")
                       for a in node.args):
                return None  # a Twilio-like messages.create(to=..., body=...)
            sdk, prov = UNKNOWN_TAILS[tail]
            if sdk is None:
                if self.rule.is_imported("openai") and not self.rule.is_imported("huggingface_hub"):
                    prov = OPENAI
                return SinkInfo(prov, label or dotted)
            if self.rule.is_imported(sdk) and not self.rule.is_imported("twilio"):
                return SinkInfo(prov, label or dotted)
            return None
        meth = parts[-1]
        if len(parts) - root_len == 1 and meth in LLM_SEND and LLM_NAME_RE.search(parts[-2]) \
                and len(self.file_providers) == 1 and "" not in self.file_providers:
            return SinkInfo(next(iter(self.file_providers)), label or dotted)
        return None

    def _first_text(self, node: cst.Call, keyword: str, env: Env) -> str | None:
        """The constant text of ``keyword=`` or else of the first positional argument."""
        arg = self.rule.kwarg(node, keyword) or next((a for a in node.args if a.keyword is None), None)
        return self.ev(arg.value, env).text if arg is not None else None

    def _kw_text(self, node: cst.Call, names, env: Env) -> str | None:
        for name in names:
            arg = self.rule.kwarg(node, name)
            if arg is not None:
                return self.ev(arg.value, env).text
        return None

    # --- files --------------------------------------------------------------------------------
    def _file_read(self, node: cst.Call, q: str, env: Env, path: str | None = None) -> Val:
        """A read of a file named by a constant path: a ``file`` source (resolved in phase 2)."""
        positional = [a for a in node.args if a.keyword is None]
        if path is None:
            if q == "datasets.load_dataset":
                builder = str_literal(positional[0].value) if positional else None
                arg = self.rule.kwarg(node, "data_files")
                if arg is None or builder not in ("csv", "json", "parquet", "text", "pandas"):
                    return CLEAN
            else:
                arg = positional[0] if positional else next(
                    (a for a in node.args if a.keyword is not None and a.keyword.value in FILE_KWARGS),
                    None)
            if arg is None:
                return CLEAN
            v = self.ev(arg.value, env)
            path = v.obj.base if v.obj is not None and v.obj.kind == "path" else v.text
        if q == "open":
            mode = self.rule.kwarg(node, "mode") or (positional[1] if len(positional) > 1 else None)
            m = str_literal(mode.value) if mode is not None else "r"
            if m is None or any(c in m for c in "wax+"):
                return CLEAN
        if not path or "{}" in path or "://" in path or "\n" in path or len(path) > 200:
            return CLEAN
        origin = f'{self.dotted(node.func) or q}("{path}")'
        return Val(frozenset({Source("file", "", origin=origin, node=node, path=path)}))


def _dropped(taint: frozenset, call: cst.Call) -> frozenset:
    """``df.drop(columns=["email"])`` / ``ds.remove_columns("email")``: the file sources remember
    which columns are gone."""
    arg = next((a for a in call.args if a.keyword is not None and a.keyword.value in
                ("columns", "column_names")), None)
    if arg is None:
        arg = next((a for a in call.args if a.keyword is None), None)
    if arg is None:
        return taint
    value = arg.value
    elems = [e.value for e in value.elements] if type(value) in (cst.List, cst.Tuple, cst.Set) else [value]
    cols = tuple(c for c in (str_literal(e) for e in elems) if c is not None)
    out = set()
    for s in taint:
        if isinstance(s, Source) and s.kind == "file" and not s.field:
            s = Source("file", "", origin=s.origin, node=s.node, path=s.path, dropped=s.dropped + cols)
        out.add(s)
    return frozenset(out)


def _annotation_name(ann: cst.CSTNode) -> str | None:
    """``Customer``, ``Optional[Customer]``, ``list[Customer]`` -> ``Customer``."""
    if type(ann) is cst.Name:
        return ann.value
    if type(ann) is cst.Attribute:
        return ann.attr.value
    if type(ann) is cst.Subscript and ann.slice:
        inner = ann.slice[0].slice
        if type(inner) is cst.Index:
            return _annotation_name(inner.value)
    if type(ann) is cst.BinaryOperation:  # Customer | None
        return _annotation_name(ann.left)
    text = str_literal(ann)  # "Customer": a forward reference
    return text if text and text.isidentifier() else None


def _filter_record(rec: tuple, call: cst.Call) -> tuple:
    """``model.model_dump(exclude={"email"})`` / ``include={...}``: the fields that remain."""
    record, origin, node = rec

    def names(kw: str) -> set[str] | None:
        for a in call.args:
            if a.keyword is not None and a.keyword.value == kw \
                    and type(a.value) in (cst.Set, cst.List, cst.Tuple, cst.Dict):
                elems = a.value.elements
                keys = [e.key if type(e) is cst.DictElement else e.value for e in elems]
                return {k for k in (str_literal(x) for x in keys) if k is not None}
        return None

    include, exclude = names("include"), names("exclude")
    fields = tuple(f for f in record.fields
                   if (include is None or f[0] in include) and (exclude is None or f[0] not in exclude))
    return (Record(record.name, fields), origin, node)


def _host(url: str) -> str:
    m = re.search(r"://([^/:{}\s]+)", url)
    return m.group(1) if m else ""


KIND_RANK = {"request": 0, "record": 1, "field": 2}


class PersonalDataToThirdParty(CodeRule):
    rule_id = "AIP302"
    # import statements and class names, not bare words: "openai/clip-vit" model ids, "together"
    # and "replicate" in prose and "MistralForCausalLM" would make every ML file pass
    needs = ("import openai", "from openai", "openai.", "OpenAI", "anthropic", "Anthropic",
             "import cohere", "from cohere", "ChatCohere", "CohereEmbeddings", "mistralai",
             "MistralAI", "genai", "generativeai", "vertexai", "VertexAI", "litellm", "langchain",
             "llama_index", "InferenceClient", "InferenceApi", "HuggingFaceEndpoint",
             "api-inference.huggingface", "router.huggingface", "huggingface.cloud", "import groq",
             "from groq", "ChatGroq", "import together", "from together", "ChatTogether",
             "fireworks", "import replicate", "from replicate", "bedrock", "googleapis", "crewai",
             "dspy", "voyageai", "chat.completions", "messages.create", "generate_content",
             "responses.create",
             # plain HTTP to a provider, where the host is the only sign: the HOSTS the words
             # above do not cover (tests/test_gates.py checks that every host is covered)
             "api.cohere.", "api.mistral.ai", "api.groq.com", "api.together.", "api.deepseek.com",
             "openrouter.ai/api", "api.replicate.com", "api.perplexity.ai", "api.x.ai")

    VALID = [
        # non-personal fields only
        "from openai import OpenAI\nclient = OpenAI()\n"
        "def describe(product):\n    return client.chat.completions.create(model='gpt-4o', messages=["
        "{'role': 'user', 'content': f\"Describe {product['product_name']}\"}])",
        # pseudonymised first
        "import hashlib\nfrom openai import OpenAI\nclient = OpenAI()\n"
        "uid = hashlib.sha256(row['email'].encode()).hexdigest()\n"
        "client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': uid}])",
        # the redaction convention
        "import anthropic\nclient = anthropic.Anthropic()\n"
        "client.messages.create(model='m', max_tokens=100, messages=[{'role': 'user', "
        "'content': redact_pii(user['phone'])}])",
        # an unrelated .create()
        "import stripe\nimport openai\nstripe.Customer.create(email=customer['email'])",
        "from twilio.rest import Client\nimport anthropic\nsms = Client('sid', 'tok')\n"
        "sms.messages.create(to=user.phone, body='Your code')",
        # a local model server is not a third party
        "from openai import OpenAI\nclient = OpenAI(base_url='http://localhost:11434/v1')\n"
        "client.chat.completions.create(model='llama3', messages=[{'role': 'user', "
        "'content': row['email']}])",
        # configuration is not personal data
        "import os\nfrom openai import OpenAI\nclient = OpenAI()\n"
        "client.chat.completions.create(model='m', messages=[{'role': 'user', "
        "'content': os.environ['EMAIL']}])",
        # the personal field is excluded from the request body before it is sent
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\nfrom openai import OpenAI\n"
        "app = FastAPI()\nclient = OpenAI()\nclass Ticket(BaseModel):\n    email: str\n    body: str\n"
        "@app.post('/t')\ndef triage(t: Ticket):\n    client.responses.create(model='m', "
        "input=str(t.model_dump(exclude={'email'})))",
        # a local model
        "from langchain_ollama import ChatOllama\nllm = ChatOllama(model='llama3')\n"
        "llm.invoke(f\"Call {user.phone}\")",
    ]
    INVALID = [
        "from openai import OpenAI\nclient = OpenAI()\n"
        "resp = client.chat.completions.create(model='gpt-4o', messages=[{'role': 'user', "
        "'content': f\"Write to {customer['email']}\"}])",
        "import anthropic\nclient = anthropic.Anthropic()\nprompt = f'Call {user.phone} back'\n"
        "client.messages.create(model='m', max_tokens=100, messages=[{'role': 'user', 'content': prompt}])",
        "from langchain_openai import ChatOpenAI\nfrom langchain_core.prompts import ChatPromptTemplate\n"
        "llm = ChatOpenAI()\nchain = ChatPromptTemplate.from_template('Summarise {x}') | llm\n"
        "chain.invoke({'x': row['ssn']})",
        "import requests\nrequests.post('https://api.openai.com/v1/chat/completions', "
        "json={'messages': [{'role': 'user', 'content': df['email'].to_string()}]})",
        "import litellm\ndef build(c):\n    return f\"Customer {c.get('email')}\"\n"
        "litellm.completion(model='gpt-4o', messages=[{'role': 'user', 'content': build(c)}])",
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\nfrom openai import OpenAI\n"
        "app = FastAPI()\nclient = OpenAI()\nclass Ticket(BaseModel):\n    email: str\n    body: str\n"
        "@app.post('/t')\ndef triage(t: Ticket):\n    client.responses.create(model='m', input=str(t))",
        # a helper that sends its parameter: reported where the personal value is passed
        "import anthropic\nclient = anthropic.Anthropic()\ndef ask(text):\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=[{'role': 'user', "
        "'content': text}])\nask('Patient diagnosis: ' + patient['diagnosis'])",
    ]

    def leave_Module(self, node: cst.Module) -> None:
        # the text that was parsed (Module.code would re-generate it: slow on large files)
        code = self._run.nb.code if self._run.nb is not None else self._run.ctx.text
        if not (API_IMPORT_RE.search(code)
                or (HUB_IMPORT_RE.search(code) and HUB_API_RE.search(code))
                or SDK_CHAIN_RE.search(code)
                or (HTTP_IMPORT_RE.search(code) and any(p.search(code) for p, _ in HOSTS))):
            return
        analysis = _Analysis(self, code)
        try:
            analysis.run(node)
        except RecursionError:  # leave the other rules' results of this file intact
            self._run.ctx.error("AIP302: code nests too deeply to follow values; file skipped",
                                "parse")
            return
        # a client or model built here but called elsewhere (passed to a chain, returned by a
        # factory): the construction is where the file decides to use the provider
        for provider, (call, label) in analysis.ctor_sites.items():
            if provider not in analysis.call_providers:
                self.fact("third-party-api", call, provider=provider, api=f"{label}()",
                          site="constructor")
        for call, (info, sources, via, origin) in analysis.hits.items():
            self._report_hit(call, info, sources, via, origin)

    # --- reporting ------------------------------------------------------------------------------
    def _line(self, node: cst.CSTNode | None) -> int:
        if node is None:
            return 0
        line = self._run.position(node)[0]
        if self._run.nb is not None:
            line = self._run.nb.raw_position(line, 0)[0]
        return line

    def _report_hit(self, call: cst.Call, info: SinkInfo, sources: set, via: tuple,
                    origin: cst.CSTNode | None) -> None:
        fields = sorted((s for s in sources if s.kind != "file"),
                        key=lambda s: (not s.special, KIND_RANK.get(s.kind, 3), s.field, s.origin))
        files = sorted({(s.path, s.field, s.origin, s.dropped) for s in sources if s.kind == "file"})
        if not fields:
            for path, field, origin_text, dropped in files:
                self.fact("third-party-file-flow", call, provider=info.provider, api=info.api,
                          file=path, field=field, read=origin_text, dropped=list(dropped))
            return
        first = fields[0]
        names = []
        for s in fields:
            if s.field not in names:
                names.append(s.field)
        what = f"field '{first.field}' ({first.reason})"
        if first.kind == "request":
            where = first.origin
        else:
            where = f"{first.origin} (line {self._line(first.node)})"
        more = [n for n in names if n != first.field]
        also = f"; also {', '.join(repr(n) for n in more[:4])}" + (" and more" if len(more) > 4 else "") \
            if more else ""
        to = f"{info.provider} ({info.host})" if info.host else info.provider
        if via:
            route = (f"passed to {via[0]}(), which sends it to {to} through "
                     f"{info.api}() at line {self._line(origin)}")
        else:
            route = f"sent to {to} by {info.api}()"
        message = (f"Personal data {route}: {what}, read from {where}{also}. Redact or "
                   "pseudonymise it before the call, or leave it out of the request")
        from ...pii.fields import CATEGORIES

        special = any(s.special for s in fields)
        details = {
            "provider": info.provider, "api": info.api, "host": info.host, "fields": names[:10],
            "categories": sorted({CATEGORIES.get(s.category, s.category) for s in fields}),
            "special_category": special, "source": first.kind, "source_origin": first.origin,
            "via": list(via),
        }
        self.report(call, message, details=details, severity=Severity.CRITICAL if special else None)
