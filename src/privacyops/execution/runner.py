"""Run a request as a list of named, persisted steps; each step runs idempotently and may be run again.

`start` fixes the steps; `run_request` runs them in order until the request is closed, waits for
recipients, or a step fails (the request then stays open and says why: no silent gaps, ER-6).
A worker killed in the middle of a step leaves it `running`; the next run (or the reconciler) takes it
over once its owner is known to be dead or its lease ran out, and running it again ends the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.audit import chain
from privacyops.engine import plan as engine_plan
from privacyops.execution import closing, failure, handlers, retrying
from privacyops.execution.env import ExecutionEnv
from privacyops.execution.handlers import Call, Outcome
from privacyops.execution.specs import ACCESS, ExecutionError, step_specs
from privacyops.execution.steps import StepState, claim, create_steps, finish, release, steps_of
from privacyops.requests import period, records
from privacyops.requests.states import RequestState
from privacyops.store.models.execution import ExecutionRun, ExecutionStep

ENTITY = "subject_request"
STARTABLE = (RequestState.VERIFIED, RequestState.IN_PROGRESS, RequestState.DEEMED_REFUSAL)
RUN_FAILED = "failed"
STOPS = ("busy", "waiting", retrying.RETRYING)  # a run stops here and is queued again when it may go on
# Steps that do no I/O outside the store: run in the transaction that claims them.
INLINE = ("close", "notify_recipients", "restrict", "lift")
# An erasure's table steps in a row: claimed together and run as one pass over the tables (one
# collection of what they need instead of one per step); each is still recorded as its own step.
BATCHED = ("erase", "detach")


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


def start(session: Session, env: ExecutionEnv, request_id: str, *, actor: str,
          params: dict[str, Any] | None = None) -> ExecutionRun:
    """Fix the steps of a verified (or approved) request and move it to in_progress; again: no change.

    ``params["lookback"]`` may name the period of an access package (``all``, ``12m``, ``extended`` or a
    date); the run keeps the period chosen, with why, whether named or the request's own.
    """
    request = records.get_request(session, request_id)
    params = dict(params or {})
    if params.get("corrections"):
        # `request run --set` replaces the request's values, kept sealed there and never in the run.
        request.corrections = dict(params["corrections"])
    params.pop("corrections", None)
    run = session.get(ExecutionRun, request.id)
    if run is not None:
        return run
    if request.state == RequestState.AWAITING_APPROVAL:
        raise ExecutionError("this request waits for approval; approve it first", field="state")
    if request.state not in STARTABLE:
        raise ExecutionError(f"the request is {request.state}; only verified requests are run", field="state")
    identities = identities_of(session, request.id)
    try:
        specs = step_specs(env, request.request_type, identities)
    except engine_plan.PlanError as exc:
        raise ExecutionError(f"the manifest gives no plan for this request: {exc}",
                             field="manifest") from None
    if request.state != RequestState.IN_PROGRESS:
        records.move(session, request, RequestState.IN_PROGRESS, actor=actor, reason="execution started")
    if request.request_type in ACCESS:
        # The period is fixed once, with why: running the step again builds the same package (AC-5).
        params["lookback"] = period.choose(request, env.service.catalog, params.get("lookback")).as_json()
    now = env.now()
    run = ExecutionRun(request_id=request.id, kind=request.request_type, status="running",
                       params=params, subject={}, outcome={}, created_at=now, updated_at=now)
    session.add(run)
    session.flush()
    create_steps(session, request.id, specs)
    records.audit(session, actor, "execution.started", request, {"steps": [s.name for s in specs]})
    return run


def identities_of(session: Session, request_id: str) -> dict[str, str]:
    """Return the request's identities as kind -> value (the first of each kind)."""
    found: dict[str, str] = {}
    for row in records.identities_of(session, request_id):
        if row.value:
            found.setdefault(row.kind, row.value)
    return found


