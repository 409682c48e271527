"""The notice over time in the privacy center: archive, past versions, diffs, subprocessors, subscriptions.

``/privacy`` itself (web.pages) shows the version in effect; these pages show every published version,
what each changed, the subprocessor list with its history, and the double opt-in subscription to changes.
State changes happen on POST only: a mail client that fetches a link to preview it confirms nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.api.routes import requests as request_routes
from privacyops.api.routes.requests import ContextDep
from privacyops.lifecycle import disclosures, subscriptions, versions
from privacyops.lifecycle.subscriptions import SubscriptionError
from privacyops.manifest.schema import Manifest
from privacyops.notice import render
from privacyops.requests import errors
from privacyops.requests.context import ServiceContext
from privacyops.store.models.notice import NoticeVersion
from privacyops.web import pages

router = APIRouter(
    prefix="/privacy", tags=["public pages"], dependencies=[deps.public()], include_in_schema=False
)
SUBPROCESSOR_KINDS = ("new_subprocessor", "removed_subprocessor")


def served_body(request: Request, services: deps.Services, session: Session, manifest: Manifest) -> str:
    """Return the notice /privacy shows: the published version in effect, else the loaded manifest's.

    Its CCPA statements run to today over the disclosures ledger (NV-3); the rendering is kept per
    version, day and ledger state, so a new disclosure shows at once.
    """
    today = dt.datetime.now(dt.UTC).date()
    row = versions.current(session, today)
    if row is None:
        return _cached(request, services, session, "manifest", manifest, today)
    return version_body(request, services, session, row, today)


def version_body(
    request: Request, services: deps.Services, session: Session, row: NoticeVersion, as_of: dt.date
) -> str:
    """Return a published version's notice as served here, its CCPA statements running to ``as_of``."""
    manifest = versions.dated(versions.manifest_of(row), row.effective_date)
    return _cached(request, services, session, f"version_{row.id}", manifest, as_of)


def _cached(
    request: Request, services: deps.Services, session: Session, name: str, manifest: Manifest, as_of: dt.date
) -> str:
    events = disclosures.recorded(session, as_of)
    key = f"body_{name}_{as_of.isoformat()}_{disclosures.fingerprint(events)}"
    cache = services.manifest.rendered
    if key not in cache:
        # Request links point at the form beside the notice, which files the request in this service.
        form_url = services.settings.public_url.rstrip("/") + request.app.url_path_for("request_form")
        cache[key] = render.render_notice_body(pages.served_manifest(manifest, form_url), events, as_of)
    return cache[key]


def _shell(ctx: ServiceContext, title: str) -> dict[str, object]:
    return {"controller": ctx.controller, "privacy_inbox": ctx.privacy_inbox, "title": title}


def _version(session: Session, number: int) -> NoticeVersion:
    row = session.get(NoticeVersion, number)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"there is no published version {number}")
    return row


@router.get("/versions", response_class=HTMLResponse, name="notice_archive")
def archive(request: Request, session: deps.SessionDep, ctx: ContextDep) -> HTMLResponse:
    """List every published version with its effective date and whether it changed anything material."""
    rows = versions.archive(session)
    current = versions.current(session, ctx.now().date())
    return pages.templates.TemplateResponse(
        request,
        "notice_archive.html",
        {
            **_shell(ctx, "Earlier versions of the privacy notice"),
            "rows": rows,
            "current_id": current.id if current else None,
        },
    )


