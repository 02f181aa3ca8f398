"""AIP204 content-capturing-telemetry in Python code and notebooks. Docs live in rules/AIP204.toml.

How the check works: names are resolved through imports, so only the real SDK switches count.

* Debug / verbose modes that print prompts: ``litellm.set_verbose = True``,
  ``litellm._turn_on_debug()``, ``langchain.debug = True`` / ``langchain.verbose = True``,
  ``set_debug(True)`` / ``set_verbose(True)`` from ``langchain.globals`` or
  ``langchain_core.globals``, and the pre-1.0 ``openai.log = "debug"``.
* MLflow GenAI autologging, ``mlflow.<flavor>.autolog()`` for OpenAI, LangChain, Anthropic,
  LiteLLM, Gemini, Bedrock, DSPy, LlamaIndex and the other tracing flavours: it records every
  prompt and completion as a trace unless called with ``log_traces=False`` or ``disable=True``.
* OpenAI stored completions: ``store=True`` on ``chat.completions.create`` / ``responses.create``
  (and ``ChatOpenAI(store=True)``) keeps the request and output on the provider's platform.
* Environment switches set from code — ``os.environ[K] = V``, ``os.environ.setdefault(K, V)``,
  ``os.environ.update(...)``, ``os.putenv(K, V)`` with literal values — judged exactly like the
  settings files (``telemetry_config.judge_setting``): LangSmith tracing without
  ``LANGSMITH_HIDE_INPUTS``/``LANGSMITH_HIDE_OUTPUTS`` anywhere in the same file (a
  ``langsmith.Client(hide_inputs=..., hide_outputs=...)`` also counts), OTel GenAI message
  content capture, ``OPENAI_LOG``/``ANTHROPIC_LOG``/``LITELLM_LOG`` at debug level.

Notebooks and files under tests/examples/docs are reported at low severity.
"""

from __future__ import annotations

import re

from ._lazy import cst

from . import CodeRule, literal_value
from ._ast_base import Summary
from .. import CheckerError
from ..telemetry_config import ENV_KEYS, TUTORIAL_PATH_RE, hidden_sides, judge_setting
from ...findings import Severity

GENAI_AUTOLOG_FLAVORS = {
    "openai", "langchain", "anthropic", "litellm", "gemini", "mistral", "groq", "bedrock",
    "dspy", "llama_index", "autogen", "ag2", "crewai", "smolagents", "pydantic_ai", "txtai",
    "haystack", "strands", "semantic_kernel", "agno", "deepseek", "openai_agents", "cohere",
    "langgraph", "google_genai", "ollama",
}
DEBUG_SWITCHES = {  # assignment target -> value that turns it on
    "litellm.set_verbose": True, "langchain.debug": True, "langchain.verbose": True,
    "openai.log": "debug",
}
GLOBAL_SETTERS = {"langchain.globals.set_debug", "langchain_core.globals.set_debug",
                  "langchain.globals.set_verbose", "langchain_core.globals.set_verbose"}
STORE_TAILS = ("chat.completions.create", "chat.completions.parse", "chat.completions.stream",
               "responses.create", "responses.parse", "responses.stream")
_ENV_MAGIC_RE = re.compile(r"%env\s+(?:LANGSMITH|LANGCHAIN)_HIDE_\w+[\s=]+\w+")
STORE_CTORS = {"langchain_openai.ChatOpenAI", "langchain_openai.AzureChatOpenAI",
               "langchain_openai.chat_models.ChatOpenAI"}
AUTOLOG_CALLS = {f"mlflow.{flavor}.autolog" for flavor in GENAI_AUTOLOG_FLAVORS}
SWITCH_CALLS = {*GLOBAL_SETTERS, "litellm._turn_on_debug", *AUTOLOG_CALLS}
_ENV_KEY_SET = frozenset(ENV_KEYS)
_STORE_LASTS = frozenset(tail.rsplit(".", 1)[-1] for tail in STORE_TAILS)