def run_request(sessions: sessionmaker[Session], env: ExecutionEnv, request_id: str) -> RunReport:
    """Run the request's steps in order until it closes, waits, or a step fails.

    Each commit records a step's outcome together with the claim of the next step, and the store-only
    steps (no I/O outside the store) run inside the transaction that claims them: the store still shows
    every step start and end, a killed worker leaves at most one step running, in half the commits.
    """
    done: list[tuple[Call, int, Outcome]] = []
    while True:
        with sessions.begin() as session:
            for index, (call, attempt, outcome) in enumerate(done):
                state = _record(session, env, request_id, call.number, attempt, outcome)
                if state in STOPS:
                    _give_back(session, env, request_id, [c.number for c, _, _ in done[index + 1:]])
                    return _report(session, request_id, state)
            claimed = _claim_next(session, env, request_id)
            while isinstance(claimed, tuple) and claimed[0].operation in INLINE:
                state = _record(session, env, request_id, claimed[0].number, claimed[1], _outcome(claimed[0]))
                if state in STOPS:
                    return _report(session, request_id, state)
                claimed = _claim_next(session, env, request_id)
            if not isinstance(claimed, tuple):
                return _report(session, request_id, claimed)
            batch = [claimed, *_claim_batch(session, env, request_id, claimed[0])]
        outcomes = _outcomes(batch)
        done = [(call, attempt, outcome) for (call, attempt), outcome in zip(batch, outcomes, strict=True)]


def _give_back(session: Session, env: ExecutionEnv, request_id: str, numbers: list[int]) -> None:
    """Release the rest of a pass when one of its steps stops the run: the next run does them again.

    Left claimed, they would hold a live worker's lease and the next run would find them busy for as
    long as the lease lasts; the steps are idempotent, so doing them again is safe.
    """
    for number in numbers:
        step = _step(session, request_id, number)
        if step.state == StepState.RUNNING:
            release(step, env.now(), "run again after an earlier step of its pass stopped the run")


def _claim_batch(session: Session, env: ExecutionEnv, request_id: str, first: Call) -> list[tuple[Call, int]]:
    """Claim the pending table steps right after an erasure's first one: they run as one pass."""
    if first.operation not in BATCHED:
        return []
    claimed = []
    for step in steps_of(session, request_id):
        if step.number <= first.number:
            continue
        if step.operation not in BATCHED or step.state != StepState.PENDING:
            break
        if not claim(session, step, env.now(), env.lease):
            break
        claimed.append((_call(session, env, step), step.attempts))
    return claimed


def _outcomes(batch: list[tuple[Call, int]]) -> list[Outcome]:
    if len(batch) == 1:
        return [_outcome(batch[0][0])]
    try:
        return handlers.erase_together([call for call, _ in batch])
    except Exception as exc:  # a bug or an outage: the steps fail with the reason, never silently
        return [handlers.failed(f"{type(exc).__name__}: {exc}") for _ in batch]


def _claim_next(session: Session, env: ExecutionEnv, request_id: str) -> tuple[Call, int] | str:
    """Claim the first unfinished step: its call and attempt; "" when none is left, "busy" if taken."""
    step = _next_step(session, request_id)
    if step is None:
        return ""
    if not claim(session, step, env.now(), env.lease):
        return "busy"
    return _call(session, env, step), step.attempts


def _outcome(call: Call) -> Outcome:
    try:
        return (closing.close if call.operation == "close" else handlers.HANDLERS[call.operation])(call)
    except Exception as exc:  # a bug or an outage: the step fails with the reason, never silently
        return handlers.failed(f"{type(exc).__name__}: {exc}")


def _next_step(session: Session, request_id: str) -> ExecutionStep | None:
    for step in steps_of(session, request_id):
        if step.state in (StepState.PENDING, StepState.RUNNING):
            return step
    return None


def run_step(sessions: sessionmaker[Session], env: ExecutionEnv, request_id: str, number: int) -> str:
    """Run one step if it is not finished and nobody else is running it; returns its state afterwards."""
    with sessions.begin() as session:
        step = _step(session, request_id, number)
        if step.state in (StepState.DONE, StepState.FAILED, StepState.BLOCKED):
            return step.state
        if not claim(session, step, env.now(), env.lease):
            return "busy"
        call = _call(session, env, step)
        attempt = step.attempts
    outcome = _outcome(call)
    with sessions.begin() as session:
        return _record(session, env, request_id, number, attempt, outcome)


