"""OpenDSR requests as named steps: receive, read, cancel, change status, process; the caller commits.

Every status change writes a callback row per ``status_callback_urls`` entry in the same transaction
(sent later, signed, by :mod:`privacyops.opendsr.callbacks`) and an event in the audit chain.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pydantic
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.audit import chain
from privacyops.connectors.base import Connector
from privacyops.manifest.schema import Manifest
from privacyops.opendsr import execute, matching, schemas
from privacyops.requests import deadlines as rdeadlines
from privacyops.requests import regimes as rregimes
from privacyops.requests import types as rtypes
from privacyops.store.models.opendsr import OpendsrCallback, OpendsrClient, OpendsrRequest

ENTITY = "opendsr_request"
# The processor aims to finish within this time, and always a margin before the controller's deadline.
TARGET = timedelta(days=7)
MARGIN = timedelta(days=2)
REGION_OF = {"gdpr": "eu", "ccpa": "us-ca"}


class OpendsrError(ValueError):
    """An OpenDSR request broke a rule; ``field`` names the part of the document at fault."""

    def __init__(self, message: str, *, field: str, status: int = 422) -> None:
        self.field, self.message, self.status = field, message, status
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where, and what."""

    field: str
    message: str


class BadDocument(ValueError):
    """The request document is not valid OpenDSR; every problem names its field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def parse(raw: bytes) -> schemas.RequestDocument:
    """Validate the request document, or raise ``BadDocument`` naming every field at fault."""
    try:
        document = schemas.RequestDocument.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        raise BadDocument([Problem(_field(e["loc"]) or "body", _message(e)) for e in exc.errors()]) from None
    for position, identity in enumerate(document.subject_identities):
        if identity.identity_type not in schemas.SUPPORTED_TYPES:
            supported = ", ".join(schemas.SUPPORTED_TYPES)
            raise BadDocument([Problem(
                f"subject_identities[{position}].identity_type",
                f"this processor matches {supported}; {identity.identity_type} is not held",
            )])
    return document


def _field(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: Mapping[str, object]) -> str:
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def deadlines(document: schemas.RequestDocument, received: datetime) -> tuple[datetime, datetime]:
    """Return (expected completion, controller's deadline): the first well before the second."""
    kind = rtypes.RequestType(document.subject_request_type)
    regimes = rdeadlines_regimes(document.regulation)
    due_day = rdeadlines.due_dates(document.submitted_time, kind, regimes).response_due
    controller_due = datetime.combine(due_day, time(0, 0), UTC)
    expected = min(received + TARGET, controller_due - MARGIN)
    return max(expected, received + timedelta(minutes=5)), controller_due


def rdeadlines_regimes(regulation: str) -> tuple[rregimes.Regime, ...]:
    return rregimes.regimes_for([REGION_OF[regulation]])


def receive(session: Session, client: OpendsrClient, raw: bytes, now: datetime) -> OpendsrRequest:
    """Store a new request as ``pending`` (with its callbacks), or raise naming the field at fault."""
    document = parse(raw)
    existing = find(session, client, document.subject_request_id)
    if existing is not None:
        raise OpendsrError("a request with this id was already received", field="subject_request_id",
                           status=409)
    expected, controller_due = deadlines(document, now)
    row = OpendsrRequest(
        client_id=client.id,
        subject_request_id=document.subject_request_id,
        subject_request_type=document.subject_request_type,
        regulation=document.regulation,
        status="pending",
        api_version=document.api_version or schemas.API_VERSION,
        submitted_time=document.submitted_time,
        received_time=now,
        expected_completion_time=expected,
        controller_due=controller_due,
        callback_urls=[str(url) for url in document.status_callback_urls],
        identities=[i.model_dump() for i in document.subject_identities],
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, client, row, "opendsr.received")
    _queue_callbacks(session, client, row, base_url=None)
    return row


def find(session: Session, client: OpendsrClient, subject_request_id: str) -> OpendsrRequest | None:
    """Return the client's request with this id (another client's requests are invisible)."""
    query = sa.select(OpendsrRequest).where(
        OpendsrRequest.client_id == client.id, OpendsrRequest.subject_request_id == subject_request_id
    )
    return session.execute(query).scalar_one_or_none()


def get(session: Session, client: OpendsrClient, subject_request_id: str) -> OpendsrRequest:
    """Return the client's request, or raise a 404 naming the id."""
    row = find(session, client, subject_request_id)
    if row is None:
        raise OpendsrError("no request with this id was received from you", field="id", status=404)
    return row


def cancel(session: Session, client: OpendsrClient, subject_request_id: str, now: datetime) -> OpendsrRequest:
    """Cancel a request that is still pending; later, the work has begun and cannot be called back."""
    row = get(session, client, subject_request_id)
    if row.status != "pending":
        raise OpendsrError(f"the request is {row.status}; only a pending request can be cancelled",
                           field="request_status", status=409)
    change_status(session, client, row, "cancelled", now)
    return row


def change_status(
    session: Session, client: OpendsrClient, row: OpendsrRequest, status: str, now: datetime,
    *, base_url: str | None = None,
) -> None:
    """Move the request to ``status``, queueing one callback per URL and an audit event."""
    row.status = status
    row.updated_at = now
    if status in ("completed", "cancelled"):
        row.completed_at = now
        row.identities = []  # the identities were needed to act; the request is done
    session.flush()
    _audit(session, client, row, f"opendsr.{status}")
    _queue_callbacks(session, client, row, base_url=base_url)


def status_document(
    client: OpendsrClient, row: OpendsrRequest, base_url: str | None
) -> schemas.StatusDocument:
    """Return the request's status document."""
    results_url = None
    if base_url and row.status == "completed" and row.results is not None:
        results_url = f"{base_url.rstrip('/')}/opendsr/v1/requests/{row.subject_request_id}/results"
    return schemas.StatusDocument(
        controller_id=controller_id(client),
        expected_completion_time=row.expected_completion_time,
        subject_request_id=row.subject_request_id,
        request_status=row.status,
        api_version=row.api_version,
        results_url=results_url,
        results_count=row.results_count,
    )


def controller_id(client: OpendsrClient) -> str:
    """Return how the customer is known here: ``client-<id>``."""
    return f"client-{client.id}"


def _queue_callbacks(
    session: Session, client: OpendsrClient, row: OpendsrRequest, base_url: str | None
) -> None:
    status = status_document(client, row, base_url)
    for url in row.callback_urls:
        body = schemas.Callback(**status.model_dump(), status_callback_url=url)
        session.add(OpendsrCallback(request_id=row.id, url=url, request_status=row.status,
                                    body=body.model_dump_json(), state="pending", attempts=0,
                                    created_at=row.updated_at))
    session.flush()


def _audit(session: Session, client: OpendsrClient, row: OpendsrRequest, action: str) -> None:
    chain.append(session, actor=f"opendsr:{controller_id(client)}", action=action, entity=ENTITY,
                 entity_id=str(row.id), data={"type": row.subject_request_type, "status": row.status,
                                              "subject_request_id": row.subject_request_id})


def encoded(raw: bytes) -> str:
    """Return the request body in base64, as the receipt carries it."""
    return base64.b64encode(raw).decode()


def process(
    sessions: sessionmaker[Session], request_pk: int, manifest: Manifest, connectors: Mapping[str, Connector],
    *, key: bytes, clock: Callable[[], datetime], base_url: str | None,
) -> str | None:
    """Run a pending request to its end, committing each status: in_progress, then completed.

    A failed run keeps the request in_progress with the reason and raises, so the queue retries it.
    Returns the final status (None for an unknown request).
    """
    # The row is locked at each change: two workers handed the same request (a dispatch and the
    # recovery after a crash) then write each status, and send its callback, once.
    with sessions.begin() as session:
        row = session.get(OpendsrRequest, request_pk, with_for_update=True)
        if row is None or row.status not in ("pending", "in_progress"):
            return row.status if row else None
        client = _client_of(session, row)
        if row.status == "pending":
            change_status(session, client, row, "in_progress", clock(), base_url=base_url)
        wanted = matching.wanted(row.identities)
        project, kind = client.project_id, row.subject_request_type
    outcome = execute.run(manifest, connectors, project, kind, wanted, key)
    with sessions.begin() as session:
        row = session.get(OpendsrRequest, request_pk, with_for_update=True)
        assert row is not None
        if row.status != "in_progress":
            return row.status  # another worker finished it meanwhile
        if not outcome.ok:
            row.failure = "; ".join(outcome.failures)[:4000]
        else:
            row.results_count = outcome.count
            row.results = json.loads(json.dumps(outcome.rows, default=str)) if kind != "erasure" else None
            row.failure = None
            change_status(session, _client_of(session, row), row, "completed", clock(), base_url=base_url)
    if not outcome.ok:
        failed = len(outcome.failures)
        raise RuntimeError(f"OpenDSR request {request_pk} did not finish: {failed} step(s) failed")
    return "completed"


def _client_of(session: Session, row: OpendsrRequest) -> OpendsrClient:
    client = session.get(OpendsrClient, row.client_id)
    if client is None:
        raise LookupError(f"OpenDSR request {row.id} has no client")
    return client
