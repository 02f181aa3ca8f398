"""detect-secrets plugins for ML provider credentials (AIP105).

Importing this module imports detect-secrets: only ``scanner.py`` does, lazily. Each plugin is a
``RegexBasedDetector`` built from a ``patterns.TokenShape``, so detect-secrets runs it like its own
plugins (same filters, same allow-list pragmas, same line handling).
"""

from __future__ import annotations

import re

from .importing import import_detect_secrets

import_detect_secrets()

from detect_secrets.plugins.base import RegexBasedDetector  # noqa: E402

from .patterns import SHAPES, TokenShape  # noqa: E402


def _make(shape: TokenShape) -> type[RegexBasedDetector]:
    attrs = {
        "__doc__": f"Scans for {shape.secret_type}s (aiprivlint).",
        "__module__": __name__,
        "secret_type": shape.secret_type,
        "denylist": tuple(re.compile(p) for p in shape.patterns),
        "allows_uuid": shape.allows_uuid,
        "mixed_case": shape.mixed_case,
        "aiprivlint_plugin": True,
    }
    return type(shape.name, (RegexBasedDetector,), attrs)


PLUGINS: tuple[type[RegexBasedDetector], ...] = tuple(_make(s) for s in SHAPES)
globals().update({cls.__name__: cls for cls in PLUGINS})


def register() -> None:
    """Make the plugins known to detect-secrets (like ``initialize.from_file`` does for files).

    detect-secrets finds plugin classes through a cached secret-type -> class mapping; adding ours
    to it lets settings name them like built-in plugins. Idempotent; re-done if the cache was
    cleared.
    """
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    mapping = get_mapping_from_secret_type_to_class()
    for cls in PLUGINS:
        if mapping.get(cls.secret_type) is not cls:
            mapping[cls.secret_type] = cls
