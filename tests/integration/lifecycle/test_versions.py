"""Publishing notice versions: bad input stores nothing; material changes reach subscribers (NV-1, NV-2)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.api.app import create_app
from privacyops.lifecycle import freshness
from privacyops.settings import Settings
from privacyops.store.models.consent import ConsentContact, ConsentState
from privacyops.store.models.notice import NoticeNotification, NoticeVersion
from privacyops.store.models.outbox import OutboxMessage

from .conftest import NEW_SUBPROCESSOR, Cli, today

LINK = re.compile(r"http://privacy\.test(/privacy/subscriptions/\d+/(?:confirm|unsubscribe))\?token=(\w+)")


def _count(app: FastAPI, model: type) -> int:
    with app.state.services.sessions() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _messages(app: FastAPI, kind: str) -> list[OutboxMessage]:
    with app.state.services.sessions() as session:
        query = sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        return list(session.execute(query).scalars())


def _subscribe(client: TestClient, app: FastAPI, email: str, topic: str, *, confirm: bool) -> None:
    page = client.post("/privacy/subscriptions", data={"email": email, "topic": topic})
    assert page.status_code == 200 and "Check your mailbox" in page.text
    mail = next(m for m in reversed(_messages(app, "subscription_confirm")) if m.recipient == email)
    path, token = LINK.search(mail.body_text).groups()  # type: ignore[union-attr]
    landing = client.get(path, params={"token": token})
    assert landing.status_code == 200 and "Confirm my subscription" in landing.text
    if confirm:
        done = client.post(path, data={"token": token})
        assert done.status_code == 200 and "Subscription confirmed" in done.text, done.text


def test_bad_input_is_refused_and_nothing_is_stored(
    cli: Cli, app: FastAPI, write_manifest: Callable[..., Path], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("controller: {legal_name: X}\n", encoding="utf-8")
    result = cli("notice", "publish", str(broken), "--effective", today().isoformat())
    assert result.exit_code == 1 and "not a valid manifest; nothing was published" in result.output
    good = write_manifest("v1")
    past = cli("notice", "publish", str(good), "--effective", "2020-01-01")
    assert past.exit_code == 1 and "--effective 2020-01-01 is in the past" in past.output
    garbled = cli("notice", "publish", str(good), "--effective", "soon")
    assert garbled.exit_code == 1 and "write YYYY-MM-DD" in garbled.output
    assert _count(app, NoticeVersion) == 0
    assert cli("notice", "publish", str(good), "--effective", today().isoformat()).exit_code == 0
    again = cli("notice", "publish", str(good), "--effective", today().isoformat())
    assert again.exit_code == 1 and "already published" in again.output
    assert _count(app, NoticeVersion) == 1


def test_diff_lists_changes_in_plain_words_and_refuses_unrelated_files(
    cli: Cli, write_manifest: Callable[..., Path]
) -> None:
    old, new = write_manifest("v1"), write_manifest("v2", ("subprocessors:\n", NEW_SUBPROCESSOR))
    result = cli("notice", "diff", str(old), str(new))
    assert result.exit_code == 0, result.output
    assert "* [new_subprocessor] New subprocessor: Mailgun in BR." in result.output
    assert "2 change(s), 2 material" in result.output
    other = write_manifest("v3", ("legal_name: Langfuse GmbH", "legal_name: Another Company Ltd"))
    refused = cli("notice", "diff", str(old), str(other))
    assert refused.exit_code == 1 and "different controllers" in refused.output


@pytest.mark.req("NV-2", "NV-1")
def test_material_version_tells_confirmed_subscribers_and_a_contact_change_tells_nobody(
    cli: Cli,
    app: FastAPI,
    client: TestClient,
    write_manifest: Callable[..., Path],
    admin_headers: dict[str, str],
) -> None:
    effective = today().isoformat()
    assert cli("notice", "publish", str(write_manifest("v1")), "--effective", effective).exit_code == 0
    _subscribe(client, app, "cto@customer-one.example", "subprocessors", confirm=True)
    _subscribe(client, app, "dpo@customer-two.example", "subprocessors", confirm=True)
    _subscribe(client, app, "reader@example.org", "notice", confirm=True)
    _subscribe(client, app, "never@example.net", "subprocessors", confirm=False)

    contact = write_manifest(
        "v2", ("privacy_email: legal@langfuse.com", "privacy_email: privacy@langfuse.com")
    )
    result = cli("notice", "publish", str(contact), "--effective", effective)
    assert result.exit_code == 0 and "not material; 0 message(s) queued" in result.output, result.output

    added = write_manifest("v3", ("subprocessors:\n", NEW_SUBPROCESSOR))
    result = cli("notice", "publish", str(added), "--effective", effective)
    assert result.exit_code == 0 and "MATERIAL; 3 message(s) queued" in result.output, result.output
    told = {m.recipient for m in _messages(app, "subprocessor_change")}
    assert told == {"cto@customer-one.example", "dpo@customer-two.example"}
    notice_mail = _messages(app, "notice_change")
    assert [m.recipient for m in notice_mail] == ["reader@example.org"]
    assert "New subprocessor: Mailgun in BR." in notice_mail[0].body_text
    with app.state.services.sessions() as session:
        rows = session.execute(sa.select(NoticeNotification)).scalars().all()
        assert {(r.version_id, r.channel) for r in rows} == {(3, "email")} and len(rows) == 3
        assert all(r.outbox_message_id and r.told_at for r in rows)

    # The notice in effect, its archive and what the version changed.
    page = client.get("/privacy")
    assert "Earlier versions" in page.text and "version v3" in page.text
    assert "Mailgun" in client.get("/privacy/subprocessors").text
    archive = client.get("/privacy/versions").text
    assert "v1" in archive and "v2" in archive and "(current)" in archive
    old = client.get("/privacy/versions/1")
    assert old.status_code == 200 and "Read the current notice" in old.text and "Mailgun" not in old.text
    diff = client.get("/privacy/versions/3/diff").text
    assert "New subprocessor: Mailgun in BR." in diff and "Personal data now goes to BR." in diff
    assert "The contact privacy email changed." in client.get("/privacy/versions/2/diff").text
    assert client.get("/privacy/versions/9").status_code == 404

    # In-app: what a user who saw version 1 should be shown, and the record that it was shown.
    changes = client.get("/api/v1/notice/changes", params={"after": 1}).json()
    assert changes["current"] == 3 and [v["number"] for v in changes["material"]] == [3]
    shown = client.post(
        "/api/v1/notice/versions/3/shown", json={"user_ref": "user-42"}, headers=admin_headers
    )
    assert shown.status_code == 201 and shown.json()["recorded"] is True
    again = client.post(
        "/api/v1/notice/versions/3/shown", json={"user_ref": "user-42"}, headers=admin_headers
    )
    assert again.json()["recorded"] is False
    assert client.post("/api/v1/notice/versions/3/shown", json={"user_ref": "u"}).status_code == 401

    # Unsubscribing from the link in the message stops the next one.
    path, token = LINK.search(_messages(app, "subprocessor_change")[0].body_text).groups()  # type: ignore[union-attr]
    assert "Unsubscribed" in client.post(path, data={"token": token}).text
    assert client.post(path, data={"token": "0" * 40}).status_code == 404
    removed = cli("notice", "publish", str(write_manifest("v4")), "--effective", effective).output
    assert "Subprocessor removed: Mailgun." in removed and "not material; 1 message(s) queued" in removed
    assert len(_messages(app, "subprocessor_change")) == 3

    summary = client.get("/api/v1/manifest", headers=admin_headers).json()
    assert summary["notice_last_updated"] == effective  # the version in effect, not the file's date
    health = client.get("/healthz").json()["notice"]
    assert health == {"state": "ok", "last_updated": effective, "age_months": 0}


@pytest.mark.req("NV-1")
def test_health_warns_from_month_eleven(cli: Cli, app: FastAPI, write_manifest: Callable[..., Path]) -> None:
    assert (
        cli("notice", "publish", str(write_manifest("v1")), "--effective", today().isoformat()).exit_code == 0
    )
    start = today()
    with app.state.services.sessions() as session:
        manifest = app.state.services.manifest.manifest
        ten = freshness.notice_health(session, manifest, start.replace(year=start.year + 1) - _days(40))
        eleven = freshness.notice_health(session, manifest, start.replace(year=start.year + 1) - _days(20))
    assert ten["state"] == "ok" and ten["age_months"] == 10
    undated = manifest.model_copy(
        update={"notice": manifest.notice.model_copy(update={"last_updated": None, "effective_date": None})}
    )
    with app.state.services.sessions() as session:
        assert freshness.notice_date(session, undated, start - _days(1)) is None  # never today
        assert freshness.notice_health(session, undated, start - _days(1))["state"] == "unknown"
    assert eleven["state"] == "alert" and "publish a new version" in eleven["message"]


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def test_subscribing_checks_the_address_and_counts_against_the_limits(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_intake_per_address": 2})
    with TestClient(create_app(limited)) as client:
        bad = client.post("/privacy/subscriptions", data={"email": "not an address", "topic": "notice"})
        assert bad.status_code == 422 and "email: give a full email address" in bad.text
        topic = client.post("/privacy/subscriptions", data={"email": "a@example.com", "topic": "weather"})
        assert topic.status_code == 422 and "topic must be one of notice, subprocessors" in topic.text
        third = client.post("/privacy/subscriptions", data={"email": "b@example.com", "topic": "notice"})
        assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
        assert "try again in" in third.text


MORE_DATA = (
    "                 user.privacy_preferences]\n    subjects: [customer, prospect]",
    "                 user.privacy_preferences, user.device.cookie_id]\n    subjects: [customer, prospect]",
)


@pytest.mark.req("NV-2")
def test_subjects_consenting_to_a_changed_purpose_are_told(
    cli: Cli, app: FastAPI, write_manifest: Callable[..., Path]
) -> None:
    now = dt.datetime.now(dt.UTC)
    with app.state.services.sessions.begin() as session:
        for key, purpose, granted in (
            ("s-a", "marketing_communications", True),
            ("s-b", "marketing_communications", False),
            ("s-c", "product_analytics", True),
        ):
            session.add(
                ConsentState(
                    subject_key=key,
                    purpose=purpose,
                    scope="",
                    kind="consent",
                    granted=granted,
                    receipt_id=key,
                    notice_version="v1",
                    purpose_hash="h",
                    method="form",
                    recorded_at=now,
                )
            )
            session.add(
                ConsentContact(subject_key=key, kind="email", value=f"{key}@example.com", created_at=now)
            )
    effective = today().isoformat()
    assert cli("notice", "publish", str(write_manifest("v1")), "--effective", effective).exit_code == 0
    result = cli("notice", "publish", str(write_manifest("v2", MORE_DATA)), "--effective", effective)
    assert "MATERIAL; 1 message(s) queued" in result.output, result.output
    told = _messages(app, "notice_change")
    assert [m.recipient for m in told] == ["s-a@example.com"]
    assert "now also uses" in told[0].body_text and "Stop these messages" not in told[0].body_text
    with app.state.services.sessions() as session:
        row = session.execute(sa.select(NoticeNotification)).scalar_one()
        assert (row.version_id, row.subject_hash, row.subscription_id) == (2, "s-a", None)
