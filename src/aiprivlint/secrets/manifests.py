"""Kubernetes manifests, read as what they are before the secrets plugins run.

Secrets: the values under ``data:`` are base64, which is an encoding, not a protection. Scanned as
written, every value looks like a high-entropy string whatever it holds: a Redis URL, a
``change-me`` placeholder, a real API key. Each such value is written decoded (as a double-quoted
YAML string, on the same line), so the plugins and filters judge what the Secret really holds: a
key keeps its shape (and is reported as what it is), a URL or a placeholder is no credential.
Values that do not decode to text stay as they are.

A ``CustomResourceDefinition`` is a schema (types, descriptions, validation rules: the Kubernetes
analogue of the OpenAPI files detect-secrets skips) and holds no values: its lines are blanked,
which also spares detect-secrets' pure-Python YAML reader the megabytes of generated schema an
operator's CRDs run to (one of kserve's took 7 s to read).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import itertools
import json
import re

_KIND = re.compile(r"""^kind:\s*["']?(Secret|CustomResourceDefinition)["']?\s*(?:#.*)?$""",
                   re.MULTILINE)
_DATA = re.compile(r"^data:\s*(?:#.*)?$")
_ENTRY = re.compile(r"""^(\s+[\w.-]+:\s*)(["']?)([A-Za-z0-9+/]+={0,2})\2(\s*(?:#.*)?)$""")
_DOC_START = re.compile(r"^---", re.MULTILINE)


def base64_text(value: str) -> str | None:
    """The text ``value`` is the base64 of, or None (not base64, not text: a control character
    other than a tab or a line break)."""
    if len(value) % 4:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not text or any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        return None
    return text


def read_manifests(text: str) -> str:
    """``text`` (a YAML file, ``\n`` line ends) with the base64 values under ``data:`` of its
    ``kind: Secret`` documents decoded and its ``CustomResourceDefinition`` documents blanked;
    the same lines otherwise, so positions stay right."""
    found = []
    pos = text.find("kind:")
    while pos >= 0:  # a substring search, then the pattern where a line starts with it
        if pos == 0 or text[pos - 1] == "\n":
            m = _KIND.match(text, pos)
            if m is not None:
                found.append((pos, m.group(1)))
        pos = text.find("kind:", pos + 5)
    if not found:
        return text
    lines = text.split("\n")
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    # the first line of each document: 0 and every "---" line
    firsts = [0] + [bisect.bisect_right(starts, m.start()) - 1 for m in _DOC_START.finditer(text)]
    done: set[int] = set()
    for pos, kind in found:
        k = bisect.bisect_right(starts, pos) - 1  # the line of "kind:"
        d = bisect.bisect_right(firsts, k) - 1
        lo, hi = firsts[d], firsts[d + 1] if d + 1 < len(firsts) else len(lines)
        if lo in done:
            continue
        done.add(lo)
        if kind == "CustomResourceDefinition":
            for i in range(lo, hi):
                if not lines[i].startswith("---"):
                    lines[i] = ""
        else:
            _decode_data(lines, lo, hi)
    return "\n".join(lines)


def _decode_data(lines: list[str], lo: int, hi: int) -> None:
    in_data = False
    for i in range(lo, hi):
        line = lines[i]
        if _DATA.match(line):
            in_data = True
            continue
        if not in_data:
            continue
        if line[:1] not in (" ", "\t", "") and not line.startswith("#"):
            in_data = False  # the next top-level key
            continue
        m = _ENTRY.match(line)
        if m is None:
            continue
        value = base64_text(m.group(3))
        if value is not None:
            lines[i] = f"{m.group(1)}{json.dumps(value, ensure_ascii=False)}{m.group(4)}"