class ContentCapturingTelemetry(CodeRule):
    rule_id = "AIP204"
    needs = ("set_verbose", "debug", "set_debug", "autolog", "store", "TRACING",
             "CAPTURE_MESSAGE_CONTENT", "_LOG", "openai", "verbose")  # openai: `import openai as o`

    VALID = [
        "import litellm\nlitellm.set_verbose = False",
        "import mlflow\nmlflow.openai.autolog(log_traces=False)",
        "import mlflow\nmlflow.sklearn.autolog()",
        "from openai import OpenAI\nc = OpenAI()\nc.chat.completions.create(model='m', messages=[], store=False)",
        "import os\nos.environ['LANGCHAIN_TRACING_V2'] = 'true'\n"
        "os.environ['LANGSMITH_HIDE_INPUTS'] = 'true'\nos.environ['LANGSMITH_HIDE_OUTPUTS'] = 'true'",
        "import os\nos.environ['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'] = 'NO_CONTENT'",
        "class Cfg:\n    debug = True\ncfg = Cfg()\ncfg.debug = True",
        "from langchain_core.globals import set_debug\nset_debug(False)",
    ]
    INVALID = [
        "import litellm\nlitellm.set_verbose = True",
        "import langchain\nlangchain.debug = True",
        "from langchain.globals import set_debug\nset_debug(True)",
        "from langchain_core.globals import set_verbose as sv\nsv(True)",
        "import mlflow\nmlflow.langchain.autolog()",
        "import mlflow\nmlflow.openai.autolog(log_models=False)",
        "from openai import OpenAI\nclient = OpenAI()\n"
        "client.chat.completions.create(model='m', messages=[], store=True)",
        "import os\nos.environ['LANGCHAIN_TRACING_V2'] = 'true'",
        "import os\nos.environ.setdefault('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', 'true')",
        "import openai\nopenai.log = 'debug'",
    ]

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        # store=True on a call whose dotted name ends with a STORE_TAILS, or on a ChatOpenAI
        if "store" in summary.keywords and (
                not _STORE_LASTS.isdisjoint(summary.calls) or summary.may_call(STORE_CTORS)):
            return True
        # os.environ[K] = V / setdefault / putenv / update: K is an ENV_KEYS literal or keyword
        if summary.imports_any("os") and (
                not _ENV_KEY_SET.isdisjoint(summary.keywords)
                or not _ENV_KEY_SET.isdisjoint(summary.strings)):
            return True
        # a debug switch assigned (its last name an attribute), a setter / autolog called
        return summary.may_call(DEBUG_SWITCHES, summary.names) or summary.may_call(SWITCH_CALLS)

    def visit_Module(self, node: cst.Module) -> None:
        self.settings: list[tuple[cst.CSTNode, str, str]] = []
        self.tutorial = self._run.nb is not None or bool(TUTORIAL_PATH_RE.search(self.path))

    # --- assignments: SDK switches and os.environ[...] = ... ------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if isinstance(t, cst.Subscript):
                key = self._environ_key(t)
                if key is not None:
                    self._setting(node, key, node.value)
                continue
            q = self.qualified_name(t) if isinstance(t, cst.Attribute) else None
            if q in DEBUG_SWITCHES:
                ok, value = literal_value(node.value)
                want = DEBUG_SWITCHES[q]
                if ok and (value == want or (isinstance(want, str) and isinstance(value, str)
                                              and value.lower() == want)):
                    self._debug_switch(node, q)

    def _environ_key(self, sub: cst.Subscript) -> str | None:
        if self.qualified_name(sub.value) != "os.environ" or len(sub.slice) != 1:
            return None
        index = sub.slice[0].slice
        if not isinstance(index, cst.Index):
            return None
        ok, key = literal_value(index.value)
        return key if ok and isinstance(key, str) and key in ENV_KEYS else None

    def _setting(self, node: cst.CSTNode, key: str, value: cst.BaseExpression) -> None:
        ok, v = literal_value(value)
        if ok and isinstance(v, (str, bool, int)):
            self.settings.append((node, key, str(v)))

    # --- calls ----------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        q = self.qualified_name(node.func)
        dotted = self.dotted_name(node.func) or ""
        if q is not None:
            if q in GLOBAL_SETTERS:
                if node.args and literal_value(node.args[0].value) == (True, True):
                    self._debug_switch(node, q)
                return
            if q == "litellm._turn_on_debug":
                self._debug_switch(node, q)
                return
            m = re.fullmatch(r"mlflow\.(\w+)\.autolog", q)
            if m and m.group(1) in GENAI_AUTOLOG_FLAVORS:
                self._autolog(node, m.group(1))
                return
            if q in ("os.environ.setdefault", "os.putenv") and len(node.args) >= 2:
                ok, key = literal_value(node.args[0].value)
                if ok and key in ENV_KEYS:
                    self._setting(node, key, node.args[1].value)
                return
            if q == "os.environ.update":
                self._environ_update(node)
                return
            if q in STORE_CTORS and self.kwarg_is(node, "store", True):
                self._store(node, dotted)
                return
        if dotted.endswith(STORE_TAILS) and self.kwarg_is(node, "store", True):
            self._store(node, dotted)

    def _environ_update(self, node: cst.Call) -> None:
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in ENV_KEYS:
                self._setting(node, arg.keyword.value, arg.value)
            elif arg.keyword is None and isinstance(arg.value, cst.Dict):
                for el in arg.value.elements:
                    if isinstance(el, cst.DictElement):
                        ok, key = literal_value(el.key)
                        if ok and key in ENV_KEYS:
                            self._setting(node, key, el.value)

    # --- verdicts -------------------------------------------------------------------------
    def _severity(self) -> Severity | None:
        return Severity.LOW if self.tutorial else None

    def _debug_switch(self, node: cst.CSTNode, name: str) -> None:
        short = name.replace("langchain_core.globals.", "").replace("langchain.globals.", "")
        what = {
            "litellm.set_verbose": "LiteLLM prints every request, prompts included",
            "litellm._turn_on_debug": "LiteLLM logs every request, prompts and API keys included",
            "langchain.debug": "LangChain prints every prompt, model output and tool result",
            "langchain.verbose": "LangChain chains print their formatted prompts",
            "set_debug": "LangChain prints every prompt, model output and tool result",
            "set_verbose": "LangChain chains print their formatted prompts",
            "openai.log": "the OpenAI SDK logs every request body, prompts included",
        }[short]
        self.report(node, f"{short} turns on debug output ({what}); keep it off outside "
                    "local debugging", severity=self._severity(),
                    details={"setting": name, "mechanism": "sdk-debug-logging",
                             "captures": ["inputs", "outputs"]})

    def _autolog(self, node: cst.Call, flavor: str) -> None:
        if self.kwarg_is(node, "disable", True) or self.kwarg_is(node, "log_traces", False):
            return
        if self.has_star_kwargs(node):
            return
        self.report(node, f"mlflow.{flavor}.autolog() records every prompt and model output as "
                    "an MLflow trace; pass log_traces=False, or trace only a redacted evaluation "
                    "set", severity=self._severity(),
                    details={"setting": f"mlflow.{flavor}.autolog", "mechanism": "mlflow-tracing",
                             "captures": ["inputs", "outputs"]})

    def _store(self, node: cst.Call, dotted: str) -> None:
        self.report(node, f"{dotted}(store=True) stores the request and the model output on the "
                    "OpenAI platform (dashboard, evals, distillation); omit it or pass "
                    "store=False for personal data", severity=self._severity(),
                    details={"setting": "store", "mechanism": "openai-stored-completions",
                             "captures": ["inputs", "outputs"]})

    def leave_Module(self, node: cst.Module) -> None:
        if not self.settings:
            return
        nb = self._run.nb
        try:
            raw = self._run.ctx.text
        except CheckerError:
            raw = ""
        hidden = hidden_sides(nb.code if nb is not None else raw)
        if nb is not None:  # `%env LANGSMITH_HIDE_INPUTS=true` is blanked in the notebook code
            magics = "\n".join(m.group(0) for m in _ENV_MAGIC_RE.finditer(raw))
            hidden |= hidden_sides(magics)
        for where, key, value in self.settings:
            verdict = judge_setting(key, value, hidden)
            if verdict is None:
                continue
            message, details = verdict
            self.report(where, message, details=details, severity=self._severity())
