"""Telephone numbers in international and national formats, confirmed by ``phonenumbers``.

Candidates come from a loose pattern; the shapes that only look like numbers (IPv4 addresses, dates,
decimals, version strings, SSNs) are dropped first, and only then is ``phonenumbers`` asked, because
parsing is the slow step. A bare run of digits counts only next to a phone-like context word.
"""

from __future__ import annotations

import functools
import re
from typing import ClassVar

import phonenumbers

from privacyops.pii.recognizers import phone_fast
from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer

DEFAULT_REGIONS: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "IN", "PL", "SE", "FI", "CA", "AU", "CH", "AT", "BE",
    "IE", "DK", "NO", "PT", "MX", "JP",
)  # fmt: skip
_EXT = r"(?: ?(?:x|ext\.?) ?\d{1,6})?"
_SEP = r"[ .\-/]"
# Every pattern starts after a character the recognizer accepts before a number (see ``detect``), so
# Hyperscan drops the tails of dotted quads, dates in paths and the like before Python sees them.
_LEAD = r"(?:^|[^0-9A-Za-z_.\-/:+#@$])"
_INTERNATIONAL = rf"{_LEAD}(?P<v>(?:\+ ?|\(\+)[1-9]\d{{0,2}}\)?(?:{_SEP}?\(?\d{{1,5}}\)?){{1,6}}{_EXT})\b"
_PARENTHESISED = rf"{_LEAD}(?P<v>\(\d{{1,5}}\)[ .\-]?\d{{2,5}}(?:[ .\-]?\d{{2,5}}){{0,3}}{_EXT})\b"
# Dots only in three-group numbers (202.555.0143) and never before another dot: dotted quads are IPs.
_GROUPED = rf"{_LEAD}(?P<v>\d{{1,5}}[ \-/]\d{{2,5}}[ \-/]\d{{2,5}}(?:[ \-/]\d{{2,5}}){{0,2}}{_EXT})\b"
_DOTTED = rf"{_LEAD}(?P<v>\d{{2,4}}\.\d{{3,4}}\.\d{{3,4}}(?: ?(?:x|ext\.?) ?\d{{1,6}})?)(?:[^0-9.]|$)"
_TWO_GROUPS = rf"{_LEAD}(?P<v>\d{{3,5}}[ \-/]\d{{6,8}}{_EXT})\b"
_DIGITS = rf"{_LEAD}(?P<v>\d{{8,13}})\b"
# French-style pairs written with dots (03.93.92.16.85): five groups, so never a dotted quad.
_DOTTED_PAIRS = rf"{_LEAD}(?P<v>\d{{2}}(?:\.\d{{2}}){{4}})(?:[^0-9.]|\.[^0-9]|\.?$)"
# Local numbers of 7 or 8 digits ("451 5986", "9472 7916"): only after a phone word.
_SHORT = rf"{_LEAD}(?P<v>\d{{3,4}}[ .\-]\d{{4}})\b"
# A number that names itself after it: "3660170548-Fax", "0612345678 (mobile)".
_NAMES_ITSELF = r"(?:[Ff]ax|FAX|[Tt]el|TEL|[Pp]hone|[Mm]obile|[Cc]ell)"
_SUFFIXED = rf"{_LEAD}(?P<v>\+?\d{{7,13}})(?:-| ?\(?){_NAMES_ITSELF}(?:[^A-Za-z]|$)"
_PAIRS = re.compile(r"^\d{2}([ .\-])\d{2}(?:\1\d{2}){2,3}$")
_NATIONAL_PREFIX = re.compile(r" ?\(0\) ?")
_EXTENSION = re.compile(r"(?:\s?(?:x|ext\.?|#)\s?\d{1,6})$", re.IGNORECASE)
_NOT_PHONE = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3}){3}"  # IPv4
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\D.*)?"  # ISO date, maybe with a time
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"  # day-month-year
    r"|\d{1,6}\.\d{1,6}"  # decimal
    r"|(?:0|[1-9]\d?)(?:\.\d{1,5}){2,}"  # version string
    r"|\d{3}-\d{2}-\d{4})$"  # US SSN
)
_SEPARATED = re.compile(r"[ .\-()/]")
_DIGIT_RUN = re.compile(r"^\d+$")
_NON_DIGIT = re.compile(r"[^0-9]")
_QUERY_KEY = re.compile(r"[?&][\w.%-]{1,40}=$")
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(?![0-9A-Za-z])")


class PhoneRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "PHONE_NUMBER"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern("phone-international", _INTERNATIONAL, 0.5, group="v", requires=("+",), resume=True),
        Pattern("phone-parenthesised", _PARENTHESISED, 0.5, group="v", requires=("(",), resume=True),
        Pattern("phone-grouped", _GROUPED, 0.5, group="v", resume=True),
        Pattern("phone-dotted", _DOTTED, 0.5, group="v"),
        Pattern("phone-two-groups", _TWO_GROUPS, 0.5, group="v", resume=True),
        Pattern("phone-digits", _DIGITS, 0.3, group="v", kind="bare", gated=True),
        Pattern("phone-dotted-pairs", _DOTTED_PAIRS, 0.5, group="v"),
        Pattern("phone-short", _SHORT, 0.3, group="v", kind="short", gated=True, late_boundary=True),
        Pattern("phone-suffixed", _SUFFIXED, 0.5, group="v", kind="suffixed"),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = (
        "phone", "tel", "telephone", "mobile", "cell", "call", "fax", "whatsapp", "sms", "text me",
        "reach me", "contact", "phone number", "hotline", "telefon", "handy", "ring", "dial", "landline",
        "my number", "new number", "call back", "telefoon", "téléphone", "tél", "tel.",
        "teléfono", "telefono", "rückruf", "anrufen", "rappeler", "appeler", "richiamare", "chiamare",
        "llamar", "llamada", "bellen", "terugbellen", "mobil", "portable", "móvil", "cellulare",
    )  # fmt: skip
    NEGATIVE_CONTEXT: ClassVar[tuple[str, ...]] = (
        "order", "invoice", "version", "ticket", "build", "tracking", "ref", "sku", "ssn", "iban",
        "card", "account no", "timestamp", "bsn", "tax", "pesel", "cpf", "nir",
    )  # fmt: skip
    regions: tuple[str, ...] = DEFAULT_REGIONS

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        text, start, stop = candidate.text, candidate.start, candidate.end
        before = text[start - 1] if start > candidate.floor else ""
        if before and (before.isalnum() or before in "._-/:+#@$"):
            return []
        if before == "=" and _QUERY_KEY.search(candidate.before(48)):
            return []  # a URL query value: the URL recognizer reports it
        top = candidate.ceiling if candidate.ceiling >= 0 else len(text)
        after = text[stop] if stop < top else ""
        if after and (after.isalnum() or after in "_@/"):
            return []
        if after == "-" and _UUID.match(text, start):
            return []  # the first group of a UUID (a task or record id in a log line)
        value, end = candidate.value, candidate.end
        signal: int | None = None
        kind = candidate.pattern.kind
        if kind == "suffixed":
            signal = 1  # the word after the number says what it is
        elif kind:
            if kind == "short" and _in_longer_number(candidate):
                return []  # a piece of a longer number, which the other patterns read whole
            signal = self.context_signal(candidate, context)
            if signal <= 0:
                return []  # parsing is the slow step: a bare digit run needs a phone word first
        for _ in range(6):
            score = self._score(value)
            if score is not None:
                if signal is None:
                    signal = self.context_signal(candidate, context)
                final = self._with_signal(score, signal)
                return [Detection(candidate.start, end, final)] if final > 0 else []
            head, sep, _tail = value.rpartition(" ")
            if not sep or len(head) < 6:
                return []
            value, end = head, candidate.start + len(head)
        return []

    def _with_signal(self, score: float, signal: int) -> float:
        adjusted = self.apply_signal(score, signal)
        if score < 0.5 and adjusted <= score:
            return 0.0  # a bare digit run without a phone word is not reported at all
        return adjusted

    def _score(self, value: str) -> float | None:
        has_extension = "x" in value or "X" in value or "#" in value
        core = (_EXTENSION.sub("", value) if has_extension else value).strip()
        # Every look-alike shape has a dot, a dash or a slash; numbers written without one skip the test.
        if ("." in core or "-" in core or "/" in core) and _NOT_PHONE.match(core):
            return None
        digits = _NON_DIGIT.sub("", core)
        if not 7 <= len(digits) <= 15 or digits.count(digits[0]) == len(digits):
            return None
        if core.startswith(("+", "(+", "00")):
            return self._international(core)
        if len(digits) < 9 and _PAIRS.match(core) is None:
            return 0.3  # short national numbers ("404 35741" in an access log) need a phone word
        formatted = _SEPARATED.search(core.lstrip("+(").rstrip(")")) is not None
        return _national(core, formatted, self.regions)

    def _international(self, core: str) -> float | None:
        text = core.replace("(+", "+", 1)
        national_prefix = "(0)" in text
        if national_prefix:
            # "+46 (0)179 459 33": the national prefix in parentheses is not dialled from abroad. The
            # whole, country code included, outranks its national part read alone.
            text = _NATIONAL_PREFIX.sub(" ", text, count=1)
        if text.startswith("00"):
            text = "+" + text[2:]
        digits = phone_fast.written_digits(text)
        checked = None if digits is None else _check(text, None, digits)
        if checked is None:
            return None
        _number, valid, possible = checked
        if valid:
            return 0.95
        if not possible:
            return None
        return 0.8 if national_prefix else 0.7


