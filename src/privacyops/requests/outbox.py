"""The outbox: messages are rows written with the change they announce, and a dispatcher sends them.

A request and its acknowledgement are committed together, so a crash can lose neither. The dispatcher
claims a message with a conditional UPDATE (only one dispatcher wins it), sends it, and marks it sent.
A dispatcher that dies between sending and marking leaves the message ``sending``; it is sent again
with the same Message-ID, which mail systems use to drop the copy: at once when the claim names a
process of this host that is gone, after ``STALE_AFTER`` otherwise.
When the mail server cannot be reached the run stops at once and the messages wait, their attempts
uncounted: the server is down, not the messages wrong (the caller backs off and logs it once).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.recovery import owners
from privacyops.requests import mailer as rmailer
from privacyops.store.models import outbox as model
from privacyops.store.models.outbox import OutboxMessage

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BATCH = 50


@dataclass(frozen=True)
class DispatchReport:
    """How many messages one dispatch run sent and how many failed (to be retried or given up).

    ``unreachable`` names the mail server (host:port and the error's class) when it could not be
    reached; the run stopped there and every message it had not sent still waits.
    """

    sent: int
    failed: int
    unreachable: str | None = None


def new_message_id(sender: str) -> str:
    """Return a fresh RFC 5322 Message-ID in the sender's domain."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def add(
    session: Session,
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    kind: str,
    request_id: str | None = None,
    secret_body: bool = False,
) -> OutboxMessage:
    """Write a message to send, in the caller's transaction (the caller commits)."""
    row = OutboxMessage(
        message_id=new_message_id(sender),
        request_id=request_id,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        secret_body=secret_body,
        state=model.PENDING,
        attempts=0,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row


def dispatch_pending(
    sessions: sessionmaker[Session],
    mailer: rmailer.Mailer,
    sender: str,
    *,
    now: datetime | None = None,
    limit: int = BATCH,
) -> DispatchReport:
    """Send the messages waiting in the outbox; safe to run concurrently and again after a crash."""
    moment = now or datetime.now(UTC)
    sent = failed = 0
    claimed = _claim(sessions, moment, limit)
    for index, message_id in enumerate(claimed):
        try:
            delivered = _send_one(sessions, mailer, sender, message_id)
        except rmailer.MailServerUnreachable as exc:
            _release(sessions, claimed[index:], str(exc))
            return DispatchReport(sent, failed, unreachable=str(exc))
        if delivered:
            sent += 1
        else:
            failed += 1
    return DispatchReport(sent, failed)


def _claim(sessions: sessionmaker[Session], now: datetime, limit: int) -> list[int]:
    ready = sa.or_(
        OutboxMessage.state == model.PENDING,
        sa.and_(OutboxMessage.state == model.SENDING, OutboxMessage.claimed_at < now - STALE_AFTER),
    )
    claimed: list[int] = []
    with sessions.begin() as session:
        candidates = (
            session.execute(sa.select(OutboxMessage.id).where(ready).order_by(OutboxMessage.id).limit(limit))
            .scalars()
            .all()
        )
        orphans = _orphans(session)
    for row_id in [*orphans, *candidates]:
        # An orphan is taken back only from the dead claim that was seen: a live sender that claimed
        # it meanwhile has another claimed_by, and keeps it.
        still = ready
        if row_id in orphans:
            still = sa.and_(OutboxMessage.state == model.SENDING, OutboxMessage.claimed_by == orphans[row_id])
        with sessions.begin() as session:
            result = session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == row_id, still)
                .values(state=model.SENDING, claimed_at=now, claimed_by=owners.this_process(),
                        attempts=OutboxMessage.attempts + 1)
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append(row_id)
    return claimed


def _orphans(session: Session) -> dict[int, str]:
    """Messages claimed by a process of this host that is gone (killed while sending): id -> its claim."""
    query = sa.select(OutboxMessage.id, OutboxMessage.claimed_by).where(OutboxMessage.state == model.SENDING)
    return {row_id: owner for row_id, owner in session.execute(query) if owner and owners.gone(owner)}


def _send_one(sessions: sessionmaker[Session], mailer: rmailer.Mailer, sender: str, row_id: int) -> bool:
    with sessions() as session:
        row = session.get(OutboxMessage, row_id)
        if row is None:
            return False
        message = rmailer.build_message(
            sender=sender,
            recipient=row.recipient,
            subject=row.subject,
            text=row.body_text,
            html=row.body_html,
            message_id=row.message_id,
            date=row.created_at,
        )
        attempts = row.attempts
    try:
        mailer.send(message)
    except rmailer.MailServerUnreachable:
        raise
    except Exception as exc:  # any failure leaves the message for the next run
        _mark_failed(sessions, row_id, attempts, exc)
        return False
    _mark_sent(sessions, row_id)
    return True


def _mark_sent(sessions: sessionmaker[Session], row_id: int) -> None:
    with sessions.begin() as session:
        row = session.get(OutboxMessage, row_id)
        if row is None:
            return
        row.state = model.SENT
        row.sent_at = datetime.now(UTC)
        row.last_error = None
        if row.secret_body:  # the one-time code must not outlive its delivery
            row.body_text = row.body_html = "(removed after sending)"
    log.info("outbox message %s sent (%s)", row_id, row.kind)


def _release(sessions: sessionmaker[Session], row_ids: list[int], summary: str) -> None:
    # Back to pending with the claim's attempt taken back: a server that is down is no fault of these
    # messages, so it must not use up their attempts and give them up.
    with sessions.begin() as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(row_ids), OutboxMessage.state == model.SENDING)
            .values(
                state=model.PENDING,
                attempts=sa.case((OutboxMessage.attempts > 0, OutboxMessage.attempts - 1), else_=0),
                last_error=f"mail server unreachable ({summary.rpartition(': ')[2]})",
            )
        )


def _mark_failed(sessions: sessionmaker[Session], row_id: int, attempts: int, exc: Exception) -> None:
    # The error's class and SMTP code only: server replies can quote the recipient's address.
    code = getattr(exc, "smtp_code", None)
    summary = f"{type(exc).__name__}{f' {code}' if code else ''}"
    with sessions.begin() as session:
        row = session.get(OutboxMessage, row_id)
        if row is None:
            return
        row.state = model.FAILED if attempts >= MAX_ATTEMPTS else model.PENDING
        row.last_error = summary
    log.warning("outbox message %s not sent (attempt %d): %s", row_id, attempts, summary)


def pending_count(session: Session) -> int:
    """Return how many messages wait to be sent."""
    query = sa.select(sa.func.count()).where(OutboxMessage.state.in_([model.PENDING, model.SENDING]))
    return int(session.execute(query).scalar_one())
