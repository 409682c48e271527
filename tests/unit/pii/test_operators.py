from __future__ import annotations

import pytest

from privacyops.pii.engine import Finding
from privacyops.pii.operators import (
    Drop,
    Encrypt,
    Masker,
    OperatorError,
    PartialMask,
    Placeholder,
    Pseudonym,
    Redact,
    build_operator,
    derive_key,
)

EMAIL = Finding(0, 16, "EMAIL_ADDRESS", 0.9)
CARD = Finding(0, 19, "CREDIT_CARD", 1.0)


@pytest.mark.parametrize(
    ("operator", "value", "finding", "expected"),
    [
        (Redact(), "jane@example.com", EMAIL, "[REDACTED]"),
        (Placeholder(), "jane@example.com", EMAIL, "<EMAIL_ADDRESS>"),
        (PartialMask(), "jane@example.com", EMAIL, "j***@example.com"),
        (PartialMask(), "4111 1111 1111 1111", CARD, "**** **** **** 1111"),
        (PartialMask(), "sk_live_abcdefgh", Finding(0, 16, "SECRET", 1.0), "**_****_********"),
        (Drop(), "jane@example.com", EMAIL, ""),
    ],
)
def test_operator_output(operator: object, value: str, finding: Finding, expected: str) -> None:
    assert operator.replace(value, finding) == expected  # type: ignore[attr-defined]


def test_pseudonyms_are_stable_per_tenant_and_differ_across_tenants() -> None:
    a1 = build_operator("pseudonym", secret="s3cret", tenant="a")
    a2 = build_operator("pseudonym", secret="s3cret", tenant="a")
    b = build_operator("pseudonym", secret="s3cret", tenant="b")
    token = a1.replace("jane@example.com", EMAIL)
    assert token == a2.replace("jane@example.com", EMAIL)
    assert token != b.replace("jane@example.com", EMAIL)
    assert token.startswith("<EMAIL_ADDRESS:") and "jane" not in token
    assert isinstance(a1, Pseudonym)


def test_encryption_round_trips_and_rejects_other_keys() -> None:
    encrypt = Encrypt(derive_key("s3cret", "encrypt"))
    token = encrypt.replace("jane@example.com", EMAIL)
    assert token.startswith("enc:EMAIL_ADDRESS:") and "jane" not in token
    assert encrypt.decrypt(token) == "jane@example.com"
    with pytest.raises(OperatorError):
        Encrypt(derive_key("other", "encrypt")).decrypt(token)


def test_keyed_operators_need_a_key_and_names_are_checked() -> None:
    with pytest.raises(OperatorError, match="PRIVACYOPS_SECRET_KEY"):
        build_operator("encrypt")
    with pytest.raises(OperatorError, match="unknown operator"):
        build_operator("shred")


def test_masker_uses_per_entity_operators() -> None:
    text = "jane@example.com 4111 1111 1111 1111"
    findings = [EMAIL, Finding(17, 36, "CREDIT_CARD", 1.0)]
    masker = Masker(Placeholder(), {"CREDIT_CARD": PartialMask()})
    assert masker.apply(text, findings) == "<EMAIL_ADDRESS> **** **** **** 1111"
    assert masker.drops(findings) is False
    assert Masker(Drop()).drops(findings) is True
