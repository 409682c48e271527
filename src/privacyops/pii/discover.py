"""Discovery: sample the text columns of a connected database and report undeclared personal data.

``scan_system(manifest, "app_db", connector)`` lists the tables the database really has, reads a bounded
sample of each (never a full scan of a big table: random row ids on SQLite, ``TABLESAMPLE`` on
PostgreSQL, a plain ``LIMIT`` elsewhere), classifies the values with the PII engine and compares what it
saw with the manifest (``discover_report``). The connector Protocol has no way to list tables or read
a sample, so this module adds a small ``Sampler`` beside it for the SQL and in-memory connectors.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import sqlalchemy as sa

from privacyops.connectors import memory
from privacyops.connectors.base import Connector
from privacyops.manifest.schema import Manifest
from privacyops.pii import engine as pii_engine
from privacyops.pii import operators
from privacyops.pii.discover_report import ColumnScan, DriftRules, ScanReport, Thresholds, declared_columns

MAX_CHARS = 4096
"""Only the start of a long value is classified: enough to tell what a column holds."""
EXAMPLES = 2
BIG_TABLE_FACTOR = 4
"""A table with more rows than this many samples is sampled instead of shuffled whole."""
IGNORED_TABLES = frozenset({"alembic_version"})


class ScanError(Exception):
    """The system cannot be scanned (unknown system, connector without table listing)."""


class SampleTimeout(Exception):
    """Reading the sample took longer than the time left."""


class Sampler(Protocol):
    """What the scan needs from a data store beyond the connector Protocol."""

    def table_names(self) -> list[str]:
        """Return the tables of the store."""
        ...

    def columns(self, table: str) -> tuple[list[str], list[str]]:
        """Return all columns of a table and the text-like ones among them."""
        ...

    def sample(self, table: str, columns: Sequence[str], limit: int, seconds: float) -> list[tuple[Any, ...]]:
        """Return at most ``limit`` rows of ``columns``, giving up after ``seconds``."""
        ...


class MemorySampler:
    """Sample the in-memory fake connector: its tables are lists of dicts."""

    def __init__(self, connector: memory.MemoryConnector) -> None:
        self.connector = connector

    def table_names(self) -> list[str]:
        return sorted(self.connector.tables)

    def columns(self, table: str) -> tuple[list[str], list[str]]:
        shape = self.connector.inspect(table)
        names = list(shape.columns) if shape else []
        rows = self.connector.tables.get(table, [])
        text = [n for n in names if any(isinstance(r.get(n), (str, dict, list)) for r in rows)]
        return names, text

    def sample(self, table: str, columns: Sequence[str], limit: int, seconds: float) -> list[tuple[Any, ...]]:
        rows = self.connector.tables.get(table, [])
        return [tuple(r.get(c) for c in columns) for r in rows[:limit]]


class SqlSampler:
    """Sample a SQL database through SQLAlchemy with one bounded query per table."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.random = random.Random(0)

    def table_names(self) -> list[str]:
        return sorted(sa.inspect(self.engine).get_table_names())

    def columns(self, table: str) -> tuple[list[str], list[str]]:
        found = sa.inspect(self.engine).get_columns(table)
        text = [c["name"] for c in found if _text_like(c["type"])]
        return [c["name"] for c in found], text

    def sample(self, table: str, columns: Sequence[str], limit: int, seconds: float) -> list[tuple[Any, ...]]:
        t = sa.table(table, *(sa.column(c) for c in columns))
        try:
            with self.engine.connect() as conn, stop_after(conn, self.dialect, seconds):
                source, refine = self._plan(conn, t, limit)
                picked = [sa.func.substr(sa.cast(source.c[c], sa.Text), 1, MAX_CHARS) for c in columns]
                query = refine(sa.select(*picked).select_from(source)).limit(limit)
                return [tuple(row) for row in conn.execute(query)]
        except sa.exc.OperationalError as exc:
            if is_timeout(exc):
                raise SampleTimeout(table) from None
            raise

    def _plan(self, conn: sa.Connection, t: sa.TableClause, limit: int) -> tuple[Any, Refine]:
        """Return what to select from and how to narrow the query, so that it reads a bounded sample."""
        if self.dialect == "postgresql":
            return self._postgres(conn, t, limit)
        if self.dialect == "sqlite":
            return t, self._sqlite(conn, t, limit)
        return t, _as_is

    def _postgres(self, conn: sa.Connection, t: sa.TableClause, limit: int) -> tuple[Any, Refine]:
        estimate = conn.execute(sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
                                {"name": f'"{t.name}"'}).scalar()
        rows = float(estimate or 0)
        if rows <= 0:  # never analysed: the first rows, which a LIMIT reads without scanning on
            return t, _as_is
        if rows <= limit * BIG_TABLE_FACTOR:
            return t, _shuffled
        percent = min(100.0, 100.0 * limit * 2 / rows)
        return sa.tablesample(t, sa.func.system(percent)), _as_is

    def _sqlite(self, conn: sa.Connection, t: sa.TableClause, limit: int) -> Refine:
        rowid: sa.ColumnClause[Any] = sa.literal_column("rowid")
        try:
            top = conn.execute(sa.select(sa.func.max(rowid)).select_from(t)).scalar()
        except sa.exc.OperationalError:  # a WITHOUT ROWID table
            return _as_is
        top = int(top or 0)
        if top <= limit * BIG_TABLE_FACTOR:
            return _shuffled
        # Random row ids: each a lookup in the table's b-tree, so the cost is the sample's, not the table's.
        ids = sorted(self.random.sample(range(1, top + 1), limit))
        return lambda query: query.where(rowid.in_(ids))


