"""Serving code: which functions a framework calls with a request, and what reaches the client.

A function gets a *role* (``{"kind": "handler", "where": "FastAPI route", "response": True}``)
when a framework calls it:

* routes and views: FastAPI / Flask / Starlette / Quart / Sanic / Litestar / Ninja decorators
  (``@app.get``, ``@router.post``, ``@bp.route``), ``add_api_route`` / ``add_url_rule``, Django
  views (functions taking ``request`` in ``views.py``, ``@api_view``, the ``get``/``post``...
  methods of class-based views, Flask-RESTX / Flask-RESTful ``Resource`` methods);
* model servers: BentoML ``@bentoml.api`` / ``@svc.api``, Ray Serve ``@serve.deployment``
  functions, ``__call__`` and the public methods reached through handles, KServe
  ``Model.predict`` (or ``postprocess``, which then receives ``predict``'s result), TorchServe
  (``handle``, or ``preprocess``, which receives the batch of requests, each a dict whose
  ``"data"`` or ``"body"`` is what the client sent),
  LitServe, Triton and MLflow pyfunc models;
* Gradio: ``gr.Interface(fn=...)``, ``gr.ChatInterface(fn)``, ``btn.click(fn, ...)``, event
  decorators, lambdas.

A handler's parameters hold request input (``request-input``; a personal field name in a
parameter or a request-body record is personal data sent by the client), and what it returns or
yields reaches the client (sink ``response``). ``flask.request`` and friends are request input;
their body (``request.json``, ``request.form`` ...) and a REST request parser's
``parse_args()`` are what the user sent (``user-input``). In a
Streamlit script, display calls (``st.write``, ``st.json``, ``st.dataframe`` ...) are the sink
(``display``).
"""

from __future__ import annotations

import re

from ..flow.model import CallSite, FunctionSite, Kind, Model, Outcome, ParamSite, Use
from ..flow.values import CLEAN, Label, Val, obj
from .kinds import PERSONAL, PROMPT, REQUEST_INPUT, USER, personal

WEB_FRAMEWORKS = ("fastapi", "flask", "starlette", "quart", "sanic", "aiohttp", "litestar",
                  "ninja", "django", "rest_framework", "bottle", "falcon", "tornado", "ray.serve",
                  "bentoml", "litserve", "gradio", "robyn")
WEB_APPS = {"fastapi.FastAPI": "FastAPI route", "fastapi.APIRouter": "FastAPI route",
            "flask.Flask": "Flask route", "flask.Blueprint": "Flask route",
            "quart.Quart": "Quart route", "quart.Blueprint": "Quart route",
            "sanic.Sanic": "Sanic route", "sanic.Blueprint": "Sanic route",
            "ninja.NinjaAPI": "Django Ninja route", "ninja.Router": "Django Ninja route",
            "starlette.applications.Starlette": "Starlette route",
            "litestar.Litestar": "Litestar route", "robyn.Robyn": "Robyn route"}
# AIP403: development modes of servers. Apps whose run(debug=True) starts the Werkzeug debugger
# (an interactive Python console in the browser on every error page), apps whose debug=True
# returns tracebacks to clients, and Gradio's public share links.
DEBUG_SERVER_APPS = frozenset({"flask.Flask", "quart.Quart", "flask_socketio.SocketIO"})
DEBUG_TRACEBACK_APPS = frozenset({"fastapi.FastAPI", "starlette.applications.Starlette",
                                  "sanic.Sanic", "litestar.Litestar"})
DEBUG_SERVER_PACKAGES = ("flask", "quart", "flask_socketio")
OPEN_HOSTS = frozenset({"0.0.0.0", "::", "[::]"})
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
STREAMLIT_CONTAINERS = {"columns", "tabs", "expander", "container", "empty", "sidebar", "form",
                        "popover", "status", "chat_message"}
DJANGO_VIEW_BASES = ("django.views", "rest_framework.views", "rest_framework.generics",
                     "rest_framework.viewsets", "rest_framework.mixins", "flask.views", "ninja",
                     "flask_restx", "flask_restful", "flask_restplus")  # their Resource
