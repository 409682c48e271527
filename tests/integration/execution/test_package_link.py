"""The access package through its signed, expiring link: issued on completion, downloaded over HTTP."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from privacyops.audit import chain
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.execution import links, runner
from privacyops.execution.env import ExecutionEnv
from privacyops.package import links as package_links
from privacyops.requests.context import ServiceContext
from privacyops.settings import Settings
from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.outbox import OutboxMessage

from .conftest import SECRET, SUBJECT, Setup

PUBLIC_URL = "https://privacy.example.test"
URL_IN_TEXT = re.compile(re.escape(PUBLIC_URL) + r"/api/v1/packages/[A-Za-z0-9_.\-]+")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, home=tmp_path / "home", manifest=LANGFUSE_MANIFEST,
                    secret_key=SECRET.decode(), public_url=PUBLIC_URL, worker_in_process=False,
                    admin_token="po_test_admin_token_for_package_links")


@pytest.fixture
def completed_access(setup: Setup, settings: Settings) -> Iterator[str]:
    """Run an access request to the end with packages kept in the service's home; yield its id."""
    env = ExecutionEnv(manifest=setup.env.manifest, service=ServiceContext(key=SECRET, public_url=PUBLIC_URL),
                       connectors=setup.env.connectors, home=Path(settings.home))
    request_id = setup.submit("access")
    with setup.sessions.begin() as session:
        runner.start(session, env, request_id, actor="test")
    report = runner.run_request(setup.sessions, env, request_id)
    assert report.status == "completed", report
    yield request_id


def completion_link(setup: Setup, request_id: str) -> str:
    with setup.sessions() as session:
        message = session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.request_id == request_id, OutboxMessage.kind == "completion")).scalar_one()
        assert message.recipient == SUBJECT["email"]
        found = URL_IN_TEXT.findall(message.body_text)
        assert len(found) == 1, message.body_text
        assert f'href="{found[0]}"' in message.body_html
        return str(found[0])


@pytest.mark.req("AC-3")
def test_completion_message_links_to_a_package_that_downloads(
        setup: Setup, settings: Settings, completed_access: str, live_server: str) -> None:
    url = completion_link(setup, completed_access)
    response = httpx.get(url.replace(PUBLIC_URL, live_server))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "no-store" in response.headers["cache-control"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        data = json.loads(package.read("data.json"))
    assert SUBJECT["email"] in json.dumps(data)
    sealed = links.package_path(settings.home, completed_access)
    assert sealed.exists() and not sealed.with_suffix("").exists()  # only the sealed copy is kept
    assert not sealed.read_bytes().startswith(b"PK")
    with setup.sessions() as session:
        downloads = session.execute(sa.select(AuditEvent).where(
            AuditEvent.action == "package.downloaded", AuditEvent.entity_id == completed_access)).scalars()
        logged = list(downloads)
        assert len(logged) == 1 and logged[0].data["bytes"] == len(response.content)
        assert SUBJECT["email"] not in json.dumps(logged[0].data)
        assert chain.verify(session).ok


@pytest.mark.req("AC-3")
def test_the_link_lasts_the_configured_days(setup: Setup, completed_access: str) -> None:
    token = completion_link(setup, completed_access).rsplit("/", 1)[1]
    grant = package_links.verify_link(token, SECRET, datetime.now(UTC))
    assert grant.package_id == completed_access
    left = grant.expires_at - datetime.now(UTC)
    assert timedelta(days=links.DEFAULT_DAYS - 1) < left <= timedelta(days=links.DEFAULT_DAYS)


@pytest.mark.req("AC-3")
def test_an_expired_link_is_gone(completed_access: str, live_server: str) -> None:
    token = package_links.sign_link(completed_access, datetime.now(UTC) - timedelta(minutes=1), SECRET)
    response = httpx.get(f"{live_server}{links.ROUTE}/{token}")
    assert response.status_code == 410
    assert response.json()["detail"]["rule"] == "expired"
    assert "no-store" in response.headers["cache-control"]


@pytest.mark.parametrize("change", ["payload", "signature", "key", "garbage"])
@pytest.mark.req("AC-3")
def test_an_altered_link_is_refused(completed_access: str, live_server: str, change: str) -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    token = package_links.sign_link(completed_access, later, SECRET)
    payload, signature = token.split(".")
    if change == "payload":
        token = package_links.sign_link("another-request", later, SECRET).split(".")[0] + "." + signature
    elif change == "signature":
        token = f"{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    elif change == "key":
        token = package_links.sign_link(completed_access, later, b"some other key")
    else:
        token = "not-a-link"
    response = httpx.get(f"{live_server}{links.ROUTE}/{token}")
    assert response.status_code == 403, response.text
    assert response.json()["detail"]["rule"] in ("altered", "malformed")


def test_a_valid_link_to_a_package_no_longer_kept_is_not_found(live_server: str, settings: Settings) -> None:
    token = package_links.sign_link("req_gone", datetime.now(UTC) + timedelta(days=1), SECRET)
    response = httpx.get(f"{live_server}{links.ROUTE}/{token}")
    assert response.status_code == 404
    assert not links.package_path(settings.home, "req_gone").exists()


def test_link_days_come_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVACYOPS_PACKAGE_LINK_DAYS", "3")
    assert links.link_days() == 3
    assert links.link_days(Settings(package_link_days=12)) == 12
