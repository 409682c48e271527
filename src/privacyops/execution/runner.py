"""Run a request as a list of named, persisted steps; each step runs idempotently and may be run again.

`start` fixes the steps; `run_request` runs them in order until the request is closed, waits for
recipients, or a step fails (the request then stays open and says why: no silent gaps, ER-6).
A worker killed in the middle of a step leaves it `running`; the next run (or the reconciler) takes it
over once its owner is known to be dead or its lease ran out, and running it again ends the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from privacyops.execution import closing, handlers
from privacyops.execution.env import ExecutionEnv
from privacyops.execution.handlers import Call, Outcome
from privacyops.execution.launch import STARTABLE, first_of_each, identities_of, start
from privacyops.execution.recording import ENTITY, STOPS, give_back, record
from privacyops.execution.reporting import RunReport, report, report_in, retry
from privacyops.execution.specs import ExecutionError, step_specs
from privacyops.execution.steps import StepState, claim, steps_of
from privacyops.requests import records
from privacyops.store.models.execution import ExecutionRun, ExecutionStep
from privacyops.store.models.requests import RequestIdentity

__all__ = ["ENTITY", "RUN_FAILED", "STARTABLE", "RunReport", "identities_of", "report", "retry",
           "run_request", "run_step", "start", "step_specs"]

RUN_FAILED = "failed"
# Steps that do no I/O outside the store: run in the transaction that claims them.
INLINE = ("close", "notify_recipients", "restrict", "lift")
# An erasure's table steps in a row: claimed together and run as one pass over the tables (one
# collection of what they need instead of one per step); each is still recorded as its own step.
BATCHED = ("erase", "detach")


@dataclass
class _Turn:
    """One transaction of a run: its steps read once, and the request's identities once when needed."""

    session: Session
    env: ExecutionEnv
    request_id: str
    steps: list[ExecutionStep]
    identity_rows: list[RequestIdentity] | None = field(default=None)

    @classmethod
    def begin(cls, session: Session, env: ExecutionEnv, request_id: str) -> _Turn:
        return cls(session, env, request_id, steps_of(session, request_id))

    def step(self, number: int) -> ExecutionStep:
        for step in self.steps:
            if step.number == number:
                return step
        raise ExecutionError(f"request {self.request_id} has no step {number}; start it first", field="id")

    def call(self, step: ExecutionStep) -> Call:
        if self.identity_rows is None:
            self.identity_rows = records.identities_of(self.session, self.request_id)
        return _call(self.session, self.env, step, self.identity_rows)


def run_request(sessions: sessionmaker[Session], env: ExecutionEnv, request_id: str) -> RunReport:
    """Run the request's steps in order until it closes, waits, or a step fails.

    Each commit records a step's outcome together with the claim of the next step, and the store-only
    steps (no I/O outside the store) run inside the transaction that claims them: the store still shows
    every step start and end, a killed worker leaves at most one step running, in half the commits.
    """
    done: list[tuple[Call, int, Outcome]] = []
    while True:
        with sessions.begin() as session:
            turn = _Turn.begin(session, env, request_id)
            for index, (call, attempt, outcome) in enumerate(done):
                state = record(session, env, turn.step(call.number), attempt, outcome)
                if state in STOPS:
                    give_back(env, [turn.step(c.number) for c, _, _ in done[index + 1:]])
                    return report_in(session, request_id, state)
            claimed = _claim_next(turn)
            while isinstance(claimed, tuple) and claimed[0].operation in INLINE:
                state = record(session, env, turn.step(claimed[0].number), claimed[1], _outcome(claimed[0]))
                if state in STOPS:
                    return report_in(session, request_id, state)
                claimed = _claim_next(turn)
            if not isinstance(claimed, tuple):
                return report_in(session, request_id, claimed)
            batch = [claimed, *_claim_batch(turn, claimed[0])]
        outcomes = _outcomes(batch)
        done = [(call, attempt, outcome) for (call, attempt), outcome in zip(batch, outcomes, strict=True)]


def _claim_batch(turn: _Turn, first: Call) -> list[tuple[Call, int]]:
    """Claim the pending table steps right after an erasure's first one: they run as one pass."""
    if first.operation not in BATCHED:
        return []
    claimed = []
    for step in turn.steps:
        if step.number <= first.number:
            continue
        if step.operation not in BATCHED or step.state != StepState.PENDING:
            break
        if not claim(turn.session, step, turn.env.now(), turn.env.lease):
            break
        claimed.append((turn.call(step), step.attempts))
    return claimed


def _outcomes(batch: list[tuple[Call, int]]) -> list[Outcome]:
    if len(batch) == 1:
        return [_outcome(batch[0][0])]
    try:
        return handlers.erase_together([call for call, _ in batch])
    except Exception as exc:  # a bug or an outage: the steps fail with the reason, never silently
        return [handlers.failed(f"{type(exc).__name__}: {exc}") for _ in batch]


def _claim_next(turn: _Turn) -> tuple[Call, int] | str:
    """Claim the first unfinished step: its call and attempt; "" when none is left, "busy" if taken."""
    step = next((s for s in turn.steps if s.state in (StepState.PENDING, StepState.RUNNING)), None)
    if step is None:
        return ""
    if not claim(turn.session, step, turn.env.now(), turn.env.lease):
        return "busy"
    return turn.call(step), step.attempts


def _outcome(call: Call) -> Outcome:
    try:
        return (closing.close if call.operation == "close" else handlers.HANDLERS[call.operation])(call)
    except Exception as exc:  # a bug or an outage: the step fails with the reason, never silently
        return handlers.failed(f"{type(exc).__name__}: {exc}")


def run_step(sessions: sessionmaker[Session], env: ExecutionEnv, request_id: str, number: int) -> str:
    """Run one step if it is not finished and nobody else is running it; returns its state afterwards."""
    with sessions.begin() as session:
        turn = _Turn.begin(session, env, request_id)
        step = turn.step(number)
        if step.state in (StepState.DONE, StepState.FAILED, StepState.BLOCKED):
            return step.state
        if not claim(session, step, env.now(), env.lease):
            return "busy"
        call = turn.call(step)
        attempt = step.attempts
    outcome = _outcome(call)
    with sessions.begin() as session:
        return record(session, env, _Turn.begin(session, env, request_id).step(number), attempt, outcome)


def _call(session: Session, env: ExecutionEnv, step: ExecutionStep,
          identity_rows: list[RequestIdentity]) -> Call:
    run = session.get(ExecutionRun, step.request_id)
    assert run is not None
    params = dict(run.params)
    if run.kind == "rectification" and "corrections" not in params:
        params["corrections"] = records.get_request(session, step.request_id).corrections or {}
    return Call(env=env, request_id=step.request_id, request_type=run.kind,
                identities=first_of_each(identity_rows),
                identity_hashes=[i.value_hash for i in identity_rows], params=params,
                subject=dict(run.subject), number=step.number, operation=step.operation, target=step.target)
