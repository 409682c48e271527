"""A reviewer amends a rectification's corrected values before the work starts (RR-1).

The values replace the subject's as a whole; the fields they name join the corrected fields, and a
field the request was verified through cannot be among them (INT-5). The audit log names the fields
amended, never their values.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.requests import corrections as rcorrections
from privacyops.requests import errors, levels, records
from privacyops.requests.context import ServiceContext
from privacyops.requests.states import RequestState
from privacyops.store.models.requests import SubjectRequest

# Once the request is in progress its run may already have read the values.
AMENDABLE = (RequestState.RECEIVED, RequestState.AWAITING_VERIFICATION, RequestState.VERIFIED,
             RequestState.AWAITING_APPROVAL)


def amend_corrections(
    session: Session, ctx: ServiceContext, request_id: str, given: Mapping[str, str], *, actor: str
) -> SubjectRequest:
    """Replace the corrections of a rectification not yet started; a rule error names the field at fault."""
    lock = sa.select(SubjectRequest).where(SubjectRequest.id == request_id).with_for_update()
    request = session.execute(lock).scalar_one_or_none()
    if request is None:
        request = records.get_request(session, request_id)  # raises RequestNotFound with its message
    if request.request_type != "rectification":
        raise errors.RequestRuleError("corrections apply to rectification requests", field="corrections")
    if request.state not in AMENDABLE:
        raise errors.IllegalTransition(
            f"the request is {request.state}: its corrections can change only before the work starts",
            field="corrections",
        )
    found = rcorrections.normalise(given)
    if not found:
        raise errors.RequestRuleError("give at least one correction, e.g. {\"name\": \"Ada King\"}",
                                      field="corrections")
    corrected = list(found)
    if ctx.correctable is not None:
        rcorrections.check(ctx.correctable, found)
        corrected = list(rcorrections.implied_fields(ctx.correctable, found))
    levels.check_correction_channel(corrected, _verified_via(request))
    flags = dict(request.flags or {})
    flags["corrects"] = list(dict.fromkeys([*flags.get("corrects", []), *corrected]))
    request.flags, request.corrections = flags, found
    records.audit(session, actor, "request.corrections_amended", request, {"fields": sorted(found)})
    return request


def _verified_via(request: SubjectRequest) -> list[str]:
    """Return what the request was verified through, as INT-5 compares it with the corrected fields."""
    record = records.verification_record(request)
    if record.get("method") == "email_code":
        return ["email"]
    points = dict((request.flags or {}).get("points") or {})
    return [name.rpartition(".")[2] for name in points.get("matched", [])]
