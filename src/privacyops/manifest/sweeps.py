"""Checks of retention sweeps: every system, table and column a sweep names is declared and reachable."""

from __future__ import annotations

from collections.abc import Iterator

from privacyops.manifest import taxonomy
from privacyops.manifest.schema import Manifest, Sweep, Table
from privacyops.manifest.source import Path

Problem = tuple[Path, str, str, str]
# Sweeps select rows with SQL conditions; other connectors have no way to say "older than".
SWEEPABLE_CONNECTORS = frozenset({"sql"})


def problems(m: Manifest) -> Iterator[Problem]:
    """Yield an error for each sweep naming an undeclared system, table, column or identity."""
    for i, rule in enumerate(m.retention.rules):
        if rule.sweep is not None:
            yield from _sweep(m, rule.sweep, ("retention", "rules", i, "sweep"))


def _sweep(m: Manifest, sweep: Sweep, path: Path) -> Iterator[Problem]:
    system = m.systems.get(sweep.system)
    if system is None:
        yield (
            (*path, "system"),
            "sweep-undeclared-system",
            f"system `{sweep.system}` is not declared",
            taxonomy.suggestion(sweep.system, m.systems, "systems"),
        )
        return
    if system.connector not in SWEEPABLE_CONNECTORS:
        yield (
            (*path, "system"),
            "sweep-connector",
            f"system `{sweep.system}` uses the {system.connector} connector, which sweeps cannot query",
            "sweep a system with connector: sql, or enforce this rule in the system itself",
        )
        return
    table = system.tables.get(sweep.table)
    if table is None:
        yield (
            (*path, "table"),
            "sweep-undeclared-table",
            f"table `{sweep.table}` is not declared in system `{sweep.system}`",
            taxonomy.suggestion(sweep.table, system.tables, "tables"),
        )
        return
    yield from _columns(sweep, table, path)


def _columns(sweep: Sweep, table: Table, path: Path) -> Iterator[Problem]:
    known = set(table.fields) | set(table.primary_key)
    if sweep.since not in known:
        yield (
            (*path, "since"),
            "sweep-undeclared-column",
            f"column `{sweep.since}` is not declared in table `{sweep.table}`",
            taxonomy.suggestion(sweep.since, known, "columns") + " (declare it under fields)",
        )
    for j, name in enumerate(sweep.fields):
        if name not in table.fields:
            yield (
                (*path, "fields", j),
                "sweep-undeclared-column",
                f"column `{name}` is not declared in table `{sweep.table}`",
                taxonomy.suggestion(name, table.fields, "columns") + " (declare it under fields)",
            )
        elif name in table.primary_key:
            yield (
                (*path, "fields", j),
                "sweep-key-column",
                f"column `{name}` is the primary key of `{sweep.table}`; it cannot be nulled or changed",
                "use action: delete to remove the rows",
            )
    if sweep.subject is not None and sweep.subject not in table.identity:
        yield (
            (*path, "subject"),
            "sweep-undeclared-identity",
            f"table `{sweep.table}` declares no `{sweep.subject}` identity",
            f"use one of {sorted(table.identity) or 'its identities'} or add it under identity",
        )
