"""A rectification filed over the API reaches ``completed`` through the running service (RR-1).

``serve`` and a separate ``worker`` run as subprocesses on the demo database, with rectifications set
to wait for a person's approval. The subject names the wrong field and gets 422; then files the
correction, an admin verifies it, reads the value and amends it on approval, and the worker writes
the amended value into every declared copy. The value is personal data: the store holds it sealed,
and no log line, audit event or run record carries it.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.store import sealing
from tests import support
from tests.e2e.conftest import ADMIN_TOKEN, SECRET_KEY, Service, cli, start, wait_healthy, wait_until
from tests.e2e.test_request_end_to_end import close_recipient_tasks, state_of

SUBJECT, USER = "subject3@example.com", "u_3"
ASKED = "Ada Kingsley-Correcta"  # what the subject writes
AMENDED = "Ada Kingsley-Corrected"  # what the reviewer approves
# Every declared copy of the subject's name in the demo application (user.name), by table.
NAME_COPIES = {
    "users": "SELECT name FROM users WHERE id = :user",
    "billing_customers": "SELECT billing_name FROM billing_customers WHERE user_id = :user",
    "marketing_contacts": "SELECT name FROM marketing_contacts WHERE email = :email",
}


@pytest.fixture
def service(db_kind: str, db_url: str, make_db_url: Callable[[str], str],
            tmp_path: Path) -> Iterator[Service]:
    """``privacyops serve`` and ``privacyops worker`` on a demo database; rectifications need approval."""
    port = support.free_port()
    app_db_url = make_db_url("app")
    env = support.clean_env(
        PRIVACYOPS_HOME=str(tmp_path / "home"), PRIVACYOPS_DATABASE_URL=db_url,
        PRIVACYOPS_ADMIN_TOKEN=ADMIN_TOKEN, PRIVACYOPS_SECRET_KEY=SECRET_KEY, PRIVACYOPS_PORT=str(port),
        PRIVACYOPS_MANIFEST=str(LANGFUSE_MANIFEST), PRIVACYOPS_DEMO_MODE="true",
        PRIVACYOPS_APPROVAL_REQUIRED="erasure,account_deletion,rectification", APP_DATABASE_URL=app_db_url,
    )
    if db_kind == "postgres":
        env["PRIVACYOPS_QUEUE_URL"] = db_url
    logs = [tmp_path / "serve.log", tmp_path / "worker.log"]
    running = Service(f"http://127.0.0.1:{port}", env, app_db_url, db_url, logs)
    cli("demo", "--no-serve", "--db", app_db_url, env=env)
    cli("db", "upgrade", env=env)
    running.processes.append(start(["serve", "--no-worker-in-process"], env, logs[0]))
    running.processes.append(start(["worker"], env, logs[1]))
    try:
        wait_healthy(running)
        yield running
    finally:
        for process in running.processes:
            support.stop_process(process, signal.SIGTERM)


def names_held(app_db_url: str) -> dict[str, set[str]]:
    """The subject's name in each table that declares a copy of it, read by plain SQL."""
    engine = sa.create_engine(app_db_url)
    try:
        with engine.connect() as conn:
            params = {"user": USER, "email": SUBJECT}
            return {table: {str(v) for v in conn.execute(sa.text(query), params).scalars()}
                    for table, query in NAME_COPIES.items()}
    finally:
        engine.dispose()


def raw_store_text(store_url: str) -> tuple[str, list[str]]:
    """Every value of every table of the store as the database holds it, and the stored corrections."""
    engine = sa.create_engine(store_url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            text = "\n".join(str(tuple(row)) for table in meta.sorted_tables
                             for row in conn.execute(sa.select(table)))
            stored = conn.execute(sa.text("SELECT corrections FROM subject_requests "
                                          "WHERE corrections IS NOT NULL")).scalars()
            return text, [str(value) for value in stored]
    finally:
        engine.dispose()


@pytest.mark.req("RR-1", "INT-5")
def test_rectification_over_the_api_corrects_every_copy_and_keeps_the_value_sealed(service: Service) -> None:
    before = names_held(service.app_db_url)
    assert sum(len(found) for found in before.values()) >= 2, f"the demo subject's copies: {before}"
    with service.api() as api:
        public = httpx.Client(base_url=f"{service.base}/api/v1", timeout=30)
        body = {"type": "rectification", "identities": {"email": SUBJECT}, "regions": ["eu"]}

        wrong = public.post("/requests", json={**body, "corrections": {"shoe_size": "42"}})
        assert wrong.status_code == 422, wrong.text
        assert wrong.json()["detail"]["field"] == "corrections.shoe_size"
        assert "name" in wrong.json()["detail"]["rule"]  # says which fields may be corrected
        linking = public.post("/requests", json={**body, "corrections": {"users.id": "u_999"}})
        assert linking.status_code == 422 and linking.json()["detail"]["field"] == "corrections.users.id"

        filed = public.post("/requests", json={**body, "corrections": {"name": ASKED}})
        assert filed.status_code == 201, filed.text
        request_id = filed.json()["id"]
        verified = api.post(f"/requests/{request_id}/mark-verified",
                            json={"reason": "identity checked by a call-back on the phone number held"})
        assert verified.status_code == 200, verified.text
        wait_until(lambda: state_of(service, request_id) == "awaiting_approval", "the approval step")
        detail = api.get(f"/requests/{request_id}").json()
        assert detail["corrections"] == {"name": ASKED}

        approved = api.post(f"/requests/{request_id}/approve",
                            json={"note": "spelling confirmed", "corrections": {"name": AMENDED}})
        assert approved.status_code == 200, approved.text
        assert approved.json()["corrections"] == {"name": AMENDED}
        too_late = api.post(f"/requests/{request_id}/approve", json={"corrections": {"name": ASKED}})
        assert too_late.status_code == 409, too_late.text

        def closed() -> bool:
            close_recipient_tasks(api, request_id)  # the recipients were told; their answers close it
            return state_of(service, request_id) in ("completed", "partially_completed")

        wait_until(closed, "the rectification to complete")
        assert state_of(service, request_id) == "completed", api.get(f"/requests/{request_id}").text
        audit = api.get("/audit/events", params={"entity": "subject_request", "entity_id": request_id})
        actions = {event["action"] for event in audit.json()}
        assert {"request.corrections_amended", "execution.started", "execution.step"} <= actions

    after = names_held(service.app_db_url)
    assert {table: found for table, found in after.items() if found} == {
        table: {AMENDED} for table, found in before.items() if found
    }
    text, stored = raw_store_text(service.store_url)
    assert stored and all(sealing.is_sealed(value) for value in stored)
    assert ASKED not in text and AMENDED not in text  # audit, run records, outbox: never in clear
    logs = service.log_text()
    assert "Uvicorn running" in logs, "the processes' output was not captured"
    support.assert_no_secrets(logs, [ASKED, AMENDED, SUBJECT, request_id, ADMIN_TOKEN])