# request parsers of Flask REST extensions: ``parser.parse_args()`` returns what the client sent
REQUEST_PARSERS = ("flask_restx.reqparse.RequestParser", "flask_restful.reqparse.RequestParser",
                   "flask_restplus.reqparse.RequestParser")
CBV_METHODS = {"get", "post", "put", "patch", "delete", "list", "create", "retrieve", "update",
               "partial_update", "dispatch_request"}
NON_WEB_MODULES = {"json", "torch", "pickle", "yaml", "os", "sys", "requests", "httpx", "numpy",
                   "pandas", "functools", "pytest", "unittest", "re", "math", "random", "time",
                   "logging", "joblib", "shutil", "subprocess", "typing", "dataclasses",
                   "collections", "itertools", "click", "typer", "select", "tensorflow", "keras",
                   "jax", "safetensors", "dill", "cloudpickle", "ujson", "orjson", "toml",
                   "tomllib", "configparser", "importlib", "datasets", "transformers", "PIL",
                   "cv2", "sklearn", "scipy", "urllib", "aiofiles", "asyncio", "threading"}
REQUEST_VALUES = ("flask.request", "quart.request", "bottle.request", "sanic.request")
REQUEST_TYPES = {"fastapi.Request", "starlette.requests.Request", "flask.Request",
                 "django.http.HttpRequest", "django.http.request.HttpRequest",
                 "rest_framework.request.Request", "aiohttp.web.Request", "sanic.Request",
                 "quart.Request", "litestar.Request", "fastapi.WebSocket"}
REQUEST_BODY_ATTRS = {"json", "form", "args", "values", "data", "body", "get_json", "files",
                      "query_params", "POST", "GET", "stream", "text", "content", "query"}
PROMPT_NAMES = {
    "prompt", "prompts", "user_prompt", "user_prompts", "user_input", "user_inputs",
    "user_message", "user_messages", "user_msg", "user_query", "user_question", "user_text",
    "question", "questions", "messages", "chat_history", "conversation", "input_text",
    "input_texts", "prompt_text", "prompts_text", "prompt_texts", "text_input", "user_content",
}
# prompts only next to a model API ("query" is a database query elsewhere; "q", the short name
# web APIs give a query, is a loop variable or a quaternion elsewhere)
API_ONLY_NAMES = {"query", "queries", "q", "user_request"}
API_ROOTS = ("openai", "anthropic", "cohere", "mistralai", "litellm", "langchain", "langgraph",
             "llama_index", "groq", "together", "ollama", "google.generativeai", "google.genai",
             "vertexai", "dspy", "crewai", "haystack", "smolagents", "pydantic_ai", "huggingface_hub",
             "fireworks", "replicate", "instructor", "guidance", "semantic_kernel", "autogen")


# Free text a client types, where it is what the client sent (a handler's parameter, a field of
# its request body): there "query" and "q" are the text typed into a search box or a chat, not
# a database query or a loop variable, whatever else the module imports.
CLIENT_TEXT_NAMES = PROMPT_NAMES | API_ONLY_NAMES | {
    "message", "text", "search", "search_query", "search_text", "comment", "feedback"}
# annotations of a parameter that holds no text
NOT_TEXT = {"int", "float", "bool", "complex", "bytes", "datetime", "date", "uuid.UUID",
            "datetime.datetime", "datetime.date"}


PROMPT_SUFFIXES = ("_prompt", "_question")


def client_text(name: str) -> bool:
    return name in CLIENT_TEXT_NAMES or name.endswith((*PROMPT_SUFFIXES, "_query"))


def prompt_name(name: str, module) -> bool:
    if name in PROMPT_NAMES or name.endswith(PROMPT_SUFFIXES):
        return True
    return name in API_ONLY_NAMES and any(module.imports(r) for r in API_ROOTS)


