"""AIP204 content-capturing-telemetry in settings files. Docs live in rules/AIP204.toml.

How the check works: ``.env`` files, YAML (docker-compose, Kubernetes manifests, CI workflows,
LiteLLM proxy and NeMo Guardrails configs), TOML and INI files are scanned line by line — no YAML
or TOML parser, so the reported line is exact and broken files still get checked — for settings
that make an SDK or tracer record full prompts and model outputs:

* ``LANGCHAIN_TRACING_V2`` / ``LANGSMITH_TRACING`` (``LANGCHAIN_TRACING``) set to ``true`` while the
  same file does not also set ``LANGSMITH_HIDE_INPUTS`` and ``LANGSMITH_HIDE_OUTPUTS``
  (or their ``LANGCHAIN_`` spellings) to ``true``; with only one of them, the other side is reported;
* ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` set to ``true`` / ``SPAN_ONLY`` /
  ``EVENT_ONLY`` / ``SPAN_AND_EVENT``;
* ``OPENAI_LOG`` / ``ANTHROPIC_LOG`` / ``LITELLM_LOG`` set to ``debug`` (the SDKs then log every
  request body);
* LiteLLM proxy ``store_prompts_in_spend_logs: true`` (``STORE_PROMPTS_IN_SPEND_LOGS`` in the
  environment); in YAML only, LiteLLM ``set_verbose: true`` (in a file with ``litellm_settings``)
  and NeMo Guardrails ``enable_content_capture: true``.

Forms understood: ``KEY=value``, ``export KEY=value``, ``KEY: value``, ``KEY = "value"``,
``- KEY=value`` (compose lists, pytest-env arrays), Kubernetes ``- name: KEY`` followed by
``value: ...``, and ``%env KEY=value`` in notebook code cells (the Python rule sees notebook code
with magics blanked). Commented-out lines are ignored. Template files (``.env.example``,
``*.sample``, ``*.template``), notebooks and files under tests/examples/docs are reported at low
severity. The same judgement (:func:`judge_setting`) is used by the code rule for
``os.environ[...] = ...``.
"""

from __future__ import annotations

import re
from typing import Any

from . import FileChecker, FileContext, lines_holding
from ..findings import Severity

RULE = "AIP204"

TRACING_KEYS = ("LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING_V2", "LANGSMITH_TRACING",
                "LANGCHAIN_TRACING")
OTEL_CONTENT_KEY = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
OTEL_CONTENT_VALUES = {"true", "span_only", "event_only", "span_and_event"}
DEBUG_LOG_KEYS = {"OPENAI_LOG": "OpenAI", "ANTHROPIC_LOG": "Anthropic", "LITELLM_LOG": "LiteLLM"}
ENV_KEYS = (*TRACING_KEYS, OTEL_CONTENT_KEY, *DEBUG_LOG_KEYS, "STORE_PROMPTS_IN_SPEND_LOGS")
YAML_KEYS = ("store_prompts_in_spend_logs", "set_verbose", "enable_content_capture")
TRUE = {"true", "1", "yes", "on"}

# LANGSMITH_HIDE_INPUTS=true in any spelling: .env, YAML, os.environ[...] = "true", %env,
# a JSON-escaped notebook cell; or a langsmith Client(hide_inputs=...)
_HIDE_RE = re.compile(r"(?:LANGSMITH|LANGCHAIN)_HIDE_(INPUTS|OUTPUTS)[\s\\\"'\]\[:=,)(]{0,10}true",
                      re.I)
_HIDE_KW_RE = re.compile(r"\bhide_(inputs|outputs)\s*=\s*(?!None\b|False\b)")
_TEMPLATE_NAME_RE = re.compile(r"(?i)(example|sample|template|\.dist)")
# notebooks and files under these folders are demos or tests: reported at low severity
TUTORIAL_PATH_RE = re.compile(
    r"(^|/)(tests?|examples?|docs?|tutorials?|notebooks?|demos?|samples?|cookbooks?)(/|$)", re.I)


