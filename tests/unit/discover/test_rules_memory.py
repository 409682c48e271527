"""Drift findings of a scan over the in-memory connector, located at the manifest's keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from privacyops.connectors.memory import MemoryConnector
from privacyops.manifest.schema import Manifest
from privacyops.pii import discover
from privacyops.pii.discover_report import ScanReport

from .data import CARDS, card_text, email, phone

ROWS = 30


def users(**extra: Callable[[int], Any]) -> list[dict[str, Any]]:
    rows = []
    for i in range(ROWS):
        row = {"id": f"u_{i}", "email": email(i), "phone": phone(i), "nickname": f"nick{i}",
               "notes": f"likes the colour number {i}"}
        row.update({name: make(i) for name, make in extra.items()})
        rows.append(row)
    return rows


def chats() -> list[dict[str, Any]]:
    return [{"id": f"c_{i}", "body": f"my card is {CARDS[i % 5]}, mail {email(i + 100)}"}
            for i in range(ROWS)]


def scan(manifest: Manifest, tables: dict[str, list[dict[str, Any]]], **options: Any) -> ScanReport:
    return discover.scan_system(manifest, "app_db", MemoryConnector(tables), **options)


def codes(report: ScanReport) -> list[tuple[str, str]]:
    return [(f.level, f.code) for f in report.findings]


def line_of(manifest_text: str, needle: str) -> int:
    return next(n for n, line in enumerate(manifest_text.splitlines(), 1) if line.strip().startswith(needle))


def test_clean_data_gives_no_finding(manifest: Manifest) -> None:
    report = scan(manifest, {"users": users(), "chats": chats()})
    assert report.findings == []
    assert sorted(report.tables_scanned) == ["chats", "users"]
    email_column = next(c for c in report.columns if c.column == "email")
    assert (email_column.sampled, email_column.matched) == (ROWS, ROWS)


def test_undeclared_column_full_of_emails_is_an_error(manifest: Manifest) -> None:
    from .conftest import manifest_text

    report = scan(manifest, {"users": users(backup=lambda i: email(i + 500)), "chats": chats()})
    assert codes(report) == [("error", "undeclared-personal-data")]
    finding = report.findings[0]
    assert finding.file == "privacy.yml"
    assert finding.line == line_of(manifest_text(), "fields:")  # users.fields, the first one
    assert finding.key == "systems.app_db.tables.users.fields.backup"
    assert f"{ROWS} of {ROWS} sampled rows (100%)" in finding.message
    assert "EMAIL_ADDRESS 30" in finding.message and "user.contact.email" in finding.message
    assert "`backup: user.contact.email`" in finding.fix
    assert email(500) not in json.dumps(report.as_dict())
    assert report.has_errors()


def test_column_declared_without_category_holding_phones_is_an_error(manifest: Manifest) -> None:
    rows = users()
    for i, row in enumerate(rows):
        row["nickname"] = phone(i + 200)
    report = scan(manifest, {"users": rows, "chats": chats()})
    assert codes(report) == [("error", "undeclared-personal-data")]
    assert "declared without a category" in report.findings[0].message
    assert "user.contact.phone_number" in report.findings[0].message


def test_undeclared_table_is_reported_with_its_personal_columns(manifest: Manifest) -> None:
    tickets = [{"id": i, "subject": "printer broken", "reply_to": email(i + 900)} for i in range(ROWS)]
    audit = [{"id": i, "action": "login"} for i in range(ROWS)]
    report = scan(manifest, {"users": users(), "chats": chats(), "tickets": tickets, "audit": audit})
    assert sorted(codes(report)) == [("error", "undeclared-personal-data"),
                                     ("warning", "undeclared-table"), ("warning", "undeclared-table")]
    assert report.undeclared_tables == ["audit", "tickets"]
    error = report.findings[0]
    assert "tickets.reply_to" in error.message and "does not declare" in error.message
    assert error.key == "systems.app_db.tables"
    # Undeclared tables are scanned first: if the budget runs out, they have been looked at.
    assert report.tables_scanned[:2] == ["audit", "tickets"]


def test_declared_email_column_without_emails_is_a_warning(manifest: Manifest) -> None:
    rows = users()
    for row in rows:
        row["email"] = "unknown"
    report = scan(manifest, {"users": rows, "chats": chats()})
    assert codes(report) == [("warning", "category-not-seen")]
    assert report.findings[0].key == "systems.app_db.tables.users.fields.email"
    assert f"none of {ROWS} sampled values" in report.findings[0].message


def test_absence_needs_enough_rows(manifest: Manifest) -> None:
    rows = users()[:10]
    for row in rows:
        row["email"] = "unknown"
    assert scan(manifest, {"users": rows, "chats": chats()}).findings == []


def test_plain_content_holding_card_numbers_is_more_sensitive_than_declared(manifest: Manifest) -> None:
    report = scan(manifest, {"users": users(notes=card_text), "chats": chats()})
    assert codes(report) == [("warning", "sensitive-not-declared")]
    finding = report.findings[0]
    assert finding.key == "systems.app_db.tables.users.fields.notes"
    assert "user.financial.credit_card" in finding.message and "CREDIT_CARD 30" in finding.message
    for card in CARDS:
        assert card not in str(finding)


def test_content_that_may_be_sensitive_admits_card_numbers(manifest: Manifest) -> None:
    # chats.body is user.content.llm_payload, declared `sensitive: maybe`: cards there are foreseen.
    report = scan(manifest, {"users": users(), "chats": chats()})
    body = next(c for c in report.columns if c.column == "body")
    assert body.entities["CREDIT_CARD"] == ROWS
    assert report.findings == []


def test_a_single_coincidence_is_only_information(manifest: Manifest) -> None:
    rows = users(ref=lambda i: "4111111111111111" if i == 0 else f"ref-{i}")
    report = scan(manifest, {"users": rows, "chats": chats()})
    assert codes(report) == [("info", "possible-personal-data")]
    assert not report.has_errors()


def test_declared_tables_and_columns_missing_from_the_database(manifest: Manifest) -> None:
    rows = [{k: v for k, v in row.items() if k != "phone"} for row in users()]
    report = scan(manifest, {"users": rows})
    assert sorted(f.key for f in report.findings) == ["systems.app_db.tables.chats",
                                                      "systems.app_db.tables.users.fields.phone"]
    assert {f.code for f in report.findings} == {"declared-table-missing", "declared-column-missing"}


def test_spent_budget_leaves_tables_unscanned_and_says_so(manifest: Manifest) -> None:
    report = scan(manifest, {"users": users(), "chats": chats()}, time_budget_s=0.0)
    assert report.tables_scanned == [] and sorted(report.tables_not_scanned) == ["chats", "users"]
    assert codes(report) == [("warning", "scan-incomplete")]
    assert "not scanned: chats, users" in report.findings[0].message


def test_sample_rows_bounds_what_is_read(manifest: Manifest) -> None:
    report = scan(manifest, {"users": users(), "chats": chats()}, sample_rows=7)
    assert {c.sampled for c in report.columns if c.column in {"email", "body"}} == {7}


@pytest.mark.parametrize(("system", "connector", "message"), [
    ("nope", MemoryConnector(), "no system 'nope'"),
    ("app_db", object(), "cannot list its tables"),
])
def test_scan_errors(manifest: Manifest, system: str, connector: Any, message: str) -> None:
    with pytest.raises(discover.ScanError, match=message):
        discover.scan_system(manifest, system, connector)


def test_documents_are_read_as_json_text(manifest: Manifest) -> None:
    report = scan(manifest, {"users": users(profile=lambda i: {"contact": {"mail": email(i + 700)}}),
                             "chats": chats()})
    assert codes(report) == [("error", "undeclared-personal-data")]
    profile = next(c for c in report.columns if c.column == "profile")
    assert profile.entities == {"EMAIL_ADDRESS": ROWS} and profile.embedded == {"EMAIL_ADDRESS": ROWS}
