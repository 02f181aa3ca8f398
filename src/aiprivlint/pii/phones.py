"""Phone numbers parsed and validated as ``phonenumbers`` does it, with its metadata compiled once.

``phonenumbers.parse`` followed by ``is_valid_number`` costs about 25 us an attempt in pure
Python: the input is normalised character by character through Unicode tables, and every pattern
of the metadata is looked up in ``re``'s cache at every use. Data files hold phone numbers
written with ASCII digits, spaces, hyphens, dots, slashes, parentheses and a leading plus; for
those this module takes the library's steps (international prefix, country calling code,
national prefix and its transform rule, the region of a shared calling code, the number types of
the region) on the digits, with each region's patterns compiled once from the installed
library's metadata, so it follows the library's version. Anything else (letters, extensions,
other scripts, a plus in the middle) is the library's to parse: :func:`check` answers ``SLOW``;
where the library raises, :func:`check` raises :class:`NotANumber`.
The equivalence is tested against the library on numbers of every locale and on digit strings
that exercise each step (``tests/test_phones.py``)."""

from __future__ import annotations

import re
from functools import lru_cache

SLOW = object()  # not a shape this module reads: ask phonenumbers


class NotANumber(ValueError):
    """Where ``phonenumbers.parse`` raises (too short or long, an unknown calling code)."""


class _Fallback(Exception):
    """Metadata this module does not read (a region missing, or without possible lengths)."""


# what phonenumbers skips in a number of ASCII digits: separators before the first digit (or a
# plus right before it), between digits and after the last one
_SEPARATORS = b" ().-/"
_MIN_NSN, _MAX_NSN, _MAX_CC, _MAX_INPUT = 2, 17, 3, 250
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
          "voicemail", "fixed_line", "mobile")
_LENGTH_KEPT = ("ok", "long")  # _test_number_length results after which a prefix is stripped


class _Plan:
    """One region's metadata, compiled: what parsing and validation read of it."""

    __slots__ = ("cc", "cc_str", "general", "lengths", "local", "idd", "prefix", "transform",
                 "leading", "_gen", "_types", "_valid")

    def __init__(self, md) -> None:
        self.cc = md.country_code
        self.cc_str = str(md.country_code)
        g = md.general_desc
        self._gen = g.national_number_pattern or None
        self.general = _compiled(self._gen)
        self.lengths = tuple(g.possible_length)
        self.local = tuple(g.possible_length_local_only)
        self._types: dict[int | None, list[str]] = {}
        for name in _TYPES:
            desc = getattr(md, name)
            if desc is None or not desc.national_number_pattern:
                continue
            for n in desc.possible_length or (None,):
                self._types.setdefault(n, []).append(desc.national_number_pattern)
        self._valid: dict[int, re.Pattern | None] = {}  # by length, compiled on first use
        self.idd = _compiled(md.international_prefix or "NonMatch")
        self.prefix = _compiled(md.national_prefix_for_parsing)
        self.transform = md.national_prefix_transform_rule or None
        self.leading = _compiled(md.leading_digits)

    def general_match(self, nsn: str) -> bool:
        return self.general is not None and self.general.fullmatch(nsn) is not None

    def valid(self, nsn: str) -> bool:
        """``_number_type_helper(nsn) != UNKNOWN``: the general description (its lengths and
        pattern) and one type's (its lengths and pattern): one pattern per length."""
        n = len(nsn)
        pattern = self._valid.get(n, _MISSING)
        if pattern is _MISSING:
            pattern = self._valid[n] = self._compile_valid(n)
        return pattern is not None and pattern.fullmatch(nsn) is not None

    def _compile_valid(self, n: int) -> re.Pattern | None:
        if self._gen is None or (self.lengths and n not in self.lengths):
            return None
        types = self._types.get(n, []) + self._types.get(None, [])
        if not types:
            return None
        alts = "|".join(f"(?:{p})" for p in types)
        return re.compile(f"(?=(?:{self._gen})\\Z)(?:{alts})")

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


class _Code:
    """A calling code: its regions (the first is the main one) and their compiled plans."""

    __slots__ = ("regions", "plans", "main")

    def __init__(self, cc: int, regions: tuple[str, ...]) -> None:
        self.regions = regions
        # the plan of each region, as is_valid_number reads them (None: no metadata)
        self.plans = tuple(_region(r) for r in regions) if len(regions) > 1 else ()
        self.main = _code_plan(cc, regions[0])

    def valid(self, cc: int, nsn: str) -> bool:
        """``is_valid_number``: the region of the number (by leading digits or type where a
        calling code is shared), then the number types of that region."""
        plan = self.main
        if self.plans:
            for r, p in zip(self.regions, self.plans):
                if p is not None and (p.valid(nsn) if p.leading is None
                                      else p.leading.match(nsn) is not None):
                    plan = _code_plan(cc, r)
                    break
            else:
                return False
        if plan is None:
            raise _Fallback
        return plan.valid(nsn)


def _compiled(pattern: str | None):
    return None if not pattern else re.compile(pattern)


_MISSING = object()
_PLANS: dict[tuple[int, str], _Plan] = {}  # by metadata: (calling code, region or "001")
_REGIONS: dict[str, _Plan | None] = {}
_CODE_PLANS: dict[tuple[int, str], _Plan | None] = {}
_CODES: dict[int, _Code | None] = {}


