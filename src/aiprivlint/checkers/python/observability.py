"""AIP205 personal-data-to-observability. Docs live in rules/AIP205.toml.

How the check works: an ast rule; the tables are ``models/observability.py``'s.

* **SDK options** that make an error tracker collect personal data: Sentry's
  ``send_default_pii=True`` (HIGH), ``include_local_variables=True`` and
  ``max_request_body_size="always"``; Rollbar's ``capture_email``/``capture_username``;
  Bugsnag's ``send_environment`` (MEDIUM), written as a literal at the initialiser.
* **Attributes** attached to a span or an error event (``span.set_attribute``, ``set_tag``,
  ``set_attributes``, New Relic's ``add_custom_attribute(s)``, Sentry's ``set_user``/
  ``set_context``/``set_extra``), in a module that imports a tracing or error-tracking SDK, whose
  key names personal data (AIP102's field classifier: ``"user.email"``, ``"client_ip"``) or whose
  value reads such a field (``user.email``, ``row["phone"]``), or whose key names conversation
  content (``"gen_ai.prompt"``, ``"input.value"``) with a non-literal value. Keys the classifier
  calls ambiguous alone (``name``, ``address``) and pseudonymous ids (``user.id``) do not count,
  nor do attributes in a file that makes its data up (it imports faker or mimesis).
"""

from __future__ import annotations

import ast

from ._ast_base import AstRule
from ...findings import Severity
from ...models.observability import (ATTACH_METHODS, CONTENT_KEY_WORDS, INIT_OPTIONS,
                                     SDK_PACKAGES)
from ...pii.lexicon import FAKE_DATA_PACKAGES
from ._personal_names import personal_name as _personal, personal_read as _personal_read


_MEASURES = ("length", "len", "count", "tokens", "size", "chars", "hash", "id", "ids", "type",
             "template", "name", "version")


# a count anywhere in a key makes it a number: OpenInference's ``llm.token_count.prompt``
_COUNTS = ("count", "length", "len", "tokens", "size", "chars")


def _measure(key: str, value: ast.expr) -> bool:
    """A size or identifier of the content, not the content (``gen_ai.prompt.length``,
    ``llm.token_count.prompt``, ``len(prompt)``)."""
    words = key.replace("-", "_").replace(".", "_").split("_")
    if words[-1] in _MEASURES or any(w in _COUNTS for w in words):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
        and value.func.id in ("len", "int", "float", "bool", "hash")


class PersonalDataToObservability(AstRule):
    rule_id = "AIP205"
    test_code = "skip"  # a test's span attributes go to no backend
    needs = ("sentry", "opentelemetry", "ddtrace", "newrelic", "datadog", "rollbar", "bugsnag",
             "honeycomb", "beeline", "logfire", "elasticapm")

    VALID = [
        "import sentry_sdk\nsentry_sdk.init(dsn=DSN, send_default_pii=False)",
        "from opentelemetry import trace\nspan = trace.get_current_span()\n"
        "span.set_attribute('user.id', user.id)\nspan.set_attribute('model', 'gpt-4o')",
        "import sentry_sdk\nsentry_sdk.set_tag('email_domain', domain)",
        "span.set_attribute('user.email', user.email)",
    ]
    INVALID = [
        "import sentry_sdk\nsentry_sdk.init(dsn=DSN, send_default_pii=True)",
        "import sentry_sdk\nsentry_sdk.init(dsn=DSN, max_request_body_size='always')",
        "from opentelemetry import trace\nspan = trace.get_current_span()\n"
        "span.set_attribute('user.email', user.email)",
        "import sentry_sdk\nsentry_sdk.set_user({'id': u.id, 'email': u.email})",
        "import newrelic.agent\nnewrelic.agent.add_custom_attribute('customer', customer['phone'])",
        "from opentelemetry import trace\nspan = trace.get_current_span()\n"
        "span.set_attribute('gen_ai.prompt', prompt)",
    ]

    def visit_Call(self, node: ast.Call) -> None:
        qual = self.qualified_name(node.func)
        options = INIT_OPTIONS.get(qual or "")
        if options is not None:
            self._init(node, qual, options)
            return
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        how = ATTACH_METHODS.get(func.attr)
        if how is None or not any(self.is_imported(p) for p in SDK_PACKAGES):
            return
        if any(self.is_imported(p) for p in FAKE_DATA_PACKAGES):
            return  # a script that makes up spans for a demo or a load test (faker.text())
        for key, value in self._pairs(node, how):
            found = self._judge(key, value, how == "user")
            if found is not None:
                what, category = found
                self.report(node, f"{func.attr}() attaches {what} to the telemetry sent to the "
                            "tracing or error-tracking service, where it is kept with every "
                            "trace or event and visible to everyone with access; attach a "
                            "pseudonymous id (a keyed hash) instead, or drop it",
                            details={"key": key or "", "category": category})
                return

    def _init(self, node: ast.Call, qual: str, options: dict) -> None:
        for option, (on, what, severity) in options.items():
            kw = self.kwarg(node, option)
            if kw is None:
                continue
            ok, value = self.literal(kw.value)
            if ok and value == on:
                sdk = qual.split(".")[0]
                self.report(node, f"{sdk}: {option}={value!r} sends {what} to the error tracker, "
                            "where they are stored with every event; leave it off and attach "
                            "only the pseudonymous context you need",
                            severity=Severity.parse(severity), details={"option": option})

    def _pairs(self, node: ast.Call, how: str) -> list[tuple[str | None, ast.expr]]:
        args = node.args
        out: list[tuple[str | None, ast.expr]] = []
        if how == "kv" and len(args) >= 2:
            ok, key = self.literal(args[0])
            out.append((key if ok and isinstance(key, str) else None, args[1]))
        elif how in ("dict", "user", "ctx"):
            mapping = args[1] if how == "ctx" and len(args) >= 2 else (args[0] if args else None)
            if isinstance(mapping, ast.Dict):
                for k, v in zip(mapping.keys, mapping.values):
                    if isinstance(k, ast.Constant) and isinstance(k.value, str):
                        out.append((k.value, v))
            elif isinstance(mapping, ast.Call) and (self.dotted_name(mapping.func) == "dict"):
                out.extend((kw.arg, kw.value) for kw in mapping.keywords if kw.arg)
        elif how == "pairs" and args and isinstance(args[0], (ast.List, ast.Tuple)):
            for el in args[0].elts:
                if isinstance(el, ast.Tuple) and len(el.elts) == 2 and \
                        isinstance(el.elts[0], ast.Constant) and isinstance(el.elts[0].value, str):
                    out.append((el.elts[0].value, el.elts[1]))
        return out

    @staticmethod
    def _judge(key: str | None, value: ast.expr, user: bool) -> tuple[str, str] | None:
        literal_value = isinstance(value, ast.Constant)
        if key is not None and not literal_value:
            fc = _personal(key)
            if fc is not None:
                return f"the attribute '{key}' ({fc.label})", fc.category
            lowered = key.lower()
            if any(w in lowered for w in CONTENT_KEY_WORDS) and not _measure(lowered, value):
                return f"conversation content under '{key}'", "content"
        if literal_value:
            return None
        fc = _personal_read(value)
        if fc is not None:
            where = f"'{key}'" if key else "an attribute"
            return f"{where} holding the field '{fc.name}' ({fc.label})", fc.category
        return None
