r"""Find a person's identifying values in text: what erasure removes and what its re-check looks for.

Each value is looked for as a person writes it, not only byte for byte: without regard to case, with
any run of white space between its words, whole words only (``Ann`` is not found in ``Annual``), and
also as JSON writes it (``Zo\u00eb``), so a value inside a JSON document kept as text is found too.
A phone number is found in any common format: with or without its country code, with a trunk ``0``,
with spaces, dots, dashes or brackets between its digits. A name is also looked for word by word and
a postal address line by line, so ``Hi, this is Ada`` loses ``Ada``; this part-matching is only asked
for the subject's own values (``parts=True``), whose own text may be cut more than strictly needed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import phonenumbers

MIN_LENGTH = 3  # shorter values (initials, two-digit ids) would cut unrelated words
MIN_PHONE_DIGITS = 6
_SEP = r"[\s().\-/]*"
_PHONE_CHARS = re.compile(r"^[+\d\s().\-/]+$")
_WORD = re.compile(r"\w")
_NAME_PART = re.compile(r"[^\W\d_]{3,}(?:['’-][^\W\d_]+)*")
_ADDRESS_LINES = re.compile(r"[,;\n]")


@dataclass(frozen=True)
class Needle:
    """One compiled way of finding one value, with the kind of value it finds."""

    kind: str
    pattern: re.Pattern[str]


def looks_like_phone(text: str) -> bool:
    """Tell whether a value is written like a phone number (digits and separators only)."""
    return bool(_PHONE_CHARS.match(text)) and len(re.sub(r"\D", "", text)) >= MIN_PHONE_DIGITS


def phone_digits(text: str) -> str:
    """Return the digits of a phone number without an international or trunk prefix of zeros."""
    return re.sub(r"\D", "", text).lstrip("0")


def same_phone(first: str, second: str) -> bool:
    """Tell whether two phone numbers are the same, one perhaps written with its country code."""
    a, b = phone_digits(first), phone_digits(second)
    shorter = min(len(a), len(b))
    return shorter >= MIN_PHONE_DIGITS + 1 and (a.endswith(b) or b.endswith(a))


def phone_pattern(text: str) -> str | None:
    """Return a pattern for a phone number in any common format, or None for too few digits."""
    digits = re.sub(r"\D", "", text)
    country = r"\d{1,3}"
    national = digits.lstrip("0")
    if text.lstrip().startswith(("+", "00")):
        try:
            parsed = phonenumbers.parse("+" + digits.removeprefix("00"), None)
            country, national = str(parsed.country_code), phonenumbers.national_significant_number(parsed)
        except phonenumbers.NumberParseException:
            pass  # not a number phonenumbers knows: look for the digits as written
    if len(national) < MIN_PHONE_DIGITS:
        return None
    prefix = rf"(?:(?:\+|00)\s*\(?{country}\)?{_SEP})?(?:\(?0\)?{_SEP})?"
    return rf"(?<!\d){prefix}{_SEP.join(national)}(?!\d)"


def literal_pattern(form: str) -> str:
    """Return a pattern for text as written: any white space between words, whole words at the ends."""
    body = r"\s+".join(re.escape(word) for word in form.split())
    head = r"(?<!\w)" if _WORD.match(form[0]) else ""
    tail = r"(?!\w)" if _WORD.match(form[-1]) else ""
    return head + body + tail


def forms(kind: str, text: str, *, parts: bool) -> list[str]:
    """Return the texts to look for: the value, and with ``parts`` its name words or address lines."""
    found = [text]
    if parts and kind == "name":
        found += _NAME_PART.findall(text)
    elif parts and kind == "address":
        found += [line.strip() for line in _ADDRESS_LINES.split(text) if len(line.strip()) > MIN_LENGTH]
    return [f for f in dict.fromkeys(found) if len(f) >= MIN_LENGTH]


def patterns(kind: str, value: Any, *, parts: bool = False) -> list[str]:
    """Return the patterns that find one value (none for a value too short to look for safely)."""
    text = " ".join(str(value).split())
    if len(text) < MIN_LENGTH:
        return []
    if kind == "phone" or looks_like_phone(text):
        phone = phone_pattern(text)
        if phone is not None:
            return [phone]
    result: list[str] = []
    for form in forms(kind, text, parts=parts):
        variants = {form, json.dumps(form)[1:-1], json.dumps(form, ensure_ascii=False)[1:-1]}
        result += [literal_pattern(v) for v in sorted(variants)]
    return result


class ValueMatcher:
    """Every identifying value of one person (or of other people), ready to be found in text."""

    def __init__(self, values: Iterable[tuple[str, Any]], *, parts: bool = False) -> None:
        unique: dict[str, str] = {}
        self.literals: list[str] = []
        for kind, value in values:
            if value is None or isinstance(value, dict | list | bytes):
                continue
            text = str(value).strip()
            if len(text) >= MIN_LENGTH:
                self.literals.append(text)
            for pattern in patterns(kind, value, parts=parts):
                unique.setdefault(pattern, kind)
        # Longer patterns first, so a full name is cut as one span before its words are tried.
        ordered = sorted(unique.items(), key=lambda item: (-len(item[0]), item[0]))
        self.needles = [Needle(kind, re.compile(p, re.IGNORECASE)) for p, kind in ordered]
        self.literals = sorted(set(self.literals), key=lambda v: (-len(v), v))

    def __bool__(self) -> bool:
        return bool(self.needles)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Return where the values stand in ``text`` (start, end, kind), overlapping spans included."""
        return [(m.start(), m.end(), needle.kind) for needle in self.needles
                for m in needle.pattern.finditer(text) if m.end() > m.start()]

    def kinds_in(self, value: Any) -> set[str]:
        """Return the kinds of the values found anywhere in a stored value (JSON documents walked)."""
        return {kind for text in _texts(value) for _, _, kind in self.spans(text)}


def _texts(value: Any) -> Iterator[str]:
    """Yield every text a stored value holds: itself, and the keys and leaves of the JSON it is."""
    if value is None or isinstance(value, bytes | bytearray | memoryview):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)
        return
    if isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
        return
    text = str(value)
    yield text
    if text.lstrip()[:1] in ("{", "["):
        try:
            document = json.loads(text)
        except ValueError:
            return
        yield from _texts(document)
