"""The swept table in its SQL database: expired rows selected in short, key-ordered batches.

Each batch is one short SELECT on the primary key order (keyset pagination), so a sweep never scans
the table in one long statement and always moves forward, even over rows a hold keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from privacyops.connectors.base import Connector, ConnectorError, Key
from privacyops.engine.run import PSEUDONYM_PREFIX
from privacyops.manifest.schema import Sweep, Table


@dataclass
class Taken:
    """The rows one batch deleted: their primary keys and, per identity kind, the people's values."""

    keys: list[list[Any]]
    identities: dict[str, set[Any]]


@dataclass
class Target:
    """One rule's table: its reflected columns, the cut-off condition and the columns a batch reads."""

    engine: sa.Engine
    table: sa.Table
    sweep: Sweep
    declared: Table

    @classmethod
    def of(cls, connector: Connector, sweep: Sweep, declared: Table) -> Target:
        """Reflect the table through the SQL connector's engine (sweeps need SQL conditions)."""
        engine = getattr(connector, "engine", None)
        if not isinstance(engine, sa.Engine):
            raise ConnectorError(
                f"system {sweep.system} is not an SQL database; sweeps need the sql connector"
            )
        try:
            table = sa.Table(sweep.table, sa.MetaData(), autoload_with=engine)
        except sa.exc.NoSuchTableError:
            raise ConnectorError(f"table {sweep.table} does not exist in system {sweep.system}") from None
        return cls(engine, table, sweep, declared)

    @property
    def key_columns(self) -> tuple[str, ...]:
        """Return the primary key the manifest declares."""
        return tuple(self.declared.primary_key)

    def identity_columns(self) -> dict[str, str]:
        """Return identity kind -> plain column of this table (JSON paths are left to the engine)."""
        return {str(k): v for k, v in self.declared.identity.items() if "->" not in v}

    def expired(self, cutoff: datetime) -> sa.ColumnElement[bool]:
        """Return the condition of rows past their period that the rule still has work on."""
        since = self.table.c[self.sweep.since]
        parts: list[Any] = [since.is_not(None), since <= self._moment(cutoff)]
        if self.sweep.where:
            # The manifest's own SQL condition, trusted like the manifest itself (it is never user input).
            parts.append(sa.text(f"({self.sweep.where})"))
        pending = self._pending()
        if pending is not None:
            parts.append(pending)
        return sa.and_(*parts)

    def batch(
        self, conn: sa.Connection, cutoff: datetime, after: Key | None, limit: int
    ) -> list[dict[str, Any]]:
        """Return the next expired rows after key ``after``: key, identity and changed columns."""
        keys = [self.table.c[k] for k in self.key_columns]
        wanted = list(
            dict.fromkeys([*self.key_columns, *self.identity_columns().values(), *self.sweep.fields])
        )
        query = sa.select(*(self.table.c[c] for c in wanted)).where(self.expired(cutoff))
        if after is not None:
            query = query.where(_after(keys, after))
        query = query.order_by(*keys).limit(limit)
        result = conn.execute(query)
        columns = list(result.keys())
        # Plain tuples zipped with the column names: a Row's mapping view costs several times more per row.
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]

    def take(
        self, conn: sa.Connection, cutoff: datetime, after: Key | None, limit: int
    ) -> Taken:
        """Delete the next ``limit`` expired rows after key ``after``; return their keys and identities.

        One statement: the keys are chosen and deleted inside the database and travel once, back to the
        caller, who writes the ledger before committing ``conn``'s transaction. Starting after the last
        key taken keeps each batch from walking the index entries of the rows deleted before it.
        """
        keys = [self.table.c[k] for k in self.key_columns]
        wanted = list(dict.fromkeys([*self.key_columns, *self.identity_columns().values()]))
        condition = self.expired(cutoff)
        if after is not None:
            condition = sa.and_(condition, _after(keys, after))
        where: sa.ColumnElement[bool]
        if self.engine.dialect.name == "postgresql":
            # The chosen rows go by their physical address: the keys are read once, in order, from the
            # primary key's index and not looked up again (`IN (SELECT ...)` is even planned as a hash
            # join over the whole table, once per batch). A row updated meanwhile has a new address, is
            # left alone and not returned, and the next run takes it.
            ctid: sa.ColumnClause[Any] = sa.literal_column("ctid")
            chosen = sa.select(ctid).select_from(self.table).where(condition).order_by(*keys).limit(limit)
            where = ctid == sa.any_(sa.func.array(chosen.correlate(None).scalar_subquery()))
        else:
            chosen = sa.select(*keys).where(condition).order_by(*keys).limit(limit)
            where = keys[0].in_(chosen) if len(keys) == 1 else sa.tuple_(*keys).in_(chosen)
        statement = sa.delete(self.table).where(where).returning(*(self.table.c[c] for c in wanted))
        try:
            result = conn.execute(statement)
            # The driver's plain tuples: SQLAlchemy's row objects would cost more than the rest of a batch.
            rows = result.cursor.fetchall() if result.cursor is not None else []
            result.close()
        except sa.exc.DBAPIError as exc:
            raise ConnectorError(f"delete on {self.sweep.table} failed: {type(exc.orig).__name__}") from None
        width = len(keys)
        at = {kind: wanted.index(column) for kind, column in self.identity_columns().items()}
        return Taken(
            keys=[list(row[:width]) for row in rows],
            identities={kind: {row[i] for row in rows} for kind, i in at.items()},
        )

    def summary(self, conn: sa.Connection, cutoff: datetime) -> dict[str, Any]:
        """Return how many rows are expired and the oldest start among them (the dry-run report)."""
        since = self.table.c[self.sweep.since]
        query = (
            sa.select(sa.func.count(), sa.func.min(since)).select_from(self.table).where(self.expired(cutoff))
        )
        count, oldest = conn.execute(query).one()
        return {"count": int(count), "oldest": as_utc(oldest).isoformat() if oldest is not None else None}

    def delete(self, keys: Sequence[Key]) -> int:
        """Delete the rows with these primary keys in one short statement; return how many went.

        On PostgreSQL a one-column key travels as one array parameter: a statement with thousands of
        bound values costs more to build than to run.
        """
        columns = [self.table.c[k] for k in self.key_columns]
        where: sa.ColumnElement[bool]
        if len(columns) == 1 and self.engine.dialect.name == "postgresql":
            values = sa.bindparam("keys", [k[0] for k in keys], type_=postgresql.ARRAY(columns[0].type))
            where = columns[0] == sa.any_(values)
        elif len(columns) == 1:
            where = columns[0].in_([k[0] for k in keys])
        else:
            where = sa.tuple_(*columns).in_(list(keys))
        try:
            with self.engine.begin() as conn:
                return int(conn.execute(sa.delete(self.table).where(where)).rowcount)
        except sa.exc.DBAPIError as exc:
            # The driver's text may quote values: only the kind of error is passed on.
            raise ConnectorError(f"delete on {self.sweep.table} failed: {type(exc.orig).__name__}") from None

    def _moment(self, cutoff: datetime) -> Any:
        # SQLite keeps timestamps as text without a zone; compare with naive UTC text of the same shape.
        if self.engine.dialect.name == "sqlite":
            text = cutoff.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
            return sa.bindparam(None, text, type_=sa.Text())
        return cutoff

    def _pending(self) -> sa.ColumnElement[bool] | None:
        # Rows already nulled or pseudonymised are done: leaving them out keeps a rerun from redoing them.
        columns = [self.table.c[f] for f in self.sweep.fields]
        if self.sweep.action == "null":
            return sa.or_(*(c.is_not(None) for c in columns))
        if self.sweep.action == "pseudonymise":
            return sa.or_(
                *(
                    sa.and_(c.is_not(None), sa.not_(sa.cast(c, sa.Text).startswith(PSEUDONYM_PREFIX)))
                    for c in columns
                )
            )
        return None


def as_utc(value: Any) -> datetime:
    """Read a timestamp a database returned (a datetime, or SQLite's text) as aware UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _after(keys: Sequence[sa.Column[Any]], after: Key) -> sa.ColumnElement[bool]:
    if len(keys) == 1:
        return keys[0] > after[0]
    return sa.tuple_(*keys) > sa.tuple_(*(sa.literal(v) for v in after))
