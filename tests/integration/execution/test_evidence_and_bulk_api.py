"""Evidence files and bulk closing over HTTP: upload checked by content, sealed, downloaded as attachment."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from privacyops.api.app import create_app
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.execution import runner
from privacyops.settings import Settings
from privacyops.store import tokens
from tests.integration.execution.conftest import SECRET, Setup

TOKEN = "po_evidence_admin_token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
LIMIT = 4096
PDF = b"%PDF-1.4\n% a recipient's confirmation for erin@example.com\n%%EOF\n"
EML = b"From: privacy@hubspot.example\r\nSubject: Deleted\r\n\r\nWe erased the contact.\r\n"


@pytest.fixture
def client(setup: Setup, tmp_path: Path) -> TestClient:
    settings = Settings(database_url=setup.store_url, home=tmp_path / "home", manifest=LANGFUSE_MANIFEST,
                        admin_token=TOKEN, worker_in_process=False, queue_url="memory://",
                        secret_key=SECRET.decode(), evidence_max_bytes=LIMIT)
    return TestClient(create_app(settings))


def _waiting_erasure(setup: Setup, email: str) -> str:
    request_id = setup.submit("erasure", {"email": email})
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "waiting"
    return request_id


def _viewer(setup: Setup) -> dict[str, str]:
    with setup.sessions.begin() as session:
        _row, token = tokens.issue_token(session, name="evidence-viewer", role="viewer")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.req("ER-1")
def test_a_confirmation_file_is_kept_sealed_and_served_only_as_an_attachment(
    setup: Setup, client: TestClient
) -> None:
    request_id = _waiting_erasure(setup, "subject1@example.com")
    task = client.get(f"/api/v1/requests/{request_id}/tasks", headers=ADMIN).json()[0]
    url = f"/api/v1/requests/{request_id}/tasks/{task['id']}/evidence"

    page = b"<html><script>1</script>"
    disguised = client.post(url, headers=ADMIN, files={"file": ("confirmation.pdf", page)})
    assert disguised.status_code == 422 and disguised.json()["detail"]["field"] == "file"
    assert ".pdf" in disguised.json()["detail"]["rule"]
    too_big = client.post(url, headers=ADMIN, files={"file": ("big.txt", b"a" * (LIMIT + 1))})
    assert too_big.status_code == 413 and too_big.json()["detail"]["field"] == "file"
    assert "PRIVACYOPS_EVIDENCE_MAX_BYTES" in too_big.json()["detail"]["rule"]
    assert client.post(url, headers=_viewer(setup), files={"file": ("c.pdf", PDF)}).status_code == 403

    stored = client.post(url, headers=ADMIN, files={"file": ("hubspot confirmation.pdf", PDF)})
    assert stored.status_code == 201, stored.text
    mail = client.post(url, headers=ADMIN, files={"file": ("reply.eml", EML)}).json()
    assert stored.json()["content_type"] == "application/pdf" and mail["content_type"] == "message/rfc822"
    listed = client.get(f"/api/v1/requests/{request_id}/evidence", headers=ADMIN).json()
    assert [f["file_name"] for f in listed] == ["hubspot confirmation.pdf", "reply.eml"]

    download = client.get(stored.json()["download"], headers=ADMIN)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert client.get(stored.json()["download"], headers=_viewer(setup)).status_code == 403
    assert client.get(f"/api/v1/requests/{'0' * 32}/evidence/{stored.json()['id']}",
                      headers=ADMIN).status_code == 404

    with setup.sessions() as session:
        raw = session.execute(sa.text("SELECT file_name, content FROM evidence_files ORDER BY id")).all()
        audit = session.execute(sa.text("SELECT data FROM audit_events WHERE action = 'evidence.attached'"
                                        " ORDER BY id")).scalars().all()
    assert all(name.startswith("pe1:") and content.startswith("pe1:") for name, content in raw)
    assert len(audit) == 2 and all("hubspot" not in str(a) and "erin" not in str(a) for a in audit)
    assert f'"size": {len(PDF)}' in str(audit[0]).replace("'", '"')


@pytest.mark.req("ER-1")
def test_one_note_closes_a_requests_tasks_each_audited_and_the_erasure_completes(
    setup: Setup, client: TestClient
) -> None:
    first = _waiting_erasure(setup, "subject1@example.com")
    second = _waiting_erasure(setup, "subject2@example.com")
    mine = client.get(f"/api/v1/requests/{first}/tasks", headers=ADMIN).json()
    theirs = client.get(f"/api/v1/requests/{second}/tasks", headers=ADMIN).json()
    body = {"state": "done", "evidence": "the recipients confirmed by e-mail"}
    other = next(t["id"] for t in theirs if t["recipient"] != mine[0]["recipient"])
    mixed = client.post("/api/v1/recipient-tasks/close", headers=ADMIN,
                        json={**body, "task_ids": [mine[0]["id"], other]})
    assert mixed.status_code == 422 and mixed.json()["detail"]["field"] == "task_ids"
    assert client.post("/api/v1/recipient-tasks/close", headers=_viewer(setup),
                       json={**body, "task_ids": [t["id"] for t in mine]}).status_code == 403
    unknown = client.post("/api/v1/recipient-tasks/close", headers=ADMIN, json={**body, "task_ids": [999999]})
    assert unknown.status_code == 422 and unknown.json()["detail"]["field"] == "task_ids"

    ids = [t["id"] for t in mine]
    closed = client.post("/api/v1/recipient-tasks/close", headers=ADMIN, json={**body, "task_ids": ids})
    assert closed.status_code == 200, closed.text
    assert {t["state"] for t in closed.json()} == {"done"} and len(closed.json()) == len(ids)
    one_recipient = [t["id"] for t in theirs if t["recipient"] == theirs[0]["recipient"]]
    assert client.post("/api/v1/recipient-tasks/close", headers=ADMIN,
                       json={**body, "task_ids": one_recipient}).status_code == 200
    with setup.sessions() as session:
        events = session.execute(sa.text("SELECT entity_id FROM audit_events WHERE action = "
                                         "'recipient_task.done'")).scalars().all()
    assert sorted(int(e) for e in events) == sorted([*ids, *one_recipient])
    assert runner.run_request(setup.sessions, setup.env, first).status == "completed"

