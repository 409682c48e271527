"""Pure rules of execution: which recipients a request concerns, identity seeds, held finders."""

from __future__ import annotations

import pytest

from privacyops.engine.plan import FieldAction, TablePlan
from privacyops.execution import erasure, fanout, suppression


@pytest.mark.parametrize(("held", "wanted", "expected"), [
    (["user.contact.email"], ["user.contact.email"], ["user.contact.email"]),
    (["user.device"], ["user.device.ip_address"], ["user.device.ip_address"]),
    (["user.contact.email"], ["user.contact"], ["user.contact"]),
    (["user.contact.email"], ["user.contact.emailish"], []),
    (["user.financial"], ["user.name", "user.contact.email"], []),
])
def test_a_recipient_is_concerned_by_related_categories(held: list[str], wanted: list[str],
                                                         expected: list[str]) -> None:
    assert fanout.concerns(held, wanted) == expected


def test_seeds_cover_every_identity_found() -> None:
    subject = {"identities": {"email": ["a@example.com", "b@example.com"], "user_id": ["u_1"]}}
    assert list(erasure.seeds(subject)) == [{"email": "a@example.com", "user_id": "u_1"},
                                            {"email": "b@example.com"}]


def table(row_action: str, actions: dict[str, str]) -> TablePlan:
    return TablePlan(id="db.t", system="db", table="t", key=("id",), finders=(), read=(), existence_only=(),
                     identities={}, row_action=row_action,  # type: ignore[arg-type]
                     field_actions=tuple(FieldAction(f, a) for f, a in actions.items()))  # type: ignore[arg-type]


@pytest.mark.parametrize(("row_action", "actions", "fields", "held"), [
    ("delete", {}, ("email",), False),
    ("keep", {"email": "keep"}, ("email",), True),
    ("keep", {"email": "null"}, ("email",), False),
    ("keep", {"payload": "keep"}, ("payload->user.email",), True),
])
@pytest.mark.req("ER-2")
def test_a_finder_is_held_only_when_its_columns_stay_on_purpose(
        row_action: str, actions: dict[str, str], fields: tuple[str, ...], held: bool) -> None:
    assert erasure.is_held(table(row_action, actions), fields) is held


@pytest.mark.parametrize(("proofs", "ok"), [
    ([{"remaining": 0, "held": False}], True),
    ([{"remaining": 2, "held": True}], True),
    ([{"remaining": 1, "held": False}], False),
    ([{"remaining": -1, "held": True}], False),  # the count itself failed: nothing is proven
])
@pytest.mark.req("ER-6")
def test_evidence_is_ok_only_when_nothing_unexpected_remains(proofs: list[dict[str, object]],
                                                             ok: bool) -> None:
    assert erasure.proof_ok(proofs) is ok  # type: ignore[arg-type]


@pytest.mark.req("ER-5")
def test_emails_are_hashed_without_case_or_spaces() -> None:
    key = b"k"
    assert suppression.identity_hash(key, "email", " A@Example.COM ") == suppression.identity_hash(
        key, "email", "a@example.com")
    assert suppression.identity_hash(key, "user_id", "u1") != suppression.identity_hash(key, "email", "u1")
