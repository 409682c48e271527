from __future__ import annotations

import pytest

from privacyops.package import scrub

OWN = {"me@example.com"}


@pytest.mark.parametrize(
    ("text", "expected", "reason"),
    [
        ("hash $2b$12$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0 end",
         "hash [password hash withheld] end", scrub.PASSWORD_HASH),
        ("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
         "[password hash withheld]", scrub.PASSWORD_HASH),
        ("$6$rounds=5000$saltsalt$" + "a" * 86, "[password hash withheld]", scrub.PASSWORD_HASH),
        ("pbkdf2_sha256$260000$abcdefgh$ZmFrZWhhc2hmYWtlaGFzaA==", "[password hash withheld]",
         scrub.PASSWORD_HASH),
        ("card 4539 1488 0343 6467 please", "card [card number withheld, ending 6467] please", scrub.CARD),
        ("card 4539148803436467.", "card [card number withheld, ending 6467].", scrub.CARD),
        ("amex 3782-822463-10005", "amex [card number withheld, ending 0005]", scrub.CARD),
        ("mail other@example.org now", "mail [redacted: another person's email address] now",
         scrub.OTHER_EMAIL),
        ("IBAN DE89 3704 0044 0532 0130 00 ok", "IBAN [bank account number withheld, ending 3000] ok",
         scrub.BANK_ACCOUNT),
    ],
)
@pytest.mark.req("AC-2", "AC-4")
def test_secrets_and_other_people_are_replaced(text: str, expected: str, reason: str) -> None:
    ((scrubbed, found),) = scrub.scrub_texts([text], OWN)
    assert scrubbed == expected
    assert found[reason] == 1


@pytest.mark.parametrize(
    "text",
    [
        "write to me@example.com or ME@EXAMPLE.COM",
        "order 4539148803436468 fails Luhn",  # one digit off
        "amount 1,234,567,890,123.45",
        "0000000000000000",
        "2025-01-01 12:00:00",
    ],
)
@pytest.mark.req("AC-2", "AC-4")
def test_own_data_and_look_alikes_stay(text: str) -> None:
    ((scrubbed, found),) = scrub.scrub_texts([text], OWN)
    assert scrubbed == text
    assert not found


@pytest.mark.parametrize(
    ("value", "is_card"),
    [("4539148803436467", True), ("4539 1488 0343 6467", True), ("4539-1488-0343-6467", True),
     ("45 39148803436467", False), ("4539 1488-0343 6467", False), ("4539148803436468", False),
     ("1111111111111111", False), ("123456789012", False)],
)
@pytest.mark.req("AC-4")
def test_card_number_shapes(value: str, is_card: bool) -> None:
    assert scrub.is_card_number(value) is is_card


def test_overlapping_cuts_keep_the_first_and_count_each_kept_cut() -> None:
    cuts = [scrub.Cut(0, 5, "[a]", "x"), scrub.Cut(3, 8, "[b]", "y"), scrub.Cut(9, 10, "[c]", "y")]
    text, counts = scrub.apply_cuts("0123456789", cuts)
    assert text == "[a]5678[c]"
    assert counts == {"x": 1, "y": 1}


def test_many_texts_are_scrubbed_in_one_call_in_order() -> None:
    out = scrub.scrub_texts(["a@b.example", "plain", "me@example.com"], OWN)
    assert [t for t, _ in out] == ["[redacted: another person's email address]", "plain", "me@example.com"]
    assert scrub.scrub_texts([], OWN) == []
