"""What each kind of step does.

Work on connected systems runs outside the store's transaction; changes to the store are returned as
`apply` and run in the transaction that marks the step done, so they stand or fall together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from privacyops.engine import plan as engine_plan
from privacyops.engine import recheck, redact
from privacyops.engine import run as engine_run
from privacyops.execution import correct, erasure, export, fanout, fresh, restriction
from privacyops.execution.env import ExecutionEnv
from privacyops.execution.steps import StepState
from privacyops.package import lookback
from privacyops.requests import corrections as rcorrections
from privacyops.retention import erasures as retention_erasures


@dataclass(frozen=True)
class Call:
    """Plain values a step handler gets: the request, its identities, the run's inputs and findings."""

    env: ExecutionEnv
    request_id: str
    request_type: str
    identities: dict[str, str]
    identity_hashes: list[str]
    params: dict[str, Any]
    subject: dict[str, Any]
    number: int
    operation: str
    target: str | None


@dataclass
class Outcome:
    """What a step ended with; `apply` changes the store in the same transaction as the step's state."""

    state: StepState = StepState.DONE
    rows: int = 0
    reason: str = ""
    subject: dict[str, Any] | None = None
    record: dict[str, Any] = field(default_factory=dict)
    apply: Callable[[Session], Outcome | None] | None = None
    wait: bool = False


CHANGED = "the manifest changed since this run started; start a new run for the request"


def failed(reason: str) -> Outcome:
    """Return a failed outcome with its reason."""
    return Outcome(StepState.FAILED, reason=reason)


def plan_of(call: Call) -> engine_plan.Plan:
    """Build the request's plan (the same one whenever it is built: it depends on the manifest only)."""
    plan_type = "erasure" if call.request_type in engine_plan.ERASURE_TYPES else "access"
    return engine_plan.build_plan(call.env.manifest, call.identities, plan_type)


def collect(call: Call) -> Outcome:
    plan = plan_of(call)
    keep_for = call.request_id if plan.kind == "erasure" else None  # for the pass that follows
    subject = erasure.first_collection(plan, call.env.connectors, call.identities, keep_for=keep_for)
    rows = sum(subject["found"].values())
    outcome = Outcome(rows=rows, subject=subject, record={"found": subject["found"]})
    if plan.kind == "erasure":
        outcome.apply = lambda session: _note_holds(session, call, plan, subject)
    return outcome


def _note_holds(session: Session, call: Call, plan: engine_plan.Plan, subject: dict[str, Any]) -> None:
    # Read in the transaction that stores the collection, so every erase step sees the same holds.
    held = retention_erasures.held_tables(session, call.env.manifest, plan, call.identity_hashes,
                                          call.env.now())
    if held:
        subject[retention_erasures.SUBJECT_KEY] = held


def _plan_step(call: Call, plan: engine_plan.Plan) -> engine_plan.Step | None:
    index = call.number - 2  # step 1 collects; the plan's steps follow in order
    if not 0 <= index < len(plan.steps) or plan.steps[index].table != call.target:
        return None
    return plan.steps[index]


def erase(call: Call) -> Outcome:
    plan = plan_of(call)
    step = _plan_step(call, plan)
    if step is None:
        return failed(CHANGED)
    kept = _kept(call, step)
    if kept is not None:
        return kept
    result = erasure.run_step(plan, step, call.env.connectors, call.env.pseudonym_key(), call.subject)
    return _erased(call, plan, step, result)


def _kept(call: Call, step: engine_plan.Step) -> Outcome | None:
    """Return the outcome of a step a legal hold keeps from running (ER-2), or None to run it."""
    entry = retention_erasures.held_entry(call.subject, step.table)
    if entry is None:
        return None
    return Outcome(record={"held": {step.table: entry}} if step.operation == "erase" else {})


def erase_together(calls: list[Call]) -> list[Outcome]:
    """Run consecutive table steps of one erasure as one pass; an outcome per step, in order."""
    plan = plan_of(calls[0])
    steps = [_plan_step(call, plan) for call in calls]
    if any(step is None for step in steps):
        return [failed(CHANGED) for _ in calls]
    chosen = [step for step in steps if step is not None]
    kept = [_kept(call, step) for call, step in zip(calls, chosen, strict=True)]
    running = [step for step, k in zip(chosen, kept, strict=True) if k is None]
    found = fresh.take(calls[0].request_id, calls[0].subject)
    results = iter(erasure.run_steps(plan, running, calls[0].env.connectors, calls[0].env.pseudonym_key(),
                                     calls[0].subject, found=found) if running else [])
    return [k if k is not None else _erased(c, plan, step, next(results))
            for c, step, k in zip(calls, chosen, kept, strict=True)]


def _erased(call: Call, plan: engine_plan.Plan, step: engine_plan.Step,
            result: erasure.StepResult) -> Outcome:
    if result.blocked:
        return Outcome(StepState.BLOCKED, reason=result.reason)
    if not result.ok:
        return failed(result.reason)
    counts = dict(result.held)
    table = plan.table(step.table)
    found = (call.subject.get("found") or {}).get(step.table, 0)
    if step.operation == "erase" and table.hold and found and step.table not in counts:
        # Run again after a crash, the kept rows may no longer match the subject (their link was
        # already cut): the first collection, stored before any change, still says how many were kept.
        counts[step.table] = found
    held = {t: _hold_entry(plan.table(t), n) for t, n in counts.items()}
    record: dict[str, Any] = {"held": held} if held else {}
    if any(a.action == "redact" for a in plan.table(step.table).field_actions) and not redact.pii_available():
        record["redaction"] = {step.table: redact.IDENTITY_ONLY_NOTE}
    outcome = Outcome(rows=result.rows, record=record)
    if step.operation == "erase":
        outcome.apply = lambda session: retention_erasures.record_erased(
            session, plan, step.table, call.subject, request_id=call.request_id,
            identity_hashes=call.identity_hashes)
    return outcome


