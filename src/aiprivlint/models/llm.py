"""Hosted and local language models: who the provider is, what a call sends and what it returns.

* **Clients** built from known constructors (``OpenAI()``, ``AzureOpenAI()``,
  ``anthropic.Anthropic()``, ``cohere.ClientV2()``, ``Mistral()``, ``genai.Client()``,
  ``InferenceClient()``, Groq, Together, ``boto3.client("bedrock-runtime")`` ...): any call on
  them sends its content to the provider (sink ``llm.request``); the generation calls
  (``chat.completions.create``, ``messages.create``, ``responses.create``,
  ``models.generate_content`` ...) return model output, the embedding calls an embeddings
  response, a call with ``logprobs`` a response with scores. A client pointed at a local server
  (``base_url="http://localhost:11434/v1"``) is no third party: its calls still return model
  output, but send nothing out (``local``).
* **Module functions** (``litellm.completion``, ``openai.chat.completions.create``,
  ``genai.generate_text``, ``replicate.run``, ``ollama.chat``).
* **LangChain / LlamaIndex / CrewAI / DSPy** chat models and embeddings of remote providers
  (``ChatOpenAI``, ``ChatAnthropic``, ``init_chat_model`` with a provider model string ...),
  chains built from them (``prompt | llm``, ``LLMChain(llm=llm)``) and their ``invoke`` /
  ``stream`` / ``batch`` / ``predict`` / ``embed_*`` calls; local ones (Ollama, llama.cpp,
  ``HuggingFacePipeline``) return output and send nothing out.
* **Plain HTTP** (``requests`` / ``httpx`` / ``aiohttp``) to a provider's host (URL literal,
  constant, f-string or session ``base_url``).
* **Unknown receivers** (a parameter ``client``, ``get_client()`` of another library): an
  SDK-specific call chain counts when it names its ``model=``/``messages=`` (``chat.completions.
  create``; ``messages.create`` only with anthropic imported and no Twilio), and ``invoke`` on an
  LLM-named receiver in a file whose chat-model imports are all of one remote provider.

Model output (``model-output`` label) records whether the request was built from literals only
(a prompt written in the code), from labelled content, or from something unknown; the request's
content labels travel with the output (a model's answer about a customer is about the customer).
"""

from __future__ import annotations

import re

from ..flow.model import CallSite, Kind, Model, Outcome, Use
from ..flow.values import CLEAN, Label, Obj, Val, flat, is_literal, limit, obj
from .kinds import (EMBEDDING, EMBEDDING_RESPONSE, OUTPUT, SCORE, SCORES_RESPONSE)

# --- providers ------------------------------------------------------------------------------------
OPENAI, AZURE, ANTHROPIC = "OpenAI", "Azure OpenAI", "Anthropic"
GEMINI, VERTEX, COHERE, MISTRAL = "Google Gemini API", "Google Vertex AI", "Cohere", "Mistral AI"
HF, GROQ, TOGETHER, BEDROCK = "Hugging Face Inference", "Groq", "Together AI", "AWS Bedrock"
OPENAI_STYLE = "an OpenAI-compatible API"

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
LOCAL_CLIENTS = {"ollama.Client", "ollama.AsyncClient", "vllm.LLM", "llama_cpp.Llama",
                 "gpt4all.GPT4All", "mlx_lm.load"}
MODULE_CALLS = {
    **dict.fromkeys((f"litellm.{f}" for f in (
        "completion", "acompletion", "text_completion", "atext_completion", "responses",
        "aresponses", "batch_completion")), "LiteLLM"),
    **dict.fromkeys(("litellm.embedding", "litellm.aembedding"), "LiteLLM"),
    **dict.fromkeys(("litellm.moderation", "litellm.image_generation", "litellm.transcription"), "LiteLLM"),
    **dict.fromkeys((f"google.generativeai.{f}" for f in (
        "generate_text", "chat", "chat_async", "embed_content", "generate_embeddings",
        "count_message_tokens", "count_text_tokens")), GEMINI),
    **dict.fromkeys(("replicate.run", "replicate.stream", "replicate.async_run",
                     "replicate.predictions.create"), "Replicate"),
    **dict.fromkeys(("ollama.chat", "ollama.generate", "ollama.embeddings", "ollama.embed"), ""),
}
EMBED_CALLS = {"litellm.embedding", "litellm.aembedding", "google.generativeai.embed_content",
               "google.generativeai.generate_embeddings", "ollama.embeddings", "ollama.embed"}
