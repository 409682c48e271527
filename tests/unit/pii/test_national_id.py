from __future__ import annotations

import pytest

from tests.unit.pii.helpers import found

CASES = [
    ("DNI 12345678Z", ["12345678Z"]),
    ("NIE X1234567L", ["X1234567L"]),
    ("codice fiscale RSSMRA85T10A562S", ["RSSMRA85T10A562S"]),
    ("CPF 111.444.777-35", ["111.444.777-35"]),
    ("personnummer 811228-9874", ["811228-9874"]),
    ("HETU 131052-308T", ["131052-308T"]),
    ("ITIN 912-71-1234", ["912-71-1234"]),
    ("PAN ABCPE1234F", ["ABCPE1234F"]),
    ("BSN: 111222333", ["111222333"]),
    ("PESEL 44051401359", ["44051401359"]),
    ("Steuer-IdNr 36574261809", ["36574261809"]),
    ("NHS number 9434765919", ["9434765919"]),
    # A checksum alone is not enough for plain digit runs.
    ("reference 111222333", []),
    ("DNI with a wrong letter 12345678A", []),
    ("CPF with bad digits 111.444.777-36", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_national_id(text: str, expected: list[str]) -> None:
    assert found(text, "NATIONAL_ID") == expected
