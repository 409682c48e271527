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

from datetime import datetime
from typing import Any

import huey
import psycopg
from huey.constants import EmptyData
from huey.storage import BaseStorage

from privacyops.store.queue_pg_link import PgLink, channel_of, libpq_dsn

__all__ = ["LISTEN_TIMEOUT", "PostgresHuey", "PostgresStorage", "channel_of", "libpq_dsn"]

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
LISTEN_TIMEOUT = 1.0  # seconds an idle worker waits for a notification before it looks again anyway


class PostgresStorage(PgLink, BaseStorage):
    """Huey storage in four PostgreSQL tables."""

    blocking = True  # dequeue waits for a notification itself; huey's worker then does not sleep

    def __init__(self, name: str = "huey", dsn: str = "", create_tables: bool = True,
                 listen_timeout: float = LISTEN_TIMEOUT, **_: Any):
        super().__init__(name)
        self._open(dsn, channel_of(name), listen_timeout)
        if create_tables:
            with self.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
                for statement in SCHEMA:
                    cur.execute(statement)

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
