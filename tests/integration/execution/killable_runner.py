"""Run one request's steps in this process and SIGKILL it at the Nth change to the demo database.

Used by test_kill_and_resume as a real worker process that dies mid-erasure:
``python killable_runner.py STORE_URL DEMO_URL REQUEST_ID N before|after``.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Mapping
from typing import Any

from privacyops.connectors.base import Change, Match
from privacyops.connectors.sql import SqlConnector
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.execution import runner
from privacyops.execution.env import ExecutionEnv
from privacyops.manifest.load import load_manifest
from privacyops.requests.context import ServiceContext
from privacyops.store import db

SECRET = b"execution-tests-secret-key"


class DyingConnector(SqlConnector):
    """The SQL connector, killed with SIGKILL around its Nth update or delete."""

    def __init__(self, url: str, kill_at: int, when: str) -> None:
        super().__init__(url)
        self.changes, self.kill_at, self.when = 0, kill_at, when

    def _maybe_die(self, moment: str) -> None:
        if self.changes == self.kill_at and moment == self.when:
            os.kill(os.getpid(), signal.SIGKILL)

    def update(self, table: str, match: Match, changes: Mapping[str, Change]) -> int:
        self.changes += 1
        self._maybe_die("before")
        touched = super().update(table, match, changes)
        self._maybe_die("after")
        return touched

    def delete(self, table: str, match: Match) -> int:
        self.changes += 1
        self._maybe_die("before")
        deleted = super().delete(table, match)
        self._maybe_die("after")
        return deleted


def main(store_url: str, demo_url: str, request_id: str, kill_at: int, when: str) -> int:
    connector = DyingConnector(demo_url, kill_at, when)
    env = ExecutionEnv(manifest=load_manifest(LANGFUSE_MANIFEST), service=ServiceContext(key=SECRET),
                       connectors={"app_db": connector})
    sessions = db.session_factory(db.make_engine(store_url, sqlite_immediate=True, secret=SECRET))
    report: Any = runner.run_request(sessions, env, request_id)
    print(f"finished without being killed: {report.status} after {connector.changes} changes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
