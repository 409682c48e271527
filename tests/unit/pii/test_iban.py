from __future__ import annotations

import pytest

from tests.unit.pii.helpers import found

CASES = [
    ("IBAN DE89 3704 0044 0532 0130 00", ["DE89 3704 0044 0532 0130 00"]),
    ("pay GB82WEST12345698765432 today", ["GB82WEST12345698765432"]),
    ("FR1420041010050500013M02606", ["FR1420041010050500013M02606"]),
    ("NL91 ABNA 0417 1643 00 THANKS", ["NL91 ABNA 0417 1643 00"]),
    ("bad check digits DE00370400440532013000", []),
    ("wrong length for the country DE8937040044053201300", []),
    ("not a country XX89370400440532013000", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_iban(text: str, expected: list[str]) -> None:
    assert found(text, "IBAN_CODE") == expected
