"""ClickHouse for trace-style data: set-based SELECTs, and erasure as mutations checked until they finish."""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol

from privacyops.connectors.base import (
    ALL_CAPABILITIES,
    Change,
    ColumnShape,
    ConnectorError,
    MapValues,
    Match,
    ReplaceText,
    Row,
    SetNull,
    TableShape,
    split_locator,
)

BATCH_SIZE = 1000
MUTATION_TIMEOUT = 120.0
DeleteMode = Literal["auto", "lightweight", "mutation"]
ERROR_CODE = re.compile(r"Code:\s*(\d+)")
ERROR_NAME = re.compile(r"\(([A-Z][A-Z0-9_]+)\)")
PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class MutationFailed(ConnectorError):
    """ClickHouse reported that an ALTER ... DELETE / UPDATE (or a lightweight DELETE) failed."""


class MutationUnfinished(ConnectorError):
    """A mutation was still running when the connector stopped waiting; run the step again later."""


class ClickHouseSession(Protocol):
    """The two calls the connector needs from a ClickHouse client: rows of a query, and a statement."""

    def rows(self, sql: str) -> list[dict[str, Any]]: ...

    def run(self, sql: str) -> None: ...


class ChdbSession:
    """The embedded engine (chdb): a ClickHouse in this process, its data in a folder (or in memory)."""

    def __init__(self, path: str | None = None) -> None:
        from chdb import session as chdb_session  # imported here: only embedded use needs it

        self.session = chdb_session.Session(path) if path else chdb_session.Session()

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts (read from JSONEachRow)."""
        text = self.session.query(sql, "JSONEachRow").bytes().decode()
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def run(self, sql: str) -> None:
        """Run a statement."""
        self.session.query(sql)

    def close(self) -> None:
        """Release the embedded engine."""
        self.session.close()


class ServerSession:
    """A ClickHouse server through clickhouse-connect (HTTP interface)."""

    def __init__(self, dsn: str) -> None:
        try:
            import clickhouse_connect
        except ImportError:
            raise ConnectorError("the clickhouse connector needs clickhouse-connect for a server: "
                                 "pip install 'privacyops[clickhouse]'") from None
        self.client = clickhouse_connect.get_client(dsn=dsn)

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts."""
        return list(self.client.query(sql).named_results())

    def run(self, sql: str) -> None:
        """Run a statement."""
        self.client.command(sql)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()