NON_GENERATING = {"litellm.moderation", "google.generativeai.count_message_tokens",
                  "google.generativeai.count_text_tokens"}
OPENAI_MODULE_RESOURCES = {"chat", "completions", "embeddings", "responses", "moderations", "images",
                           "audio", "files", "beta", "batches", "uploads", "ChatCompletion",
                           "Completion", "Embedding", "Moderation", "Image", "Audio", "File",
                           "Edit", "Answer", "Classification"}
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
LC_ROOTS = ("langchain", "llama_index", "langgraph", "crewai", "dspy", "smolagents",
            "pydantic_ai", "haystack", "autogen", "semantic_kernel")
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
# the HTTP client libraries (an import of one: the module may call the network)
HTTP_CLIENTS = ("requests", "httpx", "aiohttp")
HTTP_FUNCS = {f"{lib}.{m}" for lib in ("requests", "requests.api", "httpx")
              for m in ("post", "put", "patch", "get", "request", "stream")}
HTTP_SESSIONS = {"requests.Session", "requests.session", "requests.sessions.Session",
                 "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession"}
HTTP_METHODS = {"post", "put", "patch", "get", "request", "stream", "send"}
HTTP_CONTENT_KWARGS = {"json", "data", "content", "files", "params"}

NON_CONTENT_KWARGS = {"model", "api_key", "timeout", "headers", "extra_headers", "max_retries",
                      "stream", "max_tokens", "temperature", "config", "callbacks", "top_p", "n",
                      "stop", "seed", "max_completion_tokens", "logprobs", "top_logprobs",
                      "response_format", "tool_choice", "reasoning_effort", "model_name"}
CLIENT_FACTORY = {"with_options", "with_raw_response", "with_streaming_response", "copy",
                  "start_chat", "get_model"}
CLIENT_FACTORY_TAILS = {"chats.create", "aio.chats.create"}
# call chains on a client that return generated content
GEN_TAILS = {
    "chat.completions.create", "chat.completions.parse", "beta.chat.completions.parse",
    "chat.completions.stream", "beta.chat.completions.stream", "completions.create",
    "responses.create", "responses.parse", "responses.stream", "messages.create",
    "messages.stream", "messages.parse", "beta.messages.create", "beta.messages.stream",
    "beta.messages.parse", "chat.complete", "chat.complete_async", "chat.stream",
    "chat.stream_async", "fim.complete", "models.generate_content",
    "models.generate_content_stream", "aio.models.generate_content", "chat", "generate",
    "generate_content", "generate_content_async", "send_message", "text_generation",
    "chat_completion", "completion", "acompletion", "ChatCompletion.create", "Completion.create",
    "chat.completions.acreate", "run", "stream", "create_chat_completion", "create_completion",
}
EMBED_TAILS = {"embeddings.create", "embed", "embed_content", "models.embed_content",
               "feature_extraction", "Embedding.create", "embeddings"}
NON_GEN_WORDS = ("embed", "moderation", "count_tokens", "files.", "batches.", "models.list",
                 "models.retrieve", "fine_tuning", "images.", "vector_stores", "audio.")
