"""AIP203 model-io-logged. Docs live in rules/AIP203.toml.

How the check works: a flow rule. The dataflow engine (:mod:`aiprivlint.flow`) follows values
through functions, methods, modules of the project and notebook cells; the library models say
what produces model output (``models/llm.py``: API clients, LangChain/LlamaIndex models and
chains, LiteLLM; ``models/ml.py``: ``.generate``, ``tokenizer.decode``, text pipelines), what
user input is (``models/web.py``: ``input()``, request bodies, chat UI inputs, the arguments of
an LLM tool, a parameter named like a prompt in a function called from outside the project: a
route handler or a public function of library code) and where text is kept (``models/logs.py``:
loggers, logfire, W&B, MLflow, TensorBoard text, Comet; ``print`` and consoles).

What counts (precision first):

* the content must come from users or personal data: user input, a prompt parameter of an
  entry point, or model output computed from those (or from personal fields, data files and
  dataset records). Model output of a prompt written as a literal in the code is demo output;
  model output of a request the engine cannot see is counted only in service and library code;
* ``print`` is display, not logging, in notebooks, tutorials and command-line scripts (their
  output goes to the person running them); it counts in code that runs as a service or library
  (a handler, a module of an installable package). Echoing ``input()`` never counts;
* metadata of a response (``usage``, token counts, ids, ``stop_reason``, latencies) and
  ``len()``/hashes hold no content.

Severity: ``print`` is low; loggers and trackers medium; a logger in web-serving code (outside
tutorials and notebooks) with a source the engine resolved (not a parameter's name) is high. A
repeated identical pattern (same sink, same source) is reported once per function, with the
number of repeats.
"""

from __future__ import annotations

from ...findings import Severity
from ...flow.summary import Event
from ...models.kinds import (DATASET, FILE, OUTPUT, PERSONAL, PROMPT, USER)
from ...models.web import WEB_FRAMEWORKS
from ._ast_base import Summary
from ._flow_rule import Context, FlowRule

VERB = {"print": "printed", "logging": "logged", "logfire": "sent to Logfire",
        "wandb": "sent to Weights & Biases", "mlflow": "logged to MLflow",
        "tensorboard": "written to TensorBoard", "comet": "logged to Comet"}
CONTENT = {PERSONAL, FILE, DATASET, USER, PROMPT}
WEB_ROOTS = tuple(m for m in WEB_FRAMEWORKS if m not in ("gradio",))
# code that runs as a service or worker: its output goes to logs nobody reads at the time
SERVICE_ROOTS = WEB_ROOTS + ("celery", "rq", "dramatiq", "arq", "kafka", "aiokafka", "pika",
                             "grpc", "uvicorn", "gunicorn")
SINK_CALLS = {"print", "info", "debug", "warning", "warn", "error", "exception", "critical", "log",
              "write", "echo", "add_text", "add_data", "log_text", "log_dict", "log_param",
              "log_params", "log_table", "set_tag", "set_tags", "Table", "text", "pprint", "msg",
              "trace", "success", "fatal", "notice", "log_other", "span", "instrument"}


def _imports_any(meta: dict, roots) -> bool:
    return any(m == r or m.startswith(r + ".") for m in meta.get("imports", ()) for r in roots)


API_LLM_ROOTS = ("openai", "anthropic", "cohere", "mistralai", "litellm", "langgraph", "llama_index",
                 "groq", "together", "ollama", "google.generativeai", "google.genai", "vertexai",
                 "dspy", "guidance", "instructor", "crewai", "semantic_kernel", "haystack",
                 "smolagents", "pydantic_ai", "huggingface_hub", "fireworks", "replicate",
                 "langchain", "langsmith", "autogen", "ag2")
LOCAL_LLM_ROOTS = ("transformers", "vllm", "trl", "text_generation", "llama_cpp", "ctransformers",
                   "mlx_lm", "sglang", "unsloth", "peft", "optimum", "tensorrt_llm", "keras_nlp",
                   "keras_hub", "torch", "tensorflow", "jax", "accelerate", "deepspeed")
GENERATION_CALLS = {"generate", "decode", "batch_decode", "chat", "stream_chat", "pipeline",
                    "generate_content", "convert_tokens_to_string"}


