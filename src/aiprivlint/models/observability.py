"""Error trackers and tracing SDKs: the options that make them collect personal data, and the
calls that attach data to an event or span. Plain tables for AIP205.

Qualified names are as ``RuleBase.qualified_name`` resolves them through imports.
"""

from __future__ import annotations

# SDK initialisers -> {option: (value that turns collection on, what it collects, severity)}
INIT_OPTIONS = {
    **dict.fromkeys(("sentry_sdk.init", "sentry_sdk.Client"), {
        "send_default_pii": (True, "users' IP addresses, cookies, user ids and request headers "
                             "with every event", "high"),
        "include_local_variables": (True, "the local variables of every stack frame (the "
                                    "prompts, records and tokens the failing code held)", "medium"),
        "max_request_body_size": ("always", "every request body, whatever its size (prompts, "
                                  "uploaded documents, form fields)", "medium"),
    }),
    "rollbar.init": {
        "capture_email": (True, "the e-mail address of the user of each request", "medium"),
        "capture_username": (True, "the user name of each request", "medium"),
    },
    "bugsnag.configure": {
        "send_environment": (True, "the whole request environment (headers, cookies, client "
                             "address)", "medium"),
    },
}
# packages whose objects carry attributes to a tracing or error-tracking backend
SDK_PACKAGES = ("sentry_sdk", "opentelemetry", "ddtrace", "newrelic", "datadog", "rollbar",
                "bugsnag", "honeycomb", "beeline", "logfire", "elasticapm")
# methods that attach (key, value) to an event or span: name -> how the data is passed
#   "kv": (key, value) positional; "dict": one mapping; "pairs": a list of (key, value);
#   "user": a mapping that describes the user (every key counts)
ATTACH_METHODS = {
    "set_attribute": "kv", "set_tag": "kv", "set_extra": "kv", "set_data": "kv",
    "add_custom_attribute": "kv", "add_custom_span_attribute": "kv", "set_custom_context": "kv",
    "add_metadata": "kv", "add_label": "kv", "label": "kv",
    "set_attributes": "dict", "set_tags": "dict", "set_context": "ctx",
    "add_custom_attributes": "pairs", "add_custom_span_attributes": "pairs",
    "set_user": "user", "set_user_context": "user",
}
# attribute keys that name conversation content (OpenTelemetry GenAI, OpenInference, LangSmith)
CONTENT_KEY_WORDS = ("prompt", "completion", "input.value", "output.value", "input_messages",
                     "output_messages", "gen_ai.content", "llm.input", "llm.output", "user_input",
                     "question", "query_text", "message.content", "messages")
