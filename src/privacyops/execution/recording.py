"""Record what a step ended with, in the caller's transaction, or give it back to wait or be tried later.

A finished step gets its state and rows, the run its findings, the audit chain an event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.execution import failure, retrying
from privacyops.execution.env import ExecutionEnv
from privacyops.execution.handlers import Outcome
from privacyops.execution.launch import identities_of
from privacyops.execution.steps import StepState, finish, release
from privacyops.store.models.execution import ExecutionRun, ExecutionStep

ENTITY = "subject_request"
STOPS = ("busy", "waiting", retrying.RETRYING)  # a run stops here and is queued again when it may go on


def record(session: Session, env: ExecutionEnv, step: ExecutionStep, attempt: int, outcome: Outcome) -> str:
    """Record a claimed step's outcome; "busy" if another worker took it over meanwhile (theirs counts)."""
    if step.state != StepState.RUNNING or step.attempts != attempt:
        return "busy"
    if outcome.state == StepState.DONE and outcome.apply is not None:
        outcome = _merge(outcome, outcome.apply(session))
    now = env.now()
    run = session.get(ExecutionRun, step.request_id)
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
    chain.append(session, actor="system", action="execution.step", entity=ENTITY, entity_id=step.request_id,
                 data={"step": step.number, "name": step.name, "state": step.state, "rows": step.rows,
                       "attempt": step.attempts, "reason": step.reason})
    if outcome.state == StepState.FAILED:
        failure.block_after(session, env, run, step, identities_of(session, step.request_id))
    return step.state


def give_back(env: ExecutionEnv, steps: list[ExecutionStep]) -> None:
    """Release the rest of a pass when one of its steps stops the run: the next run does them again.

    Left claimed, they would hold a live worker's lease and the next run would find them busy for as
    long as the lease lasts; the steps are idempotent, so doing them again is safe.
    """
    for step in steps:
        if step.state == StepState.RUNNING:
            release(step, env.now(), "run again after an earlier step of its pass stopped the run")


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