def _in_longer_number(candidate: Candidate) -> bool:
    """Tell whether a short candidate has another digit group right before or after it."""
    before = candidate.before(3).rstrip(" ")
    after = candidate.after(3)
    if before[-1:].isdigit() and len(before) < 3:
        return True
    return after[:1] in (" ", "-", ".") and after[1:2].isdigit()


_REGION_ORDER: dict[tuple[tuple[str, ...], str, int], tuple[str, ...]] = {}
"""Region order by (regions, first two digits, digit count): at most 1,600 keys per region list."""


@functools.lru_cache(maxsize=4096)
def _national(core: str, formatted: bool, regions: tuple[str, ...]) -> float | None:
    digits = phone_fast.written_digits(core)
    if digits is None:
        return None
    possible = False
    tried: set[tuple[int, str]] = set()
    # Any valid region gives the same answer, so the order only decides how soon. Numbers that start
    # alike and are as long tend to come from the same country: the region that answered last for
    # such a number goes first.
    shape = (regions, digits[:2], len(digits))
    order = _REGION_ORDER.get(shape, regions)
    for region in order:
        checked = _check(core, region, digits)
        if checked is None or checked[0] in tried:
            continue  # unparsable, or the same number read from another region of its calling code
        tried.add(checked[0])
        if checked[1]:
            if region != order[0]:
                _REGION_ORDER[shape] = (region, *(other for other in order if other != region))
            return 0.75 if formatted else 0.45
        possible = possible or checked[2]
    if not possible:
        return None
    return 0.55 if formatted and _DIGIT_RUN.match(core) is None else 0.3


def _check(core: str, region: str | None, digits: str) -> tuple[tuple[int, str], bool, bool] | None:
    """Return ``((calling code, national number), valid, possible)`` of ``core`` read in ``region``.

    ``digits`` is ``phone_fast.written_digits(core)``; the library answers what the fast path defers.
    """
    if digits != phone_fast.DEFER:
        fast = phone_fast.parse_national(digits, region) if region else phone_fast.parse_international(digits)
        if fast is None:
            return None
        if isinstance(fast, tuple):
            code, national = fast
            valid = phone_fast.is_valid(code, national)
            return fast, valid, valid or phone_fast.is_possible(code, national)
    try:
        number = phonenumbers.parse(core, region)
    except phonenumbers.NumberParseException:
        return None
    key = (number.country_code or 0, phonenumbers.national_significant_number(number))
    return key, phonenumbers.is_valid_number(number), phonenumbers.is_possible_number(number)
