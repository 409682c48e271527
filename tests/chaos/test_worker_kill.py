"""Workers killed with SIGKILL at random moments: every request ends, once, as if nothing happened.

Each trial files a small mixed batch (access, erasure, marketing opt-out over the API; an OpenDSR
request from a customer, whose status callbacks are webhooks) on the deployment under test and on the
crash-free reference, kills one of the two workers at a random moment, starts it again, and drives
both to the end. Then the application databases must be equal, and each mail (by Message-ID) and each
callback (by Idempotency-Key) must have been an effect exactly as often as in the reference.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from privacyops.demo import truth
from tests.chaos.conftest import Side
from tests.chaos.deployment import ADMIN_TOKEN, wait_until
from tests.chaos.trials import Batch, Driver, Subjects, finished, unsent

KILL_WITHIN = 1.5  # seconds after the batch is filed: most of a batch's work happens in this window


def run_batch(side: Side, driver: Driver, batch: Batch, kill_at: float | None,
              rng: random.Random) -> dict[str, Any]:
    ids, opendsr = driver.file(batch, side.webhooks.url)
    started = time.monotonic()
    killed = kill_at is None
    states: dict[str, str] = {}
    deadline = started + 120
    while True:
        if not killed and time.monotonic() - started >= kill_at:
            side.deployment.kill_worker(rng.randrange(len(side.deployment.workers)))
            killed = True
        states = driver.step(ids, opendsr)
        if killed and finished(states):
            break
        assert time.monotonic() < deadline, f"{side.deployment.name}: requests left open: {states}"
        time.sleep(0.1)
    wait_until(lambda: unsent(side.store_url) == 0, f"{side.deployment.name} to send its mail and callbacks")
    # Same subjects, so the answers line up by position with the reference's.
    return {"requests": [states[i] for i in ids], "opendsr": [states[s] for _, s in opendsr]}


@pytest.mark.postgres
@pytest.mark.slow
def test_killed_workers_lose_nothing_and_do_nothing_twice(chaos_sides: tuple[Side, Side],
                                                          request: pytest.FixtureRequest) -> None:
    tested, reference = chaos_sides
    trials = int(request.config.getoption("--chaos-trials"))
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    subjects = Subjects.of(tested.app_url)
    drivers = (Driver(tested.deployment), Driver(reference.deployment))
    filed_by: list[str] = []
    for number in range(trials):
        batch = Batch.make(subjects, number, tested.webhooks.url)
        filed_by += [body["identities"]["email"] for body in batch.filed]
        kill_at = rng.uniform(0, KILL_WITHIN)
        with ThreadPoolExecutor(1) as pool:  # the reference runs its batch meanwhile
            reference_run = pool.submit(run_batch, reference, drivers[1], batch, None, rng)
            ended = run_batch(tested, drivers[0], batch, kill_at, rng)
            expected = reference_run.result()
        where = f"trial {number + 1} of {trials} (seed {seed}, kill at {kill_at:.2f} s)"
        assert ended == expected, where
        assert truth.checksums(tested.app_url) == truth.checksums(reference.app_url), where
        assert tested.mailbox.effects() == reference.mailbox.effects(), where
        assert tested.webhooks.effects() == reference.webhooks.effects(), where
        assert tested.webhooks.unkeyed == 0, where
    assert tested.deployment.restarts == trials
    sent = sum(tested.mailbox.deliveries.values())
    assert sent >= 3 * trials, "every trial mails its subjects"
    assert len(tested.webhooks.keys) >= 3 * trials, "every OpenDSR request calls back at each status"
    # The processes' output names nobody and holds no token, whatever moment a worker was killed at.
    logs = tested.deployment.logs()
    leaked = [value for value in [ADMIN_TOKEN, *filed_by] if value in logs]
    assert not leaked, f"{len(leaked)} token(s) or address(es) in the processes' output"
