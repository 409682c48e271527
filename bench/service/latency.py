"""One subject request through the HTTP API, timed by the client and split by the store's own timestamps.

The client submits (`POST /api/v1/requests`), marks the request verified as an admin, approves an erasure,
then watches the store until the request is closed. Every moment after submission comes from the store
(the same clock: one machine), so the figures do not depend on how often anyone polls:

- `http`: submission, verification and approval calls, as the client timed them;
- `queue`: from the commit that made the request ready (verified, or approved) to its run's creation;
- `steps`: from the run's creation to the end of the last step before `close` (for an access request
  this is building and sealing the package: reported as `package` too);
- `close`: the closing step (completion, the signed link, the mail written to the outbox);
- `notify`: from completion until the completion mail was accepted by the SMTP server.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa

from privacyops.store.models.execution import ExecutionRun, ExecutionStep
from privacyops.store.models.outbox import OutboxMessage
from privacyops.store.models.requests import RequestTransition, SubjectRequest

CLOSED = ("completed", "partially_completed", "denied", "cancelled", "forwarded_to_controller")
REASON = {"reason": "identity checked by phone"}


@dataclass
class Timed:
    """One request's wall time (submission to completed) and its split, in milliseconds."""

    kind: str
    state: str
    total_ms: float
    split: dict[str, float]


def submit(api: httpx.Client, kind: str, email: str) -> str:
    """File a request as the subject does (no token) and return its id."""
    answer = api.post(
        "/requests",
        json={"type": kind, "identities": {"email": email}, "regions": ["eu"]},
        headers={"Authorization": ""},
    )
    if answer.status_code not in (200, 201):
        raise SystemExit(f"submission refused: {answer.status_code} {answer.text[:300]}")
    return str(answer.json()["id"])


def verify_and_approve(api: httpx.Client, request_id: str, kind: str) -> None:
    """Mark the request verified as an admin, and approve it when its type needs approval."""
    answer = api.post(f"/requests/{request_id}/mark-verified", json=REASON)
    if answer.status_code != 200:
        raise SystemExit(f"mark-verified refused: {answer.status_code} {answer.text[:300]}")
    if kind in ("erasure", "account_deletion"):
        answer = api.post(f"/requests/{request_id}/approve", json={"note": "bench"})
        if answer.status_code != 200:
            raise SystemExit(f"approve refused: {answer.status_code} {answer.text[:300]}")


def wait_closed(store: sa.Engine, request_id: str, timeout: float = 120.0) -> str:
    """Watch the store (a cheap indexed read every 2 ms) until the request reaches a final state."""
    query = sa.select(SubjectRequest.state).where(SubjectRequest.id == request_id)
    deadline = time.monotonic() + timeout
    with store.connect() as conn:
        while time.monotonic() < deadline:
            state = str(conn.execute(query).scalar_one())
            conn.rollback()
            if state in CLOSED:
                return state
            time.sleep(0.002)
    raise SystemExit(f"request did not close within {timeout:.0f} s; see the worker log")


def one(api: httpx.Client, store: sa.Engine, kind: str, email: str) -> Timed:
    """Carry one request from submission to completed and return its times."""
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    request_id = submit(api, kind, email)
    verify_and_approve(api, request_id, kind)
    http_ms = (time.perf_counter() - t0) * 1000
    state = wait_closed(store, request_id)
    wait_mail(store, request_id)
    split = timeline(store, request_id, started)
    split["http"] = http_ms
    return Timed(kind, state, split.pop("total"), split)


def _last_mail(request_id: str) -> sa.Select[tuple[Any]]:
    # The completion mail is the request's last message; its sent_at says when the SMTP server took it.
    return (
        sa.select(OutboxMessage.sent_at)
        .where(OutboxMessage.request_id == request_id)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def wait_mail(store: sa.Engine, request_id: str, timeout: float = 90.0) -> None:
    """Wait until the completion mail left the outbox (it is part of answering the request)."""
    deadline = time.monotonic() + timeout
    with store.connect() as conn:
        while time.monotonic() < deadline:
            sent = conn.execute(_last_mail(request_id)).scalar_one_or_none()
            conn.rollback()
            if sent is not None:
                return
            time.sleep(0.005)


def timeline(store: sa.Engine, request_id: str, started: datetime) -> dict[str, float]:
    """Split the request's life by the moments the store recorded."""
    with store.connect() as conn:
        request = conn.execute(
            sa.select(SubjectRequest.closed_at).where(SubjectRequest.id == request_id)
        ).one()
        moves = conn.execute(
            sa.select(RequestTransition.target, RequestTransition.actor, RequestTransition.at)
            .where(RequestTransition.request_id == request_id)
            .order_by(RequestTransition.id)
        ).all()
        run = conn.execute(
            sa.select(ExecutionRun.created_at).where(ExecutionRun.request_id == request_id)
        ).scalar_one()
        steps = conn.execute(
            sa.select(ExecutionStep.operation, ExecutionStep.started_at, ExecutionStep.finished_at)
            .where(ExecutionStep.request_id == request_id)
            .order_by(ExecutionStep.number)
        ).all()
        sent = conn.execute(_last_mail(request_id)).scalar_one_or_none()
    return _split(started, _utc(request.closed_at), moves, _utc(run), steps, _utc(sent))


def _split(
    started: datetime,
    closed: datetime,
    moves: list[Any],
    run_at: datetime,
    steps: list[Any],
    sent: datetime | None,
) -> dict[str, float]:
    # Ready: the admin's last move (verified, or approved); the worker's own "in_progress" move is not.
    ready = next(
        _utc(at)
        for target, actor, at in reversed(moves)
        if target in ("verified", "in_progress") and actor != "worker"
    )
    work = [s for s in steps if s.operation != "close"]
    close = next(s for s in steps if s.operation == "close")
    work_end = _utc(work[-1].finished_at) if work else run_at
    split = {
        "total": _ms(closed - started),
        "service": _ms(closed - ready),
        "queue": _ms(run_at - ready),
        "steps": _ms(work_end - run_at),
        "close": _ms(_utc(close.finished_at) - work_end),
        "notify": _ms(sent - closed) if sent else 0.0,
    }
    package = [s for s in steps if s.operation == "package"]
    if package:
        split["package"] = _ms(_utc(package[0].finished_at) - _utc(package[0].started_at))
    return split


def _utc(moment: datetime | str | None) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ms(delta: Any) -> float:
    return float(delta.total_seconds() * 1000)
