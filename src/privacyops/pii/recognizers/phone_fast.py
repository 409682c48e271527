"""``phonenumbers``' parse-and-validate answer for plain digit strings, from precompiled metadata.

Candidates reach the phone recognizer as digits with spaces, dots, dashes, slashes, parentheses and
maybe a leading ``+``. For that alphabet, ``phonenumbers.parse`` reduces to a few steps on the
digits (take off the region's own calling code, take off the national prefix, check lengths) and
``is_valid_number`` to a few full matches of the region's number patterns. The library does the same
work through generic code that compiles patterns and walks every region of a shared calling code on
each call, which made it the slowest step of the whole PII scan. This module repeats those steps
with patterns compiled once. Whatever it does not model (an international dialling prefix, a prefix
rule that rewrites digits, a non-geographic calling code, an unusual character) comes back as
``DEFER`` and the caller asks the library. A test compares both on every candidate of the benchmark
corpus and on random digit strings for every default region.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final

import phonenumbers

DEFER: Final = "defer"
"""Returned when only the library can answer; the caller then calls ``phonenumbers`` itself."""

_ALPHABET = frozenset("0123456789 .-/()")
_WRITTEN = re.compile(r"[0-9+](?:.*[0-9])?", re.DOTALL)
"""From the first character that can start a number to the last digit, as the library trims."""
_NON_DIGIT = re.compile(r"[^0-9]")
_MIN_NSN, _MAX_NSN = 2, 17
_TYPE_FIELDS = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
)  # fmt: skip


@dataclass(frozen=True)
class _Desc:
    regex: re.Pattern[str] | None
    lengths: frozenset[int]

    def matches(self, nsn: str) -> bool:
        """Answer as the library's ``_is_number_matching_desc``: lengths first, then the pattern."""
        if self.lengths and len(nsn) not in self.lengths:
            return False
        return self.regex is not None and self.regex.fullmatch(nsn) is not None

    def pattern_matches(self, nsn: str) -> bool:
        """Answer as the library's ``_match_national_number``: the pattern only."""
        return self.regex is not None and self.regex.fullmatch(nsn) is not None


@dataclass(frozen=True)
class _Region:
    code: str
    country_code: int
    general: _Desc
    possible: tuple[int, ...]
    local_only: frozenset[int]
    typed: dict[int, re.Pattern[str]]
    """Per number length, one alternation of every number type's pattern allowing that length."""
    national_prefix: re.Pattern[str] | None
    rewrites: bool
    international_prefix: re.Pattern[str] | None
    leading_digits: re.Pattern[str] | None

    def length_result(self, nsn: str) -> str:
        """Answer as the library's ``_test_number_length`` for an unknown number type."""
        size = len(nsn)
        if size in self.local_only:
            return "local"
        if not self.possible or size < self.possible[0]:
            return "short"
        if size > self.possible[-1]:
            return "long"
        return "possible" if size in self.possible else "invalid"

    def known_type(self, nsn: str) -> bool:
        """Answer as the library's ``_number_type_helper(...) != UNKNOWN``."""
        if not self.general.matches(nsn):
            return False
        typed = self.typed.get(len(nsn))
        return typed is not None and typed.fullmatch(nsn) is not None

    def strip_national_prefix(self, number: str) -> str | None:
        """Take the national prefix off as the library does; None when its rule rewrites digits."""
        if not number or self.national_prefix is None:
            return number
        match = self.national_prefix.match(number)
        if match is None:
            return number
        if self.rewrites and match.lastindex is not None and match.groups()[-1] is not None:
            return None
        if self.general.pattern_matches(number) and not self.general.pattern_matches(number[match.end() :]):
            return number
        return number[match.end() :]


def _desc(desc: object) -> _Desc:
    pattern = getattr(desc, "national_number_pattern", None)
    lengths = getattr(desc, "possible_length", None) or ()
    return _Desc(re.compile(pattern) if pattern else None, frozenset(lengths))


def _typed_patterns(metadata: phonenumbers.PhoneMetadata) -> dict[int, re.Pattern[str]]:
    # The library tries each type in turn (fixed line, mobile, toll free, ...) and a number is valid
    # when one accepts it; a full match of the alternation answers the same in one call. Mobile is
    # skipped where the metadata says its pattern is the fixed-line one, as the library does.
    fields = [*_TYPE_FIELDS, "fixed_line"]
    if not metadata.same_mobile_and_fixed_line_pattern:
        fields.append("mobile")
    descs = [_desc(getattr(metadata, name)) for name in fields if getattr(metadata, name) is not None]
    typed = {}
    for size in range(_MIN_NSN - 1, _MAX_NSN + 1):
        accepted = [
            desc.regex.pattern for desc in descs if desc.regex and (not desc.lengths or size in desc.lengths)
        ]
        if accepted:
            typed[size] = re.compile("|".join(f"(?:{pattern})" for pattern in accepted))
    return typed