def hidden_sides(text: str) -> set[str]:
    """Which of "inputs"/"outputs" the code or settings in ``text`` hide from LangSmith traces."""
    found = {m.group(1).lower() for m in _HIDE_RE.finditer(text)}
    found |= {m.group(1).lower() for m in _HIDE_KW_RE.finditer(text)}
    return found


def judge_setting(key: str, value: str, hidden: set[str]) -> tuple[str, dict[str, Any]] | None:
    """(message, details) when setting ``key`` to ``value`` captures prompts or outputs."""
    v = value.strip().strip("\"'").strip().lower()
    if key in TRACING_KEYS:
        if v not in TRUE:
            return None
        exposed = [side for side in ("inputs", "outputs") if side not in hidden]
        if not exposed:
            return None
        if len(exposed) == 2:
            what = "every traced prompt and model output"
            missing = "LANGSMITH_HIDE_INPUTS=true and LANGSMITH_HIDE_OUTPUTS=true"
        elif exposed == ["inputs"]:
            what = "every traced prompt (inputs)"
            missing = "LANGSMITH_HIDE_INPUTS=true"
        else:
            what = "every traced model output"
            missing = "LANGSMITH_HIDE_OUTPUTS=true"
        return (f"{key}=true sends {what} to LangSmith, and this file does not set {missing}",
                {"setting": key, "mechanism": "langsmith-tracing", "captures": exposed})
    if key == OTEL_CONTENT_KEY:
        if v not in OTEL_CONTENT_VALUES:
            return None
        shown = "true" if v == "true" else v.upper()
        return (f"{key}={shown} makes the OpenTelemetry GenAI instrumentation record full prompts "
                "and completions in spans or events; leave it unset (NO_CONTENT) in shared "
                "environments",
                {"setting": key, "mechanism": "otel-genai-content", "value": shown,
                 "captures": ["inputs", "outputs"]})
    if key in DEBUG_LOG_KEYS:
        if v != "debug":
            return None
        sdk = DEBUG_LOG_KEYS[key]
        return (f"{key}=debug makes the {sdk} SDK log every request body, prompts included, to "
                "the application log",
                {"setting": key, "mechanism": "sdk-debug-logging", "captures": ["inputs"]})
    if key.lower() == "store_prompts_in_spend_logs":
        if v not in TRUE:
            return None
        shown = f"{key}=true" if key.isupper() else f"{key}: true"
        return (f"{shown} makes the LiteLLM proxy store every request and response body in its "
                "spend-logs database",
                {"setting": key, "mechanism": "litellm-spend-logs",
                 "captures": ["inputs", "outputs"]})
    if key == "set_verbose":
        if v not in TRUE:
            return None
        return ("litellm_settings set_verbose: true makes LiteLLM print every request, prompts "
                "included, to the proxy log",
                {"setting": key, "mechanism": "sdk-debug-logging", "captures": ["inputs"]})
    if key == "enable_content_capture":
        if v not in TRUE:
            return None
        return ("enable_content_capture: true makes NeMo Guardrails record user inputs and model "
                "outputs on its tracing spans",
                {"setting": key, "mechanism": "guardrails-content-capture",
                 "captures": ["inputs", "outputs"]})
    return None


def template_file(rel: str) -> bool:
    """``.env.example``, ``config.sample.yaml``: a file meant to be copied, not a live setting."""
    return bool(_TEMPLATE_NAME_RE.search(rel.rsplit("/", 1)[-1]))


_COMMENT_RE = re.compile(r"^\s*(#|;|//|rem\s)", re.I)
_ENV_SETTING_RE = re.compile(
    r"(?<![A-Za-z0-9_])(" + "|".join(ENV_KEYS) + r")[\"']?\s*[:=]\s*([\"']?)([^\s\"'#,;\]}]*)\2")
_YAML_SETTING_RE = re.compile(
    r"^\s*[\"']?(" + "|".join(YAML_KEYS) + r")[\"']?\s*:\s*([\"']?)([^\s\"'#,]*)\2")
_K8S_NAME_RE = re.compile(
    r"^\s*-?\s*name:\s*[\"']?(" + "|".join(ENV_KEYS) + r")[\"']?\s*(?:#.*)?$")
