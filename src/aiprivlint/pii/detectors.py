"""Value detectors: candidate patterns found with one regex pass, then validated.

How it works:

1. ``candidates(text)`` runs a few compiled patterns over the text (one alternation for numbers,
   IBANs and letter-bearing national ids; an e-mail pattern only when the text has an ``@``; an
   IPv6 pattern only when it has a ``:``). The patterns only propose; nothing is reported on shape.
2. Each candidate is validated: e-mail (syntax, a real TLD, not a reserved or placeholder domain,
   not a role mailbox), phone (``phonenumbers``: a valid number, international format, or national
   format in a known region), IBAN (``python-stdnum``: country, length, mod-97), credit card (issuer
   range and Luhn), IP address (public only), national ids (``python-stdnum`` checksums and dates,
   each in the formats its country prints). Known fake values (test cards, specimen ids, 555
   numbers, documentation IP ranges) are dropped.
3. Each validated reading is ``strong`` (it counts on its own: the checksum is long or the format
   is distinctive) or weak (pure digits that pass a check digit one time in ten, or numbers with no
   check digit at all). A weak reading counts only with evidence: words next to it that say what it
   is (``BSN``, ``Tel.``), a field name that says so, or a column where most values validate
   (decided in :mod:`aiprivlint.pii.columns`).

Everything here returns positions and the raw value for the caller to mask; the value never goes
into an exception or a message.
"""

from __future__ import annotations

import ipaddress
import re
import traceback
from bisect import bisect_right, insort
from dataclasses import dataclass, field
from functools import lru_cache

from . import lexicon, phones

# ---------------------------------------------------------------------------------------------
# Results


@dataclass(slots=True)
class Reading:
    """One validated interpretation of a candidate."""

    entity: str
    id_type: str | None = None
    strong: bool = True
    share_ok: bool = True  # a column where most values validate may count it (weak readings)

    @property
    def key(self) -> str:
        return f"{self.entity}:{self.id_type}" if self.id_type else self.entity


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    value: str
    shapes: tuple[str, ...] = ()  # reading keys whose format the candidate fits (valid or not)
    readings: list[Reading] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Patterns

_D = r"[0-9LMNPQRSTUV]"  # codice fiscale digit positions (omocodia letters allowed)
# Runs of digits with the separators numbers are printed with. Boundaries are checked in Python:
# a pattern that starts with a plain character class is what Python's regex engine scans fastest.
_RUN = re.compile(r"[0-9][0-9 \-./()\u00a0]{5,26}[0-9]")
_EXT = re.compile(r"\s?(?:x|ext\.?|#)\s?[0-9]{1,6}(?![\w])")
# identifiers that mix letters and digits; only tried when a letter touches a digit
_MIXED = re.compile(
    r"(?P<iban>[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)"
    rf"|(?P<cf>[A-Z]{{6}}{_D}{{2}}[A-EHLMPRST]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z])"
    r"|(?P<nino>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D])"
    r"|(?P<nie>[XYZ]-?[0-9]{7}-?[A-Z])"
    r"|(?P<hetu>[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y])"
    r"|(?P<dni>[0-9]{8}-?[A-Z])"
)
IPV4 = r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}"  # a dotted quad's shape (Python and RE2)
_IPV4 = re.compile(IPV4)
_EMAIL = re.compile(
    r"(?<![\w.%+\-])([A-Za-z0-9][A-Za-z0-9._%+\-]{0,63})@((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}"
    r"[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24})(?![\w\-]|\.[A-Za-z0-9])"
)
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:.])")

_DATEISH = re.compile(
    r"^\(?(?:(?:19|20)\d\d([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])([-/.])(?:0?[1-9]|[12]\d|3[01])\2(?:(?:19|20)?\d\d))(?![-/.]?\d)"
)
# words that make a dotted quad a version number ("build 2.10.33.1", "v1.8.40.2")
_VERSION_BEFORE = re.compile(
    r"(?:\bv|\bver\.?|version|release|build|rev|revision|firmware|fw|driver|kernel|sdk|"
    r"cuda|cudnn|jdk|node|python|torch|tensorflow|tag|update|patch|==|>=|<=|~=)[\s:=(@v]*$")
# words that make an IP address a server's, not a person's ("Resolving github.com... 185.199.x")
_SERVER_BEFORE = re.compile(
    r"(?i)resolving|connecting to|connected to|nameserver|dns server|\bping\b|traceroute|"
    r"\bserver\b|\bhost(?:name)?\b|\bproxy\b|gateway|endpoint|listening|\bbind\b|https?://|"
    r"\bserving\b|\bdocker\b|\bnode\b|\bmaster\b|\bworker\b|\bcluster\b|"
    # a client talking to a machine: curl -v's "Trying", ssh/scp targets, cloud VMs and ingresses
    r"\btrying\b|\bssh\b|\bscp\b|\bsftp\b|\brsync\b|\bcurl\b|\bwget\b|\btelnet\b|"
    r"\bingress|external[-_ ]?ip|\bvm\b|\binstance\b")
# an address written as the machine of a login (``ubuntu@34.140.188.1``) is a server's (an
# address followed by a port, ``52.89.19.61:80``, is no candidate at all: see ``candidates``)
_USER_AT = re.compile(r"[\w.-]@$")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
_EXT_END = re.compile(r"\s?(?:x|ext\.?|#)\s?\d{1,6}$")  # a phone extension ends the text
_FORMATTED = re.compile(r"\d[\s\-./()\u00a0]+\d")  # digits in groups
_NINO = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]")
_SEP = re.compile(r"[\s\-./()\u00a0]")