def _label(module) -> str:
    for mod, label in (("fastapi", "FastAPI route"), ("flask", "Flask route"),
                       ("quart", "Quart route"), ("sanic", "Sanic route"),
                       ("starlette", "Starlette route"), ("litestar", "Litestar route"),
                       ("ninja", "Django Ninja route"), ("aiohttp", "aiohttp route")):
        if module.imports(mod):
            return label
    return "HTTP route"


def _web(module) -> bool:
    return any(module.imports(m) for m in WEB_FRAMEWORKS)


def _handler(where: str, **more) -> dict:
    return {"kind": "handler", "where": where, "response": True, **more}


def _staged(name: str, methods, where: str, compute: str, respond: str) -> dict | None:
    """A serving class whose ``compute`` method's result the server hands to ``respond`` (when
    the class defines it) before it goes to the client: the response is ``respond``'s, bound
    from what ``compute`` returns."""
    if respond in methods:
        if name == respond:
            return _handler(where, bound_from=compute)
        if name == compute:
            return {"kind": "handler", "where": where, "response": False}
    elif name == compute:
        return _handler(where)
    return None


def decorated(fs: FunctionSite) -> dict | None:
    m = fs.module
    bentoml = m.imports("bentoml")
    for name, call in fs.decorators:
        last = name.rsplit(".", 1)[-1]
        if name in ("bentoml.api", "bentoml.task") or (bentoml and last == "api" and "." in name):
            return _handler("BentoML API")
        if name == "ray.serve.deployment" and fs.cls_name is None:
            return _handler("Ray Serve deployment")
        if name in ("rest_framework.decorators.api_view", "rest_framework.decorators.action"):
            return _handler("Django REST framework view")
        if name.startswith(("litestar.", "sanic.", "robyn.")) and last in ROUTE_VERBS:
            return _handler(_label(m), route=call.text("path", 0) if call else None)
        head = name.split(".")[0]
        if call is not None and "." in name and last in ROUTE_VERBS and _web(m) \
                and head not in NON_WEB_MODULES:
            return _handler(_label(m), route=call.text("path", 0) or call.text("rule", 0))
        if m.imports("gradio") and "." in name and last in GRADIO_EVENTS and head not in NON_WEB_MODULES:
            return _handler("Gradio event handler")
        if name in ("gradio.on", "gradio.render"):
            return _handler("Gradio event handler")
        if name in ("langchain_core.tools.tool", "langchain.tools.tool", "langchain.agents.tool",
                    "crewai.tools.tool", "smolagents.tool", "llama_index.core.tools.FunctionTool"):
            return {"kind": "tool", "where": "LLM tool", "response": False}
    if fs.cls_name is None:
        rel = m.rel.replace("\\", "/")
        base = rel.rsplit("/", 1)[-1]
        views = (base.startswith("views") and base.endswith(".py")) or "/views/" in rel
        if views and (m.imports("django") or m.imports("rest_framework")) \
                and fs.params[:1] in (["request"], ["req"]) and "." not in fs.qual:
            return _handler("Django view", route=fs.name)
    return None


