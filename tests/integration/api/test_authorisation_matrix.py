"""Every route of the app against every kind of caller, from one table of who may call what.

The table below is the authorisation policy. The test walks the app's own route table: a route that is
not in the table fails the test, so a new route cannot escape it. Callers are real: API tokens issued
in the store, two subjects with their own requests (a request's random id is what a subject holds), and
two OpenDSR customers registered through the API, each with a request of its own.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.api import deps
from privacyops.console import framework, sessions, users
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db, tokens
from privacyops.store.models.evidence import EvidenceFile
from privacyops.store.models.execution import RecipientTask
from privacyops.store.models.retention import RetentionHold

ADMIN_TOKEN = "po_matrix_bootstrap_admin_token"
PUBLIC, SUBJECT, CUSTOMER = "public", "subject-owned", "customer-owned"
LINK = "signed link"  # only the signed, expiring token in the path opens it
VIEWER, REVIEWER, ADMIN = "viewer", "reviewer", "admin"
PUBLISHED = "public, once published"  # anyone; 404 until a notice version with that number exists

# (method, route pattern) -> who may call it: public, the subject holding the request id, the holder of
# a signed download link, the customer owning the OpenDSR request, or the least API role.
POLICY: dict[tuple[str, str], str] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/privacy"): PUBLIC,
    ("GET", "/.well-known/gpc.json"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/healthz/retention"): PUBLIC,
    # Retention: runs, holds and overdue data are read by viewers; holds are changed by admins only.
    ("GET", "/api/v1/retention/runs"): VIEWER,
    ("GET", "/api/v1/retention/holds"): VIEWER,
    ("POST", "/api/v1/retention/holds"): ADMIN,
    ("POST", "/api/v1/retention/holds/{hold_id}/release"): ADMIN,
    ("GET", "/api/v1/retention/overdue"): VIEWER,
    ("GET", "/admin/retention"): VIEWER,
    ("POST", "/admin/retention/holds"): ADMIN,
    ("POST", "/admin/retention/holds/{hold_id}/release"): ADMIN,
    ("GET", "/api/v1/docs"): PUBLIC,
    ("GET", "/dev/mail"): PUBLIC,
    ("GET", "/dev/mail.json"): PUBLIC,
    ("GET", "/privacy/request"): PUBLIC,
    ("POST", "/privacy/request"): PUBLIC,
    ("GET", "/privacy/requests/{request_id}"): SUBJECT,
    ("POST", "/privacy/requests/{request_id}/verify"): SUBJECT,
    ("POST", "/api/v1/requests"): PUBLIC,
    ("GET", "/api/v1/requests/{request_id}/status"): SUBJECT,
    ("POST", "/api/v1/requests/{request_id}/verify"): SUBJECT,
    ("POST", "/api/v1/requests/{request_id}/verify/resend"): SUBJECT,
    ("GET", "/api/v1/packages/{token}"): LINK,
    ("GET", "/api/v1/whoami"): VIEWER,
    ("GET", "/api/v1/manifest"): VIEWER,
    ("GET", "/api/v1/requests"): VIEWER,
    ("GET", "/api/v1/requests/log"): VIEWER,
    ("GET", "/api/v1/requests/{request_id}"): VIEWER,
    ("GET", "/api/v1/requests/{request_id}/tasks"): VIEWER,
    ("POST", "/api/v1/pii/mask"): VIEWER,
    ("POST", "/api/v1/pii/analyze"): VIEWER,
    # Langfuse's callback: masks only what it is sent; its own shared token when one is configured.
    ("POST", "/api/v1/pii/langfuse/ingestion-mask"): PUBLIC,
    ("GET", "/api/v1/audit/events"): REVIEWER,
    ("GET", "/api/v1/decisions"): VIEWER,
    ("POST", "/api/v1/decisions"): VIEWER,
    ("GET", "/api/v1/consent/lookup"): VIEWER,
    ("POST", "/api/v1/consent/receipts"): REVIEWER,
    ("POST", "/api/v1/consent/receipts/batch"): REVIEWER,
    ("POST", "/api/v1/consent/sign-up-attestations"): REVIEWER,
    ("POST", "/api/v1/consent/minors"): REVIEWER,
    # The cookie banner runs on the host's pages for visitors without an account.
    ("GET", "/consent/banner.js"): PUBLIC,
    ("POST", "/consent/choices"): PUBLIC,
    ("GET", "/consent/example"): PUBLIC,
    ("GET", "/consent/unsubscribe/{token}"): LINK,
    ("POST", "/consent/unsubscribe/{token}"): LINK,
    ("GET", "/privacy/preferences/{token}"): LINK,
    ("POST", "/privacy/preferences/{token}"): LINK,
    ("POST", "/api/v1/consent/preference-links"): REVIEWER,
    ("GET", "/admin/consent"): VIEWER,
    ("POST", "/api/v1/requests/{request_id}/approve"): REVIEWER,
    ("POST", "/api/v1/requests/{request_id}/deny"): REVIEWER,
    ("POST", "/api/v1/requests/{request_id}/extend"): REVIEWER,
    ("POST", "/api/v1/requests/{request_id}/cancel"): REVIEWER,
    ("POST", "/api/v1/requests/{request_id}/mark-verified"): REVIEWER,
    ("POST", "/api/v1/requests/{request_id}/complete"): REVIEWER,
    ("POST", "/api/v1/requests/{request_id}/forward"): REVIEWER,
    ("POST", "/api/v1/requests/{request_id}/tasks/{task_id}/close"): REVIEWER,
    ("POST", "/api/v1/requests/import/eml"): REVIEWER,
    ("POST", "/api/v1/requests/import/inbound-email"): REVIEWER,
    ("POST", "/api/v1/requests/import/ticket"): REVIEWER,
    ("GET", "/api/v1/audit/verify"): ADMIN,
    ("POST", "/api/v1/tokens"): ADMIN,
    ("GET", "/api/v1/tokens"): ADMIN,
    ("DELETE", "/api/v1/tokens/{token_id}"): ADMIN,
    ("POST", "/api/v1/opendsr/clients"): ADMIN,
    ("GET", "/opendsr/v1/discovery"): PUBLIC,
    ("GET", "/opendsr/v1/certificate.pem"): PUBLIC,
    ("POST", "/opendsr/v1/requests"): CUSTOMER,
    ("GET", "/opendsr/v1/requests/{subject_request_id}"): CUSTOMER,
    ("GET", "/opendsr/v1/requests/{subject_request_id}/results"): CUSTOMER,
    ("DELETE", "/opendsr/v1/requests/{subject_request_id}"): CUSTOMER,
    # The admin console: a session cookie instead of a token (the role callers hold both); anyone else
    # is sent to the sign-in form (pages) or refused (actions).
    ("GET", "/admin/sign-in"): PUBLIC,
    ("POST", "/admin/sign-in"): PUBLIC,
    ("GET", "/admin/sso/start"): PUBLIC,
    ("GET", "/admin/sso/callback"): PUBLIC,
    ("POST", "/admin/sign-out"): VIEWER,
    ("GET", "/admin/"): VIEWER,
    ("GET", "/admin/requests"): VIEWER,
    ("GET", "/admin/requests/{request_id}"): VIEWER,
    ("POST", "/admin/requests/{request_id}/approve"): REVIEWER,
    ("POST", "/admin/requests/{request_id}/deny"): REVIEWER,
    ("POST", "/admin/requests/{request_id}/extend"): REVIEWER,
    ("GET", "/admin/tasks"): VIEWER,
    ("GET", "/admin/tasks/{task_id}"): VIEWER,
    ("POST", "/admin/tasks/{task_id}/close"): REVIEWER,
    ("POST", "/admin/tasks/close"): REVIEWER,
    ("GET", "/admin/requests/{request_id}/evidence/{file_id}"): REVIEWER,
    ("POST", "/api/v1/requests/{request_id}/tasks/{task_id}/evidence"): REVIEWER,
    ("GET", "/api/v1/requests/{request_id}/evidence"): REVIEWER,
    ("GET", "/api/v1/requests/{request_id}/evidence/{file_id}"): REVIEWER,
    ("POST", "/api/v1/recipient-tasks/close"): REVIEWER,
    ("GET", "/admin/dashboard"): VIEWER,
    ("GET", "/admin/data-map"): VIEWER,
    ("POST", "/admin/data-map/scan"): ADMIN,
    ("GET", "/admin/audit"): REVIEWER,
    ("POST", "/admin/audit/verify"): ADMIN,
    # The notice over time: public pages and the version list; recording needs a token.
    ("GET", "/privacy/versions"): PUBLIC,
    ("GET", "/privacy/versions/{number}"): PUBLISHED,
    ("GET", "/privacy/versions/{number}/diff"): PUBLISHED,
    ("GET", "/privacy/subprocessors"): PUBLIC,
    ("POST", "/privacy/subscriptions"): PUBLIC,
    ("GET", "/privacy/subscriptions/{number}/{action}"): PUBLIC,
    ("POST", "/privacy/subscriptions/{number}/{action}"): PUBLIC,
    ("GET", "/api/v1/notice/versions"): PUBLIC,
    ("GET", "/api/v1/notice/changes"): PUBLIC,
    ("POST", "/api/v1/notice/versions/{number}/shown"): REVIEWER,
    ("POST", "/api/v1/disclosures"): REVIEWER,
    ("GET", "/api/v1/disclosures"): VIEWER,
    ("GET", "/admin/notice/versions"): VIEWER,
    ("GET", "/admin/disclosures"): VIEWER,
    ("GET", "/admin/metrics"): VIEWER,
    ("GET", "/admin/reports/request-log.csv"): VIEWER,
}
DENIED = {401, 403}
SIGN_IN = "/admin/sign-in"


@dataclass(frozen=True)
class Caller:
    """A kind of caller: its headers, its request id (a subject's), its OpenDSR request (a customer's)."""

    name: str
    headers: dict[str, str]
    role: str | None = None  # API role, if it holds an API token
    request_id: str | None = None
    customer_request: str | None = None


@pytest.fixture
def settings(db_url: str, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    db.upgrade(db_url)
    return Settings(database_url=db_url, home=tmp_path / "home", manifest=LANGFUSE_MANIFEST,
                    admin_token=ADMIN_TOKEN, secret_key="authorisation-matrix-secret-0123456789",
                    worker_in_process=False, queue_url="memory://", rate_limit_intake_per_address=0)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _role_token(app: FastAPI, role: str) -> dict[str, str]:
    """An API token and a console session (with its CSRF token) of the same role."""
    with app.state.services.sessions.begin() as session:
        _row, token = tokens.issue_token(session, name=f"matrix-{role}", role=role)
        user = users.add(session, username=f"matrix-{role}", password="matrix-password-1", role=role,
                         actor="test")
        started, cookie = sessions.start(session, user, framework.lifetime(app.state.services.settings),
                                         datetime.now(UTC))
    return {**_bearer(token), "Cookie": f"{framework.SESSION_COOKIE}={cookie}",
            framework.CSRF_HEADER: started.csrf_token}


def _subject(client: TestClient, email: str) -> str:
    answer = client.post("/api/v1/requests", json={"type": "access", "identities": {"email": email}})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _customer(client: TestClient, name: str, project: str) -> tuple[dict[str, str], str]:
    issued = client.post("/api/v1/opendsr/clients", headers=_bearer(ADMIN_TOKEN),
                         json={"name": name, "project_id": project})
    assert issued.status_code == 201, issued.text
    headers = _bearer(issued.json()["token"])
    document = {"regulation": "gdpr", "subject_request_id": str(uuid.uuid4()),
                "subject_request_type": "access", "submitted_time": "2026-11-20T09:00:00+00:00",
                "api_version": "2.0", "status_callback_urls": [],
                "subject_identities": [{"identity_type": "email", "identity_format": "raw",
                                        "identity_value": f"someone@{project}.example"}]}
    created = client.post("/opendsr/v1/requests", headers=headers, json=document)
    assert created.status_code == 201, created.text
    return headers, document["subject_request_id"]


@pytest.fixture
def callers(app: FastAPI, client: TestClient) -> list[Caller]:
    customer_a, request_a = _customer(client, "Customer A", "p_matrix_a")
    customer_b, request_b = _customer(client, "Customer B", "p_matrix_b")
    subject = _subject(client, "matrix.subject@example.com")
    with app.state.services.sessions.begin() as session:  # task 1, for the routes of a recipient task
        session.add(RecipientTask(id=1, request_id=subject, recipient="Matrix Ltd", service="hosting",
                                  action="erase", categories=["user.name"], channel="manual", state="open"))
        session.flush()  # file 1, for the routes that download an evidence file
        session.add(EvidenceFile(id=1, request_id=subject, task_id=1, kind="recipient_confirmation",
                                 file_name="matrix.txt", content_type="text/plain", size=2, sha256="0" * 64,
                                 content=b"ok", uploaded_by="matrix"))
        # hold 1, for the route that releases a legal hold
        session.add(RetentionHold(id=1, scope="table", target="app_db.invoices", reason_code="tax",
                                  created_by="matrix"))
    return [
        Caller("anonymous", {}),
        Caller("subject", {}, request_id=subject),
        Caller("another subject", {}, request_id=_subject(client, "matrix.other@example.com")),
        *[Caller(role, _role_token(app, role), role=role) for role in (VIEWER, REVIEWER, ADMIN)],
        Caller("customer", customer_a, customer_request=request_a),
        Caller("another customer", customer_b, customer_request=request_b),
    ]


def _path(pattern: str, owner: Caller, spare_token: int) -> str:
    values = {"request_id": owner.request_id or "0" * 32, "task_id": "1", "token_id": str(spare_token),
              "token": "not-a-signed-link", "number": "1", "action": "confirm", "hold_id": "1",
              "file_id": "1",
              "subject_request_id": owner.customer_request or str(uuid.uuid4())}
    return re.sub(r"{(\w+)(:[^}]+)?}", lambda m: values[m.group(1)], pattern)


def _expected(rule: str, caller: Caller, owner: Caller) -> str:
    """``allowed``, ``denied`` (401/403) or ``unknown`` (404: someone else's, or no such request)."""
    if rule == PUBLIC:
        return "allowed"
    if rule == PUBLISHED:
        return "reachable"
    if rule == LINK:
        return "refused"  # no caller holds a valid link: nobody, whatever their token, gets the package
    if rule == SUBJECT:  # the random request id is the subject's key: whoever holds it may follow it
        return "allowed"
    if rule == CUSTOMER:
        if caller.customer_request is None:
            return "denied"  # API tokens and subjects are not customers
        return "allowed" if caller is owner else "unknown"
    if caller.role is None:
        return "denied"
    return "allowed" if deps.ROLE_RANK[caller.role] >= deps.ROLE_RANK[rule] else "denied"


def _sent_to_sign_in(headers: Mapping[str, str], status: int) -> bool:
    """A console page refuses a visitor with no session by sending them to the sign-in form."""
    return status == 303 and headers.get("location", "").startswith(SIGN_IN)


def _owner_for(rule: str, callers: list[Caller], caller: Caller) -> Caller:
    """Whose id goes in the path: the caller's own if it has one, else the first subject's / customer's."""
    if rule == CUSTOMER:
        return next(c for c in callers if c.name == "customer")
    if caller.request_id is not None:
        return caller
    return next(c for c in callers if c.name == "subject")


def test_every_route_is_in_the_policy(app: FastAPI) -> None:
    served = {(method, route.path) for route in deps.api_routes(app) for method in route.methods
              if method != "HEAD"}
    assert served - POLICY.keys() == set(), "routes with no entry in POLICY: add who may call them"
    assert POLICY.keys() - served == set(), "POLICY names routes the app no longer serves"


def test_every_route_answers_each_caller_as_the_policy_says(
    app: FastAPI, client: TestClient, callers: list[Caller]
) -> None:
    with app.state.services.sessions.begin() as session:
        spare, _ = tokens.issue_token(session, name="matrix-spare", role="viewer")
        spare_id = spare.id
    wrong: list[str] = []
    checked = 0
    # Signing out ends the caller's console session: it goes last.
    for route in sorted(deps.api_routes(app), key=lambda r: (r.path.endswith("/sign-out"), r.path)):
        for method in sorted(route.methods - {"HEAD"}):
            rule = POLICY[(method, route.path)]
            for caller in callers:
                owner = _owner_for(rule, callers, caller)
                if rule == CUSTOMER and caller.name == "another customer" and method == "POST":
                    owner = caller  # filing is not about someone else's request
                answer = client.request(method, _path(route.path, owner, spare_id), headers=caller.headers,
                                        follow_redirects=False)
                expected = _expected(rule, caller, owner)
                status = answer.status_code
                ok = {"allowed": status not in DENIED | {404} or route.path.startswith("/dev/"),
                      "denied": status in DENIED or _sent_to_sign_in(answer.headers, status),
                      "unknown": status == 404,
                      "reachable": status not in DENIED,
                      "refused": 400 <= status < 500}[expected]
                if not ok:
                    wrong.append(f"{method} {route.path} as {caller.name}: {status}, expected {expected}")
                checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked >= len(POLICY) * len(callers)


def test_one_subject_or_customer_cannot_reach_anothers_request(
    client: TestClient, callers: list[Caller]
) -> None:
    by_name = {c.name: c for c in callers}
    subject, other = by_name["subject"], by_name["another subject"]
    own = client.get(f"/api/v1/requests/{subject.request_id}/status").json()
    assert own["id"] == subject.request_id and "identities" not in own
    assert client.get(f"/api/v1/requests/{uuid.uuid4().hex}/status").status_code == 404
    assert client.get(f"/api/v1/requests/{other.request_id}/status").json()["id"] != subject.request_id
    customer, another = by_name["customer"], by_name["another customer"]
    path = f"/opendsr/v1/requests/{customer.customer_request}"
    assert client.get(path, headers=customer.headers).status_code == 200
    assert client.get(path, headers=another.headers).status_code == 404
    assert client.delete(path, headers=another.headers).status_code == 404
    assert client.get(path, headers=_bearer(ADMIN_TOKEN)).status_code == 401
