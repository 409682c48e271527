"""Erasure removes every identifying value of the subject from the text it keeps, or fails by name (ER-6)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa

from privacyops.audit import chain
from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.execution import ExecutionRun, ExecutionStep
from privacyops.store.models.outbox import OutboxMessage

from . import data
from .conftest import Desk

# Every value that identifies the subject, from her own rows; her phone is looked for by its digits.
HER_VALUES = (*(v for k, v in data.RENEE.items() if k != "phone"), *data.RENEE_MEMBER.values(),
              *data.RENEE_PARTS)


def leaves(text: str) -> list[str]:
    """Return the text and, when it is a JSON document, every key and string inside it (escapes undone)."""
    found = [text]
    try:
        document = json.loads(text)
    except ValueError:
        return found
    pending: list[Any] = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            found += [str(k) for k in item]
            pending += list(item.values())
        elif isinstance(item, list):
            pending += item
        elif isinstance(item, str):
            found.append(item)
    return found


def her_values_in(text: str) -> list[str]:
    """Name which of her values a stored text still holds, looked for independently of the engine."""
    left = []
    for leaf in leaves(text):
        folded = leaf.casefold()
        left += [v for v in HER_VALUES if v.casefold() in folded]
        if data.RENEE_PHONE_DIGITS in re.sub(r"\D", "", leaf):
            left.append("phone")
    return left


@pytest.mark.req("ER-1", "ER-6")
def test_erasure_leaves_none_of_her_values_anywhere_in_the_database(desk: Desk) -> None:
    before = data.all_text(desk.desk_url)
    assert her_values_in(before[("tickets", "t_1", "body")])  # the independent scan sees them before
    request_id, report = desk.run("erasure")
    assert report.status == "completed", report
    after = data.all_text(desk.desk_url)
    remaining = {place: her_values_in(text) for place, text in after.items() if her_values_in(text)}
    assert remaining == {}
    assert {(t, i) for t, i, _ in after} == {("customers", "c_2"), ("loyalty_accounts", "l_2"),
                                             ("tickets", "t_1"), ("tickets", "t_2"), ("tickets", "t_3"),
                                             ("tickets", "t_4")}
    others = {place: text for place, text in before.items() if place[:2] in
              {("customers", "c_2"), ("loyalty_accounts", "l_2"), ("tickets", "t_4")}}
    assert {place: after[place] for place in others} == others  # other people's rows are untouched
    body = after[("tickets", "t_1", "body")]
    assert body.startswith("Hi, this is [redacted] ([redacted]). My parcel never reached [redacted].")
    assert after[("tickets", "t_3", "body")] == before[("tickets", "t_3", "body")]
    assert json.loads(after[("tickets", "t_1", "payload")])["channel"] == "web"  # still JSON
    with desk.sessions() as session:
        run = session.get(ExecutionRun, request_id)
        assert run is not None and run.subject == {}
        text_proof = "the subject's values in redacted text"
        proofs = [e for e in run.outcome["evidence"] if e["finder"] == text_proof]
        assert proofs == [{"table": "helpdesk.tickets", "finder": text_proof, "remaining": 0, "held": False,
                           "problems": []}]


@pytest.mark.req("ER-6")
def test_a_field_the_database_will_not_clean_fails_the_request_by_name(desk: Desk) -> None:
    data.lock_ticket_bodies(desk.desk_url)
    request_id, report = desk.run("erasure")
    assert report.status == "failed", report
    failed = [s for s in report.steps if s["state"] == "failed"]
    assert [s["name"] for s in failed] == ["erase helpdesk.tickets"]
    reason = failed[0]["reason"]
    assert "helpdesk.tickets.body still holds the subject's" in reason and "name" in reason
    assert "helpdesk.tickets.subject" not in reason and "payload" not in reason  # those were cleaned
    blocked = {s["name"] for s in report.steps if s["state"] == "blocked"}
    assert {"erase helpdesk.customers", "prove nothing is left", "close"} <= blocked
    assert data.all_text(desk.desk_url)[("customers", "c_1", "full_name")] == data.RENEE["full_name"]
    with desk.sessions() as session:
        written = [reason, json.dumps(session.get(ExecutionRun, request_id).outcome)]  # type: ignore[union-attr]
        written += [json.dumps(e.data) for e in session.execute(sa.select(AuditEvent)).scalars()]
        written += [m.body_text for m in session.execute(sa.select(OutboxMessage)).scalars()
                    if m.recipient != data.RENEE["email"]]
        written += [s.reason or "" for s in session.execute(sa.select(ExecutionStep)).scalars()]
        assert chain.verify(session).ok
    assert any("helpdesk.tickets.body" in text for text in written[2:])  # the team and the audit hear of it
    for text in written:
        assert not her_values_in(text), text

