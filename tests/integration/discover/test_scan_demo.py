"""The scan on the demo database: silent on the clean demo, finds a planted column and table."""

from __future__ import annotations

import json

import sqlalchemy as sa

from privacyops.connectors.sql import SqlConnector
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest import load
from privacyops.pii import discover
from privacyops.pii.discover_report import ScanReport

from .conftest import PLANTED_DOMAIN, SMALL, plant


def scan(url: str, **options: object) -> ScanReport:
    connector = SqlConnector(url)
    try:
        manifest = load.load_manifest(LANGFUSE_MANIFEST)
        return discover.scan_system(manifest, "app_db", connector, **options)  # type: ignore[arg-type]
    finally:
        connector.close()


def test_clean_demo_gives_no_error_and_nothing_false(demo_url: str) -> None:
    report = scan(demo_url)
    assert not report.has_errors()
    assert [f for f in report.findings if f.level != "info"] == []
    assert report.undeclared_tables == [] and report.tables_not_scanned == []
    assert len(report.tables_scanned) == 15
    columns = {(c.table, c.column): c for c in report.columns}
    assert columns["users", "email"].entities == {"EMAIL_ADDRESS": SMALL["users"]}
    sessions_ip = columns["sessions", "ip_address"]
    assert sessions_ip.entities.get("IP_ADDRESS") == sessions_ip.sampled
    assert columns["traces", "input"].entities["CREDIT_CARD"] > 0  # foreseen: llm_payload may be sensitive


def test_planted_column_and_table_are_found_with_counts_and_masked_examples(demo_url: str) -> None:
    plant(demo_url)
    report = scan(demo_url)
    assert report.has_errors()
    errors = {f.key: f for f in report.findings if f.level == "error"}
    assert set(errors) == {"systems.app_db.tables.users.fields.recovery_contact", "systems.app_db.tables"}
    column = errors["systems.app_db.tables.users.fields.recovery_contact"]
    users = SMALL["users"]
    assert f"{users} of {users} sampled rows (100%)" in column.message
    assert f"EMAIL_ADDRESS {users}" in column.message
    assert column.file == str(LANGFUSE_MANIFEST) and column.line > 500
    assert f"@{PLANTED_DOMAIN}" in column.message  # the example keeps the domain ...
    assert "backup.u_" not in column.message  # ... and masks the person
    assert "support_notes.note" in errors["systems.app_db.tables"].message
    assert "PHONE_NUMBER" in errors["systems.app_db.tables"].message
    about_table = [(f.level, f.code) for f in report.findings if "support_notes" in f.message]
    assert sorted(about_table) == [("error", "undeclared-personal-data"), ("warning", "undeclared-table")]
    assert report.undeclared_tables == ["support_notes"]
    assert report.tables_scanned[0] == "support_notes"
    planted = next(c for c in report.columns if c.column == "recovery_contact")
    assert planted.entities == {"EMAIL_ADDRESS": users} and len(planted.examples) == 2
    dumped = json.dumps(report.as_dict())
    engine = sa.create_engine(demo_url)
    with engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT recovery_contact, phone FROM users")).all()
    engine.dispose()
    for contact, phone in raw:
        assert contact not in dumped
        assert phone is None or phone not in dumped


def test_big_tables_are_sampled_not_read_whole(demo_url: str) -> None:
    engine = sa.create_engine(demo_url)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: statements.append(statement))
    connector = SqlConnector(engine=engine)
    manifest = load.load_manifest(LANGFUSE_MANIFEST)
    report = discover.scan_system(manifest, "app_db", connector, sample_rows=50)
    engine.dispose()
    traces = [c for c in report.columns if c.table == "traces"]
    assert traces and all(0 < c.sampled <= 50 for c in traces if c.column == "id")
    sample = next(s for s in statements if "substr" in s.lower() and "traces" in s and "LIMIT" in s)
    if engine.dialect.name == "postgresql":
        assert "TABLESAMPLE system" in sample
    else:
        assert "rowid IN" in sample
    assert not report.has_errors()


def test_budget_spent_reports_what_was_not_scanned(demo_url: str) -> None:
    plant(demo_url)
    report = scan(demo_url, time_budget_s=0.000001)
    assert report.tables_scanned == []
    assert len(report.tables_not_scanned) == 16
    codes = {f.code for f in report.findings}
    assert "scan-incomplete" in codes and "undeclared-table" in codes
    assert "undeclared-personal-data" not in codes


def test_the_database_stops_a_query_that_outruns_the_time_left(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    slow = ("SELECT pg_sleep(3)" if engine.dialect.name == "postgresql" else
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000000) "
            "SELECT count(*) FROM c")
    stopped = False
    with engine.connect() as conn:
        try:
            with discover.stop_after(conn, engine.dialect.name, 0.05):
                conn.exec_driver_sql(slow)
        except sa.exc.OperationalError as exc:
            stopped = discover.is_timeout(exc)
    assert stopped
    with engine.connect() as conn:  # the limit does not outlive the sample
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()
