"""Masking: how a detected value is shown. Nothing aiprivlint prints carries a value in clear.

A masked sample keeps just enough to find the value again in the file (its first character,
country code or last one or two characters) and never its length in letters for names:
``j***@g***.com``, ``DE** **** **** **** **** 00``, ``+49 *******67``, ``203.*.*.*``.
"""

from __future__ import annotations

import re

_ALNUM = re.compile(r"[0-9A-Za-z]")


def _keep_ends(value: str, first: int, last: int) -> str:
    """Replace letters and digits with ``*``, keeping the first ``first`` and the last ``last``
    of them; separators (spaces, dashes, dots) stay where they are."""
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    n = len(positions)
    if n <= first + last + 2:  # too short to keep anything safely
        first, last = min(first, 1), 0
    keep = set(positions[:first]) | (set(positions[n - last:]) if last else set())
    return "".join(ch if (i in keep or not ch.isalnum()) else "*" for i, ch in enumerate(value))


def _group4(chars: str) -> str:
    return " ".join(chars[i:i + 4] for i in range(0, len(chars), 4))


def mask_email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    labels = domain.split(".")
    tld = labels[-1] if len(labels) > 1 else ""
    first = labels[0][:1] if labels and labels[0] else ""
    return f"{local[:1]}***@{first}***" + (f".{tld}" if tld else "")


def mask_iban(value: str) -> str:
    compact = re.sub(r"[\s-]", "", value).upper()
    if len(compact) < 8:
        return "*" * len(compact)
    return _group4(compact[:2] + "*" * (len(compact) - 4) + compact[-2:])


def mask_card(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 8:
        return "*" * len(digits)
    return _group4(digits[0] + "*" * (len(digits) - 3) + digits[-2:])


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    s = value.strip()
    if s.startswith("+") or s.startswith("00"):
        try:
            import phonenumbers

            num = phonenumbers.parse("+" + digits[2:] if s.startswith("00") else s, None)
            cc = str(num.country_code)
            rest = str(num.national_number)
            return f"+{cc} " + "*" * max(len(rest) - 2, 1) + rest[-2:]
        except Exception:  # noqa: BLE001 - masking must never fail
            pass
        return "+" + "*" * max(len(digits) - 2, 1) + digits[-2:]
    if len(digits) < 6:
        return "*" * len(digits)
    return digits[0] + "*" * (len(digits) - 3) + digits[-2:]


def mask_ip(value: str) -> str:
    if ":" in value:
        groups = value.split(":")
        head = next((g for g in groups if g), "")
        return head + ":****:…"
    head = value.split(".")[0]
    return f"{head}.*.*.*"


def mask_id(value: str) -> str:
    n = sum(ch.isalnum() for ch in value)
    return _keep_ends(value, 1, 2 if n >= 12 else 1)


def mask_name(value: str) -> str:
    tokens = value.split()
    return " ".join((t[0] + "***") if t[:1].isalpha() else "***" for t in tokens[:4]) or "***"


def mask_address(value: str) -> str:
    tokens = value.split()
    out = []
    for t in tokens[:5]:
        if any(ch.isdigit() for ch in t):
            out.append("*")
        else:
            out.append(t[0] + "***")
    return " ".join(out) or "***"


def mask_date(value: str) -> str:
    m = re.search(r"(?:18|19|20)\d\d", value)
    out = re.sub(r"\d", "*", value.strip())
    if m:  # keep the century of a four-digit year: "19**-**-**"
        i = m.start() - (len(value) - len(value.lstrip()))
        out = out[:i] + value.strip()[i:i + 2] + out[i + 2:]
    return out[:32]


_MASKERS = {
    "EMAIL": mask_email,
    "IBAN": mask_iban,
    "CREDIT_CARD": mask_card,
    "PHONE": mask_phone,
    "IP_ADDRESS": mask_ip,
    "NATIONAL_ID": mask_id,
    "PERSON_NAME": mask_name,
    "STREET_ADDRESS": mask_address,
    "DATE_OF_BIRTH": mask_date,
}


def mask(entity: str, value: str) -> str:
    """The masked form of ``value`` detected as ``entity``; never the value itself."""
    fn = _MASKERS.get(entity)
    try:
        out = fn(value) if fn else _keep_ends(value, 1, 0)
    except Exception:  # noqa: BLE001 - masking must never fail, and never fall back to the value
        out = "***"
    if out == value or (len(value) >= 4 and value in out):
        out = "***"
    return out
