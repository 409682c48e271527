"""United States social security numbers: area, group and serial with the ranges never issued removed."""

from __future__ import annotations

from typing import ClassVar

from privacyops.pii.recognizers.base import Pattern, Recognizer

_DIGITS = frozenset("0123456789")


class UsSsnRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "US_SSN"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern("ssn-dashed", r"\b\d{3}-\d{2}-\d{4}\b", 0.85),
        Pattern("ssn-spaced", r"\b\d{3} \d{2} \d{4}\b", 0.45),
        Pattern("ssn-plain", r"\b\d{9}\b", 0.2, gated=True, ungated_score=0.2),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("ssn", "social security", "social sec", "taxpayer", "ss#", "ss #")
    NEGATIVE_CONTEXT: ClassVar[tuple[str, ...]] = ("order", "invoice", "tracking", "phone", "tel")
    CONTEXT_BOOST: ClassVar[float] = 0.45

    def invalidate_result(self, value: str) -> bool:
        digits = "".join(ch for ch in value if ch in _DIGITS)
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area in {"000", "666"} or area[0] == "9" or group == "00" or serial == "0000":
            return True
        # Sample numbers printed on cards and in documentation, and runs of one digit.
        return digits in {"078051120", "219099999", "123456789"} or len(set(digits)) == 1
