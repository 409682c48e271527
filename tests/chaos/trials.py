"""One chaos trial's batch: mixed requests filed over HTTP, driven by an admin to their end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa

from tests.chaos.deployment import Deployment

TYPES = ("access", "erasure", "marketing_opt_out")
UNSENT = "state <> 'sent'"
TERMINAL = ("completed", "partially_completed", "denied", "cancelled")


@dataclass
class Subjects:
    """People of the demo database handed out to trials, each to one trial only."""

    emails: Iterator[str]
    customers: Iterator[tuple[str, str]]  # (user id, project id) with traces in that project

    @classmethod
    def of(cls, app_url: str) -> Subjects:
        engine = sa.create_engine(app_url)
        with engine.connect() as conn:
            pairs = conn.execute(sa.text(
                "SELECT DISTINCT ON (user_id) user_id, project_id FROM traces WHERE user_id IS NOT NULL "
                "ORDER BY user_id, project_id")).all()
            customers = {str(user) for user, _ in pairs[::2]}
            emails = [str(e) for u, e in conn.execute(sa.text("SELECT id, email FROM users ORDER BY id"))
                      if str(u) not in customers]
        engine.dispose()
        chosen = [(str(user), str(project)) for user, project in pairs[::2]]
        return cls(iter(emails), iter(chosen))


@dataclass
class Batch:
    """The requests of one trial: the same for the deployment under test and the reference."""

    filed: list[dict[str, Any]]
    opendsr: list[tuple[str, dict[str, Any]]]  # (project, document)
    ids: list[str] = field(default_factory=list)
    opendsr_ids: list[tuple[str, str]] = field(default_factory=list)  # (project, subject_request_id)

    @classmethod
    def make(cls, subjects: Subjects, number: int, webhook_url: str) -> Batch:
        filed = [{"type": kind, "identities": {"email": next(subjects.emails)}, "regions": ["eu"]}
                 for kind in TYPES]
        user, project = next(subjects.customers)
        document = {
            "regulation": "gdpr", "subject_request_id": str(uuid.uuid4()),
            "subject_request_type": "erasure" if number % 2 else "access",
            "submitted_time": datetime.now(UTC).isoformat(), "api_version": "2.0",
            "subject_identities": [{"identity_type": "controller_customer_id", "identity_value": user,
                                    "identity_format": "raw"}],
            "status_callback_urls": [webhook_url],
        }
        return cls(filed, [(project, document)])


@dataclass
class Driver:
    """An admin of one deployment: files a batch, verifies, approves and closes recipient tasks."""

    deployment: Deployment
    customers: dict[str, str] = field(default_factory=dict)  # project -> OpenDSR client token

    def customer(self, project: str) -> dict[str, str]:
        if project not in self.customers:
            with self.deployment.api() as api:
                answer = api.post("/api/v1/opendsr/clients", json={
                    "name": f"customer of {project}", "project_id": project,
                    "admin_emails": ["privacy@customer.example"]})
            assert answer.status_code == 201, answer.text
            self.customers[project] = answer.json()["token"]
        return {"Authorization": f"Bearer {self.customers[project]}"}

    def file(self, batch: Batch, webhook_url: str) -> tuple[list[str], list[tuple[str, str]]]:
        ids = []
        for number, body in enumerate(batch.filed):
            # As the subject files it: no token, spread over the API processes.
            answer = httpx.post(f"{self.deployment.base(number)}/api/v1/requests", json=body, timeout=30)
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["id"])
        opendsr = []
        for project, document in batch.opendsr:
            document = {**document, "status_callback_urls": [webhook_url]}
            with self.deployment.api(1) as api:
                answer = api.post("/opendsr/v1/requests", json=document, headers=self.customer(project))
            assert answer.status_code == 201, answer.text
            opendsr.append((project, document["subject_request_id"]))
        return ids, opendsr

    def step(self, ids: list[str], opendsr: list[tuple[str, str]]) -> dict[str, str]:
        """Do what an admin would for each open request now; return every request's state."""
        states: dict[str, str] = {}
        with self.deployment.api() as api:
            for request_id in ids:
                state = api.get(f"/api/v1/requests/{request_id}").json()["state"]
                states[request_id] = state
                if state == "awaiting_verification":
                    api.post(f"/api/v1/requests/{request_id}/mark-verified",
                             json={"reason": "identity checked by phone"})
                elif state == "awaiting_approval":
                    api.post(f"/api/v1/requests/{request_id}/approve", json={"note": "scope checked"})
                elif state == "in_progress":
                    self._close_tasks(api, request_id)
            for project, subject_request_id in opendsr:
                answer = api.get(f"/opendsr/v1/requests/{subject_request_id}", headers=self.customer(project))
                states[subject_request_id] = answer.json()["request_status"]
        return states

    @staticmethod
    def _close_tasks(api: Any, request_id: str) -> None:
        for task in api.get(f"/api/v1/requests/{request_id}/tasks").json():
            if task["state"] == "open":
                api.post(f"/api/v1/requests/{request_id}/tasks/{task['id']}/close",
                         json={"state": "done", "evidence": "the recipient confirmed it"})


def finished(states: dict[str, str]) -> bool:
    return all(state in TERMINAL for state in states.values())


def unsent(store_url: str) -> int:
    """Messages and callbacks the deployment has still to send."""
    engine = sa.create_engine(store_url)
    with engine.connect() as conn:
        mail = conn.execute(sa.text(f"SELECT count(*) FROM outbox_messages WHERE {UNSENT}")).scalar_one()
        hooks = conn.execute(sa.text(f"SELECT count(*) FROM opendsr_callbacks WHERE {UNSENT}")).scalar_one()
    engine.dispose()
    return int(mail) + int(hooks)
