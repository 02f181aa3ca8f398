"""What aiprivlint shows of the scanned files goes through the scan's detectors first.

Two kinds of shown text:

* **Finding text.** Messages and ``details`` quote names taken from the scanned files (a dict
  key, a column, a field read in a call); such a name can itself be data:
  ``{"anna@web.de": "+49 …"}`` makes the phone number's finding say it is bound to the e-mail
  address. :func:`redact_shown` masks the personal data (``aiprivlint.pii.redact``) and
  provider key shapes (``aiprivlint.secrets.patterns.redact_tokens``) in such text; ``Finding``
  applies it to its message and details when it is made, so no checker can forget it.
* **Source lines** shown beside a finding (the audit's code context), which may hold values the
  scan did not report there: a value on a suppressed line, a name in a literal next to a
  dataset-card finding. :func:`redact_lines` puts every shown line through

  - the validated PII detectors of the scan (:func:`aiprivlint.pii.scan_text`), on the whole line
    and on each string literal bound to a field name (``bsn = "..."``, ``"email": "..."``), where
    the field name lets pure-digit identifiers count as it does for AIP104;
  - literals bound to a field named for a person's name, address or date of birth (AIP101's
    field-level entities), and runs of capitalised words that start with a common given name and
    read as a person's name (AIP101's person-name test);
  - detect-secrets with aiprivlint's plugins and the configuration profile (AIP105's scanner);
  - a last safety net for what looks like an e-mail address, a long number or a token.

  Each detected value is replaced by its masked form (:func:`aiprivlint.pii.masking.mask`) or,
  for a secret, by ``…(hidden)``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

HIDDEN = "…(hidden)"


# --- finding text ---------------------------------------------------------------------------

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


# --- source lines ---------------------------------------------------------------------------
_FIELD_LEVEL = ("PERSON_NAME", "STREET_ADDRESS", "DATE_OF_BIRTH")
# name = "value", name="value", "name": "value", 'name': 'value'
_BOUND = re.compile(r"""(?P<name>[A-Za-z_][\w-]*)["']?\s*(?::|=)\s*[rbuRBU]?(?P<q>["'])(?P<value>(?:(?!(?P=q))[^\\\n]|\\.)*)(?P=q)""")
_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")


def redact_lines(lines: list[str], path: Path | None = None) -> list[str]:
    """``lines`` with every detected value masked (see the module docstring); ``path`` is the
    file they come from, for detect-secrets' file type."""
    secrets = _secrets(lines, path)
    return [_redact(line, secrets.get(n, ())) for n, line in enumerate(lines, 1)]


def _redact(line: str, secrets) -> str:
    from .pii import classify_field, scan_text
    from .pii.columns import looks_like_person_name
    from .pii.masking import mask

    spans: list[tuple[int, int, str]] = []
    for secret in secrets:
        for m in re.finditer(re.escape(secret), line):
            spans.append((m.start(), m.end(), HIDDEN))
    spans += [(m.start, m.end, m.sample) for m in scan_text(line)]
    for b in _BOUND.finditer(line):
        name, value, start = b.group("name"), b.group("value"), b.start("value")
        fc = classify_field(name)
        if fc is None or not value.strip():
            continue
        found = scan_text(value, field=name)
        spans += [(start + m.start, start + m.end, m.sample) for m in found]
        if not found and fc.entity in _FIELD_LEVEL and (
                not fc.ambiguous or looks_like_person_name(value, multi=True)):
            spans.append((start, b.end("value"), mask(fc.entity, value)))
    spans += _names(line)
    return scrub(_apply(line, spans))


def _names(line: str) -> list[tuple[int, int, str]]:
    """Runs of two to four capitalised words that start with a given name and read as a name."""
    from .pii.columns import looks_like_person_name, starts_with_given_name
    from .pii.masking import mask

    words = list(_WORD.finditer(line))
    out = []
    i = 0
    while i < len(words):
        w = words[i]
        if w.group()[:1].isupper() and starts_with_given_name(w.group()):
            j = i
            while (j + 1 < len(words) and j - i < 3 and words[j + 1].group()[:1].isupper()
                   and line[words[j].end():words[j + 1].start()].strip() == ""):
                j += 1
            text = line[w.start():words[j].end()]
            if j > i and looks_like_person_name(text, multi=True):
                out.append((w.start(), words[j].end(), mask("PERSON_NAME", text)))
                i = j + 1
                continue
        i += 1
    return out


def _apply(line: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace the spans, longest first where they overlap."""
    chosen: list[tuple[int, int, str]] = []
    for s in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if chosen and s[0] < chosen[-1][1]:
            if s[1] > chosen[-1][1]:  # overlapping, reaching further: cover both
                start, _, _ = chosen.pop()
                chosen.append((start, s[1], HIDDEN))
            continue
        chosen.append(s)
    for start, end, text in reversed(chosen):
        line = line[:start] + text + line[end:]
    return line


def _secrets(lines: list[str], path: Path | None) -> dict[int, list[str]]:
    """Line number -> secret values detect-secrets finds there (AIP105's scanner)."""
    from .secrets.scanner import CONFIG, scan_lines

    if not lines:
        return {}
    # detect-secrets skips a file name that does not exist: without the real file, this module
    # stands in (a .py file, so the lines are read as code)
    filename = str(path) if path is not None and path.is_file() else __file__
    # a suppression comment must not hide the value from the display: `[AIP105]` reads as an
    # indirect reference (``x = d["k"]``) to detect-secrets, `pragma: allowlist` allowlists it
    bare = [_MARKERS.sub(lambda m: " " * len(m.group()), line) for line in lines]
    try:
        hits = scan_lines([line + "\n" for line in lines + bare], filename, CONFIG)
    except Exception:  # noqa: BLE001 - a scanner failure hides the lines, below
        return {n: [line] for n, line in enumerate(lines, 1) if line.strip()}
    out: dict[int, list[str]] = {}
    for hit in hits:
        if hit.secret:
            n = (hit.line - 1) % len(lines) + 1
            out.setdefault(n, []).append(hit.secret)
    return out


_MARKERS = re.compile(r"(?i)aiprivlint\s*:\s*(?:ignore|disable)[-\w]*(?:\[[^\]]*\])?|noqa\b(?::[\w ,]*)?"
                      r"|pragma\s*:\s*allowlist[ -]?(?:next)?[ -]?(?:line)?[ -]?secret")


# --- the safety net -------------------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_LONG_NUMBER = re.compile(r"(?<![\w.])\+?\d(?:[ \-]?\d){8,}(?![\w.])")
_TOKEN_PREFIX = re.compile(r"\b(?:sk-(?:ant-|proj-)?|hf_|ghp_|gho_|ghs_|github_pat_|xox[abpr]-|AKIA|"
                           r"AIza|glpat-|r8_|gsk_|pplx-)[A-Za-z0-9_\-]{12,}")
_HIGH_ENTROPY = re.compile(r"(?<![A-Za-z0-9+/=_])[A-Za-z0-9+/=_]{32,}(?![A-Za-z0-9+/=_])")


def _looks_random(token: str) -> bool:
    return (sum(ch.isdigit() for ch in token) >= 3 and any(ch.isupper() for ch in token)
            and any(ch.islower() for ch in token))


def scrub(text: str) -> str:
    """Mask what looks like an e-mail address, a long number or a credential in a code line."""
    from .pii.masking import mask_email

    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    text = _TOKEN_PREFIX.sub(lambda m: m.group(0)[:3] + HIDDEN, text)
    text = _HIGH_ENTROPY.sub(lambda m: HIDDEN if _looks_random(m.group(0)) else m.group(0), text)
    text = _LONG_NUMBER.sub(lambda m: m.group(0)[:2] + re.sub(r"\d", "*", m.group(0)[2:-2])
                            + m.group(0)[-2:], text)
    return text

