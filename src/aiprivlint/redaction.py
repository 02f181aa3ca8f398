"""What a finding shows goes through the detectors, like the values it is about.

Messages and ``details`` quote names taken from the scanned files (a dict key, a column, a
field read in a call); such a name can itself be data: ``{"anna@web.de": "+49 …"}`` makes the
phone number's finding say it is bound to the e-mail address. :func:`redact_shown` masks the
personal data (``aiprivlint.pii.redact``) and provider key shapes
(``aiprivlint.secrets.patterns.redact_tokens``) in such text; ``Finding`` applies it to its
message and details when it is made, so no checker can forget it.
"""

from __future__ import annotations

from typing import Any


def redact_shown(text: str) -> str:
    from .pii import redact
    from .secrets.patterns import redact_tokens

    return redact_tokens(redact(text))


def redact_details(value: Any) -> Any:
    """``details`` with every string in it (keys and values, at any depth) redacted."""
    if isinstance(value, str):
        return redact_shown(value)
    if isinstance(value, dict):
        return {redact_details(k) if isinstance(k, str) else k: redact_details(v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_details(v) for v in value)
    return value
