"""AIP401 confidence-scores-exposed and AIP402 embeddings-exposed. Docs: rules/AIP401.toml,
rules/AIP402.toml.

How the check works: two flow rules on the dataflow engine (:mod:`aiprivlint.flow`).

1. **Handlers** (``models/web.py``): the functions a framework calls with a request: FastAPI /
   Flask / Starlette / Quart / Sanic / Litestar / Ninja routes, Django views, Gradio functions
   (``gr.Interface(fn=...)``, event wiring, lambdas), BentoML APIs, Ray Serve deployments,
   KServe ``Model.predict`` (or ``postprocess``, which then receives ``predict``'s result),
   TorchServe, LitServe, Triton and MLflow pyfunc models. What a handler returns or yields reaches
   the client (sink ``response``); in a Streamlit app, display calls are the sink (``display``).
2. **Values** (``models/ml.py``): ``predict_proba``, softmax / sigmoid, ``.logits``, log-probs,
   ``torch.topk`` values, ``generate(..., output_scores=True).scores``, Keras ``predict`` and
   classification pipelines are scores (AIP401); ``SentenceTransformer.encode``,
   ``embed_query``, ``client.embeddings.create(...).data[0].embedding``, ``last_hidden_state``,
   ``pooler_output``, feature-extraction pipelines and face encodings are embeddings (AIP402). The
   engine follows them through functions, methods, modules and containers.
3. **Mitigations** clear the value: ``argmax`` / label lookups, comparisons, ``int()``, bucketing,
   rounding or formatting to at most two decimals; similarities of embeddings are scores over
   documents, not vectors. Request input (a handler's parameters) is never a source: an echoed
   client vector is no leak of the model.

Severity: AIP401 is high when a vector of scores leaves (full probabilities, logits, log-probs,
top-k), medium when only a top-1 score does. AIP402 is medium, low for a purpose-built embedding
endpoint (route or function named ``embed``/``encode``/``vector``...) where the vectors are the
product: the finding then documents the access control, rate limits and noise the service needs.

Limits: branches are merged, not correlated (a model that returns logits or hidden states
depending on ``self.task`` is taken to return both).
"""

from __future__ import annotations

import re

from ...findings import Severity
from ...flow.summary import Event
from ...models.kinds import (EMBEDDING, EMBEDDING_RESPONSE, GENERATE_SCORES, PIPELINE_SCORES,
                             SCORE, SCORES_RESPONSE)
from ...models.web import DJANGO_VIEW_BASES, WEB_FRAMEWORKS
from ._ast_base import Summary
from ._flow_rule import Context, FlowRule

EMBED_PURPOSE = re.compile(r"embed|encod|vector|represent|feature|similar", re.I)

# The packages a handler hangs off: a route, view, event or model class is recognised through
# an import of one of them; each puts the names of its dotted path among the file's identifiers
# (``Summary.names``): the package's first name, and its other parts where the rule only knows a
# subpackage (a local ``ts`` or a ``ray`` cluster is not TorchServe or Ray Serve).
_SERVING_PATHS = tuple(sorted({tuple(m.split(".")) for m in (
    *WEB_FRAMEWORKS, *DJANGO_VIEW_BASES, "streamlit", "kserve", "kfserving", "ts.torch_handler",
    "litserve", "mlflow.pyfunc", "triton_python_backend_utils", "robyn", "litestar", "sanic")}))
_PREFIX_HEADS = tuple(b for b in DJANGO_VIEW_BASES if "." not in b)  # "ninja" is a prefix test


def exposed(labels) -> dict[str, list[tuple[str, str]]]:
    """``{"AIP401": [(kind, src)...], "AIP402": [...]}`` for the labels that are a finding."""
    out: dict[str, list[tuple[str, str]]] = {}
    for lb in labels:
        if lb.kind in (SCORE, PIPELINE_SCORES):
            out.setdefault("AIP401", []).append((lb.tag or "vec", lb.origin))
        elif lb.kind in (SCORES_RESPONSE, GENERATE_SCORES):
            out.setdefault("AIP401", []).append(("vec", lb.origin))
        elif lb.kind in (EMBEDDING, EMBEDDING_RESPONSE):
            out.setdefault("AIP402", []).append(("vec", lb.origin))
    return out


def _fn(name: str | None) -> str:
    return f" `{name}`" if name and name != "<lambda>" else ""


