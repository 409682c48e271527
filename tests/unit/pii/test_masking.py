from __future__ import annotations

from typing import Any

import pytest

from privacyops.pii import masking
from privacyops.pii.masking import FAILED_MARKER, PolicyMasker, mask_document, mask_text
from privacyops.pii.policy import MaskPolicy


def test_simple_library_calls() -> None:
    assert mask_text("mail jane@example.com") == "mail <EMAIL_ADDRESS>"
    assert mask_document({"a": ["jane@example.com"]}) == {"a": ["<EMAIL_ADDRESS>"]}
    assert mask_text("mail jane@example.com", "pseudonym", secret="k") == mask_text(
        "mail jane@example.com", "pseudonym", secret="k"
    )


def test_long_single_line_is_masked_in_bounded_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(masking, "CHUNK_CHARS", 4096)
    text = ("filler words " * 50 + "jane@example.com ") * 200
    masked = PolicyMasker().text(text)
    assert "jane@example.com" not in masked
    assert masked.count("<EMAIL_ADDRESS>") == 200


def test_stream_never_cuts_a_value() -> None:
    pieces = ["contact jane@exa", "mple.com and +44 20 79", "46 0958\n"]
    assert "".join(PolicyMasker().stream(pieces)) == "contact <EMAIL_ADDRESS> and <PHONE_NUMBER>\n"


def test_policy_entities_and_operators() -> None:
    masker = PolicyMasker(MaskPolicy(entities=["IP_ADDRESS"], operators={"IP_ADDRESS": "redact"}))
    assert masker.text("jane@example.com 203.0.113.7") == "jane@example.com [REDACTED]"


class _Broken:
    backend = "broken"

    def analyze(self, text: str) -> Any:
        raise RuntimeError("boom")

    analyze_many = analyze


@pytest.mark.parametrize(("fail", "expected"), [("closed", FAILED_MARKER), ("open", "jane@example.com")])
def test_internal_errors_fail_closed_unless_configured(fail: str, expected: str) -> None:
    masker = PolicyMasker(MaskPolicy(fail=fail), engine=_Broken())  # type: ignore[arg-type]
    assert masker.text("jane@example.com") == expected
    assert masker.texts(["jane@example.com"]) == [expected]
