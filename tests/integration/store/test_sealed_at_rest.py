"""Personal data in the store is sealed at rest; `privacyops keys rotate` moves it to a new key, resumably."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db, keyring, rotation, sealing
from privacyops.store.models.requests import RequestIdentity, SubjectRequest

SECRET = "sealed-at-rest-secret-key-0123456789"
ADMIN = {"Authorization": "Bearer po_sealed_at_rest_admin_token"}
EMAILS = [f"sealed.person{n}@example.com" for n in range(5)]
DETAILS = "Call me on +44 20 7946 0958 about my data"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    db.upgrade(db_url, secret=SECRET.encode())
    return Settings(database_url=db_url, home=tmp_path / "home", manifest=LANGFUSE_MANIFEST,
                    admin_token=ADMIN["Authorization"].split()[1], secret_key=SECRET,
                    worker_in_process=False)


@pytest.fixture
def filed(client: TestClient) -> list[str]:
    ids = []
    for address in EMAILS:
        body = {"type": "access", "identities": {"email": address}, "regions": ["eu"], "details": DETAILS}
        response = client.post("/api/v1/requests", json=body)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    made = db.make_engine(db_url, secret=SECRET.encode())
    yield made
    made.dispose()


def raw_values(engine: sa.Engine) -> list[str]:
    """Every stored value of every sealed column, as the database holds it."""
    found = []
    with engine.connect() as connection:
        for table, _pk, column in rotation.SEALED_COLUMNS:
            rows = connection.execute(sa.text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"))
            found += [str(value) for value in rows.scalars()]
    return found


def revealed(db_url: str) -> dict[str, str]:
    """Identity values as a fresh engine (a new process would) reads them: request id -> email."""
    fresh = db.make_engine(db_url, secret=SECRET.encode())
    try:
        with db.session_factory(fresh)() as session:
            rows = session.execute(sa.select(RequestIdentity.request_id, RequestIdentity.value))
            return {request_id: str(value) for request_id, value in rows}
    finally:
        fresh.dispose()


def test_identities_contacts_details_and_mail_are_ciphertext_in_the_database(
    filed: list[str], engine: sa.Engine, db_url: str, client: TestClient
) -> None:
    values = raw_values(engine)
    assert len(values) >= 3 * len(EMAILS)  # identity, contact address, details, and the mail per request
    assert all(sealing.is_sealed(value) for value in values)
    assert not [v for v in values if any(address in v for address in EMAILS) or "7946" in v]
    with engine.connect() as connection:  # nothing in clear in any column of any table either
        for table in sa.inspect(connection).get_table_names():
            dump = " ".join(str(row) for row in connection.execute(sa.text(f"SELECT * FROM {table}")))
            assert not any(address in dump for address in EMAILS), table
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())
        assert data and not any(address.encode() in data for address in EMAILS)
    # The reveal path opens them, and lookups by identity still match through the keyed hash.
    detail = client.get(f"/api/v1/requests/{filed[0]}", headers=ADMIN).json()
    assert detail["identities"][0]["value"] == EMAILS[0]
    with db.session_factory(engine)() as session:
        stored = session.get(SubjectRequest, filed[0])
        assert stored is not None and stored.contact_email == EMAILS[0] and stored.details == DETAILS


def test_a_value_moved_to_another_column_or_read_with_another_secret_does_not_open(
    filed: list[str], engine: sa.Engine, db_url: str
) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE subject_requests SET details = contact_email WHERE id = :id"),
                           {"id": filed[0]})
    with db.session_factory(engine)() as session, pytest.raises(sealing.SealingError, match="another column"):
        session.get(SubjectRequest, filed[0])
    stranger = db.make_engine(db_url, secret=b"some-other-deployment-secret")
    try:
        with db.session_factory(stranger)() as session, pytest.raises(sealing.SealingError,
                                                                      match="PRIVACYOPS_SECRET_KEY"):
            session.get(SubjectRequest, filed[1])
    finally:
        stranger.dispose()


def keys(engine: sa.Engine) -> list[tuple[str, str, bool]]:
    with engine.connect() as connection:
        return [(k.id, k.state, k.salt is not None) for k in keyring.read_keys(connection)]


def test_rotation_moves_every_value_and_the_retired_key_is_gone(
    filed: list[str], engine: sa.Engine, db_url: str, client: TestClient
) -> None:
    before = revealed(db_url)
    (old_id, _, _), = keys(engine)
    done = rotation.rotate(engine, batch_size=2, grace_seconds=0)
    assert done.retired == [old_id] and done.rewrapped == len(raw_values(engine))
    assert keys(engine) == [(old_id, "retired", False), (done.key_id, "active", True)]
    assert {sealing.key_id_of(v) for v in raw_values(engine)} == {done.key_id}
    assert revealed(db_url) == before == dict(zip(filed, EMAILS, strict=True))
    # The running app's keyring learns the new key by itself and keeps sealing and opening.
    late = {"type": "erasure", "identities": {"email": "late@example.com"}}
    response = client.post("/api/v1/requests", json=late)
    assert response.status_code == 201, response.text
    detail = client.get(f"/api/v1/requests/{response.json()['id']}", headers=ADMIN).json()
    assert detail["identities"][0]["value"] == "late@example.com"
    earlier = client.get(f"/api/v1/requests/{filed[2]}", headers=ADMIN).json()
    assert earlier["identities"][0]["value"] == EMAILS[2]
    with engine.begin() as connection:
        events = connection.execute(sa.text("SELECT action FROM audit_events WHERE entity = 'store_key'"))
        assert list(events.scalars()) == ["store_key.rotation_started", "store_key.rotation_finished"]


class Interrupted(Exception):
    pass


def test_a_rotation_stopped_midway_is_finished_by_the_command(
    filed: list[str], engine: sa.Engine, db_url: str, tmp_path: Path
) -> None:
    before = revealed(db_url)
    (old_id, _, _), = keys(engine)

    def stop(_moved: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        rotation.rotate(engine, batch_size=2, grace_seconds=0, after_batch=stop)
    (_, old_state, _), (new_id, new_state, _) = keys(engine)
    assert (old_state, new_state) == ("retiring", "active")
    on_key = [sealing.key_id_of(v) for v in raw_values(engine)]
    assert on_key.count(new_id) == 2 and on_key.count(old_id) == len(on_key) - 2  # one batch went through
    assert revealed(db_url) == before  # both keys open values meanwhile

    env = {**os.environ, "PRIVACYOPS_DATABASE_URL": db_url, "PRIVACYOPS_SECRET_KEY": SECRET,
           "PRIVACYOPS_HOME": str(tmp_path / "cli-home"), "PRIVACYOPS_MANIFEST": str(LANGFUSE_MANIFEST)}
    finished = subprocess.run([sys.executable, "-m", "privacyops", "keys", "rotate", "--batch-size", "3"],
                              env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    expected = f"finished the rotation under way: store key {new_id} is active; retired {old_id}"
    assert expected in finished.stdout
    assert keys(engine) == [(old_id, "retired", False), (new_id, "active", True)]
    assert {sealing.key_id_of(v) for v in raw_values(engine)} == {new_id}
    assert revealed(db_url) == before
    listed = subprocess.run([sys.executable, "-m", "privacyops", "keys", "list"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert f"{old_id}  retired" in listed.stdout and f"{new_id}  active" in listed.stdout


def test_upgrade_seals_values_an_older_version_stored_in_clear(db_url: str) -> None:
    command.upgrade(db.alembic_config(db_url), "c4a9e1d07f3b")
    clear = db.make_engine(db_url)
    try:
        with clear.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO subject_requests (id, request_type, state, channel, regions, subject_key, "
                "contact_email, details, via_agent, received_at, created_at, updated_at, deadlines, "
                "extensions, flags) VALUES ('r1', 'access', 'received', 'web', '[]', 'k', :email, :details, "
                "false, :now, :now, :now, '{}', '[]', '{}')"),
                {"email": EMAILS[0], "details": DETAILS, "now": "2026-01-02 03:04:05"})
            connection.execute(sa.text(
                "INSERT INTO request_identities (request_id, kind, value_hash, value) "
                "VALUES ('r1', 'email', 'h', :email)"), {"email": EMAILS[0]})
    finally:
        clear.dispose()
    db.upgrade(db_url, secret=SECRET.encode())
    sealed_engine = db.make_engine(db_url, secret=SECRET.encode())
    try:
        values = raw_values(sealed_engine)
        assert len(values) == 3 and all(sealing.is_sealed(v) for v in values)
        assert revealed(db_url) == {"r1": EMAILS[0]}
        with db.session_factory(sealed_engine)() as session:
            stored = session.get(SubjectRequest, "r1")
            assert stored is not None and (stored.contact_email, stored.details) == (EMAILS[0], DETAILS)
    finally:
        sealed_engine.dispose()
    config = db.alembic_config(db_url)
    config.attributes["privacyops_secret"] = SECRET.encode()
    command.downgrade(config, "c4a9e1d07f3b")  # and back: opened again
    reopened = db.make_engine(db_url)
    try:
        with reopened.connect() as connection:
            assert connection.execute(sa.text("SELECT value FROM request_identities")).scalar() == EMAILS[0]
    finally:
        reopened.dispose()
