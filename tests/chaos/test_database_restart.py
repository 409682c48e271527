"""PostgreSQL restarted in the middle of a batch: the API says 503 meanwhile, then everything ends as usual.

The deployment under test keeps its store, its queue and the application database on a private server
(``pgserver``), so that stopping it disturbs no other test; a crash-free reference on the shared server
runs the same batch. The server is stopped while the batch runs and started again a few seconds later.
No process is restarted by hand: the API, the worker and the queue must find their way back themselves,
and the end must be the reference's: the same final states, application databases with the same
checksums, each mail (by Message-ID) and each callback (by Idempotency-Key) an effect as often.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from privacyops.demo import truth
from tests.chaos.conftest import Side
from tests.chaos.deployment import Deployment, processor_manifest, wait_until
from tests.chaos.pgserver import PrivateServer
from tests.chaos.receivers import CountingMailbox, WebhookReceiver
from tests.chaos.trials import Batch, Driver, Subjects, finished, unsent
from tests.conftest import _create_pg_database, _drop_pg_database

BATCHES = 3  # of three requests and one OpenDSR request each
DOWN_FOR = 3.0  # seconds the server stays stopped
USERS = 60


def _side(name: str, folder: Path, manifest: Path, store_url: str, app_url: str) -> Side:
    mailbox, webhooks = CountingMailbox(), WebhookReceiver()
    deployment = Deployment.prepare(name, folder / name, store_url=store_url, app_url=app_url,
                                    smtp_port=mailbox.port, manifest=manifest, users=USERS)
    return Side(deployment, mailbox, webhooks, store_url, app_url)


@pytest.fixture
def restart_sides(pg_admin_url: str, tmp_path: Path) -> Iterator[tuple[Side, Side, PrivateServer]]:
    """A deployment on a private server (1 API process, 1 worker) and a reference on the shared one."""
    server = PrivateServer.create()
    manifest = processor_manifest(tmp_path)
    names: list[str] = []
    sides: list[Side] = []
    controllers = []
    try:
        tested = _side("tested", tmp_path, manifest, server.create_database("store"),
                       server.create_database("app"))
        sides.append(tested)
        controllers.append(tested.mailbox.start())
        store_name, store_url = _create_pg_database(pg_admin_url)
        app_name, app_url = _create_pg_database(pg_admin_url)
        names += [store_name, app_name]
        reference = _side("reference", tmp_path, manifest, store_url, app_url)
        sides.append(reference)
        controllers.append(reference.mailbox.start())
        tested.deployment.start(serves=1, workers=1)
        reference.deployment.start(serves=1, workers=0, in_process=True)
        yield tested, reference, server
    finally:
        for side in sides:
            side.deployment.stop()
            side.webhooks.stop()
        for controller in controllers:
            controller.stop()
        for name in names:
            _drop_pg_database(pg_admin_url, name)
        server.remove()


def answers_while_down(deployment: Deployment, request_id: str) -> list[httpx.Response]:
    """Ask the API to read a request and to file one while the store is away."""
    with deployment.api() as api:
        read = api.get(f"/api/v1/requests/{request_id}")
    filed = httpx.post(f"{deployment.base()}/api/v1/requests", timeout=30, json={
        "type": "access", "identities": {"email": "nobody@example.com"}, "regions": ["eu"]})
    return [read, filed]


def drive(side: Side, driver: Driver, filed: tuple[list[str], list[tuple[str, str]]],
          deadline: float) -> dict[str, str]:
    """Step the requests as an admin until all are terminal; return their states."""
    while True:
        states = driver.step(*filed)
        if finished(states):
            return states
        assert time.monotonic() < deadline, f"{side.deployment.name}: requests left open: {states}"
        time.sleep(0.1)


def outage(tested: Side, driver: Driver, server: PrivateServer,
           filed: tuple[list[str], list[tuple[str, str]]]) -> list[httpx.Response]:
    """Verify the batch, stop the server while its runs go on, collect the API's answers, start it again."""
    driver.step(*filed)  # verifies: the runs start
    time.sleep(0.3)
    driver.step(*filed)
    server.stop()
    answers: list[httpx.Response] = []
    back_at = time.monotonic() + DOWN_FOR
    while time.monotonic() < back_at:
        answers += answers_while_down(tested.deployment, filed[0][0])
        time.sleep(0.5)
    server.start()
    return answers


def all_sent(store_url: str) -> bool:
    return unsent(store_url) == 0


def outcome(states: dict[str, str], filed: tuple[list[str], list[tuple[str, str]]]) -> dict[str, Any]:
    ids, opendsr = filed
    return {"requests": [states[i] for i in ids], "opendsr": [states[s] for _, s in opendsr]}


@pytest.mark.postgres
@pytest.mark.slow
def test_a_restarted_database_loses_nothing_and_processing_resumes_by_itself(
        restart_sides: tuple[Side, Side, PrivateServer]) -> None:
    tested, reference, server = restart_sides
    subjects = Subjects.of(tested.app_url)
    batches = [Batch.make(subjects, number, tested.webhooks.url) for number in range(BATCHES)]
    drivers = (Driver(tested.deployment), Driver(reference.deployment))
    filed: list[tuple[list[str], list[tuple[str, str]]]] = [([], []), ([], [])]
    for batch in batches:
        for side, driver, into in zip((tested, reference), drivers, filed, strict=True):
            ids, opendsr = driver.file(batch, side.webhooks.url)
            into[0].extend(ids)
            into[1].extend(opendsr)
    deadline = time.monotonic() + 45
    with ThreadPoolExecutor(1) as pool:  # the reference runs the same batch meanwhile
        expected = pool.submit(drive, reference, drivers[1], filed[1], deadline)
        answers = outage(tested, drivers[0], server, filed[0])
        ended = drive(tested, drivers[0], filed[0], deadline)
        reference_states = expected.result()

    assert answers, "the API was asked while the database was down"
    statuses = sorted({answer.status_code for answer in answers})
    assert statuses == [503], f"while the database is down the API answers 503, not {statuses}"
    assert all(answer.headers.get("Retry-After", "").isdigit() for answer in answers)
    assert "database" in answers[0].json()["detail"]["rule"]

    assert outcome(ended, filed[0]) == outcome(reference_states, filed[1])
    for side in (tested, reference):
        wait_until(partial(all_sent, side.store_url), f"{side.deployment.name} to send its mail", timeout=30)
    assert truth.checksums(tested.app_url) == truth.checksums(reference.app_url)
    assert tested.mailbox.effects() == reference.mailbox.effects()
    assert sum(tested.mailbox.deliveries.values()) >= 3 * BATCHES, "every subject was mailed"
    assert tested.webhooks.effects() == reference.webhooks.effects()
    assert tested.webhooks.unkeyed == 0
    assert all(process.poll() is None
               for process in tested.deployment.serves + tested.deployment.workers), "no process exited"
    assert tested.deployment.restarts == 0
