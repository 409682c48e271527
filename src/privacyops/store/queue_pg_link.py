"""The PostgreSQL queue's connections: a shared one for its statements, and a ``LISTEN`` one per thread.

The shared connection is opened again when the server dropped it.

A failure before the commit left nothing behind, so the work is done again on a fresh connection; the
first call that reaches the server after calls failed reports the outage to ``on_reconnect`` (in a
thread of its own), so that a worker can give back what it held when the server went away.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg

T = TypeVar("T")


def channel_of(queue: str) -> str:
    """Return the NOTIFY channel of a queue: a plain identifier derived from its name."""
    return "huey_" + "".join(c if c.isalnum() else "_" for c in queue.lower())


def libpq_dsn(url: str) -> str:
    """Turn a SQLAlchemy-style URL (postgresql+psycopg://) into one libpq accepts."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url


class PgLink:
    """Connections of a queue storage; the storage sets the attributes below in its ``__init__``."""

    dsn: str
    lock: threading.Lock
    channel: str
    listen_timeout: float
    _conn: psycopg.Connection[Any] | None
    _listeners: threading.local
    _all_listeners: list[psycopg.Connection[Any]]
    _lost_at: datetime | None
    on_reconnect: Callable[[datetime], None] | None

    def _open(self, dsn: str, channel: str, listen_timeout: float) -> None:
        self.dsn = libpq_dsn(dsn)
        self.lock = threading.Lock()
        self.channel = channel
        self.listen_timeout = listen_timeout
        self._conn = None
        self._listeners = threading.local()  # one LISTEN connection per worker thread
        self._all_listeners = []
        self._lost_at = None  # when a call first failed to reach the server
        self.on_reconnect = None

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
