from __future__ import annotations

import pytest

from privacyops.pii.engine import default_engine

CASES = [
    ("https://shop.example/cart?ref=ad&email=jane%40doe.org&x=1", [("jane%40doe.org", "URL_PII")]),
    ("see http://example.com/u?name=Jane+Doe.", [("Jane+Doe", "URL_PII")]),
    ("https://api.example/v1?access_token=abcdef123456", [("abcdef123456", "SECRET")]),
    ("https://example.com/search?q=shoes&page=2", []),
    ("https://example.com/no-query", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_url_query(text: str, expected: list[tuple[str, str]]) -> None:
    findings = default_engine().analyze(text)
    assert [(f.value_in(text), f.entity) for f in findings] == expected
