"""The last step of a run: close the request once every step and recipient task is terminal."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from privacyops.execution import fanout, links, suppression
from privacyops.execution.handlers import Call, Outcome
from privacyops.requests import decisions, records
from privacyops.requests.states import RequestState
from privacyops.store.models.execution import ExecutionRun

ERASING = ("erasure", "account_deletion")
PACKAGING = ("access", "portability")


def close(call: Call) -> Outcome:
    """Return the closing outcome: wait for recipient tasks, then complete (or complete in part)."""

    def apply(session: Session) -> Outcome | None:
        tasks = fanout.tasks_of(session, call.request_id)
        waiting = [t for t in tasks if t.state not in fanout.TERMINAL]
        if waiting:
            return Outcome(wait=True, reason=f"waiting for {len(waiting)} recipient task(s) to be closed")
        run = session.get(ExecutionRun, call.request_id)
        assert run is not None
        impossible = [t for t in tasks if t.state == fanout.TaskState.IMPOSSIBLE]
        note = closing_note(run.outcome, impossible)
        request = records.get_request(session, call.request_id)
        if request.state == RequestState.IN_PROGRESS:
            download = _package_link(call, run.outcome)
            decisions.complete(session, call.env.service, call.request_id, actor="system",
                               partial=bool(impossible), note=note, **download)
        if call.request_type in ERASING:
            _suppress_found(session, call)
        run.status = request.state
        run.outcome = {**run.outcome, "recipients": fanout.summary(tasks), "closing_note": note}
        run.subject = {}  # the identities found are not needed any more: keep only the proof
        run.closed_at = call.env.now()
        return Outcome(rows=len(tasks))

    return Outcome(apply=apply)


def closing_note(outcome: dict[str, Any], impossible: list[Any]) -> str:
    """Say what was not done and what was kept, without personal data (it goes to the audit chain)."""
    parts = [f"{t.recipient} could not act: {t.reason}" for t in impossible]
    for table, entry in sorted((outcome.get("held") or {}).items()):
        parts.append(f"{entry['rows']} row(s) of {table} kept under hold {entry['hold']}: {entry['reason']}")
    return "; ".join(parts) or "carried out in full"


def _package_link(call: Call, outcome: dict[str, Any]) -> dict[str, str]:
    """Sign the download link of the access package when the run wrote one (AC-3)."""
    if call.request_type not in PACKAGING or not outcome.get("package"):
        return {}
    days = getattr(call.env, "package_link_days", None) or links.link_days()
    issued = links.issue(call.request_id, call.env.service.key, call.env.service.public_url,
                         call.env.now(), days)
    return {"download_url": issued.url, "download_expires": issued.expires_at.strftime("%Y-%m-%d %H:%M UTC")}


def _suppress_found(session: Session, call: Call) -> None:
    # The request's own identities are suppressed by the workflow; add the ones the collection found.
    found = call.subject.get("identities", {})
    for kind, values in found.items():
        for value in values if kind not in call.identities else []:
            suppression.suppress(session, call.env.service.key, call.request_id, {kind: value})
