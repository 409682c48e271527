"""Plain fake values the unit tests plant (every one recognised by the default PII engine)."""

from __future__ import annotations

CARDS = ("4111111111111111", "5555555555554444", "4012888888881881", "378282246310005", "6011111111111117")


def email(i: int) -> str:
    return f"person{i}.tester@example.net"


def phone(i: int) -> str:
    return f"+44 20 7946 0{i % 1000:03d}"


def card_text(i: int) -> str:
    return f"please charge card {CARDS[i % len(CARDS)]} for order {i}"