def class_method(fs: FunctionSite) -> dict | None:
    if fs.cls_name is None:
        return None
    bases, name = fs.cls_bases, fs.name
    methods = fs.extra.get("methods", ()) if hasattr(fs, "extra") else ()
    if any(d == "ray.serve.deployment" for d in fs.cls_decorators):
        if name == "__call__" or (not name.startswith("_") and name not in (
                "reconfigure", "check_health") and name not in fs.extra.get("self_called", ())):
            return _handler("Ray Serve deployment")
    staged = None
    if any(b in ("kserve.Model", "kserve.model.Model", "kserve.KFModel", "kfserving.KFModel")
           for b in bases):
        staged = _staged(name, methods, "KServe model", "predict", "postprocess")
    if staged is None and any(b.startswith("ts.torch_handler") for b in bases):
        if name == "handle":
            staged = _handler("TorchServe handler", batch=True)
        elif name == "preprocess":  # the first stage of ``handle``: it receives the requests
            staged = _handler("TorchServe handler", response=False, batch=True)
        else:
            staged = _staged(name, methods, "TorchServe handler", "inference", "postprocess")
    if staged is None and any(b in ("litserve.LitAPI", "litserve.api.LitAPI") for b in bases):
        staged = _staged(name, methods, "LitServe API", "predict", "encode_response")
    if staged is not None:
        return staged
    if any(b in ("mlflow.pyfunc.PythonModel", "mlflow.pyfunc.model.PythonModel") for b in bases) \
            and name == "predict":
        return _handler("MLflow pyfunc model")
    if fs.cls_name == "TritonPythonModel" and fs.module.imports("triton_python_backend_utils") \
            and name == "execute":
        return _handler("Triton Python model")
    if any(b.startswith(DJANGO_VIEW_BASES) for b in bases) and name in CBV_METHODS:
        return _handler("class-based view")
    if fs.module.imports("bentoml") and any(d.startswith("bentoml.") for d in fs.cls_decorators):
        for dname, _ in fs.decorators:
            if dname.rsplit(".", 1)[-1] == "api":
                return _handler("BentoML API")
    return None


# --- wiring calls -----------------------------------------------------------------------------
def _fn_arg(site: CallSite, keyword: str, position: int | None) -> Val | None:
    v = site.kwargs.get(keyword)
    if v is None and position is not None and position < len(site.args):
        v = site.args[position]
    if v is not None and v.obj is not None and v.obj.type == "func":
        return v
    return None


def gradio_interface(site: CallSite) -> Outcome | None:
    fn = _fn_arg(site, "fn", 0)
    out = Outcome(Val(obj=obj("gradio.app")))
    if fn is not None:
        out.roles = [(fn, _handler("Gradio event handler"))]
    return out


def gradio_on(site: CallSite) -> Outcome | None:
    fn = _fn_arg(site, "fn", 1)
    if fn is None:
        return None
    out = Outcome(CLEAN)
    out.roles = [(fn, _handler("Gradio event handler"))]
    return out


def gradio_component(site: CallSite) -> Val:
    return Val(obj=obj("gradio.component"))


def gradio_event(site: CallSite) -> Outcome | None:
    if site.name not in GRADIO_EVENTS:
        return None
    fn = _fn_arg(site, "fn", 0)
    if fn is None:
        return None
    out = Outcome(Val(obj=obj("gradio.component")))
    out.roles = [(fn, _handler("Gradio event handler"))]
    return out


def gradio_event_named(site: CallSite) -> Outcome | None:
    if not site.module.imports("gradio"):
        return None
    return gradio_event(site)


def web_app(site: CallSite) -> Val:
    return Val(obj=obj("web.app", where=WEB_APPS.get(site.q or "", "HTTP route")))


def route_adder(site: CallSite) -> Outcome | None:
    if site.name not in ROUTE_ADDERS or not _web(site.module):
        return None
    fns = [v for v in (site.kwargs.get("endpoint"), site.kwargs.get("view_func"),
                       site.kwargs.get("handler")) if v is not None]
    if not fns:
        fns = site.args[1:]
    roles = [(v, _handler(_label(site.module))) for v in fns
             if v.obj is not None and v.obj.type == "func"]
    if not roles:
        return None
    out = Outcome(CLEAN)
    out.roles = roles
    return out


def app_method(site: CallSite) -> Outcome | Val | None:
    return route_adder(site)


# --- request input ----------------------------------------------------------------------------
REQUEST = Val(frozenset({Label(REQUEST_INPUT, "", "request")}), None, obj("web.request"))
# TorchServe hands a handler the batch of requests, each a dict whose "data" or "body" is what
# the client sent
TS_REQUEST = Val(frozenset({Label(REQUEST_INPUT, "", "request")}), None, obj("ts.request"))
TS_BATCH = Val(frozenset({Label(REQUEST_INPUT, "", "requests")}), None, None, None, TS_REQUEST)


