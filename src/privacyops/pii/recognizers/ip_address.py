"""IPv4 and IPv6 addresses, checked by the standard library, not confused with versions or clocks."""

from __future__ import annotations

import ipaddress
from typing import ClassVar

from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer

_HEX = "0123456789abcdefABCDEF"
_H = "[0-9A-Fa-f]{1,4}"
_V4 = r"(?:\d{1,3}\.){3}\d{1,3}"
# Either all eight groups, or a "::" somewhere: a clock ("12:30:45") is neither.
_V6 = (
    rf"(?:(?:{_H}:){{7}}{_H}"
    rf"|(?:{_H}(?::{_H}){{0,6}})?::(?:(?:{_H}:){{0,5}}{_V4}|{_H}(?::{_H}){{0,6}})?"
    rf"|(?:{_H}:){{6}}{_V4})"
)

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)"
# Octets up to 255 without leading zeros, and never after a dot or a word character (an OID, the tail
# of a longer dotted run, "v1.2.3.4"): the scan itself drops what is not an address.
_V4_STRICT = rf"(?:^|[^0-9A-Za-z_.])(?P<v>(?:{_OCTET}\.){{3}}{_OCTET})\b"


class IpAddressRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "IP_ADDRESS"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern("ipv4", _V4_STRICT, 0.8, group="v", requires=(".",), kind="ipv4", exact=True),
        Pattern("ipv6", rf"{_V6}(?:%[0-9A-Za-z]{{1,15}})?", 0.8, requires=(":",), kind="ipv6"),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("ip", "address", "client", "remote", "host", "from", "src", "dst")
    NEGATIVE_CONTEXT: ClassVar[tuple[str, ...]] = ("version", "release", "build", "oid", "rv:", "firmware")

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        if candidate.pattern.kind == "ipv4":
            return self._ipv4(candidate, context)
        return self._ipv6(candidate, context)

    def _ipv4(self, candidate: Candidate, context: str) -> list[Detection]:
        after = candidate.after(2)
        # The start of a longer dotted run (a 5-part version, an OID); the pattern checked the rest.
        if len(after) == 2 and after[0] == "." and after[1].isdigit():
            return []
        score = self.adjust_for_context(0.85, candidate, context)
        return [Detection(candidate.start, candidate.end, score, "ipv4")]

    def _ipv6(self, candidate: Candidate, context: str) -> list[Detection]:
        value = candidate.value
        before = candidate.char_before()
        if before and (before in _HEX or before in ":_" or before.isalnum()):
            return []
        groups = [group for group in value.split("%", 1)[0].split(":") if group]
        if len(groups) < 2 or (len(groups) < 3 and "::" not in value):
            return []
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            trimmed = value.rstrip(":")
            # "fe80::1:" at the end of a sentence, or a port glued on with a colon.
            if trimmed == value or not _valid_v6(trimmed):
                return []
            value = trimmed
        score = self.adjust_for_context(0.9, candidate, context)
        return [Detection(candidate.start, candidate.start + len(value), score, "ipv6")]


def _valid_v6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True
