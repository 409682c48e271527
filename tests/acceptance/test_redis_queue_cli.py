"""``privacyops serve`` and a separate ``privacyops worker`` carry a request to ``completed`` over Redis.

The processes run as an operator runs them, with ``PRIVACYOPS_QUEUE_URL=redis://...`` and no worker in
the server: the only way the work reaches the worker is the Redis queue.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from privacyops.examples import LANGFUSE_MANIFEST
from tests import support
from tests.redis_queue import blocked_in_brpop, redis_url  # noqa: F401 - the fixture

ADMIN_TOKEN = "po_redis_queue_admin_token_0123456789"
SUBJECT = "subject1@example.com"


@dataclass
class Running:
    base: str
    logs: list[Path]
    processes: list[subprocess.Popen[bytes]]

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs if path.exists())


def wait_until(check: Callable[[], Any], what: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(0.1)
    return value


def cli(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "privacyops", *args], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"privacyops {' '.join(args)} exited {done.returncode}:\n{done.stderr}"


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen([sys.executable, "-m", "privacyops", *args], env=env, stdout=sink,
                                stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop as systemd does: SIGTERM, then SIGKILL after a grace period."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def healthy(running: Running) -> bool:
    for process in running.processes:
        assert process.poll() is None, f"a process exited early:\n{running.log_text()[-3000:]}"
    try:
        return httpx.get(f"{running.base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def service(db_url: str, make_db_url: Callable[[str], str], redis_url: str,  # noqa: F811
            tmp_path: Path) -> Iterator[Running]:
    port = support.free_port()
    app_db_url = make_db_url("app")
    env = support.clean_env(
        PRIVACYOPS_HOME=str(tmp_path / "home"), PRIVACYOPS_DATABASE_URL=db_url,
        PRIVACYOPS_QUEUE_URL=redis_url, PRIVACYOPS_ADMIN_TOKEN=ADMIN_TOKEN,
        PRIVACYOPS_SECRET_KEY="redis-queue-secret-key-0123456789abcdef", PRIVACYOPS_PORT=str(port),
        PRIVACYOPS_MANIFEST=str(LANGFUSE_MANIFEST), PRIVACYOPS_DEMO_MODE="true", APP_DATABASE_URL=app_db_url,
    )
    cli("demo", "--no-serve", "--db", app_db_url, env=env)  # the application's data only
    cli("db", "upgrade", env=env)  # the release step
    logs = [tmp_path / "serve.log", tmp_path / "worker.log"]
    running = Running(f"http://127.0.0.1:{port}", logs, [])
    running.processes.append(start(["serve", "--no-worker-in-process"], env, logs[0]))
    running.processes.append(start(["worker", "--workers", "2"], env, logs[1]))
    try:
        wait_until(lambda: healthy(running), "the service to answer /healthz", timeout=60)
        yield running
    finally:
        for process in running.processes:
            stop(process)


def test_serve_and_worker_complete_an_access_request_over_redis(
    service: Running, redis_url: str, db_url: str, tmp_path: Path  # noqa: F811
) -> None:
    health = httpx.get(f"{service.base}/healthz", timeout=10).json()
    assert health["checks"]["queue"] == "ok" and health["worker_in_process"] is False
    wait_until(lambda: blocked_in_brpop(redis_url) >= 2, "the worker's threads to wait in BRPOP", timeout=30)

    filed = httpx.post(f"{service.base}/api/v1/requests", timeout=30,
                       json={"type": "access", "identities": {"email": SUBJECT}, "regions": ["eu"]})
    assert filed.status_code == 201, service.log_text()[-3000:]
    request_id = filed.json()["id"]
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=f"{service.base}/api/v1", timeout=30, headers=admin) as api:
        verified = api.post(f"/requests/{request_id}/mark-verified", json={"reason": "checked by phone"})
        assert verified.status_code == 200, verified.text
        started = time.monotonic()
        wait_until(lambda: api.get(f"/requests/{request_id}/status").json()["state"] == "completed",
                   "the access request to complete")
        elapsed = time.monotonic() - started
        events = api.get("/audit/events", params={"entity": "subject_request", "entity_id": request_id})
        assert "execution.started" in {event["action"] for event in events.json()}
    assert elapsed < 60, f"completion took {elapsed:.1f} s"

    # The work went through Redis only: no SQLite queue beside the store, no queue tables in it.
    assert not (tmp_path / "home" / "queue.db").exists()
    engine = sa.create_engine(db_url)
    try:
        assert not [name for name in sa.inspect(engine).get_table_names() if name.startswith("huey")]
    finally:
        engine.dispose()
    logs = service.log_text()
    assert "Uvicorn running" in logs and "worker: 2 thread(s)" in logs
    support.assert_no_secrets(logs, [request_id, SUBJECT, ADMIN_TOKEN])
