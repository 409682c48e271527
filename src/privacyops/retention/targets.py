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
        return [dict(r._mapping) for r in conn.execute(query)]

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
