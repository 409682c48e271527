from __future__ import annotations

from datetime import datetime

import pytest

from privacyops.requests import email_import, errors, intake
from privacyops.requests.types import RequestType


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("email", " Ada@Example.COM ", "ada@example.com"),
        ("phone", "+49 30 1234567", "+49301234567"),
        ("user_id", "user-42", "user-42"),
        ("User-Id", "u1", "u1"),
    ],
)
def test_identities_are_normalised(kind: str, value: str, expected: str) -> None:
    assert intake.normalise_identity(kind, value).value == expected


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [
        ("email", "ada@", "not an email address"),
        ("phone", "030 1234", "country code"),
        ("user_id", "has space", "1 to 200"),
        ("passport", "X1", "unknown identity kind"),
    ],
)
def test_malformed_identities_name_the_field(kind: str, value: str, words: str) -> None:
    with pytest.raises(errors.RequestRuleError) as caught:
        intake.normalise_identity(kind, value, field="identities.x")
    assert caught.value.field == "identities.x"
    assert words in caught.value.message


def test_submission_checks_type_channel_and_time() -> None:
    base = {"identities": {"email": "a@example.com"}, "regions": ["EU "]}
    built = intake.build_submission(request_type="Erasure", channel="api", **base)  # type: ignore[arg-type]
    assert built.request_type is RequestType.ERASURE and built.regions == ("eu",)
    assert built.contact_email == "a@example.com"
    with pytest.raises(errors.UnknownRequestType):
        intake.build_submission(request_type="x", channel="api", **base)  # type: ignore[arg-type]
    with pytest.raises(errors.RequestRuleError) as caught:
        intake.build_submission(request_type="access", channel="pigeon", **base)  # type: ignore[arg-type]
    assert caught.value.field == "channel"
    with pytest.raises(errors.RequestRuleError) as naive:
        intake.build_submission(
            request_type="access",
            channel="ticket",
            received_at=datetime(2025, 1, 31),
            **base,  # type: ignore[arg-type]
        )
    assert naive.value.field == "received_at"


def test_primary_identity_prefers_email() -> None:
    built = intake.build_submission(
        request_type="access",
        channel="api",
        identities=[("user_id", "u1"), ("email", "a@example.com")],
        regions=["eu"],
    )
    assert built.primary.kind == "email"


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        ("Please delete my account", "", RequestType.ACCOUNT_DELETION),
        ("Forget me", "Erase all data about me please", RequestType.ERASURE),
        ("Question", "What personal data do you hold about me?", RequestType.ACCESS),
        ("Unsubscribe", "", RequestType.MARKETING_OPT_OUT),
        ("Do not sell my information", "", RequestType.OPT_OUT_SALE_SHARE),
        ("Wrong address", "Please correct my address", RequestType.RECTIFICATION),
        ("Export", "I want to export my data to another service", RequestType.PORTABILITY),
    ],
)
def test_email_type_is_read_from_its_words(subject: str, text: str, expected: RequestType) -> None:
    assert email_import.guess_type(subject, text) is expected


def test_email_without_a_request_is_refused_naming_type() -> None:
    with pytest.raises(errors.RequestRuleError) as caught:
        email_import.guess_type("Hello", "Great product!")
    assert caught.value.field == "type"


@pytest.mark.req("INT-2")
def test_eml_keeps_sender_date_and_message_id() -> None:
    raw = (
        b"From: Sam <sam@example.org>\r\nSubject: data request\r\nDate: Tue, 04 Mar 2025 08:00:00 -0800\r\n"
        b"Message-ID: <x1@example.org>\r\nContent-Type: text/html\r\n\r\n"
        b"<p>Send me a <b>copy</b> of my data</p>"
    )
    mail = email_import.parse_eml(raw)
    assert mail.sender == "sam@example.org" and mail.message_id == "<x1@example.org>"
    assert mail.received_at is not None and mail.received_at.utcoffset() is not None
    submission = email_import.submission_from_email(mail)
    assert submission.request_type is RequestType.ACCESS and submission.channel == "email"
    assert submission.received_at == mail.received_at
    with pytest.raises(errors.RequestRuleError) as caught:
        email_import.parse_eml(b"Subject: no sender\r\n\r\nhi")
    assert caught.value.field == "eml"