@functools.lru_cache(maxsize=512)
def _region(code: str) -> _Region | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(code)
    if metadata is None or metadata.general_desc is None or metadata.country_code is None:
        return None
    general = metadata.general_desc
    prefix = metadata.national_prefix_for_parsing
    idd = metadata.international_prefix
    return _Region(
        code=code,
        country_code=metadata.country_code,
        general=_desc(general),
        possible=tuple(sorted(general.possible_length or ())),
        local_only=frozenset(general.possible_length_local_only or ()),
        typed=_typed_patterns(metadata),
        national_prefix=re.compile(prefix) if prefix else None,
        rewrites=bool(metadata.national_prefix_transform_rule),
        international_prefix=re.compile(idd) if idd else None,
        leading_digits=re.compile(metadata.leading_digits) if metadata.leading_digits else None,
    )


def _main_region(country_code: int) -> _Region | None:
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    return _region(regions[0]) if regions and regions[0] != "001" else None


def parse(core: str, region: str | None) -> tuple[int, str] | None | str:
    """Read ``core`` as ``phonenumbers.parse(core, region)`` would.

    Returns ``(calling code, national significant number)``, None where the library raises, or
    ``DEFER``. ``region`` None means ``core`` starts with ``+``.
    """
    digits = written_digits(core)
    if not isinstance(digits, str) or digits == DEFER:
        return digits
    if core.startswith("+"):
        return parse_international(digits) if region is None else DEFER
    return parse_national(digits, region) if region is not None else DEFER


def written_digits(core: str) -> str | None:
    """Return the digits ``parse`` would read from ``core``, None where it raises, or ``DEFER``.

    The same for every region, so a caller trying many regions computes it once.
    """
    if len(core) > 250 or not _ALPHABET.issuperset(core[1:] if core[:1] == "+" else core):
        return DEFER
    written = _WRITTEN.search(core)
    if written is None:
        return None
    digits = _NON_DIGIT.sub("", written.group())
    # The library's viability rule, for this alphabet: three digits, or exactly two and nothing else.
    if len(digits) < 3 and not (len(digits) == 2 and written.group() == digits):
        return None
    return digits


def parse_national(digits: str, region: str) -> tuple[int, str] | None | str:
    """Read national-format ``digits`` (from ``written_digits``) in ``region``."""
    home = _region(region)
    if home is None:
        return DEFER
    return _parse_national(digits, home)


def parse_international(digits: str, *, strict: bool = False) -> tuple[int, str] | None | str:
    """Read the digits after ``+`` or after a dialling prefix.

    ``strict``: an unknown calling code is an error (after ``+`` the library retries in ways not
    modelled here, so that case defers).
    """
    unknown = None if strict else DEFER
    if len(digits) <= _MIN_NSN or digits[0] == "0":
        return unknown
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            metadata = _main_region(code)
            if metadata is None:
                return DEFER
            return _finish(code, digits[size:], metadata)
    return unknown


def _parse_national(digits: str, home: _Region) -> tuple[int, str] | None | str:
    dialled = home.international_prefix.match(digits) if home.international_prefix else None
    if dialled is not None and not digits.startswith("0", dialled.end()):
        # An international dialling prefix ("00", "011"): a calling code follows.
        after = digits[dialled.end() :]
        if len(after) <= _MIN_NSN:
            return None
        return parse_international(after, strict=True)
    own_code = str(home.country_code)
    if digits.startswith(own_code):
        rest = home.strip_national_prefix(digits[len(own_code) :])
        if rest is None:
            return DEFER
        if (not home.general.pattern_matches(digits) and home.general.pattern_matches(rest)) or (
            home.length_result(digits) == "long"
        ):
            main = _main_region(home.country_code)
            if main is None:
                return DEFER
            return _finish(home.country_code, rest, main)
    return _finish(home.country_code, digits, home)


def _finish(code: int, national: str, metadata: _Region) -> tuple[int, str] | None | str:
    if len(national) < _MIN_NSN:
        return None
    stripped = metadata.strip_national_prefix(national)
    if stripped is None:
        return DEFER
    if metadata.length_result(stripped) not in {"short", "local", "invalid"}:
        national = stripped
    if len(national) > _MAX_NSN:
        return None
    return code, national


def is_valid(code: int, nsn: str) -> bool:
    """``phonenumbers.is_valid_number`` for a number ``parse`` returned (never a non-geographic one)."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ())
    if len(regions) == 1:
        chosen = _region(regions[0])
        return chosen is not None and chosen.known_type(nsn)
    shared = _shared_general(code)
    if shared is None or shared.fullmatch(nsn) is None:
        return False  # no region of the calling code has a general pattern that fits
    for name in regions:
        region = _region(name)
        if region is None:
            continue
        if region.leading_digits is not None:
            if region.leading_digits.match(nsn):
                return region.known_type(nsn)
        elif region.known_type(nsn):
            return True
    return False


@functools.lru_cache(maxsize=64)
def _shared_general(code: int) -> re.Pattern[str] | None:
    """One alternation of the general patterns of every region sharing a calling code (+1: 25)."""
    patterns = []
    for name in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ()):
        region = _region(name)
        if region is not None and region.general.regex is not None:
            patterns.append(f"(?:{region.general.regex.pattern})")
    return re.compile("|".join(patterns)) if patterns else None


def is_possible(code: int, nsn: str) -> bool:
    """``phonenumbers.is_possible_number`` for a number ``parse`` returned."""
    main = _main_region(code)
    return main is not None and main.length_result(nsn) in {"possible", "local"}
