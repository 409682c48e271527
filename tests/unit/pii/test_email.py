from __future__ import annotations

import pytest

from tests.unit.pii.helpers import found

CASES = [
    ("write to jane.doe@example.com today", ["jane.doe@example.com"]),
    ("<o'brien+tag@mail.example.co.uk>", ["o'brien+tag@mail.example.co.uk"]),
    ("UPPER@EXAMPLE.ORG.", ["UPPER@EXAMPLE.ORG"]),
    ('{"email": "a_b-c@sub-domain.example.io"}', ["a_b-c@sub-domain.example.io"]),
    ("two: x@example.com, y@example.net", ["x@example.com", "y@example.net"]),
    ("no at sign example.com", []),
    ("an asset logo@2x.png", []),
    ("git@github", []),
    ("double dot jane..doe@example.com", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_email(text: str, expected: list[str]) -> None:
    assert found(text, "EMAIL_ADDRESS") == expected
