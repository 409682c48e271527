"""The preference center: every consent purpose with its state, one click to give or withdraw, history.

It opens from a signed link for one subject: shown on the page of their verified request (the request's
verification is what vouches for them), or issued to the host application for a signed-in user
(``POST /api/v1/consent/preference-links``). Withdrawing takes the same one click as giving (CN-2).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.consent import decide, ledger, links, service
from privacyops.consent import purposes as cpurposes
from privacyops.consent.errors import ConsentRuleError
from privacyops.consent.subjects import Subject
from privacyops.manifest.schema import Manifest
from privacyops.web.pages import templates

router = APIRouter(tags=["consent"], dependencies=[deps.public()])
WORDS = {
    "consent": "given",
    "withdrawn": "withdrawn",
    "no_consent": "not given",
    "stale_consent": "to be asked again: the use has changed",
    "objection": "stopped: you objected",
    "restriction": "stopped: processing is restricted",
    "minor": "stopped",
    "gpc_opt_out": "stopped by your Global Privacy Control signal",
    "opt_out": "stopped: you opted out of sale and sharing",
}
# Refusals a consent does not lift: the button to give consent is not offered.
FINAL = frozenset({"objection", "restriction", "minor", "gpc_opt_out", "opt_out"})


def preferences_url(secret: bytes, subject_key: str) -> str:
    """Return the path of the preference center for a subject key (used by the request page and the API)."""
    token = links.issue(secret, subject_key, "", now=service.now(), use=links.PREFERENCES)
    return f"/privacy/preferences/{token}"


def _subject(services: deps.Services, token: str) -> Subject:
    found = links.read(
        service.identity_key(services.settings), token, now=service.now(), use=links.PREFERENCES
    )
    return Subject((found.subject_key,))


def _view(
    request: Request,
    session: Session,
    manifest: Manifest,
    subject: Subject | None,
    *,
    code: int = 200,
    problem: str | None = None,
    done: str | None = None,
) -> HTMLResponse:
    rows: list[dict[str, object]] = []
    receipts = []
    if subject is not None:
        infos = cpurposes.catalog(manifest).consent_purposes()
        for info, found in zip(
            infos,
            decide.can_process_many(session, subject, [i.name for i in infos], manifest=manifest),
            strict=True,
        ):
            rows.append(
                {
                    "name": info.name,
                    "title": info.title,
                    "text": info.text,
                    "code": found.code,
                    "words": WORDS.get(found.code, found.code),
                    "allowed": found.allowed,
                    "can_grant": found.code not in FINAL,
                }
            )
        receipts = ledger.history(session, subject, limit=200)
    return templates.TemplateResponse(
        request,
        "consent_preferences.html",
        {
            "title": "Your privacy preferences",
            "purposes": rows,
            "receipts": receipts,
            "problem": problem,
            "done": done,
        },
        status_code=code,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/privacy/preferences/{token}", response_class=HTMLResponse, summary="The preference center")
def preferences(
    request: Request,
    token: str,
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> HTMLResponse:
    """Show every consent purpose with its state and the subject's receipts."""
    try:
        subject = _subject(services, token)
    except links.BadToken as exc:
        return _view(request, session, manifest, None, code=status.HTTP_404_NOT_FOUND, problem=exc.message)
    return _view(request, session, manifest, subject)


@router.post(
    "/privacy/preferences/{token}", response_class=HTMLResponse, summary="Give or withdraw one consent"
)
def change_preference(
    request: Request,
    token: str,
    purpose: Annotated[str, Form(max_length=100)],
    granted: Annotated[str, Form(pattern="^(yes|no)$")],
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> Response:
    """Record the choice for one purpose and show the page again."""
    try:
        subject = _subject(services, token)
        catalog = cpurposes.catalog(manifest)
        if not catalog.get(purpose).consent_required:
            raise ConsentRuleError(f"{purpose!r} does not rest on consent", field="purpose")
        entry = ledger.Entry(
            purpose=purpose,
            granted=granted == "yes",
            notice_version=catalog.notice_version,
            method="preference_center",
            channel="web",
        )
        ledger.record(session, catalog, subject, entry, actor="preference-center", now=service.now())
    except links.BadToken as exc:
        return _view(request, session, manifest, None, code=status.HTTP_404_NOT_FOUND, problem=exc.message)
    except ConsentRuleError as exc:
        return _view(
            request,
            session,
            manifest,
            subject,
            code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            problem=f"{exc.field}: {exc.message}",
        )
    session.commit()
    return RedirectResponse(request.url.path, status_code=status.HTTP_303_SEE_OTHER)
