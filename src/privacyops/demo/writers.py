"""Bulk loading for the demo database: DDL before and after the load, and fast row writers.

SQLite gets one ``executemany`` per batch inside a single transaction with the journal off;
PostgreSQL gets COPY in text format. Foreign keys (on PostgreSQL) and secondary indexes are created
after the rows are in, then both databases are analysed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable

from privacyops.demo import schema

Row = tuple[Any, ...]


class RowWriter(Protocol):
    """Appends rows (tuples in column order) to a demo table."""

    def write(self, table: sa.Table, rows: Sequence[Row]) -> None: ...


def is_postgres(conn: sa.Connection) -> bool:
    return conn.dialect.name == "postgresql"


def drop_demo_tables(conn: sa.Connection) -> None:
    """Drop every demo table that exists, children first."""
    cascade = " CASCADE" if is_postgres(conn) else ""
    quote = conn.dialect.identifier_preparer.quote
    for table in reversed(schema.TABLES):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(table.name)}{cascade}")


def create_demo_tables(conn: sa.Connection) -> None:
    """Create the tables without secondary indexes (and, on PostgreSQL, without foreign keys yet)."""
    deferred_keys: list[sa.ForeignKeyConstraint] | None = [] if is_postgres(conn) else None
    for table in schema.TABLES:
        conn.execute(CreateTable(table, include_foreign_key_constraints=deferred_keys))


def finish_demo_tables(conn: sa.Connection) -> None:
    """Add the deferred foreign keys and the indexes, then refresh the planner statistics."""
    if is_postgres(conn):
        conn.exec_driver_sql("SET maintenance_work_mem = '256MB'")
        for table in schema.TABLES:
            for constraint in sorted(table.foreign_key_constraints, key=lambda c: c.column_keys[0]):
                conn.execute(AddConstraint(constraint))
    for table in schema.TABLES:
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            conn.execute(CreateIndex(index))
    if conn.dialect.name in ("mysql", "mariadb"):
        quote = conn.dialect.identifier_preparer.quote
        conn.exec_driver_sql("ANALYZE TABLE " + ", ".join(quote(t.name) for t in schema.TABLES)).all()
    else:
        conn.exec_driver_sql("ANALYZE")


class SqliteWriter:
    """Inserts batches with the driver's ``executemany`` (SQLite, and MySQL/MariaDB)."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.statements: dict[str, str] = {}

    def write(self, table: sa.Table, rows: Sequence[Row]) -> None:
        if not rows:
            return
        statement = self.statements.get(table.name)
        if statement is None:
            quote = self.conn.dialect.identifier_preparer.quote_identifier
            columns = ", ".join(quote(column.name) for column in table.columns)
            mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
            marks = ", ".join(mark for _ in table.columns)
            statement = self.statements[table.name] = (
                f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"
            )
        self.conn.exec_driver_sql(statement, list(rows))


def copy_text(rows: Sequence[Row]) -> str:
    """Render rows in COPY text format, with NULL as the empty string.

    The generator never produces tabs, newlines or empty strings, so only backslashes need escaping,
    and they can be escaped once over the whole block.
    """
    lines = ["\t".join(["" if value is None else str(value) for value in row]) for row in rows]
    lines.append("")
    return "\n".join(lines).replace("\\", "\\\\")


class PostgresWriter:
    """Streams batches through psycopg's COPY."""

    def __init__(self, conn: sa.Connection) -> None:
        dbapi = conn.connection.driver_connection
        if dbapi is None:  # pragma: no cover - a live connection always has one
            raise RuntimeError("no driver connection")
        self.dbapi: Any = dbapi
        conn.exec_driver_sql("SET TIME ZONE 'UTC'")

    def write(self, table: sa.Table, rows: Sequence[Row]) -> None:
        if not rows:
            return
        columns = ", ".join(f'"{column.name}"' for column in table.columns)
        sql = f"COPY \"{table.name}\" ({columns}) FROM STDIN WITH (FORMAT text, NULL '')"
        with self.dbapi.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(copy_text(rows))


def writer_for(conn: sa.Connection) -> RowWriter:
    """Return the fastest writer for the connection's database."""
    if is_postgres(conn):
        return PostgresWriter(conn)
    return SqliteWriter(conn)


def prepare_sqlite_for_load(conn: sa.Connection) -> None:
    """Trade durability for speed while loading: a crash midway just means running the demo again."""
    for pragma in (
        "journal_mode = OFF",
        "synchronous = OFF",
        "cache_size = -262144",
        "foreign_keys = OFF",
        "temp_store = MEMORY",
    ):
        conn.exec_driver_sql(f"PRAGMA {pragma}")