# tails that identify an SDK when the receiver is unknown: (SDK that must be imported, provider)
UNKNOWN_TAILS = {
    "chat.completions.create": (None, OPENAI_STYLE), "chat.completions.parse": (None, OPENAI_STYLE),
    "beta.chat.completions.parse": (None, OPENAI_STYLE), "chat.completions.stream": (None, OPENAI_STYLE),
    "responses.create": ("openai", OPENAI), "responses.parse": ("openai", OPENAI),
    "responses.stream": ("openai", OPENAI), "embeddings.create": ("openai", OPENAI),
    "messages.create": ("anthropic", ANTHROPIC), "messages.stream": ("anthropic", ANTHROPIC),
    "messages.parse": ("anthropic", ANTHROPIC),
    "beta.messages.create": ("anthropic", ANTHROPIC), "beta.messages.stream": ("anthropic", ANTHROPIC),
    "messages.count_tokens": ("anthropic", ANTHROPIC),
    "models.generate_content": ("google", GEMINI), "models.generate_content_stream": ("google", GEMINI),
    "aio.models.generate_content": ("google", GEMINI), "chat.complete": ("mistralai", MISTRAL),
}
LLM_SAME = {"bind", "bind_tools", "with_structured_output", "with_config", "with_retry",
            "with_fallbacks", "configurable_fields", "configurable_alternatives", "as_retriever",
            "pipe", "with_types", "with_listeners", "assign", "pick", "as_query_engine",
            "as_chat_engine"}
LLM_SEND = {"invoke", "ainvoke", "stream", "astream", "batch", "abatch", "batch_as_completed",
            "astream_events", "astream_log", "stream_events", "run", "arun", "predict", "apredict",
            "predict_messages", "call", "acall", "__call__", "generate", "agenerate",
            "generate_prompt", "agenerate_prompt", "complete", "acomplete", "chat", "achat",
            "stream_chat", "astream_chat", "stream_complete", "astream_complete", "query", "aquery",
            "kickoff", "kickoff_async", "structured_predict", "forward", "run_sync"}
LLM_EMBED = {"embed_query", "aembed_query", "embed_documents", "aembed_documents",
             "get_text_embedding", "get_query_embedding", "get_text_embedding_batch",
             "aget_query_embedding", "aget_text_embedding"}
LLM_STORE = {"add_texts", "aadd_texts", "add_documents", "aadd_documents", "similarity_search",
             "asimilarity_search", "similarity_search_with_score", "max_marginal_relevance_search",
             "get_relevant_documents"}
LC_SENDING_FACTORIES = {"from_texts", "afrom_texts", "from_documents", "afrom_documents"}
LLM_NAME_RE = re.compile(
    r"(?i)(^|_)(llm|chat_?model|chain|agent|agent_executor|chatbot|qa_chain|rag_chain|"
    r"executor|graph|query_engine|chat_engine|runnable|crew|assistant)s?$")
TEMPLATE_METHODS = {"format", "format_prompt", "format_messages", "invoke", "to_string",
                    "to_messages", "partial"}
# metadata of a response: no content
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
TEXT_MEASURES = {"count", "index", "find", "startswith", "endswith", "__len__", "get_num_tokens",
                 "hexdigest", "keys"}


def provider_of_model(name: str | None):
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


def host_of(url: str) -> str:
    m = re.search(r"://([^/:{}\s]+)", url)
    return m.group(1) if m else ""


# --- model output ----------------------------------------------------------------------------
def _state(content_vals: list) -> str:
    if any(flat(v) for v in content_vals):
        return "labelled"
    if content_vals and all(is_literal(v) for v in content_vals):
        return "literal"
    return "unknown"


def generated(site: CallSite, api: str, content_vals: list, logprobs: bool = False) -> Val:
    """The value a generation call returns: model output, with the request's content."""
    labels = set()
    for v in content_vals:
        labels |= flat(v)
    labels.add(Label(OUTPUT, api, f"{api}()", site.line, (_state(content_vals),)))
    if logprobs:
        labels.add(Label(SCORES_RESPONSE, "", f"{site.name}(logprobs=...)", site.line))
    return Val(limit(labels), None, Obj("llm.response"))


def _content_vals(site: CallSite, skip_pos: int = 0, only=None, recv: bool = False) -> list:
    vals = list(site.args[skip_pos:])
    for k, v in site.kwargs.items():
        if only is not None:
            if k in only:
                vals.append(v)
        elif k not in NON_CONTENT_KWARGS:
            vals.append(v)
    if recv and site.recv is not None and site.recv.labels:
        vals.append(Val(site.recv.labels))
    return vals


