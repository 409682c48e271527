from __future__ import annotations

import pytest

from privacyops.pii.recognizers.credit_card import issuer_ok, luhn_ok
from tests.unit.pii.helpers import found

CASES = [
    ("visa 4111 1111 1111 1111", ["4111 1111 1111 1111"]),
    ("mc 5555-5555-5555-4444", ["5555-5555-5555-4444"]),
    ("2-series 2223003122003222", ["2223003122003222"]),
    ("amex 378282246310005", ["378282246310005"]),
    ("visa19 4111111111111111003", ["4111111111111111003"]),
    ("maestro 12 digits 501800000009", ["501800000009"]),
    ("diners 36227206271667", ["36227206271667"]),
    ("jcb 3530111333300000", ["3530111333300000"]),
    ("after a version v8.23.8 4111-1111-1111-1111", ["4111-1111-1111-1111"]),
    ("diners 14 digits 38520000023237", ["38520000023237"]),
    ("luhn fails 4111 1111 1111 1112", []),
    ("no issuer 9999999999999995", []),
    ("mixed separators 4111-1111 1111 1111", []),
    ("all ones 1111111111111111", []),
    # After a card word, any Luhn-valid 12 to 19 digits: issuer ranges change.
    ("credit card 744978690736", ["744978690736"]),
    ("credit card: 7449 7869 0736", ["7449 7869 0736"]),
    ("payment ref 744978690736", []),
    ("credit card 744978690737", []),  # Luhn fails
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_credit_card(text: str, expected: list[str]) -> None:
    assert found(text, "CREDIT_CARD") == expected


@pytest.mark.parametrize(("digits", "ok"), [("79927398713", True), ("79927398710", False)])
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


def test_issuer_lengths() -> None:
    assert issuer_ok("4111111111111111") and not issuer_ok("41111111111111")
