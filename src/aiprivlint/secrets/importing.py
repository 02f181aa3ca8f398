"""detect-secrets, imported without ``requests``.

detect-secrets imports ``requests`` at the top of its plugin modules, for the verification of
secrets against providers' APIs, which aiprivlint never runs: it reports a secret, it does not
use it. Importing requests (urllib3, charset_normalizer, idna, certifi ...) took about 0.15 s,
a fifth of a pre-commit run on ten notebooks. While detect-secrets is first imported,
``requests`` is a stand-in module: two plugins name ``requests.Response`` in the annotations of
their verification functions; anything else read from it comes from the real ``requests``,
imported then. The stand-in leaves ``sys.modules`` once detect-secrets is in, so any other
``import requests`` gets the real module.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


class _Deferred(ModuleType):
    """``requests`` for detect-secrets' plugin modules: the real module, on first use."""

    Response = object  # named in annotations only

    def __getattr__(self, name: str):
        if name.startswith("__") and name != "__path__":
            raise AttributeError(name)
        if sys.modules.get("requests") is self:
            del sys.modules["requests"]
        return getattr(importlib.import_module("requests"), name)


def import_detect_secrets() -> None:
    """Import detect-secrets and every plugin module it maps, without requests (idempotent)."""
    if "detect_secrets.core.plugins.util" in sys.modules:
        return
    stand_in = None
    if "requests" not in sys.modules:
        stand_in = sys.modules["requests"] = _Deferred("requests")
    try:
        from detect_secrets.core import scan  # noqa: F401
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.filters import common  # noqa: F401 - settings import it by name
        from detect_secrets.transformers import get_transformed_file  # noqa: F401

        get_mapping_from_secret_type_to_class()  # imports every plugin module
    finally:
        if stand_in is not None and sys.modules.get("requests") is stand_in:
            del sys.modules["requests"]