def _wants_logprobs(site: CallSite) -> bool:
    for k in ("logprobs", "top_logprobs"):
        v = site.arg(k)
        if v is None:
            continue
        c = v.const() if v.consts else "?"
        if c not in (None, False, 0):
            return True
    return False


def request(site: CallSite, provider: str, api: str, *, host: str = "", local: bool = False,
            skip_pos: int = 0, only=None, recv: bool = False, kind: str = "generate") -> Outcome:
    """A call that sends its content to a provider and returns what the provider answers."""
    vals = _content_vals(site, skip_pos, only, recv)
    info = {"provider": provider, "api": api, "host": host, "local": local, "call": kind}
    content = Val(limit(set().union(*(flat(v) for v in vals)))) if vals else CLEAN
    use = Use("llm.request", info, content)
    use.info["always"] = not local  # the third-party-api fact needs every call site
    if kind == "embed":
        ret = Val(limit(set(content.labels) | {Label(EMBEDDING_RESPONSE, "", f"{api}", site.line)}),
                  None, Obj("llm.embeddings"))
    elif kind == "embed_direct":
        ret = Val(frozenset({Label(EMBEDDING, "vec", f"{site.name}", site.line)}))
    elif kind == "other":
        ret = CLEAN
    else:
        ret = generated(site, api, vals, _wants_logprobs(site))
    return Outcome(ret, [use])


# --- clients ---------------------------------------------------------------------------------
def built(site: CallSite, v: Val) -> Outcome | Val:
    """A client or model of a remote provider is built here: an event of its own (the
    ``third-party-api`` fact of a file that builds a model another file calls)."""
    o = v.obj
    if o is None or o.get("local") or not o.get("provider"):
        return v
    return Outcome(v, [Use("llm.client", {"provider": o.get("provider"), "api": f"{o.get('label')}()",
                                          "always": True})])


def client_ctor(site: CallSite) -> Outcome | Val:
    return built(site, _client_ctor(site))


def _client_ctor(site: CallSite) -> Val:
    q = site.q or ""
    provider = CLIENT_CTORS.get(q, HF if q.startswith("huggingface_hub") else OPENAI)
    base = None
    for kw in BASE_URL_KWARGS:
        if kw in site.kwargs:
            base = site.kwargs[kw].text()
            break
    if base is None and provider == HF:
        base = site.text("model", 0)
    label = q.rsplit(".", 1)[-1]
    if base is not None and LOCAL_URL_RE.search(base):
        return Val(obj=obj("llm.client", provider="", label=label, local=True))
    if base is not None and provider in (OPENAI, AZURE):
        provider = provider_of_url(base) or (provider if "openai" in base else
                                             f"the OpenAI-compatible API at {host_of(base)}")
    if provider == GEMINI:
        ok, v = site.const("vertexai")
        if ok and v is True:
            provider = VERTEX
    return Val(obj=obj("llm.client", provider=provider, label=label, local=False))


def local_client(site: CallSite) -> Val:
    return Val(obj=obj("llm.client", provider="", label=(site.q or "").rsplit(".", 1)[-1], local=True))


def bedrock_client(site: CallSite) -> Outcome | Val | None:
    service = site.text("service_name", 0)
    if service in ("bedrock-runtime", "bedrock-agent-runtime"):
        return built(site, Val(obj=obj("llm.client", provider=BEDROCK, label="boto3.client",
                                       local=False)))
    return None