# formats of the numeric identifiers (full match on the candidate text); strong=True when the
# printed format itself is distinctive
_ID_FORMATS: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]] = {
    "nl.bsn": (re.compile(r"\d{9}|\d{4}\.\d{2}\.\d{3}"), None),
    "us.ssn": (re.compile(r"\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{9}"), None),
    "se.personnummer": (re.compile(r"(?:\d{2})?\d{6}[-+]\d{4}|\d{10}|\d{12}"),
                        re.compile(r"(?:\d{2})?\d{6}[-+]\d{4}")),
    "dk.cpr": (re.compile(r"\d{6}-?\d{4}"), None),
    "pl.pesel": (re.compile(r"\d{11}"), None),
    "de.idnr": (re.compile(r"\d{11}|\d{2} \d{3} \d{3} \d{3}"), None),
    "be.nn": (re.compile(r"\d{11}|\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}"),
              re.compile(r"\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}")),
    "ro.cnp": (re.compile(r"\d{13}"), None),
    "fr.nir": (re.compile(r"\d{15}|\d \d{2} \d{2} \d{2} \d{3} \d{3} \d{2}"),
               re.compile(r"\d \d{2} \d{2} \d{2} \d{3} \d{3} \d{2}")),
}
# id types that have no check digit at all: never decided on the share of a column alone
NO_CHECKSUM = frozenset({"dk.cpr", "us.ssn"})
_CARD_FORMAT = re.compile(r"\d{13,19}|\d{4}([ \-])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ \-])\d{6}\2\d{4,5}")
_CARD_GROUPED = re.compile(r"\d{4}([ \-])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ \-])\d{6}\2\d{4,5}")

# ---------------------------------------------------------------------------------------------
# Validators (each returns a bool; the value never leaves in an exception)


def _stdnum(module: str):
    import importlib

    return importlib.import_module(f"stdnum.{module}")


@lru_cache(maxsize=None)
def _validator(id_type: str):
    mod = _stdnum({"nl.bsn": "nl.bsn", "us.ssn": "us.ssn", "se.personnummer": "se.personnummer",
                   "dk.cpr": "dk.cpr", "pl.pesel": "pl.pesel", "de.idnr": "de.idnr",
                   "be.nn": "be.nn", "ro.cnp": "ro.cnp", "fr.nir": "fr.nir",
                   "it.codicefiscale": "it.codicefiscale", "es.dni": "es.dni", "es.nie": "es.nie",
                   "fi.hetu": "fi.hetu", "iban": "iban"}[id_type])
    return mod.is_valid


_NON_DIGIT = re.compile(r"[^0-9]")
_ID_SEPS = re.compile(r"[\s.\-+/]")


def _date_ok(yy: int, mm: int, dd: int) -> bool:
    return 1 <= mm <= 12 and 1 <= dd <= 31


def _quick(id_type: str, d: str) -> bool:
    """A cheap necessary condition (check digit or date) tried before python-stdnum, which is
    exact but slow: most numbers in a data file are not identifiers and fail here."""
    try:
        if id_type == "nl.bsn":
            return len(d) == 9 and (sum(int(d[i]) * (9 - i) for i in range(8)) - int(d[8])) % 11 == 0
        if id_type == "pl.pesel":
            w = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
            return len(d) == 11 and (10 - sum(int(d[i]) * w[i] for i in range(10)) % 10) % 10 == int(d[10])
        if id_type == "se.personnummer":
            t = d[-10:]
            dd = int(t[4:6])
            return _date_ok(0, int(t[2:4]), dd - 60 if dd > 60 else dd) and luhn_ok(t)
        if id_type == "dk.cpr":
            return _date_ok(0, int(d[2:4]), int(d[0:2]))
        if id_type == "be.nn":
            base, check = int(d[:9]), int(d[9:11])
            return 97 - base % 97 == check or 97 - int("2" + d[:9]) % 97 == check
        if id_type == "ro.cnp":
            w = "279146358279"
            r = sum(int(d[i]) * int(w[i]) for i in range(12)) % 11
            return d[0] != "0" and (1 if r == 10 else r) == int(d[12])
        if id_type == "fr.nir":
            return d[0] in "123478" and 97 - int(d[:13]) % 97 == int(d[13:15])
        if id_type == "de.idnr":
            counts = sorted((d[:10].count(x) for x in set(d[:10])), reverse=True)
            return d[0] != "0" and counts[0] in (2, 3) and (len(counts) < 2 or counts[1] == 1)
        if id_type == "us.ssn":
            return d[:3] not in ("000", "666") and d[0] != "9" and d[3:5] != "00" and d[5:] != "0000"
    except (ValueError, IndexError):
        return False
    return True


_BBAN_CLASS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Za-z0-9]"}
_IBAN_RE = {cc: re.compile("".join(f"{_BBAN_CLASS[t]}{{{n}}}" for n, t in re.findall(r"(\d+)([nac])", fmt)))
            for cc, fmt in lexicon.IBAN_BBAN.items()}


