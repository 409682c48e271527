"""A worker killed with SIGKILL at a random step of an erasure; the restarted run ends exactly the same."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from privacyops.demo import truth
from privacyops.demo.generate import build_demo
from privacyops.execution import runner, steps
from privacyops.store.models.execution import ExecutionRun

from .conftest import Setup
from .test_run_erasure import close_all_tasks

RUNNER = Path(__file__).with_name("killable_runner.py")
ROOT = Path(__file__).parents[3]


def end_state(setup: Setup, request_id: str, demo_url: str) -> dict[str, Any]:
    with setup.sessions() as session:
        run = session.get(ExecutionRun, request_id)
        assert run is not None
        # Rows touched may differ: a step killed after its change finds nothing left when run again.
        states = [(s.name, s.state) for s in steps.steps_of(session, request_id)]
        outcome = {k: run.outcome.get(k) for k in ("evidence", "held", "closing_note", "found")}
        return {"status": run.status, "steps": states, "outcome": outcome,
                "demo": truth.checksums(demo_url)}


def run_to_the_end(setup: Setup, request_id: str) -> None:
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "waiting"
    close_all_tasks(setup, request_id)
    assert runner.run_request(setup.sessions, setup.env, request_id).closed


def resume_with_cli(setup: Setup, request_id: str, demo_url: str,
                    home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRIVACYOPS_DATABASE_URL": setup.store_url, "APP_DATABASE_URL": demo_url,
           "PRIVACYOPS_MANIFEST": str(ROOT / "src/privacyops/examples/langfuse/privacy.yml"),
           "PRIVACYOPS_SECRET_KEY": "execution-tests-secret-key", "PRIVACYOPS_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "privacyops", "request", "run", request_id, "--wait"],
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("when", ["before", "after"])
def test_sigkill_at_a_random_step_then_restart_ends_like_an_uninterrupted_run(
        setup: Setup, make_db_url: Callable[[str], str], tmp_path: Path, when: str) -> None:
    # The reference: the same erasure, uninterrupted, on a twin of the demo database.
    twin_url = make_db_url("twin")
    build_demo(twin_url, users=30, traces=1400, seed=5)
    killed_id = setup.submit("erasure")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, killed_id, actor="test")
    seed = random.randrange(1_000_000)
    kill_at = random.Random(seed).randint(1, 12)
    process = subprocess.run([sys.executable, str(RUNNER), setup.store_url, setup.demo_url, killed_id,
                              str(kill_at), when], capture_output=True, text=True, timeout=300)
    assert process.returncode == -signal.SIGKILL, (seed, kill_at, process.stdout, process.stderr)
    with setup.sessions() as session:
        states = [s.state for s in steps.steps_of(session, killed_id)]
    assert "running" in states, (seed, kill_at, states)  # the worker died inside a step

    resumed = resume_with_cli(setup, killed_id, setup.demo_url, tmp_path / "home")
    assert resumed.returncode == 0, (seed, kill_at, resumed.stdout, resumed.stderr)
    assert "waiting" in resumed.stdout
    close_all_tasks(setup, killed_id)
    assert runner.run_request(setup.sessions, setup.env, killed_id).closed

    twin = Setup(setup.store_url, twin_url, setup.sessions, setup.env)
    twin_connector = type(setup.env.connectors["app_db"])(twin_url)  # type: ignore[call-arg]
    twin.env = type(setup.env)(manifest=setup.env.manifest, service=setup.env.service,
                               connectors={"app_db": twin_connector})
    # The store is shared; the uninterrupted twin gets a request of its own.
    reference_id = twin.submit("erasure", {"email": "subject1@example.com"})
    with setup.sessions.begin() as session:
        runner.start(session, twin.env, reference_id, actor="test")
    run_to_the_end(twin, reference_id)
    twin_connector.close()

    killed, reference = end_state(setup, killed_id, setup.demo_url), end_state(twin, reference_id, twin_url)
    assert killed == reference, (seed, kill_at)
    with setup.sessions() as session:
        attempts = {s.number: s.attempts for s in steps.steps_of(session, killed_id)}
    assert max(attempts.values()) >= 2  # the interrupted step really ran again
