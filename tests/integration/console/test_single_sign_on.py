"""Single sign-on on a served console against a real (test) OpenID provider, both over HTTP.

The provider checks the client secret, redirect URL and PKCE verifier; the console checks state,
nonce and the ID token's signature. People are created on first sign-in with the role the rules give,
found again later, and refused, with an audit event, when the rules or the console say no.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from privacyops.api.app import create_app
from privacyops.console import accounts, users
from privacyops.settings import Settings
from privacyops.store import db
from privacyops.store.models import AuditEvent, ConsoleUser
from tests.integration.conftest import serving
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.support import free_port

RULES = "@corp.example=viewer,group:privacy-leads=admin,rita@partner.example=reviewer"
NONCE = re.compile(r'name="nonce" value="([^"]+)"')


@dataclass
class Served:
    base: str
    settings: Settings
    provider: OidcProvider

    def session(self) -> sa.orm.Session:
        # BEGIN IMMEDIATE on SQLite: the test's read-then-write waits for the server's last write instead
        # of failing at once with "database is locked" when it upgrades its read lock.
        return db.session_factory(db.engine_for(self.settings, sqlite_immediate=True))()

    def sign_in(self, **identity: Any) -> httpx.Response:
        """Go through the whole flow as a browser would, as ``identity``; return the last answer."""
        self.provider.identity = identity
        with httpx.Client(base_url=self.base, follow_redirects=True, timeout=30) as client:
            return client.get("/admin/sso/start", params={"next": "/admin/requests"})


@pytest.fixture(scope="module")
def served(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db.upgrade(module_db_url)
    provider = OidcProvider()
    port = free_port()
    settings = Settings(
        database_url=module_db_url,
        home=tmp_path_factory.mktemp("home"),
        secret_key="sso-test-secret-0123456789abcdef",
        worker_in_process=False,
        queue_url="memory://",
        public_url=f"http://127.0.0.1:{port}",
        console_oidc_client_id=CLIENT_ID,
        console_oidc_client_secret=CLIENT_SECRET,
        console_oidc_name="Corp ID",
        console_oidc_roles=RULES,
    )
    provider.redirect_uri = f"{settings.public_url}/admin/sso/callback"
    with serving(provider.app()) as issuer:
        provider.issuer = issuer
        settings = settings.model_copy(update={"console_oidc_issuer": issuer})
        with db.session_factory(db.engine_for(settings))() as session:
            users.add(session, username="pat", password="password-of-pat", role="admin", actor="test")
            session.commit()
        with serving(create_app(settings), port=port) as base:
            yield Served(base, settings, provider)


def _refusals(served: Served) -> list[tuple[str, str, Any]]:
    with served.session() as session:
        return [
            (event.entity, event.entity_id, event.data["reason"])
            for event in session.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "console.sso_refused")
                .order_by(AuditEvent.id)
            )
        ]


def test_the_sign_in_page_offers_the_provider_and_the_flow_uses_pkce_state_and_nonce(served: Served) -> None:
    page = httpx.get(f"{served.base}/admin/sign-in")
    assert "Sign in with Corp ID" in page.text
    answer = served.sign_in(sub="ann-1", email="ann@corp.example", email_verified=True)
    assert answer.status_code == 200 and str(answer.url) == f"{served.base}/admin/requests"
    asked = served.provider.authorize_queries[-1]
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert (
        len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32 and asked["scope"] == "openid email profile"
    )


def test_first_sign_in_creates_a_user_and_later_ones_follow_the_rules(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert served.sign_in(sub="ben-1", email="ben@corp.example").status_code == 200
    with served.session() as session:
        ben = session.scalars(sa.select(ConsoleUser).where(ConsoleUser.username == "ben")).one()
        assert (ben.role, ben.password_hash) == ("viewer", "")
        assert ben.sso_subject is not None and "ben-1" not in ben.sso_subject
    # Promoted at the provider: the next sign-in finds the same user and gives the higher role.
    answer = served.sign_in(sub="ben-1", email="ben@corp.example", groups=["privacy-leads"])
    assert answer.status_code == 200 and "admin" in answer.text
    with served.session() as session:
        assert session.scalars(sa.select(ConsoleUser.role).where(ConsoleUser.username == "ben")).all() == [
            "admin"
        ]
        actions = session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.entity_id == str(ben.id)).order_by(AuditEvent.id)
        ).all()
    assert actions == ["console.user_added", "console.signed_in", "console.role_changed", "console.signed_in"]
    # A user of single sign-on has no password to guess.
    with httpx.Client(base_url=served.base, timeout=30) as client:
        nonce = NONCE.search(client.get("/admin/sign-in").text)
        assert nonce is not None
        tried = client.post(
            "/admin/sign-in", data={"username": "ben", "password": "any password", "nonce": nonce.group(1)}
        )
        assert tried.status_code == 401
    assert "ben@corp.example" not in caplog.text and "ben-1" not in caplog.text
    listed = {account.username: account for account in accounts.listing(served.settings)}
    assert listed["ben"].single_sign_on and not listed["pat"].single_sign_on


@pytest.mark.parametrize(
    ("identity", "mischief", "reason", "says"),
    [
        ({"sub": "eve-1", "email": "eve@elsewhere.example"}, "", "no_role", "not given a console role"),
        (
            {"sub": "una-1", "email": "una@corp.example", "email_verified": False},
            "",
            "no_role",
            "console role",
        ),
        ({"sub": "pat-9", "email": "pat@corp.example"}, "", "name_taken", "already exists"),
        ({"sub": "nia-1", "email": "nia@corp.example"}, "nonce", "id_token", "ID token was not accepted"),
        ({"sub": "kim-1", "email": "kim@corp.example"}, "key", "id_token", "ID token was not accepted"),
    ],
)
def test_refusals_say_why_and_are_audited(
    served: Served, identity: dict[str, Any], mischief: str, reason: str, says: str
) -> None:
    served.provider.mischief = mischief
    try:
        answer = served.sign_in(**identity)
    finally:
        served.provider.mischief = ""
    assert answer.status_code == 403 and says in answer.text
    assert "po_console" not in answer.cookies
    assert _refusals(served)[-1][2] == reason
    with served.session() as session:
        name = identity["email"].split("@")[0]
        made = session.scalars(sa.select(ConsoleUser).where(ConsoleUser.username == name)).all()
    assert all(user.sso_subject is None for user in made)  # nobody was created or linked


def test_a_user_disabled_in_the_console_stays_out(served: Served) -> None:
    assert served.sign_in(sub="dan-1", email="dan@corp.example").status_code == 200
    with served.session() as session:
        users.disable(session, "dan", actor="test")
        session.commit()
        dan = users.find(session, "dan")
        assert dan is not None
    answer = served.sign_in(sub="dan-1", email="dan@corp.example", groups=["privacy-leads"])
    assert answer.status_code == 403 and "disabled" in answer.text
    assert _refusals(served)[-1] == ("console_user", str(dan.id), "disabled")


def test_a_callback_without_the_browsers_flow_or_with_another_state_is_refused(served: Served) -> None:
    served.provider.identity = {"sub": "ann-1", "email": "ann@corp.example"}
    with httpx.Client(base_url=served.base, timeout=30) as client:
        left = client.get("/admin/sso/start")
        at_provider = httpx.get(left.headers["location"])
        back = at_provider.headers["location"]
        forged = client.get(re.sub(r"state=[^&]+", "state=forged", back))
        assert forged.status_code == 403 and "does not belong to this sign-in" in forged.text
        stranger = httpx.get(back)  # another browser, without the flow's cookie
        assert stranger.status_code == 403 and "not started in this browser" in stranger.text
    assert [reason for *_, reason in _refusals(served)[-2:]] == ["state", "state"]
