"""Retention over HTTP: holds added and released by admins, runs and overdue data, the health checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from privacyops import jobs
from privacyops.api.app import create_app
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.retention import tasks, tombstones
from privacyops.retention.health import REPLAY_PENDING
from privacyops.settings import Settings

from .conftest import TERMINATED_AT, Copies

ADMIN = {"Authorization": "Bearer po_retention_admin_token"}


@pytest.fixture
def client(copies: Copies, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    db_url, demo_url = copies.copy(copies.store, "store"), copies.copy(copies.demo, "demo")
    monkeypatch.setenv("APP_DATABASE_URL", demo_url)
    settings = Settings(
        database_url=db_url,
        home=tmp_path / "home",
        manifest=LANGFUSE_MANIFEST,
        admin_token="po_retention_admin_token",
        secret_key="retention-api-secret-0123456789",
        worker_in_process=False,
        queue_url="memory://",
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.req("ER-2")
def test_holds_are_checked_added_listed_by_hash_and_released(client: TestClient) -> None:
    no_reason = client.post(
        "/api/v1/retention/holds",
        headers=ADMIN,
        json={"scope": "table", "target": "app_db.invoices", "reason_code": ""},
    )
    assert no_reason.status_code == 422 and no_reason.json()["detail"]["field"].endswith("reason_code")
    unknown = client.post(
        "/api/v1/retention/holds",
        headers=ADMIN,
        json={"scope": "table", "target": "app_db.nope", "reason_code": "tax"},
    )
    assert unknown.status_code == 422 and unknown.json()["detail"]["field"] == "target"
    added = client.post(
        "/api/v1/retention/holds",
        headers=ADMIN,
        json={
            "scope": "subject",
            "target": "held.person@example.com",
            "identity_kind": "email",
            "reason_code": "litigation",
            "expires_at": "2099-01-01T00:00:00Z",
        },
    )
    assert added.status_code == 201, added.text
    hold = added.json()
    assert "held.person" not in added.text and len(hold["target"]) == 64
    listed = client.get("/api/v1/retention/holds", headers=ADMIN).json()
    assert [h["id"] for h in listed] == [hold["id"]]
    released = client.post(f"/api/v1/retention/holds/{hold['id']}/release", headers=ADMIN)
    assert released.status_code == 200 and released.json()["released_at"]
    again = client.post(f"/api/v1/retention/holds/{hold['id']}/release", headers=ADMIN)
    assert again.status_code == 409 and again.json()["detail"]["field"] == "hold_id"
    assert client.get("/api/v1/retention/holds", headers=ADMIN).json() == []
    assert len(client.get("/api/v1/retention/holds?inactive=true", headers=ADMIN).json()) == 1


@pytest.mark.req("ER-4", "ER-3")
def test_overdue_fails_its_health_check_until_swept_and_a_restore_blocks_readiness(
    client: TestClient,
) -> None:
    overdue = client.get("/api/v1/retention/overdue", headers=ADMIN).json()
    assert overdue["state"] == "overdue"
    (item,) = overdue["items"]
    assert (item["rule"], item["count"], item["due"]) == (
        "account-after-termination",
        1,
        "2025-02-28T12:00:00+00:00",
    )
    assert client.get("/healthz/retention").status_code == 503
    assert client.get("/healthz").status_code == 200, "overdue data does not take the instance out"

    from privacyops.execution.tasks import build_env

    services = client.app.state.services  # type: ignore[attr-defined]
    # The worker's hourly task, called as the scheduler calls it.
    ctx = jobs.JobContext(settings=services.settings, queue=services.queue)
    assert tasks.sweep_all(ctx) == {"account-after-termination": "done"}
    assert client.get("/healthz/retention").json() == {"state": "ok", "items": []}
    (run,) = client.get("/api/v1/retention/runs", headers=ADMIN).json()
    assert run["rows"]["app_db.users"] == 1 and run["status"] == "done"

    with services.sessions.begin() as session:
        tombstones.declare_restore(session, system="app_db", backup_taken_at=TERMINATED_AT, actor="test")
    blocked = client.get("/healthz")
    assert blocked.status_code == 503 and blocked.json()["checks"]["restore"] == REPLAY_PENDING
    env = build_env(services.settings)
    try:
        tombstones.replay(services.sessions, env.connectors, env.pseudonym_key(), TERMINATED_AT)
    finally:
        env.close()
    assert client.get("/healthz").status_code == 200