def client_method(site: CallSite) -> Outcome | Val | None:
    o = site.recv.obj
    tail = ".".join((*o.path, site.name))
    if site.name in CLIENT_FACTORY or tail in CLIENT_FACTORY_TAILS:
        return Val(obj=Obj(o.type, o.attrs))
    provider, local = o.get("provider") or "", bool(o.get("local"))
    api = site.dotted or f"{o.get('label')}().{tail}"
    if any(w in tail for w in NON_GEN_WORDS):
        kind = "embed" if "embed" in tail else "other"
    elif tail in GEN_TAILS or site.name in ("create", "parse", "stream", "complete", "chat",
                                            "generate", "generate_content", "text_generation",
                                            "chat_completion", "send_message"):
        kind = "generate"
    else:
        kind = "other"
    if kind == "other" and not (site.args or site.kwargs):
        return CLEAN
    return request(site, provider, api, local=local, kind=kind, recv=True)


def module_call(site: CallSite) -> Outcome | None:
    q = site.q or ""
    provider = MODULE_CALLS.get(q)
    api = site.dotted or q
    local = provider == ""
    if provider == "LiteLLM":
        base = site.text("api_base") or site.text("base_url")
        mp = provider_of_model(site.text("model", 0))
        if (base is not None and LOCAL_URL_RE.search(base)) or mp is False:
            local, provider = True, ""
        else:
            provider = mp or "the LiteLLM provider for the configured model"
    kind = "embed" if q in EMBED_CALLS else ("other" if q in NON_GENERATING else "generate")
    return request(site, provider or "", api, local=local, kind=kind)


def openai_module(site: CallSite) -> Outcome | None:
    parts = (site.q or "").split(".")
    if len(parts) >= 3 and parts[1] in OPENAI_MODULE_RESOURCES:
        tail = ".".join(parts[1:])
        kind = "embed" if "mbedding" in tail else ("generate" if tail in GEN_TAILS or parts[-1] in (
            "create", "acreate", "parse") and parts[1] in ("chat", "completions", "responses",
                                                        "ChatCompletion", "Completion") else "other")
        return request(site, OPENAI, site.dotted or site.q, kind=kind)
    return None


# --- LangChain and friends -------------------------------------------------------------------
def lc_ctor(site: CallSite) -> Val | Outcome | None:
    got = _lc_ctor(site)
    chain = any(v.obj is not None and v.obj.type == "llm.model"
                for v in [*site.args, *site.kwargs.values()])
    if isinstance(got, Val) and got.obj is not None and got.obj.type == "llm.model" and not chain:
        return built(site, got)
    return got


def _lc_ctor(site: CallSite) -> Val | Outcome | None:
    q = site.q or ""
    last = q.rsplit(".", 1)[-1]
    provider = None
    if LOCAL_MODEL_RE.search(q):
        return Val(obj=obj("llm.model", provider="", label=last, local=True))
    if last in LC_MODELS:
        provider = LC_MODELS[last]
    elif last in ("init_chat_model", "init_embeddings", "LM", "LLM", "ChatLiteLLM") or q.endswith(".LLM"):
        model = site.text("model_provider") or site.text("model", 0)
        provider = provider_of_model(model)
        if provider is None and last in ("init_chat_model", "init_embeddings"):
            provider = "the chat model provider configured at runtime"
        if provider is None and last in ("LM", "LLM") and model is None:
            return None
    if isinstance(provider, str):
        base = None
        for kw in BASE_URL_KWARGS:
            if kw in site.kwargs:
                base = site.kwargs[kw].text()
                break
        if base is not None and LOCAL_URL_RE.search(base):
            return Val(obj=obj("llm.model", provider="", label=last, local=True))
        return Val(obj=obj("llm.model", provider=provider, label=last, local=False))
    if provider is False:
        return Val(obj=obj("llm.model", provider="", label=last, local=True))
    if last.endswith(("Embeddings", "Embedding")) and last[:1].isupper():
        # an embedding model of no remote provider above (HuggingFaceEmbeddings runs locally)
        return Val(obj=obj("llm.model", provider="", label=last, local=True))
    # factories and chains: built from a model they send to it
    models = [v for v in [*site.args, *site.kwargs.values()]
              if v.obj is not None and v.obj.type == "llm.model"]
    if models:
        m = models[0].obj
        content = site.content()
        if last in LC_SENDING_FACTORIES:
            return request(site, m.get("provider"), site.dotted or last, local=bool(m.get("local")),
                           kind="embed")
        return Val(content.labels, None, Obj("llm.model", m.attrs))
    if last[:1].isupper() or last.startswith(("from_", "create_")):
        content = site.content()
        return Val(content.labels, None, obj("llm.template", label=last))
    return None