class ClickHouseConnector:
    """Finds a subject's rows with `WHERE key IN (...)` and erases them with mutations it waits for."""

    def __init__(self, session: ClickHouseSession, *, database: str | None = None,
                 batch_size: int = BATCH_SIZE, delete_mode: DeleteMode = "auto",
                 mutation_timeout: float = MUTATION_TIMEOUT,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.session = session
        self.database = database
        self.batch_size = batch_size
        self.delete_mode = delete_mode
        self.mutation_timeout = mutation_timeout
        self.sleep = sleep
        self._shapes: dict[str, TableShape | None] = {}
        self._engines: dict[str, str] = {}

    @classmethod
    def from_settings(cls, url: str | None = None, **settings: str) -> ClickHouseConnector:
        """Build from `chdb:PATH` (embedded) or a server URL, and plain settings (`database`, ...)."""
        if not url:
            raise ConnectorError("the clickhouse connector needs a URL: clickhouse://user@host:8123/db "
                                 "(password through url_env) or chdb:/path/to/data for the embedded engine")
        session: ClickHouseSession
        if url.startswith("chdb:"):
            session = ChdbSession(url.removeprefix("chdb:").removeprefix("//") or None)
        else:
            session = ServerSession(url)
        mode = settings.get("delete_mode", "auto")
        if mode not in ("auto", "lightweight", "mutation"):
            raise ConnectorError(f"delete_mode {mode!r} is not auto, lightweight or mutation")
        delete_mode: DeleteMode = "lightweight" if mode == "lightweight" else (
            "mutation" if mode == "mutation" else "auto")
        return cls(session, database=settings.get("database"),
                   batch_size=int(settings.get("batch_size", BATCH_SIZE)), delete_mode=delete_mode,
                   mutation_timeout=float(settings.get("mutation_timeout", MUTATION_TIMEOUT)))

    def capabilities(self) -> frozenset[str]:
        """Return everything: read, update and delete (as mutations), and look inside JSON strings."""
        return ALL_CAPABILITIES

    def inspect(self, table: str) -> TableShape | None:
        """Describe the table from system.columns; its sorting key counts as its index (cached)."""
        if table not in self._shapes:
            self._shapes[table] = self._read_shape(table)
        return self._shapes[table]

    def find(self, table: str, match: Match, fields: Sequence[str]) -> list[Row]:
        """Return `fields` of matching rows with one SELECT per batch of values."""
        columns = ", ".join(quote_name(f) for f in fields)
        rows: list[Row] = []
        with _errors("read", table):
            for where in self._wheres(match):
                rows.extend(self.session.rows(f"SELECT {columns} FROM {self._name(table)} WHERE {where}"))
        return rows

    def count(self, table: str, match: Match) -> int:
        """Return how many rows match, with one counting SELECT per batch."""
        total = 0
        with _errors("count", table):
            for where in self._wheres(match):
                result = self.session.rows(f"SELECT count() AS n FROM {self._name(table)} WHERE {where}")
                total += int(result[0]["n"])
        return total

    def delete(self, table: str, match: Match) -> int:
        """Delete matching rows (lightweight DELETE where the engine has it), then wait for the mutation."""
        deleted = self.count(table, match)
        if not deleted:
            return 0
        lightweight = self._lightweight(table)
        with _errors("delete", table):
            for where in self._wheres(match):
                if lightweight:
                    self.session.run(f"DELETE FROM {self._name(table)} WHERE {where}")
                else:
                    self.session.run(f"ALTER TABLE {self._name(table)} DELETE WHERE {where} "
                                     "SETTINGS mutations_sync = 2")
        self._await_mutations(table)
        left = self.count(table, match)
        if left:
            raise MutationUnfinished(f"delete on {table}: {left} matching rows are still visible")
        return deleted

    def update(self, table: str, match: Match, changes: Mapping[str, Change]) -> int:
        """Apply the changes with one ALTER TABLE ... UPDATE per batch, then wait for the mutation."""
        assignments = [f"{quote_name(c)} = {expr}" for c, ch in changes.items()
                       if (expr := _expression(quote_name(c), ch)) is not None]
        touched = self.count(table, match)
        if not touched or not assignments:
            return touched if assignments else 0
        with _errors("update", table):
            for where in self._wheres(match):
                self.session.run(f"ALTER TABLE {self._name(table)} UPDATE {', '.join(assignments)} "
                                 f"WHERE {where} SETTINGS mutations_sync = 2")
        self._await_mutations(table)
        return touched

    # -- helpers ---------------------------------------------------------------------------------------

    def _name(self, table: str) -> str:
        return f"{quote_name(self.database)}.{quote_name(table)}" if self.database else quote_name(table)

    def _in_database(self) -> str:
        return literal(self.database) if self.database else "currentDatabase()"

    def _read_shape(self, table: str) -> TableShape | None:
        where = f"database = {self._in_database()} AND table = {literal(table)}"
        with _errors("inspect", table):
            columns = self.session.rows(f"SELECT name, type FROM system.columns WHERE {where} "
                                        "ORDER BY position")
            info = self.session.rows("SELECT engine, sorting_key FROM system.tables WHERE "
                                     f"database = {self._in_database()} AND name = {literal(table)}")
        if not columns or not info:
            return None
        self._engines[table] = str(info[0]["engine"])
        shape = {c["name"]: ColumnShape(c["name"], "Nullable(" in c["type"]) for c in columns}
        return TableShape(table, shape, _key_columns(str(info[0]["sorting_key"])))

    def _lightweight(self, table: str) -> bool:
        if self.delete_mode != "auto":
            return self.delete_mode == "lightweight"
        self.inspect(table)
        return self._engines.get(table, "").endswith("MergeTree")

    def _wheres(self, match: Match) -> Iterator[str]:
        exprs = [_locate(f) for f in match.fields]
        values = list(dict.fromkeys(match.values))
        for start in range(0, len(values), self.batch_size):
            chunk = values[start:start + self.batch_size]
            if len(exprs) == 1:
                yield f"{exprs[0]} IN ({', '.join(literal(v[0]) for v in chunk)})"
            else:
                items = ", ".join("(" + ", ".join(literal(x) for x in v) + ")" for v in chunk)
                yield f"({', '.join(exprs)}) IN ({items})"

    def _await_mutations(self, table: str) -> None:
        """Wait until ClickHouse reports every mutation of the table done; fail on a reported failure."""
        query = ("SELECT mutation_id, latest_fail_reason FROM system.mutations WHERE "
                 f"database = {self._in_database()} AND table = {literal(table)} AND is_done = 0")
        deadline = time.monotonic() + self.mutation_timeout
        delay = 0.05
        while True:
            with _errors("mutation check", table):
                running = self.session.rows(query)
            if not running:
                return
            failed = [r for r in running if r.get("latest_fail_reason")]
            if failed:
                kind = _error_kind(str(failed[0]["latest_fail_reason"]))
                raise MutationFailed(f"a mutation of {table} failed ({kind}); fix it and run the step again")
            if time.monotonic() >= deadline:
                raise MutationUnfinished(f"{len(running)} mutations of {table} were still running after "
                                         f"{self.mutation_timeout:g} s; run the step again later")
            self.sleep(delay)
            delay = min(delay * 2, 2.0)


def quote_name(name: str | None) -> str:
    """Quote an identifier for ClickHouse."""
    text = str(name).replace("\\", "\\\\").replace("`", "\\`")
    return f"`{text}`"


def literal(value: Any) -> str:
    """Render a plain value as a ClickHouse literal (strings escaped, so values never become SQL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, bytes):
        return f"unhex('{value.hex()}')"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def _locate(locator: str) -> str:
    column, path = split_locator(locator)
    if not path:
        return quote_name(column)
    steps = ", ".join(literal(step) for step in path)
    return f"JSONExtractString({quote_name(column)}, {steps})"


def _expression(column: str, change: Change) -> str | None:
    if isinstance(change, SetNull):
        return "NULL"
    if isinstance(change, ReplaceText):
        expr = column
        for needle in change.needles:
            expr = f"replaceAll({expr}, {literal(needle)}, {literal(change.replacement)})"
        return expr
    if isinstance(change, MapValues):
        if not change.mapping:
            return None
        arms = ", ".join(f"{column} = {literal(old)}, {literal(new)}" for old, new in change.mapping)
        return f"multiIf({arms}, {column})"
    raise ConnectorError(f"unknown change {change!r}")


def _key_columns(sorting_key: str) -> tuple[tuple[str, ...], ...]:
    """Return the sorting key's leading plain columns (an expression ends what an index can serve)."""
    names: list[str] = []
    for part in (p.strip().strip("`") for p in sorting_key.split(",")):
        if not PLAIN_NAME.match(part):
            break
        names.append(part)
    return (tuple(names),) if names else ()


def _error_kind(message: str) -> str:
    """Return ClickHouse's error code and name only: its message may quote the values of a WHERE clause."""
    code = ERROR_CODE.search(message)
    name = ERROR_NAME.search(message)
    parts = [f"code {code.group(1)}" if code else "", name.group(1) if name else ""]
    return " ".join(p for p in parts if p) or "unknown error"


@contextlib.contextmanager
def _errors(operation: str, table: str) -> Iterator[None]:
    """Turn driver errors into ConnectorError naming the operation, table and error kind only."""
    try:
        yield
    except ConnectorError:
        raise
    except Exception as exc:
        raise ConnectorError(f"{operation} on {table} failed: ClickHouse {_error_kind(str(exc))}") from None