Refine = Callable[[sa.Select[Any]], sa.Select[Any]]


def _as_is(query: sa.Select[Any]) -> sa.Select[Any]:
    return query


def _shuffled(query: sa.Select[Any]) -> sa.Select[Any]:
    # Only for tables at most a few samples big, where shuffling the whole table is cheap.
    return query.order_by(sa.func.random())


def _text_like(kind: Any) -> bool:
    # SQLite columns added without a type reflect as NullType and may hold anything.
    return isinstance(kind, (sa.String, sa.JSON, sa.types.NullType))


@contextlib.contextmanager
def stop_after(conn: sa.Connection, dialect: str, seconds: float) -> Iterator[None]:
    """Make the database itself stop a sample query that would outrun the time left."""
    if dialect == "postgresql":
        # SET LOCAL ends with the transaction, which closing the connection rolls back.
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}")
        yield
        return
    raw = conn.connection.driver_connection if dialect == "sqlite" else None
    handler = getattr(raw, "set_progress_handler", None)
    if handler is None:
        yield
        return
    stop = time.monotonic() + seconds
    handler(lambda: int(time.monotonic() > stop), 10_000)
    try:
        yield
    finally:
        handler(None, 0)


def is_timeout(exc: sa.exc.OperationalError) -> bool:
    """Tell whether a database error is the time limit of ``stop_after`` firing."""
    code = getattr(exc.orig, "sqlstate", None)
    return code == "57014" or "interrupted" in str(exc.orig).lower()


def sampler_for(connector: Connector) -> Sampler:
    """Return the sampler for a connector, or raise ScanError for a kind that cannot list tables."""
    if isinstance(connector, memory.MemoryConnector):
        return MemorySampler(connector)
    engine = getattr(connector, "engine", None)
    if isinstance(engine, sa.Engine):
        return SqlSampler(engine)
    raise ScanError(f"the {type(connector).__name__} cannot list its tables; "
                    "scan supports sql and memory systems")


