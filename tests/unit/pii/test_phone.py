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
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_phone(text: str, expected: list[str]) -> None:
    assert found(text, "PHONE_NUMBER") == expected