def _plan_of(md) -> _Plan | None:
    """The compiled plan of a metadata object, one per object (a region's metadata is what
    both ``metadata_for_region`` and ``metadata_for_region_or_calling_code`` give)."""
    if md is None:
        return None
    key = (md.country_code, md.id)
    p = _PLANS.get(key)
    if p is None:
        p = _PLANS[key] = _Plan(md)
    return p


def _region(region: str) -> _Plan | None:
    p = _REGIONS.get(region, _MISSING)
    if p is _MISSING:
        import phonenumbers

        p = _REGIONS[region] = _plan_of(
            phonenumbers.PhoneMetadata.metadata_for_region(region, None))
    return p


def _code_plan(cc: int, region: str) -> _Plan | None:
    p = _CODE_PLANS.get((cc, region), _MISSING)
    if p is _MISSING:
        import phonenumbers

        p = _CODE_PLANS[(cc, region)] = _plan_of(
            phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(cc, region))
    return p


def _code(cc: int) -> _Code | None:
    c = _CODES.get(cc, _MISSING)
    if c is _MISSING:
        import phonenumbers

        regions = tuple(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(cc, ()))
        c = _CODES[cc] = _Code(cc, regions) if regions else None
    return c


def _country_code(digits: str) -> tuple[int, str]:
    """``_extract_country_code``: the first 1-3 digits that are a calling code, and the rest."""
    if not digits or digits[0] == "0":
        return 0, digits
    codes = _calling_codes()
    for i in range(1, min(len(digits), _MAX_CC) + 1):
        if digits[:i] in codes:  # no leading zero: the digits are the code as written
            return int(digits[:i]), digits[i:]
    return 0, digits


@lru_cache(maxsize=1)
def _calling_codes() -> frozenset[str]:
    import phonenumbers

    return frozenset(str(cc) for cc, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()
                     if regions)


def _extract(plus: bool, digits: str, home: _Plan | None) -> tuple[int, str]:
    """``_maybe_extract_country_code``: ``(0, "")`` when the number carries no calling code;
    raises where the library does (after a plus or an international prefix, too few digits or
    an unknown calling code)."""
    if not plus:
        m = home.idd.match(digits) if home is not None else None
        if m is None or digits[m.end():m.end() + 1] == "0":
            if home is not None and digits.startswith(home.cc_str):
                rest = home.strip_national_prefix(digits[len(home.cc_str):])
                if ((not home.general_match(digits) and home.general_match(rest))
                        or home.length(digits) == "long"):
                    return home.cc, rest
            return 0, ""
        digits = digits[m.end():]
    if len(digits) <= _MIN_NSN:
        raise NotANumber("too short after the international prefix")
    cc, rest = _country_code(digits)
    if not cc:
        raise _UnknownCode
    return cc, rest


class _UnknownCode(NotANumber):
    """INVALID_COUNTRY_CODE: after a plus, the library tries again without it."""


def _parse(plus: bool, digits: str, region: str | None) -> tuple[int, str]:
    """``parse(number, region)`` for a simple number: (calling code, national significant
    number); raises :class:`NotANumber` where the library raises."""
    home = None
    if region is not None:
        home = _region(region)
        if home is None:
            raise _Fallback
    elif not plus:
        raise NotANumber("no region and no plus")
    try:
        cc, nnn = _extract(plus, digits, home)
    except _UnknownCode:
        if not plus:
            raise
        cc, nnn = _extract(False, digits, home)  # the library tries again without the plus
        if cc == 0:
            raise NotANumber("no calling code after the plus") from None
    if cc != 0:
        code = _code(cc)
        plan = home if home is not None and code.regions[0] == region else code.main
        if plan is None:
            raise _Fallback
    else:
        nnn, cc, plan = digits, home.cc, home
    if len(nnn) < _MIN_NSN:
        raise NotANumber("too short")
    stripped = plan.strip_national_prefix(nnn)
    if plan.length(stripped) in _LENGTH_KEPT:
        nnn = stripped
    if len(nnn) > _MAX_NSN:
        raise NotANumber("too long")
    return cc, nnn


def simple(text: str) -> tuple[bool, str] | None:
    """(written with a plus, the digits) of a number this module reads: ASCII digits and the
    separators " ().-/", with at most one plus, right before the first digit; else None."""
    if len(text) > _MAX_INPUT or not text.isascii():
        return None
    t = text.encode("ascii").translate(None, _SEPARATORS).decode("ascii")
    plus = t[:1] == "+"
    digits = t[1:] if plus else t
    if not (digits.isdigit() and len(digits) >= 3):
        return None
    if plus and not text[text.index("+") + 1].isdigit():
        return None  # "+ 44 ...": the plus apart from the number
    return plus, digits


def check_simple(number: tuple[bool, str], region: str | None):
    """:func:`check` of what :func:`simple` gave."""
    try:
        cc, nsn = _parse(number[0], number[1], region)
        code = _code(cc)
        if code is None:
            return None
        return (cc, nsn) if code.valid(cc, nsn) else None
    except _Fallback:
        return SLOW


def check(text: str, region: str | None):
    """What ``parse(text, region)`` then ``is_valid_number`` say: ``(calling code, national
    significant number)`` of a valid number, None for an invalid one, ``SLOW`` where the library
    must be asked; raises :class:`NotANumber` where the library raises."""
    number = simple(text)
    return SLOW if number is None else check_simple(number, region)
