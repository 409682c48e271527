"""Erasure redacts the identifying values of the subject's own rows and re-reads what it cleaned (ER-6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from privacyops.connectors.base import Change, Match
from privacyops.connectors.memory import ForeignKey, MemoryConnector
from privacyops.engine.plan import build_plan
from privacyops.engine.run import run_erasure

from .test_run_memory import KEY, MakeManifest

ME = {"email": "me@example.com"}
TABLES: dict[str, Any] = {
    "users": {"identity": {"email": "email"},
              "fields": {"id": "user.unique_id", "email": "user.contact.email", "name": "user.name",
                         "handle": "user.account.username",
                         "nickname": {"category": "user.name", "identifies": False}}},
    "notes": {"references": {"user_id": "users.id"}, "erase": "redact",
              "fields": {"id": None, "user_id": "user.unique_id", "text": "user.content"}},
}
TEXT = "From Ada Lovelace (ada_l), aka Countess; Ada wrote this."


def data() -> dict[str, list[dict[str, Any]]]:
    return {"users": [{"id": "u1", "email": "me@example.com", "name": "Ada Lovelace", "handle": "ada_l",
                       "nickname": "Countess"}],
            "notes": [{"id": "n1", "user_id": "u1", "text": TEXT}]}


class IgnoresText(MemoryConnector):
    """A data store that reports an update of `text` as done but keeps the old value."""

    def update(self, table: str, match: Match, changes: Mapping[str, Change]) -> int:
        return super().update(table, match, {k: v for k, v in changes.items() if k != "text"})


def erase(manifest_with: MakeManifest, connector: MemoryConnector) -> Any:
    return run_erasure(build_plan(manifest_with(TABLES), ME, "erasure"), {"app": connector}, KEY, ME)


@pytest.mark.req("ER-6")
def test_names_and_usernames_of_the_subjects_rows_are_redacted(manifest_with: MakeManifest) -> None:
    connector = MemoryConnector(data(), foreign_keys=[ForeignKey("notes", ("user_id",), "users", ("id",))])
    result = erase(manifest_with, connector)
    assert result.ok, result
    (note,) = connector.tables["notes"]
    # `identifies: false` keeps the nickname out of what counts as identifying.
    assert note["text"] == "From [redacted] ([redacted]), aka Countess; [redacted] wrote this."


@pytest.mark.req("ER-6")
def test_a_store_that_keeps_the_old_text_fails_the_step_by_field_without_the_value(
        manifest_with: MakeManifest) -> None:
    connector = IgnoresText(data(), foreign_keys=[ForeignKey("notes", ("user_id",), "users", ("id",))])
    result = erase(manifest_with, connector)
    assert not result.ok
    (failed,) = [s for s in result.steps if s.status == "failed"]
    assert failed.table == "app.notes"
    assert "app.notes.text still holds the subject's name, username after redaction" in failed.reason
    assert "Ada" not in failed.reason and "ada_l" not in failed.reason
    assert [s.status for s in result.steps if s.table == "app.users"] == ["blocked"]  # the parent waits
    assert [u["id"] for u in connector.tables["users"]] == ["u1"]


def test_values_found_before_are_used_when_the_parent_row_is_gone(manifest_with: MakeManifest) -> None:
    rows = data()
    rows["users"][0]["name"] = None  # the profile no longer holds the name; an earlier collection did
    connector = MemoryConnector(rows, foreign_keys=[ForeignKey("notes", ("user_id",), "users", ("id",))])
    plan = build_plan(manifest_with(TABLES), ME, "erasure")
    result = run_erasure(plan, {"app": connector}, KEY, ME, own={"name": ["Ada Lovelace"]})
    assert result.ok, result
    assert "Ada" not in connector.tables["notes"][0]["text"]


def test_the_plan_names_the_fields_whose_values_are_the_subjects_own(manifest_with: MakeManifest) -> None:
    text = build_plan(manifest_with(TABLES), ME, "erasure").render()
    assert "the subject's own identifying values: id (identifier), email (email), name (name), " \
           "handle (username)" in text
    assert "nickname" not in text and "Ada" not in text
