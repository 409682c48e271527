"""Job-queue storage on SQLite that wakes an idle worker of the same process at once.

The embedded default runs the consumer inside ``privacyops serve``: a task enqueued by a request handler
wakes the waiting worker thread through a condition variable instead of waiting for its next poll. A
task enqueued by another process (the CLI, a second server) is still found within ``poll_interval``.
"""

from __future__ import annotations

import threading
from typing import Any

import huey
from huey.storage import SqliteStorage

POLL_INTERVAL = 0.5  # seconds; bounds the wait for tasks that other processes enqueue


class WakingSqliteStorage(SqliteStorage):
    """Huey's SQLite storage whose dequeue waits on a condition that this process's enqueue signals."""

    blocking = True  # dequeue waits itself; huey's worker then does not sleep between polls

    def __init__(self, *args: Any, poll_interval: float = POLL_INTERVAL, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.poll_interval = poll_interval
        self._arrived = threading.Condition()
        self._pending = 0

    def enqueue(self, data: bytes, priority: float | None = None) -> None:
        super().enqueue(data, priority)
        with self._arrived:
            self._pending += 1
            self._arrived.notify()

    def dequeue(self) -> bytes | None:
        data = super().dequeue()
        if data is not None:
            return data
        with self._arrived:
            if not self._pending:
                self._arrived.wait(self.poll_interval)
            self._pending = 0
        return super().dequeue()


class WakingSqliteHuey(huey.Huey):
    """Huey on :class:`WakingSqliteStorage`."""

    storage_class = WakingSqliteStorage
