"""Send the status callbacks written at each status change: signed, in order, retried until they land.

A callback row is written in the transaction that changes the status, so none is lost; this module
posts the pending ones. A failure leaves the row pending (``attempts`` counts the tries) and later
callbacks to the same URL for the same request wait, so a customer never sees ``completed`` before
``in_progress``. Every attempt carries the same ``Idempotency-Key``: a sender that died after posting
and before marking the row sent posts it again, and the customer can tell the copy. After
``MAX_ATTEMPTS`` a callback is marked failed and the privacy team can see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.opendsr.signing import Signer
from privacyops.store.models.opendsr import OpendsrCallback

MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 10.0
BATCH = 200
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class DeliveryReport:
    """How many callbacks were sent, how many failed this time, and how many gave up for good."""

    sent: int = 0
    failed: int = 0
    abandoned: int = 0


def deliver_pending(
    sessions: sessionmaker[Session], signer: Signer, *, http: httpx.Client | None = None
) -> DeliveryReport:
    """Post every pending callback in the order written; returns what happened."""
    with sessions() as session:
        pending = list(session.execute(
            sa.select(OpendsrCallback.id, OpendsrCallback.request_id, OpendsrCallback.url)
            .where(OpendsrCallback.state == "pending").order_by(OpendsrCallback.id).limit(BATCH)
        ).all())
    own = http is None
    client = http or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    blocked: set[tuple[int, str]] = set()
    sent = failed = abandoned = 0
    try:
        for callback_id, request_id, url in pending:
            if (request_id, url) in blocked:
                continue
            error = _post(sessions, client, signer, callback_id)
            if error is None:
                sent += 1
                continue
            blocked.add((request_id, url))
            failed += 1
            abandoned += _record_failure(sessions, callback_id, error)
    finally:
        if own:
            client.close()
    return DeliveryReport(sent, failed, abandoned)


def idempotency_key(callback_id: int) -> str:
    """Return the key a callback carries on every attempt: one key per status change and URL."""
    return f"opendsr-callback-{callback_id}"


def _post(
    sessions: sessionmaker[Session], client: httpx.Client, signer: Signer, callback_id: int
) -> str | None:
    with sessions() as session:
        row = session.get(OpendsrCallback, callback_id)
        if row is None or row.state != "pending":
            return None
        body, url = row.body.encode(), row.url
    # The same key on every attempt: a customer that saw the callback before can drop the copy.
    headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: idempotency_key(callback_id),
               **signer.headers(body)}
    try:
        answer = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}"
    if not 200 <= answer.status_code < 300:
        return f"HTTP {answer.status_code}"
    with sessions.begin() as session:
        row = session.get(OpendsrCallback, callback_id)
        if row is not None:
            row.state, row.sent_at = "sent", datetime.now(UTC)
            row.attempts += 1
    return None


def _record_failure(sessions: sessionmaker[Session], callback_id: int, error: str) -> int:
    with sessions.begin() as session:
        row = session.get(OpendsrCallback, callback_id)
        if row is None:
            return 0
        row.attempts += 1
        row.last_error = error
        if row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
            return 1
    return 0


def pending_count(session: Session) -> int:
    """Return how many callbacks wait to be sent."""
    query = sa.select(sa.func.count()).where(OpendsrCallback.state == "pending")
    return int(session.execute(query).scalar_one())
