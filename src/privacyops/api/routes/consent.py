"""Consent over HTTP: receipts from the host application, decisions, and a subject's lookup.

Recording a receipt needs a reviewer token (the host application's server records what its users chose);
reading decisions needs a viewer token. Bad input answers 422 with ``{"detail": {"field", "rule"}}``
and records nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.consent import decide, ledger, marketing, service
from privacyops.consent import purposes as cpurposes
from privacyops.consent import schemas as api
from privacyops.consent.errors import ConsentRuleError
from privacyops.manifest.schema import Manifest
from privacyops.store.models.consent import ConsentReceipt
from privacyops.web import preferences

router = APIRouter(tags=["consent"])
Reviewer = Annotated[deps.Principal, deps.require_role("reviewer")]
Viewer = Annotated[deps.Principal, deps.require_role("viewer")]
SubjectQuery = Annotated[list[str], Query(min_length=1, max_length=10, description=api.SUBJECT_HELP)]


@router.post(
    "/api/v1/consent/receipts",
    status_code=status.HTTP_201_CREATED,
    response_model=api.ReceiptOut,
    summary="Record a consent given or withdrawn",
)
def record_receipt(
    body: api.ReceiptIn,
    principal: Reviewer,
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> api.ReceiptOut:
    """Append a receipt to the ledger; the decision for the purpose follows it at once."""
    (receipt,) = _record(session, services, manifest, [body], actor=f"token:{principal.name}")
    session.commit()
    return api.ReceiptOut.of(receipt)


@router.post(
    "/api/v1/consent/receipts/batch",
    status_code=status.HTTP_201_CREATED,
    response_model=api.BatchReceiptsOut,
    summary="Record many consents in one transaction",
)
def record_receipts(
    body: api.BatchReceiptsIn,
    principal: Reviewer,
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> api.BatchReceiptsOut:
    """Append up to 1,000 receipts at once (an import, a host's queue); one bad entry records none."""
    receipts = _record(session, services, manifest, body.receipts, actor=f"token:{principal.name}")
    session.commit()
    return api.BatchReceiptsOut(receipt_ids=[r.receipt_id for r in receipts])


def _record(
    session: Session, services: deps.Services, manifest: Manifest, bodies: list[api.ReceiptIn], *, actor: str
) -> list[ConsentReceipt]:
    catalog = cpurposes.catalog(manifest)
    items, mailing = [], []
    for index, body in enumerate(bodies):
        try:
            subject = service.subject_of(services, body.subject)
            if catalog.get(body.purpose).marketing and subject.emails:
                subject = marketing.mail_subject(subject)
                mailing.append(subject)
            entry = ledger.Entry(
                purpose=body.purpose,
                granted=body.granted,
                notice_version=body.notice_version,
                method=body.method,
                channel=body.channel,
                text_shown=body.text_shown,
                regime=body.regime,
                scope=body.scope,
            )
            ledger.check(catalog, entry)
        except ConsentRuleError as exc:
            exc.field = exc.field if len(bodies) == 1 else f"receipts[{index}].{exc.field}"
            raise
        items.append((subject, entry))
    now = service.now()
    receipts = ledger.record_many(session, catalog, items, actor=actor, now=now)
    for subject in mailing:
        marketing.remember(session, subject, now=now)
    return receipts


@router.get(
    "/api/v1/decisions", response_model=api.DecisionOut, summary="May this purpose use this subject's data"
)
def decision(
    subject: SubjectQuery,
    purpose: Annotated[str, Query(max_length=100)],
    _viewer: Viewer,
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> api.DecisionOut:
    """Answer allow or deny for one subject and purpose, with the reason and the receipt it rests on."""
    found = decide.can_process(session, service.subject_of(services, subject), purpose, manifest=manifest)
    return api.DecisionOut(**found.as_dict())


@router.post("/api/v1/decisions", response_model=api.BatchOut, summary="Decide many subjects at once")
def decisions(
    body: api.BatchIn,
    _viewer: Viewer,
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> api.BatchOut:
    """Answer, for each subject in order, one decision per purpose."""
    results = []
    for index, identities in enumerate(body.subjects):
        subject = service.subject_of(services, identities, field=f"subjects[{index}]")
        found = decide.can_process_many(session, subject, body.purposes, manifest=manifest)
        results.append([api.DecisionOut(**d.as_dict()) for d in found])
    return api.BatchOut(results=results)


@router.get(
    "/api/v1/consent/lookup", response_model=api.LookupOut, summary="A subject's consent and receipts"
)
def lookup(
    subject: SubjectQuery,
    _viewer: Viewer,
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> api.LookupOut:
    """Show every consent purpose's decision for the subject and their receipt history."""
    who = service.subject_of(services, subject)
    names = [p.name for p in cpurposes.catalog(manifest).consent_purposes()]
    found = decide.can_process_many(session, who, names, manifest=manifest)
    return api.LookupOut(
        decisions=[api.DecisionOut(**d.as_dict()) for d in found],
        receipts=[api.ReceiptOut.of(r) for r in ledger.history(session, who)],
    )


@router.post(
    "/api/v1/consent/preference-links",
    status_code=status.HTTP_201_CREATED,
    summary="A preference-center link for a signed-in user",
)
def preference_link(
    body: api.PreferenceLinkIn, _reviewer: Reviewer, services: deps.ServicesDep
) -> dict[str, str]:
    """Return a signed link to the subject's preference center, for the host application to show its user."""
    subject = service.subject_of(services, body.subject)
    path = preferences.preferences_url(service.identity_key(services.settings), subject.primary)
    return {"url": services.settings.public_url.rstrip("/") + path}
