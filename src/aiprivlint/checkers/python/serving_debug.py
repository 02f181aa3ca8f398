"""AIP403 serving-debug-mode. Docs live in rules/AIP403.toml.

How the check works: an ast rule; names resolve through imports, app objects are the names
bound to a constructor of ``models/web.py``'s tables (``app = Flask(__name__)``).

* ``app.run(debug=True)`` of a Flask / Quart app (or ``socketio.run(app, debug=True)``): the
  Werkzeug debugger, an interactive Python console on every error page. HIGH when the same call
  binds every interface (``host="0.0.0.0"``), MEDIUM on the default localhost.
* ``FastAPI(debug=True)`` / ``Starlette(debug=True)`` / ``Sanic``/``Litestar``: tracebacks (with
  the values in them) returned to whoever sends a failing request. MEDIUM.
* Gradio ``launch(share=True)`` without ``auth=``: a public ``*.gradio.live`` link to the model
  for 72 hours, open to anyone who has it. MEDIUM; LOW in a notebook, where sharing a demo is
  the point and the link dies with the kernel.

A bare ``host="0.0.0.0"`` is not reported: it is how every container serves, and whether the
port is reachable is decided by the deployment, not by the code. Non-literal values
(``debug=os.getenv("DEBUG")``) are the operator's choice and stay quiet.
"""

from __future__ import annotations

import ast

from ._ast_base import AstRule
from ...findings import Severity
from ...models.web import (DEBUG_SERVER_APPS, DEBUG_SERVER_PACKAGES, DEBUG_TRACEBACK_APPS,
                           OPEN_HOSTS)


class ServingDebugMode(AstRule):
    rule_id = "AIP403"
    test_code = "skip"  # a test app is no endpoint
    needs = ("debug", "share")

    VALID = [
        "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', port=8080)",
        "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.run(debug=os.getenv('DEBUG') == '1')",
        "import gradio as gr\ndemo = gr.Interface(fn=f, inputs='text', outputs='text')\n"
        "demo.launch(share=True, auth=('admin', os.environ['PW']))",
        "from fastapi import FastAPI\napp = FastAPI()",
        "import logging\nlogging.basicConfig(level=logging.DEBUG)\nrunner.run(debug=True)",
    ]
    INVALID = [
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)",
        "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)",
        "from fastapi import FastAPI\napp = FastAPI(debug=True)",
        "import gradio as gr\ndemo = gr.Interface(fn=f, inputs='text', outputs='text')\ndemo.launch(share=True)",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._apps: set[str] = set()  # names bound to a Flask-like app
        self._guarded: set[int] = set()  # calls in the body of `if <debug switch>:`

    def visit_If(self, node: ast.If) -> None:
        """``if in_debug_mode(): app = FastAPI(debug=True)``: debug is the operator's run-time
        choice there, as with ``debug=os.getenv(...)``."""
        try:
            test = ast.unparse(node.test).lower()
        except Exception:  # noqa: BLE001 - an odd node: no guard
            return
        if "debug" in test or "dev" in test:
            for stmt in node.body:
                for sub in ast.walk(stmt):
                    if isinstance(sub, ast.Call):
                        self._guarded.add(id(sub))

    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Call) and \
                self.qualified_name(node.value.func) in DEBUG_SERVER_APPS:
            for t in node.targets:
                if isinstance(t, ast.Name):
                    self._apps.add(t.id)

    def visit_Call(self, node: ast.Call) -> None:
        if id(node) in self._guarded:
            return
        func = node.func
        qual = self.qualified_name(func)
        if qual in DEBUG_TRACEBACK_APPS:
            if self.kwarg_is(node, "debug", True):
                self.report(node, f"{qual.rsplit('.', 1)[-1]}(debug=True) returns full tracebacks "
                            "to clients: the request data, model inputs and server internals in "
                            "them reach whoever sends a failing request; keep debug off outside "
                            "local development (set it from the environment)",
                            severity=Severity.MEDIUM)
            return
        if not isinstance(func, ast.Attribute):
            return
        if func.attr == "run" and self.kwarg_is(node, "debug", True) and self._server(func.value):
            open_host = self._open_host(node)
            where = ("on every network interface (host='0.0.0.0')" if open_host
                     else "on this machine")
            self.report(node, "The server runs with debug=True " + where + ": the Werkzeug "
                        "debugger gives anyone who reaches an error page a Python console in the "
                        "server process (the model, its data, the credentials); run a production "
                        "server (gunicorn, uvicorn) and set debug from the environment",
                        severity=Severity.HIGH if open_host else Severity.MEDIUM)
        elif func.attr == "launch" and self.kwarg_is(node, "share", True) \
                and self.is_imported("gradio") and self.kwarg(node, "auth") is None:
            notebook = self._run.nb is not None
            self.report(node, "launch(share=True) publishes the model behind a public gradio.live "
                        "link for 72 hours, with no authentication: anyone with the link can "
                        "query it as often as they like (membership inference, model inversion "
                        "and extraction need exactly that); pass auth=, or deploy behind access "
                        "control", severity=Severity.LOW if notebook else Severity.MEDIUM)

    def _server(self, recv: ast.expr) -> bool:
        if isinstance(recv, ast.Name) and recv.id in self._apps:
            return True
        if isinstance(recv, ast.Call) and self.qualified_name(recv.func) in DEBUG_SERVER_APPS:
            return True
        # an app made elsewhere (create_app()), run in a module of the framework
        return isinstance(recv, ast.Name) and recv.id in ("app", "application", "socketio") \
            and any(self.is_imported(p) for p in DEBUG_SERVER_PACKAGES)

    def _open_host(self, node: ast.Call) -> bool:
        kw = self.kwarg(node, "host")
        if kw is None:
            return False
        ok, value = self.literal(kw.value)
        return ok and value in OPEN_HOSTS
