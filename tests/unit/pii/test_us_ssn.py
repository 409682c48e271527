from __future__ import annotations

import pytest

from tests.unit.pii.helpers import found

CASES = [
    ("SSN 536-22-8145", ["536-22-8145"]),
    ("social security number: 536 22 8145", ["536 22 8145"]),
    ("ssn=536228145", ["536228145"]),
    ("never issued 666-12-3456", []),
    ("area 000 000-12-3456", []),
    ("group 00 536-00-8145", []),
    ("the sample 123-45-6789", []),
    ("plain nine digits 536228145", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_us_ssn(text: str, expected: list[str]) -> None:
    assert found(text, "US_SSN") == expected
