from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from privacyops.connectors.base import ALL_CAPABILITIES, READ, UPDATE
from privacyops.connectors.memory import ForeignKey, MemoryConnector
from privacyops.engine.plan import build_plan
from privacyops.engine.run import pseudonym, run_access, run_erasure
from privacyops.manifest.schema import Manifest

MakeManifest = Callable[..., Manifest]
KEY = b"test-key"
ME = {"email": "me@example.com"}

TABLES: dict[str, Any] = {
    "users": {"identity": {"email": "email", "user_id": "id"}, "references": {"referred_by": "users.id"},
              "fields": {"id": "user.unique_id", "email": "user.contact.email", "referred_by": None,
                         "password": {"category": "user.authorization.password",
                                      "disclose": "existence_only"}}},
    "orders": {"references": {"user_id": "users.id"}, "fields": {"id": None, "user_id": "user.unique_id"}},
    "order_lines": {"primary_key": ["order_id", "line_no"], "references": {"order_id": "orders.id"},
                    "fields": {"order_id": None, "line_no": None, "note": "user.content"}},
    "line_notes": {
        "references": [{"fields": ["order_id", "line_no"],
                        "to": ["order_lines.order_id", "order_lines.line_no"]}],
        "fields": {"id": None, "order_id": None, "line_no": None, "text": "user.content"}},
    "groups": {"fields": {"id": None, "name": None}, "erase": "none"},
    "memberships": {"references": {"user_id": "users.id", "group_id": "groups.id"},
                    "fields": {"id": None, "user_id": "user.unique_id", "group_id": None}},
    "events": {"identity": {"email": "payload->user.email"},
               "fields": {"id": None, "payload": "user.content"}},
    "newsletter": {"identity": {"email": "email"}, "fields": {"id": None, "email": "user.contact.email"}},
    "audit": {"references": {"user_id": "users.id"}, "erase": "pseudonymise",
              "fields": {"id": None, "user_id": "user.unique_id", "actor": "user.name",
                         "ip": {"category": "user.device.ip_address", "erase": "null"},
                         "comment": {"category": "user.content", "erase": "redact"}}},
}


def rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "users": [{"id": "u1", "email": "me@example.com", "referred_by": None, "password": "$2b$hash"},
                  {"id": "u2", "email": "other@example.com", "referred_by": "u1", "password": None}],
        "orders": [{"id": "o1", "user_id": "u1"}, {"id": "o2", "user_id": "u2"}],
        "order_lines": [{"order_id": "o1", "line_no": 1, "note": "gift"},
                        {"order_id": "o1", "line_no": 2, "note": "x"},
                        {"order_id": "o2", "line_no": 1, "note": "y"}],
        "line_notes": [{"id": "n1", "order_id": "o1", "line_no": 2, "text": "fragile"},
                       {"id": "n2", "order_id": "o2", "line_no": 1, "text": "other"}],
        "groups": [{"id": "g1", "name": "team"}],
        "memberships": [{"id": "m1", "user_id": "u1", "group_id": "g1"},
                        {"id": "m2", "user_id": "u2", "group_id": "g1"}],
        "events": [{"id": "e1", "payload": json.dumps({"user": {"email": "me@example.com"}, "n": 1})},
                   {"id": "e2", "payload": json.dumps({"user": {"email": "other@example.com"}})},
                   {"id": "e3", "payload": "not json"}],
        "newsletter": [{"id": "l1", "email": "me@example.com"}, {"id": "l2", "email": "other@example.com"}],
        "audit": [{"id": "a1", "user_id": "u1", "actor": "Me Myself", "ip": "10.0.0.1",
                   "comment": "login by me@example.com"},
                  {"id": "a2", "user_id": "u1", "actor": "Me Myself", "ip": "10.0.0.2", "comment": None},
                  {"id": "a3", "user_id": "u2", "actor": "Other", "ip": "10.0.0.3", "comment": "ok"}],
    }


FOREIGN_KEYS = [
    ForeignKey("users", ("referred_by",), "users", ("id",)),
    ForeignKey("orders", ("user_id",), "users", ("id",)),
    ForeignKey("order_lines", ("order_id",), "orders", ("id",)),
    ForeignKey("line_notes", ("order_id", "line_no"), "order_lines", ("order_id", "line_no")),
    ForeignKey("memberships", ("user_id",), "users", ("id",)),
    ForeignKey("memberships", ("group_id",), "groups", ("id",)),
    ForeignKey("audit", ("user_id",), "users", ("id",)),
]


def store(**kwargs: Any) -> MemoryConnector:
    return MemoryConnector(rows(), foreign_keys=FOREIGN_KEYS, **kwargs)


def ids(result_rows: list[dict[str, Any]], *fields: str) -> set[Any]:
    return {tuple(r[f] for f in fields) if len(fields) > 1 else r[fields[0]] for r in result_rows}


def test_access_returns_exactly_the_subjects_rows(manifest_with: MakeManifest) -> None:
    plan = build_plan(manifest_with(TABLES), ME, "access")
    result = run_access(plan, {"app": store()}, ME)
    assert result.ok
    got = result.rows
    assert ids(got["app.users"], "id") == {"u1"}
    assert ids(got["app.orders"], "id") == {"o1"}
    assert ids(got["app.order_lines"], "order_id", "line_no") == {("o1", 1), ("o1", 2)}
    assert ids(got["app.line_notes"], "id") == {"n1"}  # through the composite key
    assert ids(got["app.memberships"], "id") == {"m1"}
    assert "app.groups" not in got  # many-to-many: the shared group is not the subject's
    assert ids(got["app.events"], "id") == {"e1"}  # identity inside JSON
    assert ids(got["app.newsletter"], "id") == {"l1"}
    assert ids(got["app.audit"], "id") == {"a1", "a2"}


