"""Phone numbers parsed and validated as ``phonenumbers`` does it, with its metadata compiled once.

``phonenumbers.parse`` followed by ``is_valid_number`` costs about 25 us an attempt in pure
Python: the input is normalised character by character through Unicode tables, and every pattern
of the metadata is looked up in ``re``'s cache at every use. Data files hold phone numbers
written with ASCII digits, spaces, hyphens, dots, slashes, parentheses and a leading plus; for
those this module takes the library's steps (international prefix, country calling code,
national prefix and its transform rule, the region of a shared calling code, the number types of
the region) on the digits, with each region's patterns compiled once from the installed
library's metadata, so it follows the library's version. Anything else (letters, extensions,
other scripts, a plus in the middle) is the library's to parse: :func:`check` answers ``SLOW``.
The equivalence is tested against the library on numbers of every locale and on digit strings
that exercise each step (``tests/test_phones.py``)."""

from __future__ import annotations

import re
from functools import lru_cache

SLOW = object()  # not a shape this module reads: ask phonenumbers


class _Fallback(Exception):
    """Metadata this module does not read (a region missing, or without possible lengths)."""

# a value that phonenumbers would cut to the same digits: separators it skips before the first
# digit or plus and after the last digit, one plus, ASCII digits and separators in between
_SIMPLE = re.compile(r"[ ().\-/]*(\+?)([0-9][0-9 ().\-/]*[0-9])[ ().\-/]*")
_SEPARATORS = str.maketrans("", "", " ().-/")
_MIN_NSN, _MAX_NSN, _MAX_CC, _MAX_INPUT = 2, 17, 3, 250
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
          "voicemail", "fixed_line", "mobile")


class _Plan:
    """One region's metadata, compiled: what parsing and validation read of it."""

    __slots__ = ("cc", "cc_str", "general", "lengths", "local", "types", "idd", "prefix",
                 "transform", "leading")

    def __init__(self, md) -> None:
        self.cc = md.country_code
        self.cc_str = str(md.country_code)
        g = md.general_desc
        self.general = _compiled(g.national_number_pattern)
        self.lengths = tuple(g.possible_length)
        self.local = tuple(g.possible_length_local_only)
        by_len: dict[int | None, list[str]] = {}
        for name in _TYPES:
            desc = getattr(md, name)
            if desc is None or not desc.national_number_pattern:
                continue
            for n in desc.possible_length or (None,):
                by_len.setdefault(n, []).append(desc.national_number_pattern)
        # a number of length n is of some type when a pattern of the types admitting n matches
        anyl = by_len.pop(None, [])
        self.types = {n: re.compile("|".join(f"(?:{p})" for p in ps + anyl))
                      for n, ps in by_len.items()}
        self.types[None] = re.compile("|".join(f"(?:{p})" for p in anyl)) if anyl else None
        self.idd = _compiled(md.international_prefix or "NonMatch")
        self.prefix = _compiled(md.national_prefix_for_parsing) if md.national_prefix_for_parsing else None
        self.transform = md.national_prefix_transform_rule or None
        self.leading = _compiled(md.leading_digits) if md.leading_digits is not None else None

    def general_match(self, nsn: str) -> bool:
        return self.general is not None and self.general.fullmatch(nsn) is not None

    def valid(self, nsn: str) -> bool:
        """``_number_type_helper(nsn) != UNKNOWN``: the general pattern and one type's."""
        if self.lengths and len(nsn) not in self.lengths:
            return False
        if not self.general_match(nsn):
            return False
        types = self.types.get(len(nsn), self.types[None])
        return types is not None and types.fullmatch(nsn) is not None

    def length(self, nsn: str) -> str:
        """``_test_number_length`` for an unknown type: 'ok', 'long', 'short', 'local', 'invalid'."""
        if not self.lengths:
            raise _Fallback
        n = len(nsn)
        if n in self.local:
            return "local"
        lo, hi = self.lengths[0], self.lengths[-1]
        if n == lo:
            return "ok"
        if lo > n:
            return "short"
        if hi < n:
            return "long"
        return "ok" if n in self.lengths[1:] else "invalid"

    def strip_national_prefix(self, number: str) -> str:
        """``_maybe_strip_national_prefix_carrier_code``: the number without its trunk prefix."""
        if not number or self.prefix is None:
            return number
        m = self.prefix.match(number)
        if not m:
            return number
        viable = self.general_match(number)
        groups = m.groups()
        # (a transform rule with a pattern of no group fails in the library as it does here)
        if self.transform is None or groups[len(groups) - 1] is None:
            rest = number[m.end():]
        else:
            rest = self.prefix.sub(self.transform, number, count=1)
        if viable and not self.general_match(rest):
            return number
        return rest


