"""Start, run and read stored discovery scans (summaries only: no value, no masked example)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.audit import chain
from privacyops.manifest.schema import Manifest
from privacyops.pii.discover_report import ColumnScan, ScanReport, Thresholds, declared_columns
from privacyops.store.models.discovery import DiscoveryScan

ENTITY = "discovery_scan"
SAMPLE_ROWS = 1000
BUDGET_S = 10.0


class ScanRefused(ValueError):
    """The system cannot be scanned from the console; the message says why and what to do."""


def scannable(manifest: Manifest, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return each SQL system with an address, and for the others why it cannot be scanned."""
    from privacyops.cli.scan import NoConnection, connection_url

    found: dict[str, str] = {}
    for name, system in manifest.systems.items():
        if system.connector != "sql":
            continue
        try:
            connection_url(name, system, None, env)
        except NoConnection as exc:
            found[name] = str(exc)
            continue
        found[name] = ""
    return found


def start(session: Session, manifest: Manifest, system: str, *, actor: str) -> DiscoveryScan:
    """Record a queued scan of ``system`` (audited); the worker's ``discovery_scan`` task runs it."""
    why = scannable(manifest).get(system)
    if why is None:
        raise ScanRefused(f"system: {system!r} is not a SQL system of the manifest; pick one from the list")
    if why:
        raise ScanRefused(f"system: {why}; set it where the service runs, then scan again")
    row = DiscoveryScan(system=system, status="queued", columns=[], tables_scanned=[], tables_not_scanned=[],
                        undeclared_tables=[], started_by=actor, started_at=datetime.now(UTC), seconds=0.0)
    session.add(row)
    session.flush()
    chain.append(session, actor=actor, action="discovery.scan_queued", entity=ENTITY, entity_id=str(row.id),
                 data={"system": system})
    return row


def run(sessions: sessionmaker[Session], manifest: Manifest, scan_id: int) -> DiscoveryScan | None:
    """Scan the system of a queued scan and store its summary; a failure is stored by its kind only."""
    from privacyops.cli.scan import connection_url, scan_url

    with sessions() as session:
        row = session.get(DiscoveryScan, scan_id)
        if row is None or row.status not in ("queued", "running"):
            return row
        row.status = "running"
        session.commit()
        started = time.monotonic()
        try:
            url = connection_url(row.system, manifest.systems[row.system], None)
            report = scan_url(manifest, row.system, url, sample_rows=SAMPLE_ROWS, time_budget_s=BUDGET_S)
            store_report(row, report, manifest)
            row.status = "done"
        except Exception as exc:  # noqa: BLE001 - a database that is down is a result to show
            row.status, row.error = "failed", failure_kind(exc)[:300]
        row.seconds, row.finished_at = time.monotonic() - started, datetime.now(UTC)
        chain.append(session, actor="worker", action=f"discovery.scan_{row.status}", entity=ENTITY,
                     entity_id=str(row.id), data={"system": row.system, "columns": len(row.columns)})
        session.commit()
        return row


def failure_kind(exc: Exception) -> str:
    """Say why a scan failed without a driver's message, which can quote the URL or a row."""
    from privacyops.cli.scan import NoConnection
    from privacyops.connectors import registry
    from privacyops.pii import discover

    if isinstance(exc, (discover.ScanError, NoConnection, registry.UnknownConnector)):
        return str(exc)
    return f"{type(exc).__name__}: check that the database is up and reachable at its address"


def store_report(row: DiscoveryScan, report: ScanReport, manifest: Manifest) -> None:
    """Copy a report's counts into the row; declared columns the database lacks are kept as absent."""
    row.columns = [column_summary(c) for c in report.columns]
    row.tables_scanned = list(report.tables_scanned)
    row.tables_not_scanned = list(report.tables_not_scanned)
    row.undeclared_tables = list(report.undeclared_tables)
    present = {(c.table, c.column) for c in report.columns}
    missing = _missing(report, manifest.systems[row.system].tables)
    row.columns += [{"table": t, "column": c, "declared": True, "categories": list(cats), "present": False,
                     "sampled": 0, "matched": 0, "entities": {}, "personal": []}
                    for t, c, cats in missing if (t, c) not in present]


def column_summary(scan: ColumnScan) -> dict[str, Any]:
    """Return the counts of one column: no value and no example leaves the scan."""
    return {"table": scan.table, "column": scan.column, "declared": scan.declared,
            "categories": list(scan.categories), "present": True, "sampled": scan.sampled,
            "matched": scan.matched, "entities": dict(scan.entities),
            "personal": scan.credible_entities(Thresholds())}


def _missing(report: ScanReport, tables: Mapping[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Return the declared columns the scan's findings say the database lacks (whole tables too)."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    for finding in report.findings:
        if finding.code not in ("declared-table-missing", "declared-column-missing"):
            continue
        parts = finding.key.split(".")  # systems.<system>.tables.<table>[.fields.<column>]
        table = parts[3] if len(parts) > 3 else ""
        if table not in tables:
            continue
        declared = declared_columns(tables[table])
        if finding.code == "declared-table-missing":
            out += [(table, column, cats) for column, cats in declared.items()]
        elif len(parts) > 5:
            out.append((table, parts[5], declared.get(parts[5], ())))
    return out


def latest(session: Session) -> dict[str, DiscoveryScan]:
    """Return the most recent scan of each system."""
    newest = (sa.select(DiscoveryScan.system, sa.func.max(DiscoveryScan.id).label("id"))
              .group_by(DiscoveryScan.system).subquery())
    rows = session.scalars(sa.select(DiscoveryScan).join(newest, DiscoveryScan.id == newest.c.id))
    return {row.system: row for row in rows}