def scan_system(
    manifest: Manifest,
    system_name: str,
    connector: Connector,
    *,
    sample_rows: int = 1000,
    time_budget_s: float = 10.0,
    thresholds: Thresholds | None = None,
) -> ScanReport:
    """Sample every table of a connected system and report the personal data its manifest misses."""
    if system_name not in manifest.systems:
        known = ", ".join(sorted(manifest.systems)) or "none"
        raise ScanError(f"the manifest has no system {system_name!r} (systems: {known})")
    if sample_rows < 1:
        raise ScanError("the sample must be at least one row")
    started = time.monotonic()
    rules = DriftRules(manifest, system_name, thresholds)
    sampler = sampler_for(connector)
    report = ScanReport(system_name)
    tables = [t for t in sampler.table_names() if t not in IGNORED_TABLES]
    shapes = {t: sampler.columns(t) for t in tables}
    report.undeclared_tables = [t for t in tables if t not in rules.tables]
    report.findings.extend(rules.table_findings(tables, {t: s[0] for t, s in shapes.items()}))
    for table in _scan_order(tables, shapes, rules):
        left = time_budget_s - (time.monotonic() - started)
        if left <= 0:
            report.tables_not_scanned.append(table)
            continue
        try:
            columns = _scan_table(sampler, rules, table, shapes[table][1], sample_rows, left)
        except SampleTimeout:
            report.tables_not_scanned.append(table)
            continue
        report.tables_scanned.append(table)
        report.columns.extend(columns)
        for scan in columns:
            report.findings.extend(rules.column_findings(scan))
    report.findings.extend(rules.incomplete(report.tables_not_scanned, time_budget_s))
    report.findings.sort(key=lambda f: ({"error": 0, "warning": 1, "info": 2}[f.level], f.line, f.key))
    report.seconds = time.monotonic() - started
    return report


Shapes = dict[str, tuple[list[str], list[str]]]


def _scan_order(tables: list[str], shapes: Shapes, rules: DriftRules) -> list[str]:
    # Undeclared tables and tables with undeclared columns first: if the budget runs out, the likeliest
    # drift has been looked at.
    def risk(table: str) -> int:
        if table not in rules.tables:
            return 0
        declared = declared_columns(rules.tables[table])
        return 1 if any(c not in declared for c in shapes[table][0]) else 2

    return sorted(tables, key=lambda t: (risk(t), t))


def _scan_table(
    sampler: Sampler, rules: DriftRules, table: str, text_columns: list[str], limit: int, seconds: float
) -> list[ColumnScan]:
    if not text_columns:
        return []
    rows = sampler.sample(table, text_columns, limit, seconds)
    spec = rules.tables.get(table)
    declared = declared_columns(spec) if spec is not None else {}
    scans = []
    for index, column in enumerate(text_columns):
        values = [_as_text(row[index]) for row in rows]
        scan = ColumnScan(table, column, column in declared, declared.get(column, ()))
        classify(scan, [v for v in values if v.strip()])
        scans.append(scan)
    return scans


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):  # documents of the in-memory connector, read as JSON text
        value = json.dumps(value, ensure_ascii=False, default=str)
    return value[:MAX_CHARS] if isinstance(value, str) else str(value)[:MAX_CHARS]


def classify(scan: ColumnScan, values: list[str], engine: pii_engine.Engine | None = None) -> ColumnScan:
    """Count, per entity type, the values of one column the PII engine flags; keep masked examples."""
    engine = engine or pii_engine.default_engine()
    masker = operators.PartialMask()
    scan.sampled = len(values)
    results = engine.analyze_many(values, [scan.column] * len(values)) if values else []
    for value, found in zip(values, results, strict=True):
        if not found:
            continue
        scan.matched += 1
        for entity in dict.fromkeys(f.entity for f in found):
            scan.entities[entity] = scan.entities.get(entity, 0) + 1
            first = next(f for f in found if f.entity == entity)
            if value.strip() != first.value_in(value):
                scan.embedded[entity] = scan.embedded.get(entity, 0) + 1
        example = masker.replace(found[0].value_in(value), found[0])
        if len(scan.examples) < EXAMPLES and example not in scan.examples:
            scan.examples.append(example)
    return scan
