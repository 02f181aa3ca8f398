"""AIP502 unsafe-deserialization, the part that follows bytes. Docs live in rules/AIP502.toml.

How the check works: ``pickle.loads(data)`` of bytes is quiet when the project serialises that
format itself (``checkers/project/own_artefacts.py``): the bytes are then a message of its own
protocol (a worker's reply, a queue item). Bytes that arrive in a request are not, whoever
pickled them: a model server that unpickles its request body runs the code of whoever can reach
it. This flow rule makes the loads of the pickle family ``deserialise`` sinks of the dataflow
engine, and records those whose argument carries request or user input (a web handler's request
body, a Gradio input) as ``deserialise-request`` facts; the project rule reports them whatever
the project serialises itself.
"""

from __future__ import annotations

from ...flow.model import CallSite, Model, Outcome, Use
from ...flow.summary import Event
from ...models.kinds import REQUEST_INPUT, USER
from ._flow_rule import Context, FlowRule
from .unsafe_deserialization import FORMAT_OF_LOADER

BYTES_LOADERS = tuple(sorted(n for n in FORMAT_OF_LOADER if n.endswith(".loads")))
FROM_OUTSIDE = (REQUEST_INPUT, USER)


def _loads(site: CallSite) -> Outcome:
    data = site.arg("data", 0)
    uses = [Use("deserialise", {"call": site.q or ""}, data)] if data is not None else []
    return Outcome(None, uses)


DESERIALISE_MODEL = Model("deserialise", calls={name: _loads for name in BYTES_LOADERS})


class DeserialisedRequest(FlowRule):
    rule_id = "AIP502"
    sinks = frozenset({"deserialise"})
    needs = ("loads",)
    model = DESERIALISE_MODEL

    # snippets run through the whole engine: this rule's facts are reported by the project rule
    VALID = [
        "import pickle\ndef reply(queue, result):\n    queue.put(pickle.dumps(result))\n"
        "def collect(queue):\n    return pickle.loads(queue.get())",
    ]
    INVALID = [
        "import pickle\nfrom fastapi import FastAPI, Request\napp = FastAPI()\n"
        "@app.post('/predict')\nasync def predict(request: Request):\n"
        "    payload = pickle.loads(await request.body())\n    return pickle.dumps(payload)",
    ]

    @classmethod
    def gate(cls, summary) -> bool:
        return "loads" in summary.names and any(
            name.split(".")[0] in summary.names for name in BYTES_LOADERS)

    def judge(self, ev: Event, ctx: Context) -> None:
        if any(label.kind in FROM_OUTSIDE for label in ev.labels):
            ctx.fact("deserialise-request", ev.module, ev.pos.line, column=ev.pos.col)
