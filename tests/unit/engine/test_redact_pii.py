"""Redaction of free text on erasure replaces identity values and what the PII engine finds."""

from __future__ import annotations

import copy
import sys
from typing import Any

import pytest

import privacyops.pii
from privacyops.connectors.base import MapValues, ReplaceText
from privacyops.connectors.memory import ForeignKey, MemoryConnector
from privacyops.engine import redact
from privacyops.engine.plan import build_plan
from privacyops.engine.run import run_erasure

from .test_run_memory import KEY, MakeManifest

ME = {"email": "me@example.com"}
TABLES: dict[str, Any] = {
    "users": {"identity": {"email": "email"},
              "fields": {"id": "user.unique_id", "email": "user.contact.email"}},
    "traces": {"references": {"user_id": "users.id"}, "erase": "pseudonymise",
               "fields": {"id": None, "user_id": "user.unique_id",
                          "input": {"category": "user.content", "erase": "redact"}}},
}
MY_TEXT = "Contact me@example.com or +49 30 1234567, card 4111 1111 1111 1111, thanks"
OTHER_TEXT = "Reach other@example.com at +49 30 7654321"


def data() -> dict[str, list[dict[str, Any]]]:
    return {
        "users": [{"id": "u1", "email": "me@example.com"}, {"id": "u2", "email": "other@example.com"}],
        "traces": [{"id": "t1", "user_id": "u1", "input": MY_TEXT},
                   {"id": "t2", "user_id": "u1", "input": "no personal data here"},
                   {"id": "t3", "user_id": "u1", "input": None},
                   {"id": "t4", "user_id": "u2", "input": OTHER_TEXT}],
    }


def test_trace_text_loses_email_phone_and_card_and_other_rows_stay(manifest_with: MakeManifest) -> None:
    connector = MemoryConnector(data(), foreign_keys=[ForeignKey("traces", ("user_id",), "users", ("id",))])
    result = run_erasure(build_plan(manifest_with(TABLES), ME, "erasure"), {"app": connector}, KEY, ME)
    assert result.ok, result
    traces = {t["id"]: t for t in connector.tables["traces"]}
    assert traces["t1"]["input"] == "Contact [redacted] or <PHONE_NUMBER>, card <CREDIT_CARD>, thanks"
    assert traces["t2"]["input"] == "no personal data here"
    assert traces["t3"]["input"] is None
    assert traces["t4"] == data()["traces"][3]
    assert [u["id"] for u in connector.tables["users"]] == ["u2"]


def test_erasing_twice_changes_nothing_more(manifest_with: MakeManifest) -> None:
    connector = MemoryConnector(data(), foreign_keys=[ForeignKey("traces", ("user_id",), "users", ("id",))])
    plan = build_plan(manifest_with(TABLES), ME, "erasure")
    run_erasure(plan, {"app": connector}, KEY, ME)
    first = copy.deepcopy(connector.tables)
    assert run_erasure(plan, {"app": connector}, KEY, ME).ok
    assert connector.tables == first


def test_one_change_maps_each_distinct_text_once() -> None:
    rows = [{"id": 1, "input": MY_TEXT}, {"id": 2, "input": MY_TEXT}, {"id": 3, "input": "plain"}]
    change = redact.redact_change("input", rows, ["me@example.com"], "[redacted]")
    assert isinstance(change, MapValues)
    assert [old for old, _ in change.mapping] == [MY_TEXT]
    assert "<CREDIT_CARD>" in change.mapping[0][1] and "4111" not in change.mapping[0][1]


def test_without_the_pii_engine_only_identity_values_are_replaced() -> None:
    rows = [{"id": 1, "input": MY_TEXT}]
    change = redact.redact_change("input", rows, ["me@example.com"], "[redacted]", use_pii=False)
    assert isinstance(change, MapValues)
    assert change.mapping[0][1] == MY_TEXT.replace("me@example.com", "[redacted]")


def test_rows_read_without_the_field_fall_back_to_replacing_identity_values() -> None:
    change = redact.redact_change("input", [{"id": 1}], ["me@example.com"], "[redacted]")
    assert change == ReplaceText(("me@example.com",), "[redacted]")


@pytest.mark.parametrize(("text", "needles", "expected"), [
    ("id me@example.com!", ["me@example.com"], "id [redacted]!"),
    ("server 10.1.2.3 said hi", [], "server <IP_ADDRESS> said hi"),
    ("iban DE89370400440532013000", [], "iban <IBAN_CODE>"),
    ("me@example.com and you@example.com", ["me@example.com"], "[redacted] and <EMAIL_ADDRESS>"),
])
def test_redacted_text(text: str, needles: list[str], expected: str) -> None:
    assert redact.redact_texts([text], needles, "[redacted]", redact.default_analyzer()) == [expected]


def test_overlapping_spans_merge_and_the_identity_names_them() -> None:
    spans = [(0, 5, "[redacted]")]
    assert redact.apply_spans("abcdefgh", spans, [(3, 7, "<X>")]) == "[redacted]h"


def test_when_the_pii_engine_cannot_be_imported_identity_values_are_still_replaced(
        monkeypatch: pytest.MonkeyPatch, manifest_with: MakeManifest) -> None:
    monkeypatch.setitem(sys.modules, "privacyops.pii.engine", None)  # makes the import fail
    monkeypatch.delattr(privacyops.pii, "engine", raising=False)
    monkeypatch.setattr(redact, "_loaded", False)
    monkeypatch.setattr(redact, "_analyzer", None)
    assert not redact.pii_available()
    connector = MemoryConnector(data(), foreign_keys=[ForeignKey("traces", ("user_id",), "users", ("id",))])
    assert run_erasure(build_plan(manifest_with(TABLES), ME, "erasure"), {"app": connector}, KEY, ME).ok
    first = next(t for t in connector.tables["traces"] if t["id"] == "t1")
    assert first["input"] == MY_TEXT.replace("me@example.com", "[redacted]")
