"""The compiled phone validator answers as phonenumbers' ``parse`` + ``is_valid_number`` do.

Compared on the library's own example numbers of every region and type (written nationally,
internationally and in E.164, then with a digit changed, added or dropped), on numbers faker
writes for many locales, and on digit strings built to pass through each step of parsing: an
international prefix, a calling code written without a plus, a trunk prefix, a shared calling
code, too few and too many digits."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from faker import Faker

from aiprivlint.pii import phones
from aiprivlint.pii.detectors import FALLBACK_REGIONS

FORMATS = (phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.INTERNATIONAL,
           phonenumbers.PhoneNumberFormat.E164)
# regions whose parsing has a twist: shared calling codes, transform rules, leading zeros,
# international prefixes other than 00
TWISTS = ("US", "CA", "GB", "IM", "RU", "KZ", "AR", "MX", "BR", "IT", "SM", "VA", "JP", "AU",
          "CN", "IN", "FI", "AX", "NO", "SJ", "FR", "RE", "CO", "SG", "HU", "CI", "BY")
SEPARATORS = ("", " ", "-", ".", "/", " - ")


RAISES = "raises"


def reference(text: str, region: str | None):
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return RAISES
    if not phonenumbers.is_valid_number(num):
        return None
    return num.country_code, phonenumbers.national_significant_number(num)


def _compare(inputs, regions) -> tuple[int, int]:
    fast = slow = 0
    wrong = []
    for text in inputs:
        for region in regions:
            try:
                got = phones.check(text, region)
            except phones.NotANumber:
                got = RAISES
            if got is phones.SLOW:
                slow += 1
                continue
            fast += 1
            want = reference(text, region)
            if got != want:
                wrong.append((text, region, got, want))
    assert not wrong[:20], f"{len(wrong)} differences, first: {wrong[:20]}"
    return fast, slow


def _mutations(digits: str, rnd: random.Random) -> list[str]:
    i = rnd.randrange(len(digits))
    other = str((int(digits[i]) + rnd.randint(1, 9)) % 10)
    return [digits[:i] + other + digits[i + 1:], digits + str(rnd.randint(0, 9)), digits[:-1]]


def _spaced(digits: str, rnd: random.Random) -> str:
    out, i = [], 0
    while i < len(digits):
        n = rnd.randint(2, 4)
        out.append(digits[i:i + n])
        i += n
    return rnd.choice(SEPARATORS).join(out)


def test_example_numbers_of_every_region_and_type():
    rnd = random.Random(7)
    inputs: set[str] = set()
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    for region in regions:
        for kind in phonenumbers.PhoneNumberType.values():
            num = phonenumbers.example_number_for_type(region, kind)
            if num is None:
                continue
            for fmt in FORMATS:
                inputs.add(phonenumbers.format_number(num, fmt))
            nsn = phonenumbers.national_significant_number(num)
            for m in _mutations(nsn, rnd):
                inputs.add(f"+{num.country_code} {_spaced(m, rnd)}")
                inputs.add(_spaced(m, rnd))
    inputs = sorted(inputs)
    # every example number in international form, and the national forms in their own region
    fast, slow = _compare(inputs, (None,))
    assert fast > 0.95 * (fast + slow)
    by_region: dict[str, list[str]] = {}
    for region in regions:
        for kind in phonenumbers.PhoneNumberType.values():
            num = phonenumbers.example_number_for_type(region, kind)
            if num is not None:
                nat = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
                by_region.setdefault(region, []).append(nat)
    for region, nats in by_region.items():
        _compare(nats, (region,))
    _compare(rnd.sample(inputs, 1500), FALLBACK_REGIONS + TWISTS)


def test_faker_numbers_of_many_locales():
    rnd = random.Random(11)
    locales = ("en_US", "en_GB", "de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL", "sv_SE",
               "da_DK", "fi_FI", "de_AT", "de_CH", "en_IE", "pt_PT", "ro_RO", "cs_CZ", "no_NO",
               "pt_BR", "ru_RU", "ja_JP", "en_AU", "en_IN", "es_MX", "es_AR", "hu_HU", "en_CA")
    inputs: set[str] = set()
    for loc in locales:
        fake = Faker(loc)
        fake.seed_instance(rnd.randint(0, 1 << 30))
        for _ in range(40):
            inputs.add(fake.phone_number().strip())
    fast, slow = _compare(sorted(inputs), FALLBACK_REGIONS + TWISTS + (None,))
    assert fast > 0.6 * (fast + slow)  # the rest holds letters or extensions: the library's


@pytest.mark.parametrize("seed", range(3))
def test_digit_strings_through_each_parsing_step(seed):
    rnd = random.Random(seed)
    inputs = set()
    for _ in range(700):
        region = rnd.choice(FALLBACK_REGIONS + TWISTS)
        cc = str(phonenumbers.country_code_for_region(region))
        body = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 16)))
        head = rnd.choice(("", "", "0", "00", "011", "8", "810", cc, "0" + cc, "00" + cc,
                           "+" + cc, "+" + cc + "0", "+", "+0", "+999", "(0)", "0 15 "))
        inputs.add(_spaced(head + body, rnd) if "+" not in head else head + " " + _spaced(body, rnd))
    _compare(sorted(inputs), FALLBACK_REGIONS + TWISTS + (None,))


def test_shapes_left_to_the_library():
    for text in ("+44 20 7946 0958 ext. 12", "0800 FLOWERS", "tel:+44-20-7946-0958",
                 "+44 20 7946 0958;ext=3", "٠١٢٣٤٥٦٧٨٩", "++44 20 7946 0958", "44+20 7946 0958",
                 "+ 44 20 7946 0958", "x" * 300):
        assert phones.check(text, "GB") is phones.SLOW