class _ServingRule(FlowRule):
    """Shared by AIP401 and AIP402 (no rule id of its own, so it is not a rule)."""

    sinks = frozenset({"response", "display"})
    needs = tuple(sorted({p[0] for p in _SERVING_PATHS} | set(_PREFIX_HEADS)))

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        """No finding without a handler or a Streamlit sink, and none of those without one of
        the serving packages among the file's names (see ``_SERVING_PATHS``)."""
        names = summary.names
        return any(all(part in names for part in path) for path in _SERVING_PATHS) or any(
            n.startswith(_PREFIX_HEADS) for n in names)

    def __init__(self) -> None:
        self.seen: set = set()
        # (rel, function) of a handler, or (rel, line, col) of a display -> [first hit, count]
        self.found: dict = {}

    def judge(self, ev: Event, ctx: Context) -> None:
        hits = exposed(ev.value.labels).get(self.rule_id)
        if not hits:
            return
        # through a helper (show_breakdown(probs)): where the caller hands the scores over
        rel = ev.info.get("caller", ev.module) if ev.call is not None else ev.module
        pos, context = (ev.call, ev.call_context) if ev.call is not None else (ev.pos, ev.context)
        key = (rel, pos.line, pos.col)
        if key in self.seen:
            return
        self.seen.add(key)
        display = ev.sink == "display"
        fname = None if display else ev.info.get("function")
        # the returns of one handler are one exposure: reported at the first, with the count
        group = (rel, (), ev.home or fname, ev.info.get("where") or "") if fname else \
            (rel, key[1:], "", "")
        hit = (pos.line, pos.col, rel, pos, context, ev, list(hits))
        got = self.found.get(group)
        if got is None:
            self.found[group] = [hit, 1]
        else:  # reported at the first return, with what every return exposes
            first = min(got[0], hit, key=lambda h: (h[0], h[1]))
            got[0] = first[:6] + (got[0][6] + hit[6],)
            got[1] += 1

    def finish(self, ctx: Context) -> None:
        for (_, _, rel, pos, context, ev, hits), count in sorted(
                self.found.values(), key=lambda v: (v[0][2], v[0][0], v[0][1])):
            self._report(ctx, rel, pos, context, ev, hits, count)

    def _report(self, ctx: Context, rel: str, pos, context: str, ev: Event, hits: list,
                count: int) -> None:
        display = ev.sink == "display"
        place = ev.info.get("where") or "handler"
        fname = None if display else ev.info.get("function")
        verb = "displays" if display else "returns"
        to = "to the user" if display else "to the client"
        to += f" (and at {count - 1} more return(s) of this function)" if count > 1 else ""
        srcs = sorted({s for _, s in hits})
        if self.rule_id == "AIP401":
            vector = not all(k == "one" for k, _ in hits)
            what = "a vector of confidence scores" if vector else "a top-1 confidence score"
            hint = ("drop log-probs from the response, or keep the endpoint internal"
                    if any("logprob" in s for s in srcs)
                    else "return the label only, or round/bucket the score")
            msg = (f"{place}{_fn(fname)} {verb} {what} ({', '.join(srcs[:3])}) {to}: "
                   f"scores feed membership inference, model inversion and extraction; {hint}")
            ctx.report(self.rule_id, rel, pos, context, msg,
                       {"handler": place, "function": fname, "sources": srcs,
                        "exposure": "vector" if vector else "top-1", "repeats": count},
                       None if vector else Severity.MEDIUM)
            return
        route = ev.info.get("route") or ""
        purpose = not display and bool(EMBED_PURPOSE.search(route or "")
                                       or EMBED_PURPOSE.search(fname or ""))
        msg = (f"{place}{_fn(fname)} {verb} raw embedding vectors ({', '.join(srcs[:3])}) {to}: "
               "embeddings can be inverted to recover the input and help extract the model; "
               + ("this looks like an embedding service, so gate it with access control and "
                  "rate limits" if purpose else
                  "return ids or scores of nearest neighbours instead"))
        ctx.report(self.rule_id, rel, pos, context, msg,
                   {"handler": place, "function": fname, "sources": srcs,
                    "embedding_service": purpose, "repeats": count},
                   Severity.LOW if purpose else None)


class ConfidenceScoresExposed(_ServingRule):
    rule_id = "AIP401"

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
