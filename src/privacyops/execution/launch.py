"""Start a run: fix a verified (or approved) request's steps and move it to in_progress, once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from privacyops.engine import plan as engine_plan
from privacyops.execution.env import ExecutionEnv
from privacyops.execution.specs import ACCESS, ExecutionError, step_specs
from privacyops.execution.steps import create_steps
from privacyops.requests import period, records
from privacyops.requests.states import RequestState
from privacyops.store.models.execution import ExecutionRun
from privacyops.store.models.requests import RequestIdentity

STARTABLE = (RequestState.VERIFIED, RequestState.IN_PROGRESS, RequestState.DEEMED_REFUSAL)


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
    return first_of_each(records.identities_of(session, request_id))


def first_of_each(rows: list[RequestIdentity]) -> dict[str, str]:
    """Return stored identities as kind -> value, the first of each kind (rows in their stored order)."""
    found: dict[str, str] = {}
    for row in rows:
        if row.value:
            found.setdefault(row.kind, row.value)
    return found
