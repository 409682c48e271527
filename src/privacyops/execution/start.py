"""Start the work on requests that are ready: the store says which, the queue only brings it sooner.

A verified request of a type that needs no approval, or an approved one, has no run yet. Before its
first step, a request whose data lies only in customer-ingested tables is forwarded to that customer
instead (PC-1); every other one gets its run.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.execution import runner
from privacyops.execution.env import ExecutionEnv
from privacyops.opendsr import routing, scope
from privacyops.requests import records
from privacyops.requests.states import RequestState
from privacyops.store.models.execution import ExecutionRun
from privacyops.store.models.requests import SubjectRequest

READY_STATES = (RequestState.VERIFIED.value, RequestState.IN_PROGRESS.value)


def ready(session: Session) -> list[str]:
    """Return the ids of requests that may run and have no run yet, oldest first."""
    query = (
        sa.select(SubjectRequest.id)
        .outerjoin(ExecutionRun, ExecutionRun.request_id == SubjectRequest.id)
        .where(SubjectRequest.state.in_(READY_STATES), ExecutionRun.request_id.is_(None))
        .order_by(SubjectRequest.received_at)
    )
    return list(session.execute(query).scalars())


READY_KEY = "privacyops.requests_made_ready"


@sa.event.listens_for(Session, "before_flush")
def _note_ready(session: Session, *_: object) -> None:
    # A flushed request may be garbage by commit time (the session holds it weakly): note its id now.
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, SubjectRequest) and obj.state in READY_STATES:
            session.info.setdefault(READY_KEY, set()).add(obj.id)


def became_ready(session: Session) -> list[str]:
    """Return the ids of requests this session made ready that have no run yet (call before commit).

    The API starts their runs itself right after committing, one hop instead of a sweep over the store.
    """
    session.flush()  # what the store will hold at commit, so that it alone decides
    noted: set[str] = session.info.pop(READY_KEY, set())
    if not noted:
        return []
    # A request noted on its way through (verified, then awaiting approval) is ready only if it still is.
    query = (
        sa.select(SubjectRequest.id)
        .outerjoin(ExecutionRun, ExecutionRun.request_id == SubjectRequest.id)
        .where(SubjectRequest.id.in_(sorted(noted)), SubjectRequest.state.in_(READY_STATES),
               ExecutionRun.request_id.is_(None))
        .order_by(SubjectRequest.received_at)
    )
    return list(session.execute(query).scalars())


def start_or_forward(sessions: sessionmaker[Session], env: ExecutionEnv, request_id: str) -> bool:
    """Forward the request when its data is only customers' (True), else fix its steps (False).

    Two workers may be handed the same request (a dispatch and the reconciler); the request's row is
    locked first so that the second waits, then finds the run the first created instead of adding one.
    """
    with sessions.begin() as session:
        lock = sa.select(SubjectRequest.id).where(SubjectRequest.id == request_id).with_for_update()
        session.execute(lock)
        if session.get(ExecutionRun, request_id) is None and _may_forward(env):
            request = records.get_request(session, request_id)
            forward = routing.forward_if_processor_only(session, env.service, request, env.manifest,
                                                        env.connectors)
            if forward is not None:
                return True
        runner.start(session, env, request_id, actor="worker")  # no change if already started
    return False


def _may_forward(env: ExecutionEnv) -> bool:
    # Looking for the subject's rows only to learn that nothing is a customer's costs a whole collection;
    # a manifest without processor tables cannot forward, so the run starts at once.
    return bool(scope.processor_tables(env.manifest))