def _hold_entry(table: engine_plan.TablePlan, rows: int) -> dict[str, Any]:
    hold = table.hold
    return {"rows": rows, "hold": hold.name if hold else None, "reason": hold.reason if hold else None}


def verify(call: Call) -> Outcome:
    plan = plan_of(call)
    proofs = erasure.evidence(plan, call.env.connectors, call.env.pseudonym_key(), call.subject)
    for proof in proofs:
        # Rows a legal hold kept are meant to remain.
        kept = retention_erasures.held_entry(call.subject, proof["table"]) is not None
        proof["held"] = proof["held"] or kept
    left = [p for p in proofs if not (p["remaining"] == 0 or (p["held"] and p["remaining"] > 0))]
    outcome = Outcome(rows=len(proofs), record={"evidence": proofs})
    problems = [problem for p in left for problem in p.get("problems", [])]
    rows_left = sorted({p["table"] for p in left if not p.get("problems")})
    if left:
        reasons = [f"rows of the subject remain in {', '.join(rows_left)}"] if rows_left else []
        reasons += [recheck.failure(problems)] if problems else []
        outcome.state, outcome.reason = StepState.FAILED, "; ".join(reasons)
    return outcome


def package(call: Call) -> Outcome:
    plan = plan_of(call)
    result = engine_run.run_access(plan, call.env.connectors, call.identities)
    if not result.ok:
        reasons = "; ".join(f"{s.table}: {s.reason}" for s in result.steps if s.status != "done")
        return failed(reasons)
    chosen = call.params.get("lookback")
    written = export.write_package(
        call.env.manifest, call.request_id, result, call.env.home / "packages" / f"{call.request_id}.zip",
        subject=call.identities, seal_key=call.env.service.key, generated_at=call.env.now(),
        lookback=lookback.Choice.from_json(chosen) if chosen else None,
    )
    # The rows the package holds, not the rows found: the step, the letter and data.json say the same.
    summary = written.summary()
    record = {"package": str(written.path), **summary}
    return Outcome(rows=sum(summary["package_rows"].values()), record=record)


def rectify(call: Call) -> Outcome:
    corrections = corrections_by_category(call)
    if not corrections:
        return failed("the request gives no correct values: a reviewer adds them on approval "
                      "(corrections), or run it with `privacyops request run ID --set FIELD=VALUE`")
    try:
        rows = correct.apply_corrections(call.env.manifest, plan_of(call), call.env.connectors,
                                         call.subject.get("keys", {}), corrections)
    except correct.CorrectionRefused as exc:
        return failed(str(exc))
    return Outcome(rows=rows, record={"corrected": sorted(corrections)})


def corrections_by_category(call: Call) -> dict[str, str]:
    """Return the request's corrections keyed by the categories they change (fields name their category)."""
    return rcorrections.by_category(call.env.manifest, call.params.get("corrections") or {})


def restrict(call: Call) -> Outcome:
    kind = "restriction" if call.request_type == "restriction" else "objection"
    scope = str(call.params.get("scope") or "*")
    if call.request_type == "marketing_opt_out":
        scope = _marketing_scope(call)

    def apply(session: Session) -> Outcome | None:
        rows = restriction.record(session, subject_hashes=call.identity_hashes, kind=kind, scope=scope,
                                  request_id=call.request_id, actor="system", now=call.env.now())
        return Outcome(rows=len(rows), record={"restriction": {"kind": kind, "scope": scope}})

    return Outcome(apply=apply)


def _marketing_scope(call: Call) -> str:
    for name, purpose in call.env.manifest.purposes.items():
        if purpose.data_use.startswith("marketing"):
            return name
    return "marketing"


def lift(call: Call) -> Outcome:
    def apply(session: Session) -> Outcome | None:
        lifted = 0
        for row in restriction.active_for(session, call.identity_hashes):
            if row.kind != "restriction":
                continue
            try:
                restriction.lift(session, row.id, actor="system", now=call.env.now())
            except restriction.RestrictionRuleError as exc:
                return failed(str(exc))
            lifted += 1
        return Outcome(rows=lifted)

    return Outcome(apply=apply)


def notify_recipients(call: Call) -> Outcome:
    action = {"erasure": "erase", "account_deletion": "erase", "rectification": "correct"}.get(
        call.request_type, "restrict")
    categories = _categories_concerned(call)
    chosen = fanout.recipients_for(call.env.manifest, categories)

    def apply(session: Session) -> Outcome | None:
        added = fanout.create_tasks(session, call.request_id, action, chosen, call.env.now())
        return Outcome(rows=added, record={"recipients": len(chosen)})

    return Outcome(apply=apply)


def _categories_concerned(call: Call) -> list[str]:
    if call.request_type == "rectification":
        return sorted(corrections_by_category(call))
    if call.request_type in ("erasure", "account_deletion"):
        return fanout.plan_categories(call.env.manifest, plan_of(call))
    scope = call.params.get("scope")
    purpose = call.env.manifest.purposes.get(str(scope)) if scope else None
    if purpose is not None:
        return list(purpose.categories)
    return sorted({c for p in call.env.manifest.purposes.values() for c in p.categories})


HANDLERS: dict[str, Callable[[Call], Outcome]] = {
    "collect": collect, "erase": erase, "detach": erase, "verify": verify, "package": package,
    "correct": rectify, "restrict": restrict, "lift": lift, "notify_recipients": notify_recipients,
}
