"""International bank account numbers: country code, check digits, per-country length, mod 97."""

from __future__ import annotations

import functools
import re
import string
from typing import Any, ClassVar

from stdnum import iban
from stdnum.exceptions import ValidationError

from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer


class IbanRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "IBAN_CODE"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        # Either case: people type "gb42nawi04454264788619"; the checksum keeps out look-alikes.
        Pattern("iban-compact", r"\b[A-Za-z]{2}\d{2}[A-Za-z0-9]{10,30}\b", 0.5),
        Pattern(
            "iban-grouped",
            r"\b[A-Za-z]{2}\d{2}(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?\b",
            0.5,
            resume=True,
        ),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("iban", "bank", "account", "konto", "transfer", "sepa")

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        # A grouped IBAN may swallow a following upper-case word; drop trailing groups until it checks.
        value = candidate.value
        end = candidate.end
        for _ in range(3):
            if iban_ok(value):
                return [Detection(candidate.start, end, 1.0, value[:2].upper())]
            head, sep, _tail = value.rpartition(" ")
            if not sep:
                return []
            value, end = head, candidate.start + len(head)
        return []


_LETTER_VALUES = str.maketrans({letter: str(10 + at) for at, letter in enumerate(string.ascii_uppercase)})


def iban_ok(value: str) -> bool:
    """Answer as ``stdnum.iban.is_valid`` for an upper-case candidate, with the country rules cached.

    The library looks up the country's structure in its database and compiles it on every call; that
    lookup depends on the first two letters only, so it is done once per country here.
    """
    number = value.replace(" ", "").upper()
    country = _country_rules(number[:2])
    if country is None:
        return False
    structure, module = country
    digits = (number[4:] + number[:4]).translate(_LETTER_VALUES)
    if not digits.isdigit() or int(digits) % 97 != 1 or not structure.match(number[4:]):
        return False
    if module is None:
        return True
    try:
        module.validate(number)
    except ValidationError:
        return False
    return True


@functools.lru_cache(maxsize=128)
def _country_rules(country: str) -> tuple[re.Pattern[str], Any] | None:
    if len(country) != 2 or not country.isalpha():
        return None
    info = iban._ibandb.info(country + "00")
    if not info[0][1]:
        return None
    # The library's own helpers, so the structure and the national module are the ones it would use.
    return iban._struct_to_re(info[0][1].get("bban", "")), iban._get_cc_module(country)
