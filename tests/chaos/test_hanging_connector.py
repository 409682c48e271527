"""A system that hangs: its statements time out, the step is retried with backoff, /healthz says so.

The application database is held by a lock nobody releases (as a stuck migration or a runaway
transaction would); the SQL connector's statement timeout (1 s here, from the system's URL) ends each
try, the step waits a doubling time between tries, and the health check lists it, naming the system.
Once the lock goes, the next try completes the request: nothing was lost, and nothing was silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.chaos.deployment import Deployment, processor_manifest, wait_until
from tests.chaos.receivers import CountingMailbox
from tests.chaos.trials import Driver
from tests.conftest import _create_pg_database, _drop_pg_database


@pytest.fixture
def slow_side(pg_admin_url: str, tmp_path: Path) -> Iterator[tuple[Deployment, str]]:
    names = []
    mailbox = CountingMailbox()
    controller = mailbox.start()
    deployment = None
    try:
        store_name, store_url = _create_pg_database(pg_admin_url)
        app_name, app_url = _create_pg_database(pg_admin_url)
        names += [store_name, app_name]
        deployment = Deployment.prepare("hanging", tmp_path, store_url=store_url,
                                        app_url=f"{app_url}?statement_timeout=1", smtp_port=mailbox.port,
                                        manifest=processor_manifest(tmp_path), users=60)
        deployment.start(serves=1, workers=1)
        yield deployment, app_url
    finally:
        if deployment is not None:
            deployment.stop()
        controller.stop()
        for name in names:
            _drop_pg_database(pg_admin_url, name)


def step_alerts(deployment: Deployment) -> list[dict[str, Any]]:
    body = httpx.get(f"{deployment.base()}/healthz", timeout=10).json()
    return list((body.get("steps") or {}).get("alerts", []))


@pytest.mark.postgres
@pytest.mark.slow
def test_a_hanging_database_times_out_is_retried_and_shows_in_the_health_check(
        slow_side: tuple[Deployment, str]) -> None:
    deployment, app_url = slow_side
    engine = sa.create_engine(app_url)
    with engine.connect() as conn:
        email = conn.execute(sa.text("SELECT email FROM marketing_contacts ORDER BY id LIMIT 1")).scalar_one()
    holder = engine.connect()
    holder.exec_driver_sql("BEGIN")
    holder.exec_driver_sql("LOCK TABLE marketing_contacts IN ACCESS EXCLUSIVE MODE")
    driver = Driver(deployment)
    filed = httpx.post(f"{deployment.base()}/api/v1/requests", timeout=30, json={
        "type": "erasure", "identities": {"email": email}, "regions": ["eu"]})
    assert filed.status_code == 201, filed.text
    request_id = filed.json()["id"]
    try:
        def retrying() -> list[dict[str, Any]]:
            driver.step([request_id], [])
            return [a for a in step_alerts(deployment) if a["kind"] == "retrying" and a["tries"] >= 2]

        alert = wait_until(retrying, "the health check to list the step that timed out", timeout=90)[0]
        assert alert["system"] == "app_db", alert
        assert "timed out" in alert["reason"] and "next in" in alert["reason"]
        assert email not in str(step_alerts(deployment)), "the health check is public: no personal data"
        with deployment.api() as api:
            assert api.get(f"/api/v1/requests/{request_id}").json()["state"] == "in_progress"
    finally:
        holder.exec_driver_sql("ROLLBACK")
        holder.close()
    wait_until(lambda: driver.step([request_id], []) == {request_id: "completed"}, "the erasure to complete",
               timeout=120)
    assert step_alerts(deployment) == []
    with engine.connect() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM marketing_contacts WHERE email = :e"), {"e": email})
        assert left.scalar_one() == 0
    engine.dispose()
    assert "timed out (try" in deployment.logs(), "each timeout is logged, naming the step"