def model_method(site: CallSite) -> Outcome | Val | None:
    o = site.recv.obj
    if o.path:
        return CLEAN
    name = site.name
    if name in LLM_SAME:
        return Val(site.recv.labels, None, Obj(o.type, o.attrs))
    api = site.dotted or f"{o.get('label')}.{name}"
    if name == "__call__":
        api = f"{site.dotted or o.get('label')}()"
    if name in LLM_SEND:
        return request(site, o.get("provider") or "", api, local=bool(o.get("local")), recv=True)
    if name in LLM_EMBED:
        return request(site, o.get("provider") or "", api, local=bool(o.get("local")), recv=True,
                       kind="embed_direct")
    if name in LLM_STORE:
        return request(site, o.get("provider") or "", api, local=bool(o.get("local")), recv=True,
                       kind="other")
    if name.startswith(("get_num_tokens", "get_token")):
        return CLEAN
    return CLEAN


def template_method(site: CallSite) -> Val:
    labels = set(flat(site.recv)) | set(site.content().labels)
    if site.name in TEMPLATE_METHODS or site.name == "__call__":
        return Val(limit(labels), None, None)
    return Val(limit(labels), None, site.recv.obj)


def pipe(site: CallSite) -> Val | None:
    """``prompt | llm``: the chain sends to its model's provider."""
    left, right = site.recv, site.args[0] if site.args else None
    vals = [v for v in (left, right) if v is not None]
    labels = limit(set().union(*(flat(v) for v in vals)))
    for v in vals:
        if v.obj is not None and v.obj.type == "llm.model":
            return Val(labels, None, Obj("llm.model", v.obj.attrs))
    for v in vals:
        if v.obj is not None and v.obj.type == "llm.template":
            return Val(labels, None, v.obj)
    return None


# --- HTTP --------------------------------------------------------------------------------------
def http_call(site: CallSite, base: str | None = None) -> Outcome | None:
    method = site.name
    q = site.q or ""
    url_index = 1 if method == "request" or (method == "stream" and q.startswith("httpx")) else 0
    url_v = site.arg("url", url_index)
    url = url_v.text() if url_v is not None else None
    if url is None and url_v is not None and url_v.consts is None:
        url = None
    if base:
        url = base + (url or "")
    prov = provider_of_url(url)
    if prov is None:
        return None
    label = site.dotted or method
    return request(site, prov, label, host=host_of(url or ""), skip_pos=url_index + 1,
                   only=HTTP_CONTENT_KWARGS, kind="generate")


def http_session(site: CallSite) -> Val:
    base = site.text("base_url")
    return Val(obj=obj("http.session", base=base or ""))


def session_method(site: CallSite) -> Outcome | Val | None:
    if site.name in HTTP_METHODS:
        return http_call(site, site.recv.obj.get("base"))
    return CLEAN


# --- unknown receivers ---------------------------------------------------------------------------
def unknown_chain(site: CallSite) -> Outcome | None:
    dotted = site.dotted or ""
    parts = dotted.split(".")
    for k in range(min(len(parts) - 1, 4), 1, -1):
        tail = ".".join(parts[-k:])
        hit = UNKNOWN_TAILS.get(tail)
        if hit is None:
            continue
        if not any(kw in site.kwargs for kw in ("model", "messages", "contents", "input")):
            return None  # a Twilio-like messages.create(to=..., body=...)
        sdk, prov = hit
        m = site.module
        if m.imports("twilio"):
            return None
        if sdk is None:
            if m.imports("openai") and not m.imports("huggingface_hub"):
                prov = OPENAI
        elif not m.imports(sdk):
            return None
        kind = "embed" if "embed" in tail else "generate"
        return request(site, prov, dotted, kind=kind)
    return None