@router.get("/versions/{number}", response_class=HTMLResponse, name="notice_version")
def version_page(
    request: Request,
    number: deps.RowId,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> HTMLResponse:
    """Show one published version of the notice as it read then."""
    row = _version(session, number)
    current = versions.current(session, ctx.now().date())
    # The version in effect speaks of the 12 months up to today; an earlier one, of those before it.
    as_of = ctx.now().date() if current is not None and current.id == row.id else row.effective_date
    return pages.templates.TemplateResponse(
        request,
        "notice_version.html",
        {
            **_shell(ctx, f"Privacy notice, version {row.version}"),
            "row": row,
            "is_current": current is not None and current.id == row.id,
            "body": version_body(request, services, session, row, as_of),
        },
    )


@router.get("/versions/{number}/diff", response_class=HTMLResponse, name="notice_diff")
def diff_page(
    request: Request, number: deps.RowId, session: deps.SessionDep, ctx: ContextDep
) -> HTMLResponse:
    """List what a version changed from the one before, material changes first."""
    row = _version(session, number)
    found = sorted(versions.stored_changes(row), key=lambda c: not c.material)
    return pages.templates.TemplateResponse(
        request,
        "notice_diff.html",
        {**_shell(ctx, f"What version {row.version} changed"), "row": row, "changes": found},
    )


@router.get("/subprocessors", response_class=HTMLResponse, name="subprocessors")
def subprocessors_page(
    request: Request, session: deps.SessionDep, manifest: deps.ManifestDep, ctx: ContextDep
) -> HTMLResponse:
    """List the subprocessors in effect, every change to the list, and the subscription form."""
    current = versions.current(session, ctx.now().date())
    shown: Manifest = versions.manifest_of(current) if current else manifest
    history = [
        (row, c)
        for row in versions.archive(session)
        for c in versions.stored_changes(row)
        if c.kind in SUBPROCESSOR_KINDS
    ]
    return pages.templates.TemplateResponse(
        request,
        "subprocessors.html",
        {
            **_shell(ctx, "Our subprocessors"),
            "subprocessors": shown.subprocessors,
            "history": history,
            "current": current,
        },
    )


@router.post("/subscriptions", response_class=HTMLResponse, name="subscribe")
def subscribe(
    request: Request,
    session: deps.SessionDep,
    ctx: ContextDep,
    services: deps.ServicesDep,
    email: Annotated[str, Form(max_length=254)],
    topic: Annotated[str, Form(max_length=32)],
) -> HTMLResponse:
    """Record a pending subscription and mail its confirmation link.

    It mails an address anyone types, so it counts against the limits of filing a request (per client
    address and per address typed).
    """
    try:
        subject_key = ctx.identity_hash("email", email.strip().casefold())
        request_routes.enforce_limits(services, ctx, "intake", request, subject_key=subject_key)
    except errors.RateLimited as exc:
        return _message(
            request, ctx, "Please wait", exc.message, code=429, headers={"Retry-After": str(exc.retry_after)}
        )
    try:
        subscriptions.subscribe(session, ctx, email, topic)
    except SubscriptionError as exc:
        return _message(request, ctx, "Subscription not recorded", str(exc), code=422)
    request_routes.commit_and_dispatch(session, services)  # the confirmation link goes out at once
    return _message(
        request,
        ctx,
        "Check your mailbox",
        "We sent a link to the address you gave. Nothing is sent to it until you open that link and confirm.",
    )


@router.get("/subscriptions/{number}/{action}", response_class=HTMLResponse, name="subscription_link")
def subscription_link(
    request: Request, number: deps.RowId, action: str, token: str, ctx: ContextDep
) -> HTMLResponse:
    """Show the button that confirms or ends a subscription (the mailed link lands here)."""
    if action not in ("confirm", "unsubscribe"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="use the confirm or unsubscribe link we sent")
    return pages.templates.TemplateResponse(
        request,
        "subscription.html",
        {**_shell(ctx, "Your subscription"), "number": number, "action": action, "token": token},
    )


@router.post("/subscriptions/{number}/{action}", response_class=HTMLResponse, name="subscription_act")
def subscription_act(
    request: Request,
    number: deps.RowId,
    action: str,
    session: deps.SessionDep,
    ctx: ContextDep,
    token: Annotated[str, Form(max_length=100)],
) -> HTMLResponse:
    """Confirm or end a subscription from its link's token."""
    act = {"confirm": subscriptions.confirm, "unsubscribe": subscriptions.unsubscribe}.get(action)
    if act is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="use the confirm or unsubscribe link we sent")
    try:
        act(session, ctx, number, token)
    except SubscriptionError as exc:
        return _message(request, ctx, "Link not valid", str(exc), code=404)
    session.commit()
    if action == "confirm":
        return _message(
            request, ctx, "Subscription confirmed", "We will write to you before changes take effect."
        )
    return _message(request, ctx, "Unsubscribed", "You will receive no more messages about changes.")


def _message(
    request: Request,
    ctx: ServiceContext,
    title: str,
    text: str,
    code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return pages.templates.TemplateResponse(
        request,
        "subscription.html",
        {**_shell(ctx, title), "message": text},
        status_code=code,
        headers=headers,
    )
