from __future__ import annotations

from email.message import EmailMessage

import pytest

from privacyops.requests import mailer, notify

BASE = {
    "controller": "Example GmbH",
    "privacy_inbox": "privacy@example.com",
    "request_id": "abc123",
    "type_summary": "have personal data erased",
    "received_on": "2025-03-03",
    "response_due": "2025-04-03",
    "ack_due": None,
    "status_url": "http://127.0.0.1:8000/privacy/requests/abc123",
    "verify_url": "http://127.0.0.1:8000/privacy/requests/abc123",
}


@pytest.mark.parametrize(
    ("kind", "extra", "must_say"),
    [
        ("acknowledgement", {"needs_verification": True}, "2025-04-03"),
        ("verification", {"code": "123456", "ttl_minutes": 30}, "123456"),
        ("extension", {"reason": "archives <to restore>"}, "archives <to restore>"),
        (
            "denial",
            {"denial_summary": "No data.", "reason": "none", "authorities": [{"name": "ICO", "url": None}]},
            "complain",
        ),
        ("forwarded", {"other_controller": "Customer Ltd"}, "Customer Ltd"),
        ("alert", {"headline": "1 overdue", "lines": ["abc123: access"]}, "1 overdue"),
    ],
)
def test_every_message_has_text_and_html_parts(kind: str, extra: dict[str, object], must_say: str) -> None:
    composed = notify.compose(kind, {**BASE, **extra})
    assert must_say in composed.text
    assert composed.html.lstrip().startswith("<!doctype html>")
    assert "abc123" in composed.text and "abc123" in composed.html
    if kind == "extension":
        assert "archives &lt;to restore&gt;" in composed.html  # HTML part escapes what people typed


@pytest.mark.req("ER-5")
def test_erasure_completion_says_done_and_that_a_record_and_a_fingerprint_are_kept() -> None:
    composed = notify.compose("completion", {**BASE, "erasure": True, "partial": False, "note": ""})
    for text in (composed.text, composed.html):
        assert "We have erased your personal data" in text
        assert "keep a record that you made this request" in text
        assert "one-way" in text and "if they reach us again" in text
        # The service keeps the fingerprint; it cannot promise what the law or a mailing list does.
        assert "as the law requires" not in text and "marketing" not in text
    other = notify.compose("completion", {**BASE, "erasure": False, "partial": True, "note": "n"}).text
    assert "partly completed" in other and "one-way" not in other


def test_built_message_is_multipart_alternative_with_fixed_id() -> None:
    message = mailer.build_message(
        sender="privacy@example.com",
        recipient="a@example.com",
        subject="s",
        text="plain",
        html="<p>h</p>",
        message_id="<m1@example.com>",
    )
    assert message.get_content_type() == "multipart/alternative"
    assert message["Message-ID"] == "<m1@example.com>"
    fake = mailer.MemoryMailer()
    fake.send(message)
    assert isinstance(fake.sent[0], EmailMessage)
