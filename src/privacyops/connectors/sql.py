"""SQL databases through SQLAlchemy Core: set-based statements, batched, one transaction each."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from privacyops.connectors.base import (
    ALL_CAPABILITIES,
    TIMED_OUT,
    Change,
    ColumnShape,
    ConnectorError,
    ConnectorTimeout,
    MapValues,
    Match,
    ReplaceText,
    Row,
    SetNull,
    TableShape,
    split_locator,
)

BATCH_SIZE = 1000
# Seconds a connection attempt and one statement may take before the step is retried later: a database
# that hangs (a lock held elsewhere, a stalled network) must end as a timeout, never as a silent wait.
CONNECT_TIMEOUT = 10
STATEMENT_TIMEOUT = 60
TIMEOUT_PARAMS = ("connect_timeout", "statement_timeout")
TIMEOUT_SQLSTATES = frozenset({"57014", "55P03"})  # query_canceled (statement timeout), lock_not_available


class SqlConnector:
    """Reads, updates and deletes a subject's rows with `WHERE key IN (...)` statements."""

    def __init__(self, url: str | None = None, *, engine: sa.Engine | None = None,
                 batch_size: int = BATCH_SIZE, connect_timeout: float = CONNECT_TIMEOUT,
                 statement_timeout: float = STATEMENT_TIMEOUT) -> None:
        if engine is None:
            if not url:
                raise ConnectorError("the sql connector needs a database URL (set url_env in the manifest)")
            engine = timed_engine(url, connect_timeout, statement_timeout)
        self.engine = engine
        self.batch_size = batch_size
        self._tables: dict[str, sa.Table] = {}
        self._shapes: dict[str, TableShape | None] = {}

    @classmethod
    def from_settings(cls, url: str | None = None, **settings: str) -> SqlConnector:
        """Build from a URL and plain settings (`batch_size`, `connect_timeout`, `statement_timeout`)."""
        return cls(url, batch_size=int(settings.get("batch_size", BATCH_SIZE)),
                   connect_timeout=float(settings.get("connect_timeout", CONNECT_TIMEOUT)),
                   statement_timeout=float(settings.get("statement_timeout", STATEMENT_TIMEOUT)))

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def capabilities(self) -> frozenset[str]:
        """Return everything: SQL databases can read, update, delete and look inside JSON text."""
        return ALL_CAPABILITIES

    def inspect(self, table: str) -> TableShape | None:
        """Describe the table from the database's catalogue (cached)."""
        if table not in self._shapes:
            self._shapes[table] = self._read_shape(table)
        return self._shapes[table]

    def find(self, table: str, match: Match, fields: Sequence[str]) -> list[Row]:
        """Return `fields` of the matching rows, one SELECT per batch of values."""
        t = self._table(table)
        rows: list[Row] = []
        with _errors("read", table), self.engine.connect() as conn:
            columns = [t.c[f] for f in fields]
            for where in self._wheres(t, match):
                rows.extend(dict(r._mapping) for r in conn.execute(sa.select(*columns).where(where)))
        return rows

    def count(self, table: str, match: Match) -> int:
        """Return how many rows match, with one counting SELECT per batch."""
        t = self._table(table)
        total = 0
        with _errors("count", table), self.engine.connect() as conn:
            for where in self._wheres(t, match):
                query = sa.select(sa.func.count()).select_from(t).where(where)
                total += int(conn.execute(query).scalar_one())
        return total

    def update(self, table: str, match: Match, changes: Mapping[str, Change]) -> int:
        """Apply the changes with one UPDATE per batch, all in one transaction."""
        t = self._table(table)
        touched = 0
        with _errors("update", table), self.engine.begin() as conn:
            values = {t.c[col]: _expression(t.c[col], change) for col, change in changes.items()}
            for where in self._wheres(t, match):
                touched += conn.execute(sa.update(t).where(where).values(values)).rowcount
        return touched

    def delete(self, table: str, match: Match) -> int:
        """Delete matching rows with one DELETE per batch, all in one transaction."""
        t = self._table(table)
        deleted = 0
        with _errors("delete", table), self.engine.begin() as conn:
            for where in self._wheres(t, match):
                deleted += conn.execute(sa.delete(t).where(where)).rowcount
        return deleted

    # -- helpers -------------------------------------------------------------------------------------

    def _table(self, name: str) -> sa.Table:
        if name not in self._tables:
            try:
                self._tables[name] = sa.Table(name, sa.MetaData(), autoload_with=self.engine)
            except sa.exc.NoSuchTableError:
                raise ConnectorError(f"table {name} does not exist") from None
        return self._tables[name]

    def _read_shape(self, name: str) -> TableShape | None:
        inspector = sa.inspect(self.engine)
        if not inspector.has_table(name):
            return None
        columns = {c["name"]: ColumnShape(c["name"], bool(c.get("nullable", True)))
                   for c in inspector.get_columns(name)}
        indexes: list[tuple[str, ...]] = []
        pk = inspector.get_pk_constraint(name).get("constrained_columns") or []
        if pk:
            indexes.append(tuple(pk))
        for ix in inspector.get_indexes(name):
            cols = tuple(c for c in ix.get("column_names") or () if c)
            if cols:
                indexes.append(cols)
        for uq in inspector.get_unique_constraints(name):
            indexes.append(tuple(uq["column_names"]))
        return TableShape(name, columns, tuple(indexes))

    def _wheres(self, table: sa.Table, match: Match) -> Iterator[sa.ColumnElement[bool]]:
        exprs = [self._locate(table, f) for f in match.fields]
        values = list(dict.fromkeys(match.values))
        for start in range(0, len(values), self.batch_size):
            chunk = values[start:start + self.batch_size]
            if len(exprs) == 1:
                yield exprs[0].in_([v[0] for v in chunk])
            else:
                yield sa.tuple_(*exprs).in_(chunk)

    def _locate(self, table: sa.Table, locator: str) -> sa.ColumnElement[Any]:
        column_name, path = split_locator(locator)
        column = table.c[column_name]
        if not path:
            return column
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            doc = sa.cast(column, postgresql.JSONB)
            if len(path) == 1:
                return doc[path[0]].astext
            return doc[path].astext
        json_path = "$." + ".".join(f'"{step}"' for step in path)
        if dialect in ("mysql", "mariadb"):
            return sa.func.json_unquote(sa.func.json_extract(column, json_path))
        return sa.func.json_extract(column, json_path)


