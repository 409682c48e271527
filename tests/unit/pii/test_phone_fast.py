"""The precompiled phone path answers exactly as ``phonenumbers`` does, or defers to it."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from privacyops.pii.recognizers import phone_fast

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
PREFIXES = ("", "", "", "0", "1", "00", "011", "0011", "010", "001")


def library(core: str, region: str | None) -> tuple[tuple[int, str], bool, bool] | None:
    try:
        number = phonenumbers.parse(core, region)
    except phonenumbers.NumberParseException:
        return None
    key = (number.country_code, phonenumbers.national_significant_number(number))
    return key, phonenumbers.is_valid_number(number), phonenumbers.is_possible_number(number)


def fast(core: str, region: str | None) -> tuple[tuple[int, str], bool, bool] | None | str:
    parsed = phone_fast.parse(core, region)
    if not isinstance(parsed, tuple):
        return parsed
    return parsed, phone_fast.is_valid(*parsed), phone_fast.is_possible(*parsed)


def written(rng: random.Random) -> str:
    """Digits as people write them: maybe a prefix, groups, a separator, a bracketed area code."""
    digits = rng.choice(PREFIXES) + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 15)))
    if len(digits) < 2 or rng.random() < 0.4:
        return digits
    cuts = sorted(rng.sample(range(1, len(digits)), rng.randint(1, min(3, len(digits) - 1))))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    if rng.random() < 0.3:
        groups[0] = f"({groups[0]})"
    return rng.choice([" ", "-", ".", " / "]).join(groups)


@pytest.mark.parametrize("seed", range(4))
def test_random_numbers_in_every_region_agree_with_the_library(seed: int) -> None:
    rng = random.Random(seed)
    compared = 0
    for _ in range(6000):
        core = written(rng)
        region = None if rng.random() < 0.3 else rng.choice(REGIONS)
        if region is None:
            core = "+" + core
        answer = fast(core, region)
        if answer == phone_fast.DEFER:
            continue
        assert answer == library(core, region), (core, region)
        compared += 1
    assert compared > 4500  # the fast path answers most inputs itself


@pytest.mark.parametrize(
    ("core", "region"),
    [
        ("(202) 555-0143", "US"),
        ("(416) 555-0143", "CA"),  # +1 shared with the US: the library walks the regions
        ("1-646-321-9890", "US"),
        ("020 7946 0958", "GB"),
        ("4420 7946 0958", "GB"),  # own calling code written without the plus
        ("030 1234567", "DE"),
        ("06 12 34 56 78", "FR"),
        ("011 44 20 7946 0958", "US"),  # dialling prefix, then a calling code
        ("00 49 30 1234567", "DE"),
        ("+44 20 7946 0958", None),
        ("+1 415-555-0132", None),
        ("+358 40 1234567", None),  # +358 is shared with the Aland Islands (leading digits)
        ("+7 912 345-67-89", None),
        ("12", "US"),
        ("1 2", "US"),
        ("+12", None),
        ("0", "DE"),
    ],
)
def test_known_numbers_agree_with_the_library(core: str, region: str | None) -> None:
    answer = fast(core, region)
    assert answer != phone_fast.DEFER
    assert answer == library(core, region)


@pytest.mark.parametrize(
    ("core", "region"),
    [
        ("+0123456", None),  # no calling code starts with 0: the library retries its own way
        ("+999 1234567", None),  # unknown calling code
        ("+800 1234 5678", None),  # non-geographic (freephone)
        ("0800 123 4567 x12", "GB"),  # a character outside the modelled alphabet
        ("(21) 98765-4321", "BR"),  # Brazil's prefix rule can rewrite digits: only if it applies
    ],
)
def test_cases_outside_the_model_defer_or_agree(core: str, region: str | None) -> None:
    answer = fast(core, region)
    assert answer == phone_fast.DEFER or answer == library(core, region)