_IBAN_DIGITS = {ord(ch): str(int(ch, 36)) for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def is_valid_iban(value: str) -> bool:
    """Country, BBAN structure (SWIFT registry) and the ISO 7064 mod 97-10 check."""
    v = value.replace(" ", "").replace("-", "").upper()
    pat = _IBAN_RE.get(v[:2])
    if pat is None or not v[2:4].isdigit() or not pat.fullmatch(v, 4):
        return False
    rearranged = v[4:] + v[:4]
    if rearranged.isascii() and rearranged.isalnum():  # letters A-Z as 10-35, in one C pass
        return int(rearranged.translate(_IBAN_DIGITS)) % 97 == 1
    try:
        return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
    except ValueError:
        return False


_QUICK_IS_EXACT = frozenset({"nl.bsn", "us.ssn"})


def is_valid_id(id_type: str, value: str) -> bool:
    if id_type == "gb.nino":
        return is_valid_nino(value)
    if id_type == "iban":
        return is_valid_iban(value)
    if not value.isdigit():
        digits = _NON_DIGIT.sub("", value)
        if digits and digits == _ID_SEPS.sub("", value) and not _quick(id_type, digits):
            return False
    else:
        digits = value
    if id_type in _QUICK_IS_EXACT and len(digits) == 9:
        return _quick(id_type, digits)  # the 11-test (BSN) and the SSA rules are the whole check
    try:
        return bool(_validator(id_type)(value))
    except Exception:  # noqa: BLE001 - a validator bug must not leak the value
        return False


_NINO_BAD_PREFIX = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def is_valid_nino(value: str) -> bool:
    v = value.replace(" ", "").upper()
    if not _NINO.fullmatch(v):
        return False
    return v[:2] not in _NINO_BAD_PREFIX


_LUHN_DOUBLE = bytes.maketrans(b"0123456789", b"0246813579")  # 2d, less 9 when over 9


def luhn_ok(digits: str) -> bool:
    if digits.isascii() and digits.isdigit():  # sums of the bytes in C (each digit is 48 + d)
        b = digits[::-1].encode("ascii")
        return (sum(b[::2]) + sum(b[1::2].translate(_LUHN_DOUBLE)) - 48 * len(b)) % 10 == 0
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_issuer(d: str) -> str | None:
    n = len(d)
    p2, p4 = int(d[:2]), int(d[:4])
    p6 = int(d[:6])
    if d[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16:
        return "mastercard"
    if p2 in (34, 37) and n == 15:
        return "amex"
    if (p4 == 6011 or 644 <= int(d[:3]) <= 649 or p2 == 65 or 622126 <= p6 <= 622925) and 16 <= n <= 19:
        return "discover"
    if 3528 <= p4 <= 3589 and 16 <= n <= 19 or (p4 in (1800, 2131) and n == 15):
        return "jcb"
    if (300 <= int(d[:3]) <= 305 or p2 in (36, 38, 39)) and 14 <= n <= 19:
        return "diners"
    if p2 == 62 and 16 <= n <= 19:
        return "unionpay"
    if 2200 <= p4 <= 2204 and 16 <= n <= 19:
        return "mir"
    if (p2 == 50 or 56 <= p2 <= 69) and 12 <= n <= 19:
        return "maestro"
    return None


def _boring_digits(d: str) -> bool:
    """All one digit, or a run like 123456789 / 987654321: placeholders, not data."""
    if len(set(d)) <= 2:
        return True
    return d in "01234567890123456789" or d in "98765432109876543210"


def is_card(d: str) -> bool:
    return (13 <= len(d) <= 19 and card_issuer(d) is not None and luhn_ok(d)
            and d not in lexicon.FAKE_CARDS and not _boring_digits(d))


@lru_cache(maxsize=4096)
def _domain_facts(d: str) -> tuple[bool, str, bool]:
    """(whether a person's mailbox can be at the lower-cased domain ``d``, the domain's own name,
    whether it is a big free provider): a data file holds many addresses at few domains."""
    tld = d.rsplit(".", 1)[-1]
    name = d.rsplit(".", 1)[0].rsplit(".", 1)[-1]  # the domain's own name: "khoj" of khoj.dev
    ok = not (
        tld not in lexicon.TLDS
        or d in lexicon.PLACEHOLDER_DOMAINS or d.endswith(lexicon.RESERVED_DOMAIN_SUFFIXES)
        or name in lexicon.EXAMPLE_DOMAIN_NAMES
        or d.endswith((".example.com", ".example.org", ".example.net"))
        or "noreply" in d or "no-reply" in d
        # a service account or a machine identity, not a person
        or d.endswith(lexicon.MACHINE_DOMAIN_SUFFIXES)
        or d.endswith(lexicon.INSTITUTIONAL_SUFFIXES) or d.rsplit(".", 1)[0].endswith(".gov"))
    return ok, name, d in lexicon.BIG_FREE_PROVIDERS


_MASKED_LOCAL = re.compile(r"[x*#.]+|\d+")
# a local part that is a site's name (``lmsys.org``, ``acme.ai``): people name mailboxes after
# themselves, organisations after their site
_SITE_LOCAL = re.compile(r"[a-z0-9][a-z0-9-]+\.(?:org|com|net|io|ai|dev|edu|info|app|tech)")
_NON_AZ = re.compile(r"[^a-z]+")


def email_ok(local: str, domain: str) -> bool:
    ok, name, big_free = _domain_facts(domain.lower())
    if not ok:
        return False
    low = local.lower()
    if low in lexicon.ROLE_LOCAL_PARTS or low.startswith(("noreply", "no-reply", "donotreply")):
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    if _MASKED_LOCAL.fullmatch(low):  # xxx@..., ***@..., 1234@...: masked or placeholder
        return False
    if not lexicon.PLACEHOLDER_LOCAL_WORDS.isdisjoint(_NON_AZ.split(low)):
        return False  # Example1@, github-username@, your.email@: a slot for an address
    if low == name:
        return False  # acme@acme.io: the organisation's own mailbox, not a person's
    if _SITE_LOCAL.fullmatch(low):
        return False  # acme.org@gmail.com: a mailbox named after a site, an organisation's
    if len(low) <= 2 and len(name) <= 2:
        return False  # t@e.com, ab@cd.io: a dummy nobody owns as a person
    if big_free and low in lexicon.GIVEN_NAMES:
        return False  # john@gmail.com: the example everybody writes
    return True


_WELL_KNOWN_IPS = frozenset({"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9",
                             "149.112.112.112", "208.67.222.222", "208.67.220.220",
                             "4.2.2.2", "64.6.64.6", "76.76.19.19", "94.140.14.14",
                             "185.228.168.9", "1.2.3.4", "4.3.2.1", "123.123.123.123",
                             "111.111.111.111", "222.222.222.222", "255.255.255.255"})


def _server_position(text: str, start: int, end: int) -> bool:
    """``user@IP``: the machine of a login (ssh, scp, a git remote)."""
    return _USER_AT.search(text, max(0, start - 2), start) is not None


def ipv4_plausible(text: str) -> bool:
    """A dotted quad that could be an address at all: octets <= 255, no leading zeros, and not a
    version number (every part below 32, like ``1.8.1.0`` or ``2.3.12.4``)."""
    parts = text.split(".")
    if len(parts) != 4:
        return False
    for p in parts:
        if len(p) > 1 and p[0] == "0":
            return False
        if int(p) > 255:
            return False
    return not all(int(p) < 32 for p in parts)


# (first octet, mask bits, network as an int) of the ranges that are not a person's address:
# private, loopback, link-local, carrier-grade NAT, documentation, benchmarking, multicast, reserved
_NON_GLOBAL_V4 = tuple(
    (int(ipaddress.IPv4Network(n).network_address), ipaddress.IPv4Network(n).prefixlen)
    for n in ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
              "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
              "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"))


# the same ranges by the first octets they cover
_NON_GLOBAL_BY_OCTET: dict[int, tuple[tuple[int, int], ...]] = {}
for _net, _bits in _NON_GLOBAL_V4:
    for _a in range(_net >> 24, ((_net >> 24) | ((1 << max(0, 8 - _bits)) - 1)) + 1):
        _NON_GLOBAL_BY_OCTET[_a] = (*_NON_GLOBAL_BY_OCTET.get(_a, ()), (_net, _bits))


def ipv4_personal(text: str) -> bool:
    """A public unicast IPv4 address (the caller checked the dotted-quad shape)."""
    if text in _WELL_KNOWN_IPS or len(set(text) - {"."}) == 1:  # 11.111.11.111: a placeholder
        return False
    parts = text.split(".")
    if len(set(parts)) == 1:  # 192.192.192.192: one octet typed four times
        return False
    try:
        a, b, c, d = map(int, parts)
    except ValueError:
        return False
    if max(a, b, c, d) > 255:
        return False
    nets = _NON_GLOBAL_BY_OCTET.get(a)
    if nets:
        value = (a << 24) | (b << 16) | (c << 8) | d
        for net, bits in nets:
            if value >> (32 - bits) == net >> (32 - bits):
                return False
    return True


_IPV6_GLOBAL = ipaddress.IPv6Network("2000::/3")
_IPV6_DOC = (ipaddress.IPv6Network("2001:db8::/32"), ipaddress.IPv6Network("3fff::/20"))


def ipv6_personal(text: str) -> bool:
    groups = [g for g in text.split(":") if g]
    if len(groups) < 3 or "::" not in text and len(text.split(":")) != 8:
        return False
    if not any(len(g) >= 3 for g in groups):
        return False
    try:
        addr = ipaddress.IPv6Address(text)
    except ValueError:
        return False
    if addr not in _IPV6_GLOBAL or any(addr in n for n in _IPV6_DOC):
        return False
    return bool(addr.is_global)


# ---------------------------------------------------------------------------------------------
# Phones

# Region tried for national-format numbers in a field named like a phone when nothing else says.
FALLBACK_REGIONS = ("DE", "FR", "GB", "IT", "ES", "NL", "BE", "PL", "SE", "DK", "FI", "AT",
                    "CH", "IE", "PT", "RO", "CZ", "NO", "US")
# fictional ranges: UK Ofcom drama numbers, French ARCEP fiction numbers (national significant)
_FICTION_PREFIXES = {
    44: ("7700900", "2079460", "1134960", "1144960", "1154960", "1164960", "1174960",
         "1184960", "1214960", "1314960", "1414960", "1514960", "1614960", "1914960",
         "1632960", "8081570", "9098790", "3069990"),
    33: ("19900", "26191", "35301", "46571", "53649", "63998"),
}
_ANY_FICTION = tuple(p for ps in _FICTION_PREFIXES.values() for p in ps)


def _phone_fake(country_code: int, national: str) -> bool:
    if country_code == 1 and len(national) == 10 and national[3:6] == "555":
        return True
    for p in _FICTION_PREFIXES.get(country_code, ()):
        if national.startswith(p):
            return True
    return _boring_digits(national) or national.endswith("0000000")


def _phone_reading(text: str, digits: str, regions: tuple[str, ...], formatted: bool,
                   hinted: bool, full: str | None = None) -> Reading | None:
    r = _phone_cached(text, digits, regions, formatted, hinted, full)
    return None if r is None else Reading("PHONE", None, strong=r)


@lru_cache(maxsize=8192)
def _phone_cached(text: str, digits: str, regions: tuple[str, ...], formatted: bool,
                  hinted: bool, full: str | None) -> bool | None:
    """True (strong), False (weak) or None; see _phone_reading_uncached."""
    r = _phone_reading_uncached(text, digits, regions, formatted, hinted, full)
    return None if r is None else r.strong


def _phone_reading_uncached(text: str, digits: str, regions: tuple[str, ...], formatted: bool,
                            hinted: bool, full: str | None = None) -> Reading | None:
    """``text`` is the candidate as written. International numbers are strong; national ones are
    weak and tried only in a known region, and only when written like a phone number (groups,
    parentheses, a trunk 0) or in a field named like a phone."""
    if not 7 <= len(digits) <= 15:
        return None
    s = text.strip()
    if full is not None:
        s = s[: len(s) - len(_EXT_END.search(s).group())]
    intl = s.startswith("+") or s.startswith("(+") or (s.startswith("00") and not s.startswith("000"))
    if not intl and not regions:
        return None
    if not intl and not (formatted or hinted or s.startswith("0")):
        return None
    if "." in s:  # dots only as in "01.23.45.67.89", never a decimal number
        groups = re.split(r"[.\s]+", s.lstrip("+("))
        if len(groups) < 3 or not all(2 <= len(g.strip("()")) <= 4 for g in groups):
            return None
    if intl and len(digits) == 11 and digits[0] == "1" and digits[4:7] == "555":
        return None  # +1 NXX 555 xxxx: fictional, no need to parse
    try:
        if intl:
            text = "+" + digits[2:] if s.startswith("00") else s.lstrip("(")
            num = _phone_parsed(text, None, phones.simple(text))
            if num is None:
                return None
            if _phone_fake(num[0], str(int(num[1]))):
                return None
            return Reading("PHONE", None, strong=True)
        national = digits.lstrip("0")
        if national.startswith(_ANY_FICTION):
            return None  # a fictional number of some country, whatever region it is read in
        if len(digits) == 10 and "555" in (digits[:3], digits[3:6]):
            return None  # (555) 123-4567, 212-555-0143: North American fiction, in any region
        number = phones.simple(s)
        for region in regions:
            num = _phone_parsed(s, region, number)
            if num is not None:
                if _phone_fake(num[0], str(int(num[1]))):
                    return None
                return Reading("PHONE", None, strong=False)
    except Exception as exc:  # noqa: BLE001 - NumberParseException, or a bug of the library
        _forget(exc)
        return None
    return None


def _phone_parsed(text: str, region: str | None,
                  number: tuple[bool, str] | None) -> tuple[int, str] | None:
    """(calling code, national significant number) of a valid number, else None; raises where
    ``phonenumbers.parse`` raises. A simple number (``number``: ``phones.simple(text)``) is read
    by the compiled metadata."""
    if number is not None:
        got = phones.check_simple(number, region)
        if got is not phones.SLOW:
            return got
    import phonenumbers

    num = phonenumbers.parse(text, region)
    if not phonenumbers.is_valid_number(num):
        return None
    return num.country_code, phonenumbers.national_significant_number(num)


def _forget(exc: BaseException | None) -> None:
    """Clear the frames of a handled exception's traceback (and of the exceptions it was raised
    while handling). phonenumbers keeps what ``sys.exc_info()`` gives in locals, so its frame and
    the traceback form a cycle that holds every caller's frame with its locals (an Arrow batch of
    a ``--full`` scan) until a full collection, which the command line makes rare: memory grew
    with the file on distinct data."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if exc.__traceback__ is not None:
            traceback.clear_frames(exc.__traceback__)
            exc.__traceback__ = None
        exc = exc.__context__ or exc.__cause__


# ---------------------------------------------------------------------------------------------
# Numbers


_BY_LEN = {9: ("nl.bsn", "us.ssn"), 10: ("se.personnummer", "dk.cpr"),
           11: ("pl.pesel", "de.idnr", "be.nn"), 12: ("se.personnummer",), 13: ("ro.cnp",),
           15: ("fr.nir",)}
_SHAPES_BY_LEN = {n: tuple(f"NATIONAL_ID:{t}" for t in ts) + (("CREDIT_CARD",) if 13 <= n <= 19 else ())
                  for n, ts in _BY_LEN.items()}
for _n in range(13, 20):
    _SHAPES_BY_LEN.setdefault(_n, ("CREDIT_CARD",))
# digit runs of these lengths have no identifier or card shape (a run is 7 to 28 characters)
_SILENT_LENGTHS = tuple(n for n in range(7, 29) if n not in _SHAPES_BY_LEN)


def silent_digits(region: bool) -> str:
    """A pattern (RE2 and Python) of whole values that are digits no candidate comes from: a
    length no identifier or card has, and no phone number (one needs a region and a trunk 0,
    or a phone field: values of phone fields are scanned whatever they are). For bulk tests
    of many values (``columnar``)."""
    alts = [f"[1-9][0-9]{{{n - 1}}}" if region and n <= 15 else f"[0-9]{{{n}}}"
            for n in _SILENT_LENGTHS]
    return "^(?:" + "|".join(alts) + ")$"



def _plain_digits(c: Candidate, regions: tuple[str, ...], phone_hint: bool) -> None:
    """Fast path for a bare run of digits (most numbers in data files)."""
    d = c.value
    n = len(d)
    readings: list[Reading] = []
    shapes = _SHAPES_BY_LEN.get(n, ())
    if shapes and not _boring_digits(d):
        if 13 <= n <= 19 and is_card(d):
            readings.append(Reading("CREDIT_CARD", None, strong=False))
        if d not in lexicon.FAKE_IDS:
            for id_type in _BY_LEN.get(n, ()):
                if _quick(id_type, d) and is_valid_id(id_type, d):
                    readings.append(Reading("NATIONAL_ID", id_type, strong=False,
                                            share_ok=id_type not in NO_CHECKSUM))
    if (phone_hint or (regions and d[0] == "0")) and 7 <= n <= 15:
        phone = _phone_reading(d, d, regions, False, phone_hint)
        if phone is not None:
            readings.append(phone)
            shapes = shapes + ("PHONE",)
    c.shapes = shapes
    c.readings = readings


def _number_candidate(c: Candidate, regions: tuple[str, ...], phone_hint: bool) -> None:
    text = c.value
    if text.isdigit():
        _plain_digits(c, regions, phone_hint)
        return
    if "." in text and _DECIMAL.fullmatch(text):
        return  # 0.123456, 1234.5678: a measurement
    if _DATEISH.match(text):
        return
    ext = _EXT_END.search(text) if "x" in text or "#" in text else None
    if ext:  # "206.269.0743x9150": only a phone number has an extension
        phone = _phone_reading(text, _SEP.sub("", text[:ext.start()]).lstrip("+"), regions, True,
                               phone_hint, full=text)
        c.shapes, c.readings = (("PHONE",), [phone]) if phone else ((), [])
        return
    digits = _SEP.sub("", text).lstrip("+")
    if not digits.isdigit():
        return
    formatted = bool(_FORMATTED.search(text)) or text.startswith("(")
    shapes: list[str] = []
    readings: list[Reading] = []
    plain = text.lstrip("+(").rstrip(")")
    # credit cards
    if _CARD_FORMAT.fullmatch(plain):
        shapes.append("CREDIT_CARD")
        if is_card(digits):
            readings.append(Reading("CREDIT_CARD", None, strong=bool(_CARD_GROUPED.fullmatch(plain))))
    # national identifiers (only the types printed with this many digits)
    if 9 <= len(digits) <= 15 and digits not in lexicon.FAKE_IDS and plain not in lexicon.FAKE_IDS:
        for id_type in _BY_LEN.get(len(digits), ()):
            fmt, strong_fmt = _ID_FORMATS[id_type]
            if not fmt.fullmatch(plain):
                continue
            key = f"NATIONAL_ID:{id_type}"
            shapes.append(key)
            if _boring_digits(digits):
                continue
            if is_valid_id(id_type, plain):
                strong = bool(strong_fmt and strong_fmt.fullmatch(plain))
                readings.append(Reading("NATIONAL_ID", id_type, strong=strong,
                                        share_ok=id_type not in NO_CHECKSUM))
    # a dashed HETU whose check character is a digit ("220626-8793")
    if len(plain) == 11 and plain[6] in "-+" and plain[:6].isdigit() and plain[7:].isdigit():
        shapes.append("NATIONAL_ID:fi.hetu")
        if plain not in lexicon.FAKE_IDS and is_valid_id("fi.hetu", plain):
            readings.append(Reading("NATIONAL_ID", "fi.hetu"))
    # phones
    phone = _phone_reading(text, digits, regions, formatted, phone_hint)
    if phone is not None:
        readings.append(phone)
        shapes.append("PHONE")
    c.shapes = tuple(shapes)
    c.readings = readings


def _letter_id(c: Candidate, group: str) -> None:
    v = c.value
    compact = v.replace(" ", "").replace("-", "")
    if group == "iban":
        c.shapes = ("IBAN",)
        if compact in lexicon.FAKE_IBANS:
            return
        if is_valid_id("iban", compact):
            c.readings = [Reading("IBAN")]
            return
        # a trailing word glued to the IBAN by a space: retry without the last group(s)
        parts = v.split(" ")
        for k in (1, 2):
            if len(parts) - k >= 4:
                shorter = "".join(parts[:-k])
                if is_valid_id("iban", shorter) and shorter not in lexicon.FAKE_IBANS:
                    c.end -= len(" ".join(parts[-k:])) + 1
                    c.value = v[: c.end - c.start]
                    c.readings = [Reading("IBAN")]
                    return
        return
    id_type = {"cf": "it.codicefiscale", "nino": "gb.nino", "nie": "es.nie", "dni": "es.dni",
               "hetu": "fi.hetu"}[group]
    c.shapes = (f"NATIONAL_ID:{id_type}",)
    if compact in lexicon.FAKE_IDS or v in lexicon.FAKE_IDS:
        return
    if is_valid_id(id_type, compact if id_type != "fi.hetu" else v):
        # a NINO has no check character: it needs evidence like the digit-only ids
        c.readings = [Reading("NATIONAL_ID", id_type, strong=id_type != "gb.nino")]


# ---------------------------------------------------------------------------------------------
# Entry point


def _line_start(text: str, pos: int, limit: int) -> int:
    """Start of the line holding ``pos`` (or of the cell: values are joined with NUL), at most
    ``limit`` characters back."""
    lo = max(0, pos - limit)
    return max(text.rfind("\n", lo, pos), text.rfind("\x00", lo, pos), lo - 1) + 1


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


_LOCAL_STR = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-"
_LOCAL_CHARS = frozenset(_LOCAL_STR)
_EMAIL_DOMAIN = re.compile(r"((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24})"
                           r"(?![\w\-]|\.[A-Za-z0-9])")
_USERINFO_BEFORE = re.compile(r"://[^\s/@:]*$")  # a URL's scheme and user name, up to the ":"
_HEX_COLON = frozenset("0123456789abcdefABCDEF:")
_MIXED_START = re.compile(r"[A-Z][0-9]")
# _MIXED_START and _RUN for RE2 (pyarrow.compute), to test many texts at once
MIXED_START = _MIXED_START.pattern
RUN = r"[0-9][0-9 \-./()\x{a0}]{5,26}[0-9]"
# a text that is one digit run and nothing else, after "(", "+" or "(+" (for RE2): ``_RUN``
# finds that run from its first digit to the text's end (greedy, and nothing longer exists)
WHOLE_RUN = r"^(?:\(|\+|\(\+)?" + RUN + "$"


_HEX_ESCAPE = re.compile(r"x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[0-7]{3}")


def _escape_length(text: str, j: int, i: int) -> int:
    r"""How many characters at ``j`` (before the ``@`` at ``i``) belong to a backslash escape
    written out (``\n``, ``\x0b``, ``\u00e9``, octal ``\007``), 0 when none does."""
    if not (0 < j < i - 1 and text[j - 1] == "\\"):
        return 0
    if text[j] in "ntr":
        return 1
    m = _HEX_ESCAPE.match(text, j)
    return len(m.group()) if m is not None and m.end() < i else 0


def _emails(text: str, out: list[Candidate]) -> None:
    """Around each ``@``: the local part scanned backwards, the domain matched forwards."""
    i = text.find("@")
    while i >= 0:
        lo = i - 64 if i > 64 else 0
        j = lo + len(text[lo:i].rstrip(_LOCAL_STR))  # the run of local-part characters before
        while j < i and not text[j].isalnum():  # a local part starts with a letter or digit
            j += 1
        escaped = _escape_length(text, j, i)
        if escaped:
            # "\ngit@github.com", "\x0ba@b.com" in a printed repr: the letters belong to the
            # escape
            j += escaped
            while j < i and not text[j].isalnum():
                j += 1
        m = _EMAIL_DOMAIN.match(text, i + 1)
        if m is not None and j and text[j - 1] == ":" and \
                _USERINFO_BEFORE.search(text, max(0, j - 256), j - 1) is not None:
            m = None  # "https://user:secret@host": a URL's user and password, not an address
        if m is not None and j < i and (escaped or not (j and text[j - 1] in _LOCAL_CHARS)) \
                and not (j and text[j - 1] == "@"):  # "a@b.comc@d.com": two glued, neither read
            c = Candidate(j, m.end(), text[j:m.end()], shapes=("EMAIL",))
            if email_ok(text[j:i], m.group(1)):
                c.readings = [Reading("EMAIL")]
            out.append(c)
        i = text.find("@", i + 1)


# a text that is one e-mail address and nothing else, its local part at most 64 characters
# and starting with a letter or digit (for RE2): ``_emails`` finds it whole
WHOLE_EMAIL = (r"^[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
               r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}$")


def email_candidates(text: str) -> list[Candidate]:
    """``candidates(text)`` of a text that matches :data:`WHOLE_EMAIL` and neither
    :data:`MIXED_START` nor :data:`RUN`: the address is its one candidate."""
    i = text.index("@")
    c = Candidate(0, len(text), text, shapes=("EMAIL",))
    if email_ok(text[:i], text[i + 1:]):
        c.readings = [Reading("EMAIL")]
    return [c]


# a text that is one IBAN written without spaces and nothing else (for RE2): the first
# alternative of ``_MIXED`` takes all of it (two letters, two digits, two to seven groups of
# four and one to three more), from the first uppercase letter before a digit
WHOLE_IBAN = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{8,31}$"


def iban_candidates(text: str) -> list[Candidate]:
    """``candidates(text)`` of a text that matches :data:`WHOLE_IBAN`: the IBAN (valid or
    not) is its one candidate, what ``_letter_id`` makes of it."""
    c = Candidate(0, len(text), text, shapes=("IBAN",))
    if text not in lexicon.FAKE_IBANS and is_valid_iban(text):
        c.readings = [Reading("IBAN")]
    return [c]


def _ipv6s(text: str, out: list[Candidate]) -> None:
    """Around each ``::`` or long hex-colon run: the maximal span of hex digits and colons."""
    n = len(text)
    i = text.find(":")
    last_end = -1
    while i >= 0:
        if i < last_end:
            i = text.find(":", last_end)
            continue
        a = i
        while a > 0 and text[a - 1] in _HEX_COLON:
            a -= 1
        b = i
        while b < n and text[b] in _HEX_COLON:
            b += 1
        last_end = b
        span = text[a:b]
        if (span.count(":") >= 2 and ("::" in span or span.count(":") == 7) and len(span) <= 39
                and not (a and (_word_char(text[a - 1]) or text[a - 1] == "."))
                and not (b < n and (_word_char(text[b]) or text[b] == "."))):
            c = Candidate(a, b, span, shapes=("IP_ADDRESS",))
            if ipv6_personal(span):
                c.shapes = ("IP_ADDRESS", "IP_ADDRESS:plausible")
                c.readings = [Reading("IP_ADDRESS")]
            out.append(c)
        i = text.find(":", b)


def _in_spans(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether ``pos`` falls in one of the sorted, non-overlapping ``spans``."""
    i = bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _mixed_at(text: str, lo: int, hi: int, out: list[Candidate], spans: list[tuple[int, int]]) -> None:
    """Identifiers mixing letters and digits (IBAN, codice fiscale, NINO, NIE, DNI, HETU) that
    start in ``[lo, hi)``."""
    n = len(text)
    for m in _MIXED.finditer(text, lo, min(n, hi + 40)):
        s0, e0 = m.span()
        if s0 >= hi:
            break
        if (s0 and _word_char(text[s0 - 1])) or (e0 < n and _word_char(text[e0])):
            continue
        if _in_spans(spans, s0):
            continue
        group = m.lastgroup or ""
        c = Candidate(s0, e0, m.group())
        if group == "hetu" and c.value[6] in "-+" and c.value[7:].isdigit():
            continue  # all digits: read as a number run (HETU, personnummer, CPR)
        _letter_id(c, group)
        if c.shapes or c.readings:
            out.append(c)
            insort(spans, (c.start, c.end))


def _split_run(text: str, c: Candidate, regions: tuple[str, ...], phone_hint: bool) -> list[Candidate]:
    out = []
    pos = c.start
    for token in c.value.split(" "):
        start = pos
        pos += len(token) + 1
        if len(token) < 7 or not token[0].isdigit() or not token[-1].isdigit():
            continue
        sub = Candidate(start, start + len(token), token)
        _number_candidate(sub, regions, phone_hint)
        if sub.readings or sub.shapes:
            out.append(sub)
    return out if any(x.readings for x in out) else []


def _run_candidate(text: str, s0: int, e0: int, regions: tuple[str, ...], phone_hint: bool,
                   out: list[Candidate]) -> None:
    """The candidate of the digit run at ``text[s0:e0]``, its boundaries checked, into ``out``."""
    c = Candidate(s0, e0, text[s0:e0])
    if _IPV4.fullmatch(c.value):
        c.shapes = ("IP_ADDRESS",)
        if ipv4_plausible(c.value):
            c.shapes = ("IP_ADDRESS", "IP_ADDRESS:plausible")
            # no word before an address that starts the text can make it a version's or
            # a server's (every pattern needs a character)
            if ipv4_personal(c.value) and (not c.start or (
                    not _VERSION_BEFORE.search(text[max(0, c.start - 24):c.start].lower())
                    and not _SERVER_BEFORE.search(text, _line_start(text, c.start, 240), c.start)
                    and not _server_position(text, c.start, c.end))):
                c.readings = [Reading("IP_ADDRESS")]
    else:
        _number_candidate(c, regions, phone_hint)
        if not c.readings and " " in c.value.strip():
            # numbers written next to each other ("ids 789345109 806354124"): each on its own
            subs = _split_run(text, c, regions, phone_hint)
            if subs:
                out.extend(subs)
                return
    if c.shapes or c.readings:
        out.append(c)


def run_candidates(text: str, regions: tuple[str, ...] = (), phone_hint: bool = False
                   ) -> list[Candidate]:
    """``candidates(text)`` of a text that matches :data:`WHOLE_RUN`, without the scans: its
    one digit run spans it (after an opening parenthesis or a plus, which the run takes in)."""
    out: list[Candidate] = []
    _run_candidate(text, 0, len(text), regions, phone_hint, out)
    return out


def candidates(text: str, regions: tuple[str, ...] = (), phone_hint: bool = False, *,
               mixed: bool = True, runs: bool = True) -> list[Candidate]:
    """Validated candidates in ``text`` (a candidate with no reading is kept only for its shapes:
    the column logic needs to know how many values had the shape of, say, a card number).

    Only two regexes scan the whole text (digit runs, and an uppercase letter before a digit);
    e-mail addresses and IPv6 addresses are found from their ``@`` and ``:`` with ``str.find``:
    Python's regex engine is slow per character, ``str.find`` is not. A caller that tested many
    texts in bulk (``MIXED_START``, ``RUN``: the same patterns for RE2) passes ``mixed=False``
    for a text without an uppercase letter before a digit and ``runs=False`` for one without a
    digit run: those scans would find nothing.
    """
    out: list[Candidate] = []
    n = len(text)
    spans: list[tuple[int, int]] = []
    for m in _MIXED_START.finditer(text) if mixed else ():
        k = m.start()
        if _in_spans(spans, k):
            continue
        lo = k
        while lo > 0 and k - lo < 8 and text[lo - 1].isupper():
            lo -= 1
        if k >= 6 and text[k - 6:k].isdigit():  # a HETU with a century letter: 131052A308T
            lo = k - 6
        elif lo == k and text[k] not in "XYZ":
            continue  # one letter before digits: only a NIE (X/Y/Z) starts like that ("P11206")
        _mixed_at(text, lo, k + 1, out, spans)
    for m in _RUN.finditer(text) if runs else ():
        s0, e0 = m.span()
        if spans and _in_spans(spans, s0):
            continue
        prev = text[s0 - 1] if s0 else ""
        nxt = text[e0] if e0 < n else ""
        if (nxt.isupper() or (prev == " " and s0 > 1 and text[s0 - 2].isupper())) and not (
                nxt.isupper() and nxt in "xX"):
            before = len(out)
            _mixed_at(text, max(0, s0 - 3), s0 + 1, out, spans)
            if len(out) > before:
                continue
        if prev == "+" or prev == "(":
            s0 -= 1
            if prev == "+" and s0 and text[s0 - 1] == "(":
                s0 -= 1
            prev = text[s0 - 1] if s0 else ""
        if prev and (_word_char(prev) or prev in ".,/+-"):
            continue  # inside a longer token: "abc123456789", "1.2.3.4.5", "v2.0.1"
        if prev == ":" and "." in m.group() and s0 >= 2 and text[s0 - 2] in "fF:":
            continue  # the IPv4 tail of an IPv6 address (::ffff:204.152.189.116)
        if nxt:
            if _word_char(nxt):
                ext = _EXT.match(text, e0) if nxt in "xe#" else None
                if ext is None:
                    continue
                e0 = ext.end()
            elif nxt in ".,/-" and e0 + 1 < n and text[e0 + 1].isdigit():
                continue
            elif nxt == ":":  # a time, "12 13:45"
                continue
        _run_candidate(text, s0, e0, regions, phone_hint, out)
    if "@" in text:
        _emails(text, out)
    if "::" in text or text.count(":") >= 7:
        _ipv6s(text, out)
    return out


# ---------------------------------------------------------------------------------------------
# Evidence from nearby words


def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<![a-zà-ÿ])(?:{alts})(?![a-zà-ÿ])")


