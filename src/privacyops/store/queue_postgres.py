"""Job-queue storage on PostgreSQL through psycopg 3 (used when PRIVACYOPS_QUEUE_URL is postgresql://).

Only ``privacyops.jobs`` uses this module; it lives here because it is storage.

Workers on many machines share the tables; ``FOR UPDATE SKIP LOCKED`` hands each task to exactly one.
Tables are prefixed ``huey_`` so that the queue can share the store's database.

Workers do not poll: enqueueing sends a ``NOTIFY`` in the same transaction, and an idle worker thread
waits on its own ``LISTEN`` connection, so a task starts within milliseconds of its commit. The wait
is bounded (``listen_timeout``) so that a lost notification costs at most that long.

A connection the server dropped (a restart, a failover) is opened again on the next call. The first
call that reaches the server after calls failed reports the outage to ``on_reconnect`` (in a thread of
its own), so that a worker can give back what it held when the server went away.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import huey
import psycopg
from huey.constants import EmptyData
from huey.storage import BaseStorage

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS huey_task (id BIGSERIAL PRIMARY KEY, queue TEXT NOT NULL, "
    "data BYTEA NOT NULL, priority DOUBLE PRECISION NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS huey_task_queue_priority ON huey_task (queue, priority DESC, id)",
    "CREATE TABLE IF NOT EXISTS huey_schedule (id BIGSERIAL PRIMARY KEY, queue TEXT NOT NULL, "
    "data BYTEA NOT NULL, run_at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX IF NOT EXISTS huey_schedule_queue_run_at ON huey_schedule (queue, run_at)",
    "CREATE TABLE IF NOT EXISTS huey_kv (queue TEXT NOT NULL, key TEXT NOT NULL, value BYTEA NOT NULL, "
    "PRIMARY KEY (queue, key))",
    "CREATE TABLE IF NOT EXISTS huey_counter (queue TEXT NOT NULL, key TEXT NOT NULL, "
    "value BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (queue, key))",
)
# Serialises CREATE TABLE IF NOT EXISTS, which can still collide when two processes start together.
SCHEMA_LOCK_KEY = 0x70726976
T = TypeVar("T")
LISTEN_TIMEOUT = 1.0  # seconds an idle worker waits for a notification before it looks again anyway


def channel_of(queue: str) -> str:
    """Return the NOTIFY channel of a queue: a plain identifier derived from its name."""
    return "huey_" + "".join(c if c.isalnum() else "_" for c in queue.lower())


def libpq_dsn(url: str) -> str:
    """Turn a SQLAlchemy-style URL (postgresql+psycopg://) into one libpq accepts."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url


class PostgresStorage(BaseStorage):
    """Huey storage in four PostgreSQL tables."""

    blocking = True  # dequeue waits for a notification itself; huey's worker then does not sleep

    def __init__(self, name: str = "huey", dsn: str = "", create_tables: bool = True,
                 listen_timeout: float = LISTEN_TIMEOUT, **_: Any):
        super().__init__(name)
        self.dsn = libpq_dsn(dsn)
        self.lock = threading.Lock()
        self.channel = channel_of(name)
        self.listen_timeout = listen_timeout
        self._conn: psycopg.Connection[Any] | None = None
        self._listeners = threading.local()  # one LISTEN connection per worker thread
        self._all_listeners: list[psycopg.Connection[Any]] = []
        self._lost_at: datetime | None = None  # when a call first failed to reach the server
        self.on_reconnect: Callable[[datetime], None] | None = None
        if create_tables:
            with self.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
                for statement in SCHEMA:
                    cur.execute(statement)

    @contextlib.contextmanager
    def cursor(self) -> Iterator[psycopg.Cursor[Any]]:
        """Run statements in one transaction on the shared connection, reconnecting if it broke."""
        with self.lock:
            conn = self._connect()
            try:
                with conn.cursor() as cur:
                    yield cur
                conn.commit()
            except psycopg.OperationalError:
                self._lose(conn)
                raise
            except BaseException:
                conn.rollback()
                raise
            lost_at, self._lost_at = self._lost_at, None
        self._reconnected(lost_at)

    def _transaction(self, work: Callable[[psycopg.Cursor[Any]], T]) -> T:
        """Run ``work`` in one transaction; once more on a new connection if the kept one had been dropped.

        A server restart ends the kept connection while it is idle, which shows only at its next use. A
        failure before the commit left nothing behind, so the work is done again on a fresh connection;
        a failure of the commit itself (its outcome unknown) and a second failure are raised.
        """
        for _ in range(2):
            with self.lock:
                reused = self._conn is not None and not self._conn.closed and not self._conn.broken
                conn = self._connect()
                try:
                    with conn.cursor() as cur:
                        result = work(cur)
                except psycopg.OperationalError:
                    self._lose(conn)
                    if reused:
                        continue
                    raise
                except BaseException:
                    conn.rollback()
                    raise
                try:
                    conn.commit()
                except psycopg.OperationalError:
                    self._lose(conn)
                    raise
                lost_at, self._lost_at = self._lost_at, None
            self._reconnected(lost_at)
            return result
        raise psycopg.OperationalError("the queue database dropped the connection twice in a row")

    def _lose(self, conn: psycopg.Connection[Any]) -> None:
        """Forget a connection that failed and note since when the server is unreachable."""
        conn.close()
        self._conn = None
        self._lost_at = self._lost_at or datetime.now(UTC)

    def _reconnected(self, lost_at: datetime | None) -> None:
        if lost_at is not None and self.on_reconnect is not None:
            threading.Thread(target=self.on_reconnect, args=(lost_at,), name="queue-reconnected",
                             daemon=True).start()

    def _connect(self) -> psycopg.Connection[Any]:
        """Return the shared connection, opened again if the server dropped it (the caller holds the lock)."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            try:
                self._conn = psycopg.connect(self.dsn, connect_timeout=10)
            except psycopg.OperationalError:
                self._lost_at = self._lost_at or datetime.now(UTC)
                raise
        return self._conn

    def _rows(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        def work(cur: psycopg.Cursor[Any]) -> list[tuple[Any, ...]]:
            cur.execute(query, params)
            return list(cur.fetchall())

        return self._transaction(work)

    def _run(self, query: str, params: tuple[Any, ...]) -> int:
        def work(cur: psycopg.Cursor[Any]) -> int:
            cur.execute(query, params)
            return cur.rowcount

        return self._transaction(work)

    def close(self) -> bool:
        with self.lock:
            for listener in self._all_listeners:
                listener.close()
            self._all_listeners.clear()
            if self._conn is None:
                return False
            self._conn.close()
            self._conn = None
            return True

    def enqueue(self, data: bytes, priority: float | None = None) -> None:
        def work(cur: psycopg.Cursor[Any]) -> None:
            cur.execute(
                "INSERT INTO huey_task (queue, data, priority) VALUES (%s, %s, %s)",
                (self.name, data, priority or 0),
            )
            cur.execute("SELECT pg_notify(%s, '')", (self.channel,))  # delivered at commit

        self._transaction(work)

    def dequeue(self) -> bytes | None:
        listener = self._listener()  # listening before the look: a task committed meanwhile still wakes us
        data = self._take()
        if data is not None or listener is None:
            return data
        try:
            for _ in listener.notifies(timeout=self.listen_timeout, stop_after=1):
                break
        except psycopg.OperationalError:
            self._drop_listener()
        return self._take()

    def _take(self) -> bytes | None:
        rows = self._rows(
            "DELETE FROM huey_task WHERE id = (SELECT id FROM huey_task WHERE queue = %s "
            "ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING data",
            (self.name,),
        )
        return bytes(rows[0][0]) if rows else None

    def _listener(self) -> psycopg.Connection[Any] | None:
        """Return the LISTEN connection of this thread, opened on first use (None while unreachable)."""
        conn = getattr(self._listeners, "conn", None)
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        try:
            conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
            conn.execute(f'LISTEN "{self.channel}"')
        except psycopg.OperationalError:
            time.sleep(self.listen_timeout)  # huey's own backoff does not apply to a blocking storage
            return None
        self._listeners.conn = conn
        with self.lock:
            self._all_listeners.append(conn)
        return conn

    def _drop_listener(self) -> None:
        conn = getattr(self._listeners, "conn", None)
        if conn is not None:
            conn.close()
        self._listeners.conn = None

    def queue_size(self) -> int:
        return int(self._rows("SELECT count(*) FROM huey_task WHERE queue = %s", (self.name,))[0][0])

    def enqueued_items(self, limit: int | None = None) -> list[bytes]:
        rows = self._rows(
            "SELECT data FROM huey_task WHERE queue = %s ORDER BY priority DESC, id LIMIT %s",
            (self.name, limit),
        )
        return [bytes(row[0]) for row in rows]

    def flush_queue(self) -> None:
        self._run("DELETE FROM huey_task WHERE queue = %s", (self.name,))

    def add_to_schedule(self, data: bytes, ts: datetime) -> None:
        self._run(
            "INSERT INTO huey_schedule (queue, data, run_at) VALUES (%s, %s, %s)",
            (self.name, data, ts.timestamp()),
        )

    def read_schedule(self, ts: datetime) -> list[bytes]:
        rows = self._rows(
            "DELETE FROM huey_schedule WHERE id IN (SELECT id FROM huey_schedule WHERE queue = %s "
            "AND run_at <= %s FOR UPDATE SKIP LOCKED) RETURNING run_at, id, data",
            (self.name, ts.timestamp()),
        )
        return [bytes(row[2]) for row in sorted(rows, key=lambda row: (row[0], row[1]))]

    def schedule_size(self) -> int:
        return int(self._rows("SELECT count(*) FROM huey_schedule WHERE queue = %s", (self.name,))[0][0])

    def scheduled_items(self, limit: int | None = None) -> list[bytes]:
        rows = self._rows(
            "SELECT data FROM huey_schedule WHERE queue = %s ORDER BY run_at, id LIMIT %s",
            (self.name, limit),
        )
        return [bytes(row[0]) for row in rows]

    def flush_schedule(self) -> None:
        self._run("DELETE FROM huey_schedule WHERE queue = %s", (self.name,))

    def put_data(self, key: str, value: bytes, is_result: bool = False) -> None:
        self._run(
            "INSERT INTO huey_kv (queue, key, value) VALUES (%s, %s, %s) "
            "ON CONFLICT (queue, key) DO UPDATE SET value = EXCLUDED.value",
            (self.name, key, value),
        )

    def peek_data(self, key: str) -> Any:
        rows = self._rows("SELECT value FROM huey_kv WHERE queue = %s AND key = %s", (self.name, key))
        return bytes(rows[0][0]) if rows else EmptyData

    def peek_many(self, keys: list[str]) -> dict[str, bytes]:
        rows = self._rows(
            "SELECT key, value FROM huey_kv WHERE queue = %s AND key = ANY(%s)", (self.name, list(keys))
        )
        return {key: bytes(value) for key, value in rows}

    def pop_data(self, key: str) -> Any:
        rows = self._rows(
            "DELETE FROM huey_kv WHERE queue = %s AND key = %s RETURNING value", (self.name, key)
        )
        return bytes(rows[0][0]) if rows else EmptyData

    def has_data_for_key(self, key: str) -> bool:
        return bool(self._rows("SELECT 1 FROM huey_kv WHERE queue = %s AND key = %s", (self.name, key)))

    def put_if_empty(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        if ttl is not None:
            raise NotImplementedError("ttl is not supported by the PostgreSQL queue storage")
        inserted = self._run(
            "INSERT INTO huey_kv (queue, key, value) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (self.name, key, value),
        )
        return inserted == 1

    def incr(self, key: str, amount: int = 1) -> int:
        rows = self._rows(
            "INSERT INTO huey_counter (queue, key, value) VALUES (%s, %s, %s) ON CONFLICT (queue, key) "
            "DO UPDATE SET value = huey_counter.value + EXCLUDED.value RETURNING value",
            (self.name, key, amount),
        )
        return int(rows[0][0])

    def delete_counter(self, key: str) -> None:
        self._run("DELETE FROM huey_counter WHERE queue = %s AND key = %s", (self.name, key))

    def result_store_size(self) -> int:
        return int(self._rows("SELECT count(*) FROM huey_kv WHERE queue = %s", (self.name,))[0][0])

    def result_items(self) -> dict[str, bytes]:
        rows = self._rows("SELECT key, value FROM huey_kv WHERE queue = %s", (self.name,))
        return {key: bytes(value) for key, value in rows}

    def flush_results(self) -> None:
        self._run("DELETE FROM huey_kv WHERE queue = %s", (self.name,))

    def flush_counters(self) -> None:
        self._run("DELETE FROM huey_counter WHERE queue = %s", (self.name,))


class PostgresHuey(huey.Huey):
    """Huey on :class:`PostgresStorage`."""

    storage_class = PostgresStorage

    def __init__(self, name: str = "huey", **kwargs: Any) -> None:
        kwargs.setdefault("utc", True)
        super().__init__(name, **kwargs)