def _compiled(pattern: str | None):
    return None if not pattern else re.compile(pattern)


@lru_cache(maxsize=None)
def _plan_for_region(region: str) -> _Plan | None:
    import phonenumbers

    md = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    return None if md is None else _Plan(md)


@lru_cache(maxsize=None)
def _plan_for_code(cc: int, region: str) -> _Plan | None:
    import phonenumbers

    md = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(cc, region)
    return None if md is None else _Plan(md)


@lru_cache(maxsize=None)
def _regions(cc: int) -> tuple[str, ...]:
    import phonenumbers

    return tuple(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(cc, ()))


def _plan(cc: int, region: str) -> _Plan:
    p = _plan_for_code(cc, region)
    if p is None:
        raise _Fallback
    return p


def _country_code(digits: str) -> tuple[int, str]:
    """``_extract_country_code``: the first 1-3 digits that are a calling code, and the rest."""
    if not digits or digits[0] == "0":
        return 0, digits
    for i in range(1, min(len(digits), _MAX_CC) + 1):
        cc = int(digits[:i])
        if _regions(cc):
            return cc, digits[i:]
    return 0, digits


def _parse(plus: bool, digits: str, region: str | None) -> tuple[int, str] | None:
    """``parse(number, region)`` for a simple number: (calling code, national significant
    number), or None where the library raises."""
    home = None
    if region is not None:
        home = _plan_for_region(region)
        if home is None:
            raise _Fallback
    elif not plus:
        return None  # no region and no plus: the library refuses it
    extracted = _extract(plus, digits, home)
    if extracted is None and plus:
        # an unknown calling code after a plus: the library tries again without the plus
        extracted = _extract(False, digits, home)
        if extracted is None or extracted[0] == 0:
            return None
    if extracted is None:
        return None
    cc, nnn = extracted
    if cc != 0:
        main = _regions(cc)[0]
        plan = home if home is not None and main == region else _plan(cc, main)
    else:
        nnn, cc, plan = digits, home.cc, home
    if len(nnn) < _MIN_NSN:
        return None
    stripped = plan.strip_national_prefix(nnn)
    if plan.length(stripped) in ("ok", "long"):
        nnn = stripped
    if len(nnn) > _MAX_NSN:
        return None
    return cc, nnn


def _extract(plus: bool, digits: str, home: _Plan | None) -> tuple[int, str] | None:
    """``_maybe_extract_country_code``: ``(0, "")`` when the number carries no calling code,
    None where the library raises (after a plus or an international prefix, too few digits or
    an unknown calling code)."""
    source_default = True
    if plus:
        source_default = False
    elif home is not None:
        m = home.idd.match(digits)
        if m and not digits[m.end():m.end() + 1] == "0":
            digits, source_default = digits[m.end():], False
    if not source_default:
        if len(digits) <= _MIN_NSN:
            return None
        cc, rest = _country_code(digits)
        return (cc, rest) if cc else None
    if home is not None and digits.startswith(home.cc_str):
        rest = home.strip_national_prefix(digits[len(home.cc_str):])
        if ((not home.general_match(digits) and home.general_match(rest))
                or home.length(digits) == "long"):
            return home.cc, rest
    return 0, ""


def _valid(cc: int, nsn: str) -> bool:
    """``is_valid_number``: the region of the number (by leading digits or type where a calling
    code is shared), then the number types of that region."""
    regions = _regions(cc)
    if not regions:
        return False
    if len(regions) == 1:
        region = regions[0]
    else:
        region = None
        for r in regions:
            p = _plan_for_region(r)
            if p is None:
                continue
            if p.leading is not None:
                if p.leading.match(nsn):
                    region = r
                    break
            elif p.valid(nsn):
                region = r
                break
        if region is None:
            return False
    return _plan(cc, region).valid(nsn)


def check(text: str, region: str | None):
    """What ``parse(text, region)`` then ``is_valid_number`` say: ``(calling code, national
    significant number)`` of a valid number, None for an invalid one or one the library does not
    parse, ``SLOW`` where the library must be asked."""
    if len(text) > _MAX_INPUT:
        return SLOW
    m = _SIMPLE.fullmatch(text)
    if m is None:
        return SLOW
    digits = m.group(2).translate(_SEPARATORS)
    if not digits.isdigit() or len(digits) < 3:
        return SLOW
    try:
        parsed = _parse(bool(m.group(1)), digits, region)
        if parsed is None:
            return None
        return parsed if _valid(*parsed) else None
    except _Fallback:
        return SLOW
