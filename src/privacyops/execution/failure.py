"""What a failed step means for the rest of its run: later steps blocked, the run failed, the team told."""

from __future__ import annotations

from sqlalchemy.orm import Session

from privacyops.engine import plan as engine_plan
from privacyops.execution import erasure
from privacyops.execution.env import ExecutionEnv
from privacyops.execution.steps import StepState, finish, steps_of
from privacyops.requests import notify
from privacyops.store.models.execution import ExecutionRun, ExecutionStep

ERASING = ("erasure", "account_deletion")
RUN_FAILED = "failed"


def block_after(session: Session, env: ExecutionEnv, run: ExecutionRun, failed: ExecutionStep,
                identities: dict[str, str]) -> None:
    """Block what depends on the failed step; the request stays open and the failure is loud (ER-6)."""
    later = [s for s in steps_of(session, run.request_id)
             if s.number > failed.number and s.state == StepState.PENDING]
    waiting_tables: set[str] = set()
    if failed.operation in ("erase", "detach") and failed.target and run.kind in ERASING:
        plan = engine_plan.build_plan(env.manifest, identities, "erasure")
        waiting_tables = erasure.ancestors(plan, failed.target)
    # Every step works on what "find the subject" found: without it an erasure would find nothing to
    # erase and pass, so a failed collect blocks them all until `request run --retry`.
    found_nothing = failed.operation == "collect"
    for step in later:
        table_step = step.operation in ("erase", "detach")
        if found_nothing or not table_step or step.target in waiting_tables:
            waits = table_step and not found_nothing
            why = f"waits for {failed.target}, which failed" if waits else f"step {failed.number} failed"
            finish(step, StepState.BLOCKED, env.now(), reason=why)
    run.status = RUN_FAILED
    failures = {**run.outcome.get("failures", {}), str(failed.number): f"{failed.name}: {failed.reason}"}
    run.outcome = {**run.outcome, "failures": failures}
    notify.to_team(session, env.service, f"request {run.request_id}: a step failed, the request stays open",
                   [f"step {failed.number} ({failed.name}): {failed.reason}"])
