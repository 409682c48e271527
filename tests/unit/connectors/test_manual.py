"""The manual connector: erasure and correction become tasks, pending until an operator closes them."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from privacyops.connectors import registry
from privacyops.connectors.base import DELETE, READ, UPDATE, ConnectorError, MapValues, Match, SetNull
from privacyops.connectors.manual import (
    DEFERRED,
    ManualConnector,
    MemoryTaskStore,
    TaskError,
    TaskPending,
    close_task,
    file_digest,
)

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
EMAIL = "ann@example.com"


@pytest.fixture
def store() -> MemoryTaskStore:
    return MemoryTaskStore()


@pytest.fixture
def manual(store: MemoryTaskStore) -> ManualConnector:
    connector = ManualConnector("Hireflow (recruiting)", store=store, contact="privacy@hireflow.example",
                                categories=["user.contact.email", "user.name"], due_days=10,
                                clock=lambda: NOW)
    return connector.bound_to("REQ-42")


def test_capabilities_say_writes_are_deferred_and_nothing_is_readable(manual: ManualConnector) -> None:
    assert manual.capabilities() == {DELETE, UPDATE, DEFERRED}
    assert READ not in manual.capabilities()
    with pytest.raises(ConnectorError, match="cannot read"):
        manual.find("candidates", Match.of("email", [EMAIL]), ["id"])


@pytest.mark.req("ER-1")
def test_erasure_creates_one_task_and_stays_pending(manual: ManualConnector, store: MemoryTaskStore) -> None:
    match = Match.of("email", [EMAIL])
    with pytest.raises(TaskPending, match="^pending: task ") as raised:
        manual.delete("candidates", match)
    task = raised.value.task
    assert task.is_open and task.operation == "erase" and task.due == date(2026, 12, 6)
    with pytest.raises(TaskPending):
        manual.delete("candidates", match)  # a retried step finds the same task
    assert [t.id for t in store.list()] == [task.id]
    with pytest.raises(TaskPending):
        manual.count("candidates", match)


def test_the_instruction_names_recipient_request_categories_subject_and_due_date(
        manual: ManualConnector) -> None:
    with pytest.raises(TaskPending) as raised:
        manual.delete("candidates", Match.of("email", [EMAIL]))
    text = raised.value.task.instruction
    for expected in ("Hireflow (recruiting) <privacy@hireflow.example>", "REQ-42", "candidates",
                     "user.contact.email, user.name", f"email: {EMAIL}", "2026-12-06"):
        assert expected in text
    assert EMAIL not in str(raised.value)  # the step's reason (which may be logged) has no personal data


@pytest.mark.req("ER-1")
def test_closing_with_evidence_completes_the_step(manual: ManualConnector, store: MemoryTaskStore,
                                                  tmp_path: Path) -> None:
    match = Match.of("email", [EMAIL])
    with pytest.raises(TaskPending) as raised:
        manual.delete("candidates", match)
    proof = tmp_path / "confirmation.eml"
    proof.write_bytes(b"Deleted as asked.")
    digest = file_digest(proof)
    assert digest == hashlib.sha256(b"Deleted as asked.").hexdigest()
    closed = close_task(store, raised.value.task.id, "  Recipient confirmed by mail  ", file_sha256=digest,
                        rows=2, now=NOW)
    assert not closed.is_open and closed.note == "Recipient confirmed by mail"
    assert manual.delete("candidates", match) == 2
    assert manual.count("candidates", match) == 0
    assert store.list(open_only=True) == []


def test_a_closed_task_keeps_only_digests_of_the_subject(manual: ManualConnector,
                                                         store: MemoryTaskStore) -> None:
    with pytest.raises(TaskPending) as raised:
        manual.delete("candidates", Match.of("email", [EMAIL]))
    closed = close_task(store, raised.value.task.id, "done", now=NOW)
    assert EMAIL not in repr(closed)
    assert closed.subject == (("email", "sha256:" + hashlib.sha256(EMAIL.encode()).hexdigest()),)


@pytest.mark.parametrize(("note", "file_sha256", "rows", "message"), [
    ("", None, None, "needs a note"),
    ("ok", "not-a-hash", None, "64 lowercase hex"),
    ("ok", None, -1, "zero or more"),
])
def test_closing_needs_valid_evidence(manual: ManualConnector, store: MemoryTaskStore, note: str,
                                      file_sha256: str | None, rows: int | None, message: str) -> None:
    with pytest.raises(TaskPending) as raised:
        manual.delete("candidates", Match.of("email", [EMAIL]))
    with pytest.raises(TaskError, match=message):
        close_task(store, raised.value.task.id, note, file_sha256=file_sha256, rows=rows)
    assert store.list(open_only=True)


def test_a_task_closes_once_and_unknown_tasks_are_named(manual: ManualConnector,
                                                        store: MemoryTaskStore) -> None:
    with pytest.raises(TaskPending) as raised:
        manual.delete("candidates", Match.of("email", [EMAIL]))
    close_task(store, raised.value.task.id, "done", now=NOW)
    with pytest.raises(TaskError, match="already closed on 2026-11-26"):
        close_task(store, raised.value.task.id, "again")
    with pytest.raises(TaskError, match="no task nope"):
        close_task(store, "nope", "done")


@pytest.mark.req("RR-1")
def test_correction_lists_each_change_in_its_own_task(manual: ManualConnector,
                                                      store: MemoryTaskStore) -> None:
    match = Match.of("email", [EMAIL])
    with pytest.raises(TaskPending):
        manual.delete("candidates", match)
    with pytest.raises(TaskPending) as raised:
        manual.update("candidates", match, {"name": MapValues((("Ann", "Anne"),)), "phone": SetNull()})
    task = raised.value.task
    assert task.operation == "correct" and len(store.list()) == 2
    assert "name: replace 'Ann' -> 'Anne'" in task.instruction
    assert "phone: remove the value" in task.instruction


def test_another_request_gets_its_own_task(manual: ManualConnector, store: MemoryTaskStore) -> None:
    match = Match.of("email", [EMAIL])
    for request in ("REQ-42", "REQ-43"):
        with pytest.raises(TaskPending):
            manual.bound_to(request).delete("candidates", match)
    assert len({t.id for t in store.list()}) == 2
    with pytest.raises(ConnectorError, match="no erasure task"):
        manual.bound_to("REQ-44").count("candidates", match)


def test_the_registry_builds_it_from_plain_settings() -> None:
    settings = {"recipient": "Hireflow", "categories": "user.name, user.contact", "due_days": "5"}
    connector = registry.create("manual", None, settings)
    assert isinstance(connector, ManualConnector)
    assert connector.categories == ("user.name", "user.contact") and connector.due_days == 5
    with pytest.raises(ConnectorError, match="needs a `recipient`"):
        registry.create("manual", None, {})
    with pytest.raises(ConnectorError, match="whole number"):
        registry.create("manual", None, {"recipient": "x", "due_days": "soon"})
