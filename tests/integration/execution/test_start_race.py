"""Several workers handed the same request at once start exactly one run of it."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from privacyops.execution import start
from privacyops.store.models.execution import ExecutionRun, ExecutionStep

from .conftest import Setup

WORKERS = 6


def test_racing_workers_start_one_run_and_one_set_of_steps(setup: Setup) -> None:
    request_id = setup.submit("access")
    barrier = threading.Barrier(WORKERS)
    failures: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            start.start_or_forward(setup.sessions, setup.env, request_id)
        except BaseException as exc:  # noqa: BLE001 - collected and reported by the test
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    with setup.sessions() as session:
        runs = session.scalar(sa.select(sa.func.count()).select_from(ExecutionRun)
                              .where(ExecutionRun.request_id == request_id))
        steps = session.execute(sa.select(ExecutionStep.number).where(ExecutionStep.request_id == request_id))
        numbers = [row[0] for row in steps]
    assert runs == 1
    assert sorted(numbers) == sorted(set(numbers)) and numbers