def _file_providers(m) -> set:
    out = set()
    for target in m.imported:
        last = target.rsplit(".", 1)[-1]
        root = target.split(".")[0]
        if LOCAL_MODEL_RE.search(target):
            out.add("")
        elif root.startswith(LC_ROOTS) and last in LC_MODELS:
            out.add(LC_MODELS[last])
    return out


def llm_named(site: CallSite) -> Outcome | None:
    """``llm.invoke(...)`` on an LLM-named receiver of unknown type: a model of the file's one
    remote chat-model provider; in a file of an LLM framework, model output at least."""
    name = site.name
    if name not in LLM_SEND or not LLM_NAME_RE.search(site.recv_name or ""):
        return None
    m = site.module
    providers = _file_providers(m)
    if len(providers) == 1 and "" not in providers:
        return request(site, next(iter(providers)), site.dotted or name, recv=True)
    if any(m.imports(r) for r in LC_ROOTS) or any(x.startswith("langchain_") for x in m.imported):
        return request(site, "", site.dotted or name, local=True, recv=True)
    return None


# --- labels of model output -----------------------------------------------------------------------
def _output_attr(lb: Label, name: str) -> tuple:
    return () if name in METADATA or name.endswith(("_tokens", "_count", "_ms")) else (lb,)


def _output_key(lb: Label, key) -> tuple:
    return () if isinstance(key, str) and key in METADATA else (lb,)


def _output_method(lb: Label, name: str) -> tuple:
    return () if name in TEXT_MEASURES or name.startswith("get_num_tokens") else (lb,)


def _gone(lb: Label) -> tuple:
    return ()


OUTPUT_KIND = Kind(OUTPUT, attr=_output_attr, key=_output_key, method=_output_method,
                   reduce=_gone)


# kinds that describe a response's structure (its log-probs, its vectors): they decide for
# themselves what a read of metadata means
STRUCTURE = frozenset({SCORES_RESPONSE, EMBEDDING_RESPONSE, SCORE, EMBEDDING,
                       "generate-scores", "pipeline-scores"})


def response_attr(base: Val, name, is_attr: bool):
    """A model response's metadata (``usage``, ``id``, token counts, ``stop_reason``,
    ``logprobs``) holds none of its text nor of the request's: only the labels of its structure
    go on (``r.choices[0].logprobs`` are scores)."""
    if isinstance(name, str) and (name in METADATA or name.endswith(("_tokens", "_count", "_ms"))):
        kept = frozenset(lb for lb in base.labels if lb.kind in STRUCTURE)
        return kept if kept else CLEAN
    return None


def response_method(site: CallSite) -> Val:
    if site.name in TEXT_MEASURES or site.name.startswith("get_num_tokens"):
        return CLEAN
    return Val(site.recv.labels, None, site.recv.obj)


MODEL = Model(
    "llm",
    calls={
        **{q: client_ctor for q in CLIENT_CTORS},
        **{q: local_client for q in LOCAL_CLIENTS},
        **{q: module_call for q in MODULE_CALLS},
        **{q: http_call for q in HTTP_FUNCS},
        **{q: http_session for q in HTTP_SESSIONS},
        "boto3.client": bedrock_client, "boto3.session.Session.client": bedrock_client,
    },
    prefixes=[("openai.", openai_module), *[(r + ".", lc_ctor) for r in LC_ROOTS],
              ("langchain_", lc_ctor), ("huggingface_hub.InferenceClient", client_ctor)],
    methods={
        "llm.client": {"*": client_method},
        "llm.model": {"*": model_method},
        "llm.template": {"*": template_method},
        "http.session": {"*": session_method},
        "llm.response": {"*": response_method},
    },
    attrs={"llm.response": response_attr},
    receivers=[(re.compile(r""), unknown_chain), (LLM_NAME_RE, llm_named)],
    kinds=[OUTPUT_KIND],
    any_methods={"__or__": pipe},
)