class ModelIOLogged(FlowRule):
    rule_id = "AIP203"
    sinks = frozenset({"log", "tracker", "print"})
    needs = tuple(sorted({r.split(".")[0] for r in (*API_LLM_ROOTS, *WEB_ROOTS, *LOCAL_LLM_ROOTS)}
                         | {"input", "gradio", "streamlit"}))

    VALID = [
        # lengths, token counts, ids and latencies are fine
        "from openai import OpenAI\nimport logging\nlog = logging.getLogger(__name__)\n"
        "client = OpenAI()\nq = input('> ')\n"
        "resp = client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': q}])\n"
        "log.info('tokens=%d', resp.usage.total_tokens)\n"
        "log.info('chars=%d', len(resp.choices[0].message.content))",
        "import anthropic, hashlib, logging\nclient = anthropic.Anthropic()\n"
        "msg = client.messages.create(model='m', max_tokens=10, messages=[{'role': 'user', "
        "'content': input()}])\n"
        "logging.info('id=%s stop=%s', msg.id, msg.stop_reason)\n"
        "logging.info(hashlib.sha256(msg.content[0].text.encode()).hexdigest())",
        # a hard-coded prompt is not user data, nor the demo output computed from it
        "from transformers import pipeline\nprompt = 'Once upon a time'\nprint(prompt)",
        "import logging\nimport anthropic\nclient = anthropic.Anthropic()\n"
        "m = client.messages.create(model='m', max_tokens=99, messages=[{'role': 'user', "
        "'content': 'Write a haiku about autumn'}])\nlogging.info(m.content[0].text)",
        # Twilio's messages.create is not a model call
        "import anthropic\nfrom twilio.rest import Client\nsms = Client('sid', 'tok')\n"
        "m = sms.messages.create(body='hi', to='+1', from_='+2')\nprint(m)",
        # time deltas
        "import time, logging\nfrom openai import OpenAI\nclient = OpenAI()\nt0 = time.time()\n"
        "r = client.responses.create(model='m', input=input())\n"
        "logging.info('took %.2f', time.time() - t0)",
        # a command-line chat loop shows the answer to the person who asked
        "import openai\nclient = openai.OpenAI()\nwhile True:\n    q = input('> ')\n"
        "    for chunk in client.chat.completions.create(model='m', stream=True, messages=["
        "{'role': 'user', 'content': q}]):\n        print(chunk.choices[0].delta.content, end='')",
        # echoing what the user typed in a CLI is not logging
        "import openai\nuser_input = input('> ')\nprint('you said', user_input)",
    ]
    INVALID = [
        "from openai import OpenAI\nimport logging\nlogger = logging.getLogger(__name__)\n"
        "client = OpenAI()\nq = input('> ')\n"
        "resp = client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': q}])\n"
        "logger.info(f'answer: {resp.choices[0].message.content}')",
        "import logging\nimport anthropic\nclient = anthropic.Anthropic()\n"
        "for chunk in client.messages.create(model='m', max_tokens=9, stream=True, messages=["
        "{'role': 'user', 'content': input()}]):\n    logging.info(chunk.delta.text)",
        "import wandb\nfrom transformers import pipeline\ngen = pipeline('text-generation', model='gpt2')\n"
        "rows = open('prompts.txt').read().splitlines()\n"
        "texts = [gen(p)[0]['generated_text'] for p in rows]\n"
        "wandb.log({'samples': wandb.Table(columns=['text'], data=[[t] for t in texts])})",
        "import logging\nfrom fastapi import FastAPI\nfrom langchain_openai import ChatOpenAI\n"
        "app = FastAPI()\nllm = ChatOpenAI()\n@app.post('/ask')\ndef answer(question: str):\n"
        "    logging.info('question: %s', question)\n    return llm.invoke(question).content",
        "import mlflow\nimport litellm\n"
        "r = litellm.completion(model='m', messages=[{'role': 'user', 'content': input()}])\n"
        "mlflow.log_text(r.choices[0].message.content, 'answer.txt')",
    ]

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        """A module where a flow can start: it calls a model API or a generation library,
        reads ``input()``, or serves requests. Helpers next to such a module (a function that
        logs its argument, one that builds the prompt) are analysed in phase 2 through the
        imports between them."""
        if summary.import_prefix(*API_LLM_ROOTS) or "input" in summary.calls:
            return True
        if summary.imports_any(*WEB_ROOTS, "gradio", "streamlit"):
            return True
        return summary.imports_any(*LOCAL_LLM_ROOTS) and bool(summary.called_lasts() & GENERATION_CALLS)

    def __init__(self) -> None:
        self.found: dict = {}  # (rel, func, sink call, source) -> [first candidate, count]

    def judge(self, ev: Event, ctx: Context) -> None:
        rel = ev.module
        meta = ctx.meta(rel)
        roles = ctx.enclosing_roles(rel, ev.func)
        in_handler = any(r.get("kind") in ("handler", "tool") for r in roles)
        runnable = meta.get("notebook") or meta.get("tutorial") or meta.get("script")
        server = _imports_any(meta, SERVICE_ROOTS) and not runnable
        service = in_handler or bool(meta.get("library")) or server
        command = any(r.get("kind") == "command" for r in roles)
        display = bool(runnable) or command or not (in_handler or meta.get("library"))
        if ev.sink == "print" and display:
            return
        source = self._source(ev, service)
        if source is None:
            return
        kind, origin = source[0], source[1]
        if ev.sink == "print" and kind == "user input" and not in_handler:
            return  # the user sees what they typed
        key = (rel, ev.home or "<module>", ev.info.get("call"), kind, origin)
        hit = self.found.get(key)
        if hit is None:
            self.found[key] = [ev, source, 1]
        else:
            hit[2] += 1

    def _source(self, ev: Event, service: bool):
        """(what, origin, resolved by a call?, the caller's data?) of the content that counts, or
        None. The caller's data: a prompt parameter, or model output computed from parameters
        no call of the project fills — what the project receives, not what it was seen to read."""
        labels = ev.value.labels
        outputs = [lb for lb in labels if lb.kind == OUTPUT]
        content = [lb for lb in labels if lb.kind in CONTENT]
        for lb in sorted(outputs, key=lambda lb: lb.sort_key()):
            state = lb.data[0] if lb.data else "unknown"
            if state == "labelled" and not content:
                state = "unknown"  # computed from a parameter no call of the project fills
            if state == "labelled":
                return "model output", lb.origin, True, False
            if state == "unknown" and service:
                return "model output", lb.origin, True, True
        users = sorted((lb for lb in labels if lb.kind == USER), key=lambda lb: lb.sort_key())
        if users and not outputs:
            return "user input", users[0].origin, True, False
        prompts = sorted((lb for lb in labels if lb.kind == PROMPT), key=lambda lb: lb.sort_key())
        if prompts and not outputs:
            return "prompt", prompts[0].origin, False, True
        return None

    def finish(self, ctx: Context) -> None:
        serves = _serves(ctx)
        for (rel, func, call, kind, origin), (ev, source, count) in sorted(
                self.found.items(), key=lambda kv: (kv[0][0], kv[1][0].pos.line, kv[1][0].pos.col)):
            _, _, resolved, callers = source
            meta = ctx.meta(rel)
            via = ev.info.get("via", "print")
            web = _imports_any(meta, WEB_ROOTS)
            if ev.sink == "print":
                severity = Severity.LOW
            elif (via == "logging" and web and resolved and not meta.get("tutorial")
                  and not meta.get("notebook")):
                severity = Severity.HIGH
            else:
                severity = Severity.MEDIUM
            what = {"model output": "Model output", "prompt": "Prompt text",
                    "user input": "User input"}[kind]
            label = ev.info.get("call") or via
            also = f" (and {count - 1} more time(s) in this function)" if count > 1 else ""
            through = ""
            if ev.via:
                caller = ev.info.get("caller")
                at = f"{caller}:{ev.call.line}" if caller and caller != rel and ev.call else \
                    (f"line {ev.call.line}" if ev.call else "")
                through = f", passed to {ev.via[0][0]}() at {at}," if at else ""
            message = (f"{what} ({origin}){through} is {VERB.get(via, 'logged')} verbatim by "
                       f"{label}(){also}; log a length, a hash, an id or token counts instead, "
                       "or redact it first")
            why = None
            if via == "logging" and label.rsplit(".", 1)[-1] in DEBUG_CALLS:
                why = "logged at DEBUG level, off unless switched on"
            elif callers and not serves:
                why = ("a library's diagnostic about its caller's own data: nothing in this "
                       "project serves requests")
            if why:
                message += f" (low confidence: {why})"
            details = {"sink": via, "sink_call": label, "source": kind, "source_origin": origin,
                       "source_resolution": "call" if resolved else "name", "repeats": count,
                       "via": [v[0] for v in ev.via]}
            f = ctx.report(self.rule_id, rel, ev.pos, ev.context, message, details, severity)
            if why:
                f.confidence = "low"


DEBUG_CALLS = {"debug", "trace"}


def _serves(ctx: Context) -> bool:
    """Whether the project runs as a service: a request handler or LLM tool, or a server or
    worker framework, in a module that is not a notebook, tutorial, example, script or test.
    Where none is, the content a library function receives comes from the applications that
    call it, and its log is a diagnostic addressed to them."""
    from ...discovery import is_test_path

    for rel, mod in ctx.modules.items():
        meta = mod.meta
        if meta.get("notebook") or meta.get("tutorial") or meta.get("script") or is_test_path(rel):
            continue
        if _imports_any(meta, SERVICE_ROOTS):
            return True
        if any(f.role and f.role.get("kind") in ("handler", "tool") for f in mod.funcs.values()):
            return True
    return False
