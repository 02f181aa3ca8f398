"""AIP302 personal-data-to-third-party. Docs live in rules/AIP302.toml.

How the check works: a flow rule. The dataflow engine (:mod:`aiprivlint.flow`) follows values
through the project; the library models say what reaches a model API (sink ``llm.request``:
``models/llm.py``: clients, LangChain/LlamaIndex models and chains, LiteLLM, plain HTTP to a
provider's host; a client pointed at a local server is no third party) and what is personal
(``models/data.py``: a field whose name denotes personal data, by AIP102's classifier; a request
parameter or request-body record of a handler, ``models/web.py``). Sanitisers (Presidio,
scrubadub, hashes, ``redact*``/``anonymize*``/``pseudonymize*``/``mask_pii``/``scrub*``) clear
the value. Flows cross functions, methods, modules of the project (a helper in ``utils.py``
that builds the prompt, a client created in ``llm.py``), notebook cells, message lists, tool
results and records.

One finding per API call, naming the personal fields, their category, the provider and where
the value was read; when the data reaches the API through a helper, the finding is where the
helper is called with it (the place that decides to pass personal data). Values read from a
data file named in the code go to the project rule (``checkers/project/third_party_files.py``)
as ``third-party-file-flow`` facts, resolved against AIP101's findings in that file. Facts:
``third-party-api`` {provider, api[, host]} at every call to a remote provider (read by
``aiprivlint init-card``).
"""

from __future__ import annotations

from ...findings import Severity
from ...flow.summary import Event
from ...models.kinds import FILE, PERSONAL
from ...models.llm import HOSTS, HTTP_CLIENTS
from ._ast_base import Summary
from ._flow_rule import Context, FlowRule

KIND_RANK = {"request": 0, "record": 1, "field": 2}
# a module can send: an LLM SDK / framework, a plain HTTP client next to a provider host
API_ROOTS = ("openai", "anthropic", "cohere", "mistralai", "litellm", "langchain", "langgraph",
             "llama_index", "groq", "together", "google.generativeai", "google.genai", "vertexai",
             "fireworks", "replicate", "crewai", "dspy", "voyageai", "huggingface_hub", "boto3",
             "smolagents", "pydantic_ai", "haystack", "autogen", "semantic_kernel")
CHAIN_CALLS = {"create", "parse", "generate_content", "invoke", "complete", "chat"}


class PersonalDataToThirdParty(FlowRule):
    rule_id = "AIP302"
    needs = tuple(sorted({r.split(".")[0] for r in API_ROOTS} | CHAIN_CALLS | set(HTTP_CLIENTS)))
    sinks = frozenset({"llm.request", "llm.client"})

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

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        """A module takes part in a flow to a model API when it imports one, talks HTTP next to
        a provider host, calls an SDK-shaped chain, or reads fields (a helper that builds the
        prompt, a record class): the last is checked per project in phase 2."""
        if summary.import_prefix(*API_ROOTS) or summary.calls & CHAIN_CALLS:
            return True
        if summary.imports_any(*HTTP_CLIENTS):
            return any(p.search(s) for s in summary.strings for p, _ in HOSTS)
        return False

    def __init__(self) -> None:
        self.seen: dict = {}
        self.called: set = set()  # (module, provider) with a call
        self.built: dict = {}  # (module, provider) -> (line, api) of the first construction

    def judge(self, ev: Event, ctx: Context) -> None:
        info = ev.info
        if info.get("local"):
            return
        rel = ev.module
        if ev.sink == "llm.client":
            self.built.setdefault((rel, info["provider"]), (ev.pos.line, info["api"]))
            return
        self.called.add((rel, info["provider"]))
        if not ev.via:  # the call itself (not a helper's parameter reaching it): a fact
            key = (rel, ev.pos.line, ev.pos.col)
            if key not in self.seen:
                self.seen[key] = True
                extra = {"host": info["host"]} if info.get("host") else {}
                ctx.fact("third-party-api", rel, ev.pos.line, provider=info["provider"],
                         api=info["api"], **extra)
        labels = ev.value.labels
        fields = sorted((lb for lb in labels if lb.kind == PERSONAL),
                        key=lambda lb: (not lb.data[2], KIND_RANK.get(lb.data[3], 3), lb.tag, lb.origin))
        files = sorted({lb for lb in labels if lb.kind == FILE}, key=lambda lb: lb.sort_key())
        where_rel, pos, context = rel, ev.pos, ev.context
        if ev.call is not None:
            where_rel = info.get("caller", rel)
            pos, context = ev.call, ev.call_context
        if not fields:
            for lb in files:
                path, dropped, _ = lb.data
                ctx.fact("third-party-file-flow", where_rel, pos.line, provider=info["provider"],
                         api=info["api"], file=path, field=lb.tag, read=lb.origin,
                         dropped=list(dropped))
            return
        key = ("hit", where_rel, pos.line, pos.col)
        if key in self.seen:
            return
        self.seen[key] = True
        first = fields[0]
        names: list[str] = []
        for lb in fields:
            if lb.tag not in names:
                names.append(lb.tag)
        category, reason, special, source = first.data
        what = f"field '{first.tag}' ({reason})"
        where = first.origin if source == "request" or not first.line else \
            f"{first.origin} (line {first.line})"
        more = [n for n in names if n != first.tag]
        also = (f"; also {', '.join(repr(n) for n in more[:4])}" + (" and more" if len(more) > 4 else "")
                if more else "")
        host = info.get("host")
        to = f"{info['provider']} ({host})" if host else info["provider"]
        if ev.via:
            helper = ev.via[0][0]
            sink_at = f"line {ev.pos.line}" if rel == where_rel else f"{rel}:{ev.pos.line}"
            route = f"passed to {helper}(), which sends it to {to} through {info['api']}() at {sink_at}"
        else:
            route = f"sent to {to} by {info['api']}()"
        message = (f"Personal data {route}: {what}, read from {where}{also}. Redact or "
                   "pseudonymise it before the call, or leave it out of the request")
        from ...pii.fields import CATEGORIES

        specials = any(lb.data[2] for lb in fields)
        details = {
            "provider": info["provider"], "api": info["api"], "host": host or "",
            "fields": names[:10],
            "categories": sorted({CATEGORIES.get(lb.data[0], lb.data[0]) for lb in fields}),
            "special_category": specials, "source": source, "source_origin": first.origin,
            "via": [v[0] for v in ev.via],
        }
        if where_rel != rel:
            details["sink_path"] = rel
            details["sink_line"] = ev.pos.line
        ctx.report(self.rule_id, where_rel, pos, context, message, details,
                   Severity.CRITICAL if specials else None)

    def finish(self, ctx: Context) -> None:
        # a client or model built in a file that never calls it (it is passed to a chain
        # elsewhere): the construction is where the file decides to use the provider
        for (rel, provider), (line, api) in sorted(self.built.items()):
            if (rel, provider) not in self.called:
                ctx.fact("third-party-api", rel, line, provider=provider, api=api,
                         site="constructor")