def _step(session: Session, request_id: str, number: int) -> ExecutionStep:
    query = sa.select(ExecutionStep).where(ExecutionStep.request_id == request_id,
                                           ExecutionStep.number == number)
    step = session.execute(query).scalar_one_or_none()
    if step is None:
        raise ExecutionError(f"request {request_id} has no step {number}; start it first", field="id")
    return step


def _call(session: Session, env: ExecutionEnv, step: ExecutionStep) -> Call:
    run = session.get(ExecutionRun, step.request_id)
    assert run is not None
    identities = records.identities_of(session, step.request_id)
    params = dict(run.params)
    if run.kind == "rectification" and "corrections" not in params:
        params["corrections"] = records.get_request(session, step.request_id).corrections or {}
    return Call(env=env, request_id=step.request_id, request_type=run.kind,
                identities=identities_of(session, step.request_id),
                identity_hashes=[i.value_hash for i in identities], params=params,
                subject=dict(run.subject), number=step.number, operation=step.operation, target=step.target)


def _record(session: Session, env: ExecutionEnv, request_id: str, number: int, attempt: int,
            outcome: Outcome) -> str:
    step = _step(session, request_id, number)
    if step.state != StepState.RUNNING or step.attempts != attempt:
        return "busy"  # another worker took the step over meanwhile; its result counts
    if outcome.state == StepState.DONE and outcome.apply is not None:
        outcome = _merge(outcome, outcome.apply(session))
    now = env.now()
    run = session.get(ExecutionRun, request_id)
    assert run is not None
    if outcome.wait:
        release(step, now, outcome.reason)
        run.status, run.updated_at = "waiting", now
        return "waiting"
    if retrying.should_retry(outcome, step.attempts):  # a system that did not answer: later, not failed
        release(step, now, retrying.note(outcome.reason, step.attempts))
        run.status, run.updated_at = retrying.RETRYING, now
        return retrying.RETRYING
    finish(step, outcome.state, now, rows=outcome.rows, reason=outcome.reason or None)
    _update_run(run, outcome, now)
    if run.status == retrying.RETRYING:
        run.status = "running"  # the system answered again
    chain.append(session, actor="system", action="execution.step", entity=ENTITY, entity_id=request_id,
                 data={"step": step.number, "name": step.name, "state": step.state, "rows": step.rows,
                       "attempt": step.attempts, "reason": step.reason})
    if outcome.state == StepState.FAILED:
        failure.block_after(session, env, run, step, identities_of(session, request_id))
    return step.state


def _merge(outcome: Outcome, applied: Outcome | None) -> Outcome:
    if applied is None:
        return outcome
    applied.record = {**outcome.record, **applied.record}
    applied.subject = applied.subject if applied.subject is not None else outcome.subject
    return applied


def _update_run(run: ExecutionRun, outcome: Outcome, now: Any) -> None:
    if outcome.subject is not None:
        run.subject = outcome.subject
    merged = dict(run.outcome)
    for key, value in outcome.record.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    run.outcome = merged
    run.updated_at = now


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


def report(sessions: sessionmaker[Session], request_id: str, reason: str = "") -> RunReport:
    """Describe where the run of a request stands."""
    with sessions() as session:
        return _report(session, request_id, reason)


def _report(session: Session, request_id: str, reason: str = "") -> RunReport:
    run = session.get(ExecutionRun, request_id)
    if run is None:
        raise ExecutionError(f"request {request_id} was never started", field="id")
    steps = [{"number": s.number, "name": s.name, "state": s.state, "attempts": s.attempts,
              "rows": s.rows, "reason": s.reason} for s in steps_of(session, request_id)]
    return RunReport(request_id, run.status, steps, reason)
