from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.audit import chain
from privacyops.store import db
from privacyops.store.models import AuditEvent


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    yield db.session_factory(engine)
    engine.dispose()


def _append(factory: sessionmaker[Session], count: int, actor: str = "system") -> None:
    for index in range(count):
        with factory.begin() as session:
            chain.append(
                session,
                actor=actor,
                action="request.transition",
                entity="request",
                entity_id=str(index),
                data={"from": "received", "to": "verified", "n": index, "note": "päßwörd ✓"},
            )


def test_empty_chain_verifies(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert chain.verify(session) == chain.VerifyResult(ok=True, count=0)


def test_appended_events_verify(sessions: sessionmaker[Session]) -> None:
    _append(sessions, 5)
    with sessions() as session:
        result = chain.verify(session)
        rows = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert result.ok and result.count == 5
    assert [row.id for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == chain.GENESIS_HASH
    assert all(rows[i].prev_hash == rows[i - 1].hash for i in range(1, 5))


@pytest.mark.parametrize(
    ("column", "value", "reason_word"),
    [
        ("actor", "intruder", "content"),
        ("data", '{"from": "received", "to": "denied"}', "content"),
        ("entity_id", "99", "content"),
        ("prev_hash", "f" * 64, "previous-hash"),
    ],
)
@pytest.mark.req("RK-4")
def test_tampered_row_is_named(
    sessions: sessionmaker[Session], column: str, value: str, reason_word: str
) -> None:
    _append(sessions, 6)
    with sessions.begin() as session:
        session.execute(sa.text(f"UPDATE audit_events SET {column} = :v WHERE id = 4"), {"v": value})
    with sessions() as session:
        result = chain.verify(session)
    assert not result.ok
    assert result.first_bad_id == 4
    assert result.count == 3
    assert result.reason is not None and reason_word in result.reason


@pytest.mark.req("RK-4")
def test_changed_timestamp_is_detected(sessions: sessionmaker[Session]) -> None:
    _append(sessions, 3)
    with sessions.begin() as session:
        row = session.get(AuditEvent, 2)
        assert row is not None
        moved = row.created_at.replace(year=2001)
        session.execute(sa.update(AuditEvent).where(AuditEvent.id == 2).values(created_at=moved))
    with sessions() as session:
        assert chain.verify(session).first_bad_id == 2


@pytest.mark.req("RK-4")
def test_deleted_middle_row_is_named(sessions: sessionmaker[Session]) -> None:
    _append(sessions, 4)
    with sessions.begin() as session:
        session.execute(sa.text("DELETE FROM audit_events WHERE id = 2"))
    with sessions() as session:
        result = chain.verify(session)
    assert (result.ok, result.first_bad_id) == (False, 2)
    assert result.reason is not None and "missing" in result.reason


@pytest.mark.req("RK-4")
def test_truncated_tail_is_detected(sessions: sessionmaker[Session]) -> None:
    _append(sessions, 4)
    with sessions.begin() as session:
        session.execute(sa.text("DELETE FROM audit_events WHERE id = 4"))
    with sessions() as session:
        result = chain.verify(session)
    assert (result.ok, result.first_bad_id) == (False, 4)


def test_orm_refuses_to_change_a_written_event(sessions: sessionmaker[Session]) -> None:
    _append(sessions, 1)
    with sessions() as session:
        row = session.get(AuditEvent, 1)
        assert row is not None
        row.actor = "someone else"
        with pytest.raises(chain.AuditIsAppendOnly):
            session.flush()
        session.rollback()
        session.delete(session.get(AuditEvent, 1))
        with pytest.raises(chain.AuditIsAppendOnly):
            session.flush()


def test_email_in_data_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(chain.PersonalDataInAudit, match=r"data\.subject"):
        chain.append(
            session, actor="api", action="x", entity="request", entity_id="1",
            data={"subject": "ada@example.com"},
        )


def test_rolled_back_append_leaves_chain_intact(sessions: sessionmaker[Session]) -> None:
    _append(sessions, 2)
    with sessions() as session:
        chain.append(session, actor="a", action="b", entity="c", entity_id="d", data={})
        session.rollback()
    _append(sessions, 1)
    with sessions() as session:
        result = chain.verify(session)
    assert result.ok and result.count == 3


@pytest.mark.req("RK-4")
def test_events_of_one_transaction_lock_the_head_once_and_a_savepoint_rollback_is_forgotten(
    sessions: sessionmaker[Session],
) -> None:
    _append(sessions, 1)
    locks: list[str] = []
    with sessions.begin() as session:
        sa.event.listen(session.connection(), "before_cursor_execute",
                        lambda _c, _cur, statement, *_: locks.append(statement)
                        if statement.lstrip().upper().startswith("UPDATE AUDIT_HEAD SET LAST_ID=AUDIT_HEAD")
                        else None)
        for n in range(3):
            chain.append(session, actor="a", action="b", entity="c", entity_id=str(n), data={})
        with session.begin_nested() as savepoint:
            chain.append(session, actor="a", action="b", entity="c", entity_id="gone", data={})
            session.flush()
            savepoint.rollback()
        chain.append(session, actor="a", action="b", entity="c", entity_id="last", data={})
    assert len(locks) == 1
    with sessions() as session:
        result = chain.verify(session)
        ids = session.scalars(sa.select(AuditEvent.entity_id).order_by(AuditEvent.id)).all()
    assert result == chain.VerifyResult(ok=True, count=5)
    assert ids == ["0", "0", "1", "2", "last"]
    _append(sessions, 1)  # a later transaction locks and reads the head again
    with sessions() as session:
        assert chain.verify(session).count == 6


@pytest.mark.req("RK-4")
def test_concurrent_appends_keep_one_chain(sessions: sessionmaker[Session]) -> None:
    errors: list[BaseException] = []

    def work(actor: str) -> None:
        try:
            _append(sessions, 10, actor=actor)
        except BaseException as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        result = chain.verify(session)
        actors = session.scalars(sa.select(AuditEvent.actor)).all()
    assert result == chain.VerifyResult(ok=True, count=60)
    assert sorted(set(actors)) == [f"worker-{n}" for n in range(6)]


def test_verify_walks_across_batches(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain, "VERIFY_BATCH", 2)
    _append(sessions, 5)
    with sessions() as session:
        assert chain.verify(session) == chain.VerifyResult(ok=True, count=5)
    with sessions.begin() as session:
        session.execute(sa.text("UPDATE audit_events SET action = 'x' WHERE id = 5"))
    with sessions() as session:
        result = chain.verify(session)
    assert (result.ok, result.count, result.first_bad_id) == (False, 4, 5)


def test_read_then_append_under_concurrency(db_url: str, db_kind: str) -> None:
    # A workflow step reads first, then appends. With immediate transactions on SQLite (and row locks
    # on PostgreSQL) concurrent steps queue up instead of failing.
    db.upgrade(db_url)
    engine = db.make_engine(db_url, sqlite_immediate=True)
    factory = db.session_factory(engine)
    errors: list[BaseException] = []

    def step(worker: int) -> None:
        try:
            for index in range(8):
                with factory.begin() as session:
                    session.execute(sa.select(AuditEvent.id).limit(1)).all()
                    chain.append(session, actor=f"w{worker}", action="step", entity="request",
                                 entity_id=str(index), data={})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=step, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory() as session:
        result = chain.verify(session)
    engine.dispose()
    assert errors == []
    assert result == chain.VerifyResult(ok=True, count=32)
