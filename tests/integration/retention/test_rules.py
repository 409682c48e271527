"""Sweeps in the manifest: checked with file:line; table actions (delete, null, pseudonymise) enforced."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.errors import ManifestError
from privacyops.manifest.load import load_text
from privacyops.retention import runs, sweep

from .conftest import Setup

SHIPPED_SWEEP = "sweep: {system: app_db, table: users, since: terminated_at, subject: user_id}"
TABLE_RULES = """
    - name: old-trace-payloads
      data: [app_db.traces]
      trigger: collected
      period: P1Y
      sweep: {system: app_db, table: traces, since: timestamp, action: "null", fields: [input, output],
              where: "name IS NOT NULL", batch_size: 50}
    - name: old-session-addresses
      data: [app_db.sessions]
      trigger: collected
      period: P6M
      sweep: {system: app_db, table: sessions, since: created_at, action: pseudonymise, fields: [ip_address]}
    - name: expired-sessions
      data: [app_db.sessions]
      trigger: last_activity
      period: P3M
      sweep: {system: app_db, table: sessions, since: expires_at, batch_size: 7}
"""
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def shipped_text() -> str:
    return Path(LANGFUSE_MANIFEST).read_text()


def count_in(conn: sa.Connection, sql: str) -> int:
    return int(conn.execute(sa.text(sql)).scalar_one())


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("replacement", "code", "words"),
    [
        (
            "sweep: {system: app_db, table: user, since: terminated_at, subject: user_id}",
            "sweep-undeclared-table",
            "did you mean `users`",
        ),
        (
            "sweep: {system: app_db, table: users, since: ended_at, subject: user_id}",
            "sweep-undeclared-column",
            "`ended_at`",
        ),
        (
            'sweep: {system: app_db, table: users, since: terminated_at, action: "null", fields: [nickname]}',
            "sweep-undeclared-column",
            "`nickname`",
        ),
        (
            "sweep: {system: app, table: users, since: terminated_at, subject: user_id}",
            "sweep-undeclared-system",
            "did you mean `app_db`",
        ),
    ],
)
def test_a_sweep_naming_what_is_not_declared_is_an_error_at_its_line(
    replacement: str, code: str, words: str
) -> None:
    text = shipped_text().replace(SHIPPED_SWEEP, replacement)
    with pytest.raises(ManifestError) as caught:
        load_text(text, "privacy.yml")
    (finding,) = [f for f in caught.value.findings if f.code == code]
    assert (finding.file, finding.line) == ("privacy.yml", line_of(text, replacement)), finding
    assert words in finding.message + finding.fix and finding.fix


def test_a_period_that_is_not_a_duration_and_a_hold_without_reason_are_reported_by_check(
    tmp_path: Path,
) -> None:
    text = shipped_text().replace(
        "      period: P1M\n      action: erase\n", "      period: one month\n      action: erase\n", 1
    )
    held = (
        "hold: {name: tax, reason: Commercial and tax law require invoices and their recipients to be kept, "
    )
    assert held in text
    text = text.replace(held, "hold: {name: tax, ", 1)
    path = tmp_path / "privacy.yml"
    path.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "privacyops", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"privacy.yml:{line_of(text, 'period: one month')}:" in output and "ISO 8601 duration" in output
    assert f"privacy.yml:{line_of(text, 'hold: {name: tax, period')}:" in output and "reason" in output


def test_table_rules_null_pseudonymise_and_delete_in_batches_and_a_rerun_does_nothing(setup: Setup) -> None:
    text = shipped_text().replace("  backups:\n", TABLE_RULES.lstrip("\n") + "  backups:\n", 1)
    manifest = load_text(text, "privacy.yml")
    env = setup.with_manifest(manifest)
    setup.clock.now = NOW
    engine = sa.create_engine(setup.demo_url)
    with engine.connect() as conn:
        due_payloads = count_in(
            conn,
            "SELECT COUNT(*) FROM traces WHERE timestamp <= '2025-01-01' AND name IS NOT NULL "
            "AND (input IS NOT NULL OR output IS NOT NULL)",
        )
        due_sessions = count_in(conn, "SELECT COUNT(*) FROM sessions WHERE expires_at <= '2025-10-01'")
        total_sessions = count_in(conn, "SELECT COUNT(*) FROM sessions")
    assert due_payloads and due_sessions
    with engine.connect() as conn:
        to_pseudonymise = count_in(
            conn, "SELECT COUNT(*) FROM sessions WHERE created_at <= '2025-07-01' AND ip_address IS NOT NULL"
        )
    results = {
        r.name: sweep.run_rule(env, setup.sessions, r)
        for r in sweep.sweep_rules(env)
        if r.name in ("old-trace-payloads", "old-session-addresses")
    }
    with engine.connect() as conn:
        addresses = [
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT ip_address FROM sessions WHERE created_at <= '2025-07-01' "
                    "AND ip_address IS NOT NULL"
                )
            )
        ]
    assert results["old-session-addresses"].rows["app_db.sessions"] == to_pseudonymise == len(addresses)
    assert all(a.startswith("pseud_") for a in addresses)
    (deleting,) = sweep.sweep_rules(env, "expired-sessions")
    results["expired-sessions"] = sweep.run_rule(env, setup.sessions, deleting)
    assert all(r.status == "done" for r in results.values()), {n: r.errors for n, r in results.items()}
    assert results["old-trace-payloads"].rows == {"app_db.traces": due_payloads}
    assert results["expired-sessions"].rows == {"app_db.sessions": due_sessions}
    with engine.connect() as conn:
        assert (
            count_in(
                conn,
                "SELECT COUNT(*) FROM traces WHERE timestamp <= '2025-01-01' AND name IS NOT NULL "
                "AND (input IS NOT NULL OR output IS NOT NULL)",
            )
            == 0
        )
        assert count_in(conn, "SELECT COUNT(*) FROM sessions") == total_sessions - due_sessions
    engine.dispose()
    for rule in sweep.sweep_rules(env):
        if rule.name in results:
            assert sweep.run_rule(env, setup.sessions, rule).rows == {}, rule.name


@pytest.mark.req("ER-3")
def test_a_batch_whose_ledger_entry_cannot_be_written_deletes_nothing(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = shipped_text().replace("  backups:\n", TABLE_RULES.lstrip("\n") + "  backups:\n", 1)
    env = setup.with_manifest(load_text(text, "privacy.yml"))
    setup.clock.now = NOW
    engine = sa.create_engine(setup.demo_url)
    with engine.connect() as conn:
        due = count_in(conn, "SELECT COUNT(*) FROM sessions WHERE expires_at <= '2025-10-01'")
        total = count_in(conn, "SELECT COUNT(*) FROM sessions")
    assert due > 7, "the rule's batch is 7 rows: the test needs a second batch"
    record, written = sweep.tombstones.record, []

    def fail_on_the_second(*args: object, **kwargs: object) -> object:
        if written:
            raise sa.exc.OperationalError("INSERT INTO tombstones", {}, Exception("store went away"))
        written.append(kwargs["keys"])
        return record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sweep.tombstones, "record", fail_on_the_second)
    (rule,) = sweep.sweep_rules(env, "expired-sessions")
    with pytest.raises(sa.exc.OperationalError):
        sweep.run_rule(env, setup.sessions, rule)
    with engine.connect() as conn:
        # The first batch is gone and on the ledger; the second, whose entry failed, is all still there.
        assert count_in(conn, "SELECT COUNT(*) FROM sessions") == total - 7
    assert len(written) == 1 and len(written[0]) == 7
    monkeypatch.setattr(sweep.tombstones, "record", record)
    setup.clock.now = NOW + runs.LEASE + timedelta(minutes=1)  # the broken run's lease has run out
    assert sweep.run_rule(env, setup.sessions, rule).status == "done"
    with engine.connect() as conn:
        assert count_in(conn, "SELECT COUNT(*) FROM sessions WHERE expires_at <= '2025-10-01'") == 0
    engine.dispose()
