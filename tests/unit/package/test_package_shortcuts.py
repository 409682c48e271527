"""The package's fast paths give what the plain ones gave: data.json's text, one scan per distinct text."""

from __future__ import annotations

import json

from privacyops.package import build, scrub

OWN = {"me@example.com"}


def test_data_json_text_is_the_indented_json_text() -> None:
    document = {"a": [], "b": {}, "text": "é — \u2028 \"quoted\"", "nested": {"x": [{}, 1.5, None, True]},
                "large": 1e16, "small": 0.1}
    assert build.document_text(document) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_an_integer_past_64_bits_is_still_written() -> None:
    document = {"big": 2**70, "name": "Zoë"}
    assert json.loads(build.document_text(document)) == document


def test_repeated_texts_are_scrubbed_alike_with_their_own_counts() -> None:
    texts = ["card 4539 1488 0343 6467", "plain", "card 4539 1488 0343 6467", "mail other@example.org"]
    out = scrub.scrub_texts(texts, OWN)
    assert [text for text, _ in out] == [
        "card [card number withheld, ending 6467]", "plain", "card [card number withheld, ending 6467]",
        "mail [redacted: another person's email address]",
    ]
    assert out[0][1] == out[2][1] == {scrub.CARD: 1}
    assert out[0][1] is not out[2][1]  # a caller adding to one count does not change the other
    assert not out[1][1]

