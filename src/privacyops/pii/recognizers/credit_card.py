"""Payment card numbers: 12 to 19 digits in a known issuer range that pass the Luhn check."""

from __future__ import annotations

import re
from typing import ClassVar

from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer

# (first digits as an inclusive numeric range, allowed lengths)
_RANGES: tuple[tuple[int, int, frozenset[int]], ...] = (
    (4, 4, frozenset({13, 16, 19})),  # Visa
    (51, 55, frozenset({16})),  # Mastercard
    (2221, 2720, frozenset({16})),  # Mastercard 2-series
    (34, 34, frozenset({15})),  # American Express
    (37, 37, frozenset({15})),
    (6011, 6011, frozenset({16, 17, 18, 19})),  # Discover
    (644, 649, frozenset({16, 17, 18, 19})),
    (65, 65, frozenset({16, 17, 18, 19})),
    (3528, 3589, frozenset({16, 17, 18, 19})),  # JCB
    (300, 305, frozenset({14, 15, 16, 17, 18, 19})),  # Diners Club
    (36, 36, frozenset({14, 15, 16, 17, 18, 19})),
    (38, 39, frozenset({14, 16, 17, 18, 19})),
    (2200, 2204, frozenset({16, 17, 18, 19})),  # Mir
    (62, 62, frozenset({16, 17, 18, 19})),  # UnionPay
    (81, 81, frozenset({16, 17, 18, 19})),
    (50, 50, frozenset(range(12, 20))),  # Maestro
    (56, 69, frozenset(range(12, 20))),
    (1, 1, frozenset({15})),  # UATP and JCB 1800
    (2131, 2131, frozenset({15})),  # JCB
    (60, 60, frozenset(range(12, 20))),  # RuPay and Maestro UK
    (3, 3, frozenset({15, 16})),
)


_DOUBLED = str.maketrans("0123456789", "0246813579")
"""Each digit doubled, minus 9 when that makes two digits: the Luhn step, as a translation."""


def luhn_ok(digits: str) -> bool:
    """Tell whether a digit string passes the Luhn (mod 10) check."""
    kept = digits[-1::-2]
    doubled = digits[-2::-2].translate(_DOUBLED)
    return (sum(map(int, kept)) + sum(map(int, doubled))) % 10 == 0


def issuer_ok(digits: str) -> bool:
    """Tell whether the number's prefix and length fit a known issuer range."""
    length = len(digits)
    for low, high, lengths, width in _PREFIXES:
        if length in lengths and low <= int(digits[:width]) <= high:
            return True
    return False


_CARD_WORD = re.compile(r"(?<![a-z])(?:card|visa|mastercard|amex|kreditkarte|carte|tarjeta)(?![a-z])")
"""Words that name a card itself ("payment" alone does not: payment references are Luhn-valid too)."""

_PREFIXES = tuple((low, high, lengths, len(str(low))) for low, high, lengths in _RANGES)


class CreditCardRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "CREDIT_CARD"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern("card", r"\b\d(?:[ -]?\d){11,18}\b", 0.3, resume=True),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("card", "visa", "mastercard", "amex", "credit", "debit", "payment")
    NEGATIVE_CONTEXT: ClassVar[tuple[str, ...]] = ("order", "tracking", "invoice", "phone", "tel", "id:")

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        # The pattern may have swallowed a digit group of a neighbour ("v8.23.8 4272-8689-...");
        # when the whole fails, the span without its first or last group is tried.
        value = candidate.value
        # The card word is read only for a Luhn-valid span outside the issuer ranges: most candidates
        # (ids, timestamps, phone numbers) fail the checksum and need no look before them.
        other: tuple[int, int] | None = None
        for start, end in _spans(value):
            digits = _card_digits(value[start:end])
            if digits is None:
                continue
            if issuer_ok(digits):
                score = self.adjust_for_context(0.95, candidate, context)
                return [Detection(candidate.start + start, candidate.start + end, score)]
            if other is None:
                other = (start, end)
        # After a card word ("credit card 5123 4567 8901"), any Luhn-valid 12 to 19 digits count:
        # issuer ranges change and private-label cards use their own.
        if (
            other is not None
            and _CARD_WORD.search(candidate.before(32).lower())
            and self.context_signal(candidate, context) > 0
        ):
            return [Detection(candidate.start + other[0], candidate.start + other[1], 0.85)]
        return []


def _spans(value: str) -> list[tuple[int, int]]:
    spans = [(0, len(value))]
    space, dash = value.find(" "), value.find("-")
    if space < 0 and dash < 0:
        return spans  # a plain run of digits has no neighbour's group to drop
    first = dash if space < 0 else space if dash < 0 else min(space, dash)
    last = max(value.rfind(" "), value.rfind("-"))
    if first > 0:
        spans.append((first + 1, len(value)))
    if last > 0:
        spans.append((0, last))
    return spans


def _card_digits(value: str) -> str | None:
    """Return the digits of a value written like a card that passes Luhn, else None (issuer not checked)."""
    space, dash = " " in value, "-" in value
    if space and dash:
        return None
    digits = value.replace(" ", "").replace("-", "") if space or dash else value
    if not 12 <= len(digits) <= 19:
        return None
    if (space or dash) and not _grouped_like_a_card(value, " " if space else "-"):
        return None
    return digits if luhn_ok(digits) and len(set(digits)) > 1 else None


def _grouped_like_a_card(value: str, separator: str) -> bool:
    # Cards are printed in groups of 4 (or 4-6-5 for 15-digit American Express, 4-6-4 for Diners).
    groups = [len(group) for group in value.split(separator)]
    if any(size == 0 for size in groups):
        return False
    return all(size >= 3 for size in groups[:-1]) and groups[0] == 4