@pytest.mark.req("AC-4")
def test_secrets_are_stated_not_disclosed(manifest_with: MakeManifest) -> None:
    result = run_access(build_plan(manifest_with(TABLES), ME, "access"), {"app": store()}, ME)
    assert result.rows["app.users"][0]["password"] == "set"
    assert "$2b$hash" not in repr(result)


def test_access_by_user_id_learns_the_email(manifest_with: MakeManifest) -> None:
    who = {"user_id": "u1"}
    result = run_access(build_plan(manifest_with(TABLES), who, "access"), {"app": store()}, who)
    assert ids(result.rows["app.newsletter"], "id") == {"l1"}
    assert ids(result.rows["app.events"], "id") == {"e1"}


@pytest.mark.req("ER-1")
def test_erasure_removes_the_subject_and_spares_others(manifest_with: MakeManifest) -> None:
    connector = store()
    result = run_erasure(build_plan(manifest_with(TABLES), ME, "erasure"), {"app": connector}, KEY, ME)
    assert result.ok, result.failures()
    t = connector.tables
    assert [u["id"] for u in t["users"]] == ["u2"]
    assert t["users"][0]["referred_by"] is None  # the self link was cut before the delete
    assert [o["id"] for o in t["orders"]] == ["o2"]
    assert [(r["order_id"], r["line_no"]) for r in t["order_lines"]] == [("o2", 1)]
    assert [n["id"] for n in t["line_notes"]] == ["n2"]
    assert [m["id"] for m in t["memberships"]] == ["m2"] and t["groups"] == rows()["groups"]
    assert [e["id"] for e in t["events"]] == ["e2", "e3"]
    assert [n["id"] for n in t["newsletter"]] == ["l2"]
    assert all(e.remaining == 0 for e in result.evidence)
    assert len(result.evidence) >= len(TABLES) - 1


@pytest.mark.req("ER-1")
def test_kept_rows_are_pseudonymised_redacted_and_cut_loose(manifest_with: MakeManifest) -> None:
    connector = store()
    run_erasure(build_plan(manifest_with(TABLES), ME, "erasure"), {"app": connector}, KEY, ME)
    audit = {a["id"]: a for a in connector.tables["audit"]}
    assert audit["a1"]["user_id"] is None  # points at a deleted user: detached, not pseudonymised
    assert audit["a1"]["actor"] == audit["a2"]["actor"] == pseudonym(KEY, "Me Myself")
    assert audit["a1"]["ip"] is None
    assert audit["a1"]["comment"] == "login by [redacted]"
    assert audit["a3"] == rows()["audit"][2]


def test_erasure_twice_gives_the_same_end_state(manifest_with: MakeManifest) -> None:
    connector = store()
    plan = build_plan(manifest_with(TABLES), ME, "erasure")
    run_erasure(plan, {"app": connector}, KEY, ME)
    after_first = copy.deepcopy(connector.tables)
    again = run_erasure(plan, {"app": connector}, KEY, ME)
    assert again.ok
    assert connector.tables == after_first


def test_uses_set_based_calls_not_one_per_row(manifest_with: MakeManifest) -> None:
    connector = store()
    run_erasure(build_plan(manifest_with(TABLES), ME, "erasure"), {"app": connector}, KEY, ME)
    deletes = [table for op, table in connector.calls if op == "delete"]
    assert len(deletes) == len(set(deletes))  # one delete call per table, whatever the row count


@pytest.mark.req("ER-6")
def test_missing_update_capability_fails_the_step_by_name(manifest_with: MakeManifest) -> None:
    connector = store(capabilities=ALL_CAPABILITIES - {UPDATE})
    result = run_erasure(build_plan(manifest_with(TABLES), ME, "erasure"), {"app": connector}, KEY, ME)
    assert not result.ok
    failed = {s.table: s.reason for s in result.failures()}
    assert "cannot update rows of audit" in failed["app.audit"]
    assert "waits for" in failed["app.users"]  # users are not deleted under rows that still point at them
    assert any(u["id"] == "u1" for u in connector.tables["users"])


@pytest.mark.req("ER-6")
def test_absent_column_fails_the_step_by_name(manifest_with: MakeManifest) -> None:
    tables = copy.deepcopy(TABLES)
    tables["newsletter"]["fields"]["name"] = "user.name"
    result = run_erasure(build_plan(manifest_with(tables), ME, "erasure"), {"app": store()}, KEY, ME)
    (failure,) = [s for s in result.failures()]
    assert failure.table == "app.newsletter"
    assert "newsletter.name is declared but is not a column" in failure.reason


@pytest.mark.req("ER-6")
def test_not_null_column_with_null_strategy_fails_loudly(manifest_with: MakeManifest) -> None:
    connector = MemoryConnector(rows(), foreign_keys=FOREIGN_KEYS, not_null={"audit": ["ip"]})
    result = run_erasure(build_plan(manifest_with(TABLES), ME, "erasure"), {"app": connector}, KEY, ME)
    reasons = [s.reason for s in result.failures()]
    assert any("audit.ip cannot be erased" in r and "NOT NULL" in r for r in reasons)
    assert not result.ok


def test_missing_connector_is_named(manifest_with: MakeManifest) -> None:
    result = run_access(build_plan(manifest_with(TABLES), ME, "access"), {}, ME)
    assert not result.ok
    assert all("no connector is configured for system app" in s.reason for s in result.steps)


@pytest.mark.req("ER-6")
def test_read_only_connector_cannot_erase(manifest_with: MakeManifest) -> None:
    connector = store(capabilities={READ})
    result = run_erasure(build_plan(manifest_with(TABLES), ME, "erasure"), {"app": connector}, KEY, ME)
    assert not result.ok
    assert connector.tables == rows()