def request_attr(key, base: Val, recv, is_attr: bool, module, node) -> Val | None:
    """``request.json`` / ``request.form["email"]``: what the user sent; ``body.query`` of a
    request body: the text the user typed; ``row.get("data")`` of a TorchServe request: its
    body."""
    if base.obj is not None and base.obj.type == "ts.request":
        if key not in ("data", "body"):
            return None
        origin = f'{recv or "request"}.get("{key}")'
        return Val(frozenset({Label(REQUEST_INPUT, "", origin),
                              Label(USER, "request", origin, 0, ("request",))}))
    if base.obj is not None and base.obj.type == "web.request":
        if key not in REQUEST_BODY_ATTRS:
            return None
        origin = f"{recv or 'request'}.{key}"
        return Val(frozenset({Label(REQUEST_INPUT, "", origin),
                              Label(USER, "request", origin, 0, ("request",))}))
    if client_text(key) and any(lb.kind == REQUEST_INPUT for lb in base.labels) and (
            base.obj is None or base.obj.type in ("inst", "record")):
        # ``body.query``, ``data["message"]``: the text a client typed, in what it sent (its
        # content; the request input label stays on what holds it)
        origin = f"{recv}.{key}" if is_attr else f'{recv or "…"}["{key}"]'
        return Val(frozenset({Label(USER, "request", origin, 0, ("request",))}))
    return None


def request_method(site: CallSite) -> Val:
    if site.name in REQUEST_BODY_ATTRS or site.name in ("get_json", "json", "body", "form"):
        origin = f"{site.dotted or 'request'}()"
        return Val(frozenset({Label(REQUEST_INPUT, "", origin),
                              Label(USER, "request", origin, site.line, ("request",))}))
    return CLEAN


def request_parser(site: CallSite) -> Val:
    return Val(obj=obj("web.reqparser"))


def parsed_request(site: CallSite) -> Val:
    """``parser.parse_args()`` of a Flask REST request parser: the client's arguments."""
    if site.name != "parse_args":
        return CLEAN
    origin = f"{site.dotted or 'parser.parse_args'}()"
    return Val(frozenset({Label(REQUEST_INPUT, "", origin),
                          Label(USER, "request", origin, site.line, ("request",))}))


def handler_param(p: ParamSite) -> Val | None:
    """A parameter of a handler holds request input; one named for personal data, or a
    request-body record, holds the client's personal data."""
    role = p.role
    if p.is_self:
        return None
    if p.annotation in REQUEST_TYPES or (role and role.get("kind") == "handler"
                                         and p.name in ("request", "req") and p.annotation is None):
        return REQUEST
    if role and role.get("batch") and p.index == 1:
        return TS_BATCH  # TorchServe: ``handle(self, data, context)``, ``preprocess(self, data)``
    if role and role.get("kind") == "handler":
        labels = {Label(REQUEST_INPUT, "", f"parameter '{p.name}'")}
        where = f"request parameter '{p.name}' of the {role.get('where')} handler {p.func}()"
        fc = personal(p.name)
        if fc is not None:
            labels.add(Label(PERSONAL, p.name, where, 0,
                             (fc.category, fc.reason, fc.special, "request")))
        if prompt_name(p.name, p.module):
            labels.add(Label(PROMPT, p.name, f"parameter '{p.name}'", 0, ("handler",)))
        elif client_text(p.name) and p.annotation not in NOT_TEXT:
            labels.add(Label(USER, "request", where, 0, ("request",)))
        return Val(frozenset(labels))
    if role and role.get("kind") == "tool":
        if _not_text(p.name) or p.annotation in NOT_TEXT:
            return None  # ``urls``, ``timeout``, ``user_id``: what the model picked, not text
        return Val(frozenset({Label(USER, "tool", f"argument '{p.name}' of tool {p.func}()", 0,
                                    ("tool",))}))
    if p.entry and prompt_name(p.name, p.module):
        return Val(frozenset({Label(PROMPT, p.name, f"parameter '{p.name}'", 0, ("entry",))}))
    return None