def timed_engine(url: str, connect_timeout: float, statement_timeout: float) -> sa.Engine:
    """Create an engine whose connections and statements give up after the given seconds.

    ``connect_timeout`` and ``statement_timeout`` in the URL's query (seconds) override the arguments, so
    a system's address variable can tune them without a manifest change.
    """
    parsed = sa.engine.make_url(url)
    query = dict(parsed.query)
    connect_timeout = float(str(query.pop("connect_timeout", connect_timeout)))
    statement_timeout = float(str(query.pop("statement_timeout", statement_timeout)))
    parsed = parsed.set(query=query)
    backend = parsed.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        millis = int(statement_timeout * 1000)
        connect_args = {"connect_timeout": max(1, round(connect_timeout)),
                        "options": f"-c statement_timeout={millis} -c lock_timeout={millis}"}
    elif backend in ("mysql", "mariadb"):
        seconds = max(1, round(statement_timeout))
        connect_args = {"connect_timeout": max(1, round(connect_timeout)), "read_timeout": seconds,
                        "write_timeout": seconds}
    elif backend == "sqlite":
        connect_args = {"timeout": statement_timeout}  # how long a statement waits for a locked file
    return sa.create_engine(parsed, connect_args=connect_args, pool_pre_ping=backend != "sqlite")


def _timed_out(orig: BaseException | None) -> bool:
    if getattr(orig, "sqlstate", None) in TIMEOUT_SQLSTATES:
        return True
    # Connect timeouts have no SQLSTATE; the driver's text is only looked at, never passed on.
    text = str(orig).lower()
    return "timeout expired" in text or "timed out" in text or "lost connection" in text


@contextlib.contextmanager
def _errors(operation: str, table: str) -> Iterator[None]:
    """Turn database errors into ConnectorError naming the operation, table and error kind only."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        orig = exc.orig
        code = getattr(orig, "sqlstate", None)
        suffix = f" (SQLSTATE {code})" if code else ""
        # The driver's message may quote row values; keep only its kind so no personal data leaks.
        if _timed_out(orig):
            kind = f"{type(orig).__name__}{suffix}"
            raise ConnectorTimeout(f"{operation} on {table} {TIMED_OUT}: {kind}") from None
        raise ConnectorError(f"{operation} on {table} failed: {type(orig).__name__}{suffix}") from None
    except KeyError as exc:
        raise ConnectorError(f"{operation} on {table} failed: no column {exc}") from None


def _expression(column: sa.Column[Any], change: Change) -> Any:
    if isinstance(change, SetNull):
        return sa.null()
    if isinstance(change, ReplaceText):
        expr: Any = column
        for needle in change.needles:
            expr = sa.func.replace(expr, needle, change.replacement)
        return expr
    if isinstance(change, MapValues):
        if not change.mapping:
            return column
        return sa.case(dict(change.mapping), value=column, else_=column)
    raise ConnectorError(f"unknown change {change!r}")