_CONTEXT = {k: _words_pattern(v) for k, v in lexicon.CONTEXT_WORDS.items()}
_GENERIC_ID = _words_pattern(lexicon.GENERIC_ID_WORDS)


def context_supports(window: str, reading: Reading) -> bool:
    """Whether the words in ``window`` (lower-cased text around a candidate) name the reading."""
    if reading.entity == "NATIONAL_ID":
        pat = _CONTEXT.get(reading.id_type or "")
        if pat is not None and pat.search(window):
            return True
        return False
    pat = _CONTEXT.get(reading.entity)
    return bool(pat is not None and pat.search(window))


def generic_id_context(window: str) -> bool:
    return bool(_GENERIC_ID.search(window))


def resolve(c: Candidate, window: str | None, hint_entity: str | None = None,
            hint_id_type: str | None = None) -> Reading | None:
    """The one reading a candidate counts as on its own, given the words around it (``window``,
    lower-cased) and the field's hint, or None when only a column-level decision can count it."""
    if not c.readings:
        return None
    # evidence picks a reading first
    if hint_entity:
        for r in c.readings:
            if r.entity == hint_entity and (hint_id_type is None or r.id_type == hint_id_type):
                return r
    if window:
        for r in c.readings:
            if not r.strong and context_supports(window, r):
                return r
        weak_ids = [r for r in c.readings if r.entity == "NATIONAL_ID" and not r.strong]
        if len(weak_ids) == 1 and generic_id_context(window) and weak_ids[0].id_type not in NO_CHECKSUM:
            return weak_ids[0]
    strong = [r for r in c.readings if r.strong]
    if strong:
        order = ("IBAN", "CREDIT_CARD", "NATIONAL_ID", "EMAIL", "PHONE", "IP_ADDRESS")
        strong.sort(key=lambda r: order.index(r.entity))
        return strong[0]
    return None