def input_builtin(site: CallSite) -> Val:
    return Val(frozenset({Label(USER, "input", "input()", site.line, ("input",))}))


# --- Streamlit -----------------------------------------------------------------------------------
def st_display(site: CallSite) -> Outcome | Val | None:
    q = site.q or ""
    last = q.rsplit(".", 1)[-1]
    if last in STREAMLIT_CONTAINERS:
        return Val(obj=obj("streamlit.container"))
    if last in ("chat_input", "text_input", "text_area"):
        return Val(frozenset({Label(USER, "streamlit", f"{site.label}()", site.line, ("ui",))}))
    if last in STREAMLIT_SINKS:
        return Outcome(CLEAN, [Use("display", {"where": "Streamlit app", "call": site.label},
                                   site.content())])
    return None


def st_container(site: CallSite) -> Outcome | Val:
    if site.name in STREAMLIT_SINKS:
        return Outcome(CLEAN, [Use("display", {"where": "Streamlit app", "call": site.label},
                                   site.content())])
    if site.name in STREAMLIT_CONTAINERS or site.name in ("__enter__",):
        return Val(obj=obj("streamlit.container"))
    return CLEAN


def _gone(lb: Label) -> tuple:
    return ()


# the structure of a message or a tool call handed in as a prompt: who sent it, how, which
# tool, not what it says (``message.role``, ``part.get("name")``, ``call.id``)
PROMPT_STRUCTURE = frozenset({"role", "type", "id", "name", "tool_call_id", "tool_use_id",
                              "status", "index", "created_at", "timestamp", "model"})


# What a message or a request holds beside the text someone typed: ids, names and locators of
# accounts and resources, counters, positions, sizes, times, kinds and states
# (``conversation_id``, ``Last-Event-ID``, ``userName``, ``page``, ``messageIndex``,
# ``resource_type``, ``callback_url``); not "ids": a tokenizer's ``input_ids`` are the text,
# encoded
_NOT_TEXT_LAST_WORDS = frozenset({
    "id", "uuid", "guid", "idx", "index", "count", "page", "limit", "offset", "size", "timestamp",
    "ts", "name", "login", "type", "kind", "status", "state", "mode", "role", "level",
    "url", "urls", "uri", "uris", "link", "links", "timeout"})


def _not_text(key) -> bool:
    """A field of a message or a request that holds no text a person typed: its last word (as
    the field classifier cuts names: snake, camel and header spellings) says so."""
    if not isinstance(key, str):
        return False
    if key in PROMPT_STRUCTURE:
        return True
    from ..pii.fields import words  # already imported wherever a field is read (kinds.personal)

    ws = words(key)
    return bool(ws) and ws[-1] in _NOT_TEXT_LAST_WORDS


def _text_part(lb: Label, key) -> tuple:
    """The label of a part of a prompt or of what a user sent: gone for a part with no text."""
    return () if _not_text(key) else (lb,)


MODEL = Model(
    "web",
    calls={**{q: web_app for q in WEB_APPS}, **{q: request_parser for q in REQUEST_PARSERS},
           "gradio.Interface": gradio_interface, "gradio.ChatInterface": gradio_interface,
           "gradio.on": gradio_on},
    prefixes=[("gradio.", gradio_component), ("streamlit.", st_display)],
    values={q: REQUEST for q in REQUEST_VALUES},
    methods={"web.request": {"*": request_method}, "web.reqparser": {"*": parsed_request},
             "gradio.component": {"*": gradio_event},
             "gradio.app": {"*": gradio_event}, "web.app": {"*": app_method},
             "streamlit.container": {"*": st_container}},
    builtins={"input": input_builtin},
    receivers=[(re.compile(r""), gradio_event_named)],
    reads=[request_attr],
    params=[handler_param],
    roles=[decorated, class_method],
    kinds=[Kind(USER, attr=_text_part, key=_text_part, reduce=_gone),
           Kind(PROMPT, attr=_text_part, key=_text_part, reduce=_gone)],
)
