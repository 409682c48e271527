"""A person's values are found in text as people write them, and only as whole words."""

from __future__ import annotations

import json

import pytest

from privacyops.engine.values import ValueMatcher, same_phone


def found(matcher: ValueMatcher, text: str) -> list[str]:
    return sorted(text[start:end] for start, end, _ in matcher.spans(text))


@pytest.mark.parametrize(("kind", "value", "text", "expected"), [
    ("name", "Renée Åkesson", "RENÉE ÅKESSON wrote", ["RENÉE ÅKESSON"]),
    ("name", "Renée Åkesson", "Renée\n  Åkesson wrote", ["Renée\n  Åkesson"]),
    ("name", "Renée Åkesson", json.dumps("by Renée Åkesson"), ["Ren\\u00e9e \\u00c5kesson"]),
    ("username", "ann", "Annual report by ann.", ["ann"]),
    ("email", "a.b@example.se", "mailto:A.B@Example.SE>", ["A.B@Example.SE"]),
    ("identifier", "REF-7Q2K-9931", "code REF-7Q2K-99310 and ref-7q2k-9931.", ["ref-7q2k-9931"]),
    ("phone", "+46 70 123 45 67", "call 070-123 45 67 or +46701234567 or (0)70 1234567",
     ["(0)70 1234567", "+46701234567", "070-123 45 67"]),
    ("phone", "+46 70 123 45 67", "order 1701234567 and 70123456", []),
    ("name", "Al", "Al wrote", []),  # too short to look for safely
])
def test_values_are_found_as_written(kind: str, value: str, text: str, expected: list[str]) -> None:
    assert found(ValueMatcher([(kind, value)]), text) == expected


def test_the_subjects_names_and_addresses_are_also_found_in_parts() -> None:
    own = ValueMatcher([("name", "Renée Åkesson"), ("address", "Storgatan 12, 753 20 Uppsala")], parts=True)
    assert found(own, "Dear Ms Åkesson") == ["Åkesson"]
    assert found(own, "at Storgatan 12 in town") == ["Storgatan 12"]
    other = ValueMatcher([("name", "Renée Åkesson")])
    assert found(other, "Dear Ms Åkesson") == []


def test_stored_values_are_searched_inside_json_documents() -> None:
    matcher = ValueMatcher([("name", "Zoë Day"), ("phone", "+44 20 7946 0958")])
    assert matcher.kinds_in({"to": [{"n": "zoë day"}]}) == {"name"}
    assert matcher.kinds_in(json.dumps({"tel": "020 7946 0958"})) == {"phone"}
    assert matcher.kinds_in("nothing here") == set()
    assert matcher.kinds_in(None) == set()


def test_phones_compare_with_or_without_their_country_code() -> None:
    assert same_phone("+46 70 123 45 67", "070-123 45 67")
    assert not same_phone("+46 70 123 45 67", "+46 70 123 45 68")
    assert not same_phone("234567", "+49 30 1234567")  # too short a tail to be sure
