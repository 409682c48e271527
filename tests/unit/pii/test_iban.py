from __future__ import annotations

import random
import string

import pytest
from faker import Faker
from stdnum import iban as stdnum_iban

from privacyops.pii.recognizers.iban import iban_ok
from tests.unit.pii.helpers import found

CASES = [
    ("IBAN DE89 3704 0044 0532 0130 00", ["DE89 3704 0044 0532 0130 00"]),
    ("pay GB82WEST12345698765432 today", ["GB82WEST12345698765432"]),
    ("FR1420041010050500013M02606", ["FR1420041010050500013M02606"]),
    ("NL91 ABNA 0417 1643 00 THANKS", ["NL91 ABNA 0417 1643 00"]),
    ("bad check digits DE00370400440532013000", []),
    ("wrong length for the country DE8937040044053201300", []),
    ("not a country XX89370400440532013000", []),
    ("lower case gb42nawi04454264788619 works", ["gb42nawi04454264788619"]),
    ("iban: gb42 nawi 0445 4264 7886 19", ["gb42 nawi 0445 4264 7886 19"]),
    ("a hash de89370400440532013001 is not one", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_iban(text: str, expected: list[str]) -> None:
    assert found(text, "IBAN_CODE") == expected


LOCALES = ("de_DE", "es_ES", "nl_NL", "fr_FR", "it_IT", "en_GB", "pl_PL", "pt_PT", "fi_FI", "no_NO", "nl_BE")


def test_cached_country_rules_answer_as_stdnum() -> None:
    # Real IBANs of countries with and without extra national checks (ES, BE, NO), some corrupted.
    rng = random.Random(7)
    fakers = [Faker(locale) for locale in LOCALES]
    Faker.seed(7)
    outcomes = set()
    for _ in range(3000):
        value = rng.choice(fakers).iban()
        if rng.random() < 0.4:
            at = rng.randrange(len(value))
            value = value[:at] + rng.choice(string.digits + string.ascii_uppercase) + value[at + 1 :]
        if rng.random() < 0.3:
            value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        expected = stdnum_iban.is_valid(value)
        assert iban_ok(value) == expected, value
        outcomes.add(expected)
    assert outcomes == {True, False}
