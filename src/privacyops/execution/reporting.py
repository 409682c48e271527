"""Where a run stands, and setting its failed steps back to pending once their cause is fixed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from privacyops.audit import chain
from privacyops.execution.recording import ENTITY
from privacyops.execution.specs import ExecutionError
from privacyops.execution.steps import StepState, steps_of
from privacyops.requests.states import RequestState
from privacyops.store.models.execution import ExecutionRun


@dataclass
class RunReport:
    """Where a run stands: its status, the steps with their states, and why it stopped."""

    request_id: str
    status: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""

    @property
    def closed(self) -> bool:
        return self.status in (RequestState.COMPLETED, RequestState.PARTIALLY_COMPLETED)


def report(sessions: sessionmaker[Session], request_id: str, reason: str = "") -> RunReport:
    """Describe where the run of a request stands."""
    with sessions() as session:
        return report_in(session, request_id, reason)


def report_in(session: Session, request_id: str, reason: str = "") -> RunReport:
    """Describe where the run of a request stands, read in the caller's transaction."""
    run = session.get(ExecutionRun, request_id)
    if run is None:
        raise ExecutionError(f"request {request_id} was never started", field="id")
    steps = [{"number": s.number, "name": s.name, "state": s.state, "attempts": s.attempts,
              "rows": s.rows, "reason": s.reason} for s in steps_of(session, request_id)]
    return RunReport(request_id, run.status, steps, reason)


def retry(session: Session, request_id: str, *, actor: str) -> int:
    """Set failed and blocked steps back to pending (after the cause was fixed); returns how many."""
    run = session.get(ExecutionRun, request_id)
    if run is None:
        raise ExecutionError(f"request {request_id} was never started", field="id")
    again = [s for s in steps_of(session, request_id) if s.state in (StepState.FAILED, StepState.BLOCKED)]
    for step in again:
        step.state, step.reason = StepState.PENDING.value, None
    if again:
        run.status = "running"
        chain.append(session, actor=actor, action="execution.retry", entity=ENTITY, entity_id=request_id,
                     data={"steps": [s.number for s in again]})
    return len(again)