_K8S_VALUE_RE = re.compile(r"^\s*value:\s*([\"']?)([^\s\"'#]*)\1")
# the value is taken as the first token (a trailing comment is not part of it)
_NB_ENV_RE = re.compile(
    r"^\s*%env\s+(" + "|".join(ENV_KEYS) + r")(?:\s*=\s*|\s+)([\"']?)([^\s\"']*)\2")


# every pattern above needs one of the keys on its line: the lines that hold none are skipped
_ANY_KEY_RE = re.compile("|".join((*ENV_KEYS, *YAML_KEYS)))


def settings_in_text(text: str, yaml: bool) -> list[tuple[int, int, str, str]]:
    """(line, column, key, value) of every known setting in a settings file."""
    out: list[tuple[int, int, str, str]] = []
    held = lines_holding(text, _ANY_KEY_RE)
    if not held:
        return out
    lines = text.splitlines()  # a setting's value may be on one of the lines after its name
    litellm = yaml and "litellm_settings" in text
    for n, line in held:
        if _COMMENT_RE.match(line):
            continue
        for m in _ENV_SETTING_RE.finditer(line):
            out.append((n, m.start(1) + 1, m.group(1), m.group(3)))
        k8s = _K8S_NAME_RE.match(line)
        if k8s:
            for follow in lines[n:n + 3]:
                vm = _K8S_VALUE_RE.match(follow)
                if vm:
                    out.append((n, k8s.start(1) + 1, k8s.group(1), vm.group(2)))
                    break
        if yaml:
            ym = _YAML_SETTING_RE.match(line)
            if ym and (ym.group(1) != "set_verbose" or litellm):
                out.append((n, ym.start(1) + 1, ym.group(1), ym.group(3)))
    return out


class ContentCapturingTelemetryConfig(FileChecker):
    """AIP204 in .env / YAML / TOML / INI files and notebook ``%env`` lines."""

    rule_ids = (RULE,)
    kinds = frozenset({"env", "yaml", "toml", "ini", "notebook"})
    # words one of which (in any case) every setting the checker judges holds: a necessary
    # condition, tested as plain substrings of the lower-cased text (a case-insensitive regex
    # over a notebook's megabytes of base64 images took 0.4 s)
    _WORDS = ("tracing", "capture_message_content", "_log", "store_prompts_in_spend_logs",
              "set_verbose", "enable_content_capture")

    def check(self, ctx: FileContext) -> None:
        text = ctx.text
        low = text.lower()
        if not any(w in low for w in self._WORDS):
            return
        if "notebook" in ctx.kinds:
            settings = self._notebook_settings(text)
        else:
            settings = settings_in_text(text, yaml="yaml" in ctx.kinds)
        if not settings:
            return
        hidden = hidden_sides(self._code_text(text) if "notebook" in ctx.kinds else text)
        template = template_file(ctx.rel)
        low = template or "notebook" in ctx.kinds or bool(TUTORIAL_PATH_RE.search(ctx.rel))
        severity = Severity.LOW if low else None
        for line, col, key, value in settings:
            verdict = judge_setting(key, value, hidden)
            if verdict is None:
                continue
            message, details = verdict
            if template:
                details["template"] = True
            ctx.report(RULE, line, col, message, end_column=col + len(key), details=details,
                       severity=severity)

    @staticmethod
    def _code_text(text: str) -> str:
        """The code cells of a notebook (magics included), not its markdown or outputs."""
        from ..notebook import NotebookError, parse_notebook

        try:
            cells = parse_notebook(text)
        except NotebookError:
            return ""
        return "\n".join(sl.text for c in cells if c.cell_type == "code" for sl in c.source)

    @staticmethod
    def _notebook_settings(text: str) -> list[tuple[int, int, str, str]]:
        if "%env" not in text:
            return []
        from ..notebook import NotebookError, parse_notebook

        try:
            cells = parse_notebook(text)
        except NotebookError:
            return []  # the Python checker reports unreadable notebooks
        out = []
        for cell in cells:
            if cell.cell_type != "code":
                continue
            for sl in cell.source:
                m = _NB_ENV_RE.match(sl.text)
                if m:
                    out.append((sl.raw_line, sl.raw_col_at(m.start(1)), m.group(1), m.group(3)))
        return out
