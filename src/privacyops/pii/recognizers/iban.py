"""International bank account numbers: country code, check digits, per-country length, mod 97."""

from __future__ import annotations

from typing import ClassVar

from stdnum import iban

from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer


class IbanRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "IBAN_CODE"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern("iban-compact", r"\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b", 0.5),
        Pattern(
            "iban-grouped", r"\b[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?\b", 0.5, resume=True
        ),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("iban", "bank", "account", "konto", "transfer", "sepa")

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        # A grouped IBAN may swallow a following upper-case word; drop trailing groups until it checks.
        value = candidate.value
        end = candidate.end
        for _ in range(3):
            if iban.is_valid(value):
                return [Detection(candidate.start, end, 1.0, value[:2])]
            head, sep, _tail = value.rpartition(" ")
            if not sep:
                return []
            value, end = head, candidate.start + len(head)
        return []
