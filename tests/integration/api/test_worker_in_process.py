from __future__ import annotations

import time

from fastapi.testclient import TestClient

from privacyops import jobs
from privacyops.api.app import create_app
from privacyops.settings import Settings


def test_app_lifespan_runs_a_consumer(settings: Settings) -> None:
    with_worker = settings.model_copy(update={"worker_in_process": True})
    app = create_app(with_worker)
    queue: jobs.JobQueue = app.state.services.queue
    with TestClient(app) as client:
        queue.enqueue("heartbeat")
        deadline = time.monotonic() + 20
        while client.get("/healthz").json()["last_heartbeat"] is None:
            assert time.monotonic() < deadline, "the in-process worker never ran the heartbeat"
            time.sleep(0.1)
        assert client.get("/healthz").json()["worker_in_process"] is True
    assert queue._consumer is None
