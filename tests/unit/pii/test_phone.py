from __future__ import annotations

import pytest

from tests.unit.pii.helpers import found

CASES = [
    ("call me at +1 415-555-0132", ["+1 415-555-0132"]),
    ("Tel: +44 20 7946 0958", ["+44 20 7946 0958"]),
    ("Telefon +49(0)6581 123456 bitte", ["+49(0)6581 123456"]),
    ("mobile (0191) 496-0852", ["(0191) 496-0852"]),
    ("phone 020 7946 0958", ["020 7946 0958"]),
    ("call 202.555.0143 now", ["202.555.0143"]),
    ("reach me on 1-646-321-9890", ["1-646-321-9890"]),
    ("whatsapp: +33 6 12 34 56 78", ["+33 6 12 34 56 78"]),
    ("my phone number is 4155550132", ["4155550132"]),
    # Look-alikes: addresses, versions, decimals, dates, order numbers, SSNs, bare numbers.
    ("server 192.168.10.20 answered", []),
    ("upgrade to 10.0.19041.1", []),
    ("pi is 3.14159265", []),
    ("released 2024-01-15 12:30", []),
    ("order 4155550132 shipped", []),
    ("ssn 536-22-8145", []),
    ("the count was 1234567890", []),
    ('"GET /index HTTP/1.1" 404 35741 "-"', []),
    ("opendsr_send_callbacks: 77083171-9401-47fd-a0c1-3f2e8b9d1c55 done", []),  # a task id in a log line
    # Numbers as people write them.
    ("Phone: 451 5986", ["451 5986"]),  # a local number after a cue word
    ("call me on 9472 7916 please", ["9472 7916"]),
    ("Contact: 555-0134", ["555-0134"]),
    ("Tél: 03.93.92.16.85.", ["03.93.92.16.85"]),
    ("tel 71-33-52-22", ["71-33-52-22"]),
    ("3660170548-Fax", ["3660170548"]),  # the word after the number says what it is
    ("+46 (0)179 459 33", ["+46 (0)179 459 33"]),  # the country code is part of the number
    ("Rückruf unter 842 3123", ["842 3123"]),
    ("the new number is 9185 9731.", ["9185 9731"]),
    # Context words are whole words: "callbacks" holds "call" but is not it.
    ("see callbacks 4155550132", []),
    ("callbacks: 451 5986", []),
    ("Phone number: 020 7946 0958", ["020 7946 0958"]),  # read whole, not as a short number inside
    ("build 451 5986", []),
    ("the count was 451 5986", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_phone(text: str, expected: list[str]) -> None:
    assert found(text, "PHONE_NUMBER") == expected


def test_context_words_in_camel_case_keys() -> None:
    from privacyops.pii.engine import default_engine

    found_in = default_engine().analyze("4155550132", context="mobilePhone")
    assert [f.entity for f in found_in] == ["PHONE_NUMBER"]
    assert default_engine().analyze("4155550132", context="callbacksCount") == []
