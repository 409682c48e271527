"""The cookie banner as served by privacyops, the endpoint it posts choices to, and a sample host page.

All public: the banner runs on the host's pages for visitors without an account. A choice is recorded
for the browser's random visitor id only; bad input (an unknown category, no notice version, a malformed
``Sec-GPC`` header) answers 4xx naming the problem and records nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from privacyops.api import deps
from privacyops.consent import banner, service, signals
from privacyops.consent.errors import BadSignal, ConsentRuleError
from privacyops.consent.subjects import VISITOR, Subject
from privacyops.requests import context
from privacyops.requests import errors as rerrors
from privacyops.requests import tokens as rtokens
from privacyops.requests.types import RequestType
from privacyops.web.pages import templates

router = APIRouter(tags=["consent banner"], dependencies=[deps.public()])


class ChoiceIn(BaseModel):
    """A choice made in the banner."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "visitor": "0f8c2d4e-5b6a-4c3d-9e8f-7a6b5c4d3e2f",
                    "notice_version": "2026-03-26",
                    "choices": {"analytics": True, "marketing": False, "targeting": False},
                    "gpc": False,
                }
            ]
        },
    )

    visitor: str = Field(min_length=8, max_length=64, description="The browser's random id.")
    notice_version: str | None = Field(None, max_length=40)
    choices: dict[str, bool] = Field(default_factory=dict, max_length=20)
    gpc: bool = Field(False, description="navigator.globalPrivacyControl as the page saw it.")
    host_token: str | None = Field(
        None,
        max_length=4000,
        description="The signed-in user's host token, so a GPC opt-out reaches the account.",
    )


class ChoiceOut(BaseModel):
    """The effective choice per category, the signals honoured, and the receipts written."""

    choices: dict[str, bool]
    gpc_honoured: bool
    dnt_honoured: bool
    receipts: list[str]


@router.get("/consent/banner.js", summary="The cookie banner script", response_class=Response)
def banner_script(request: Request, manifest: deps.ManifestDep, services: deps.ServicesDep) -> Response:
    """Serve the banner with its configuration from the manifest's cookies (no dependencies)."""
    cache = services.manifest.rendered
    if "banner_js" not in cache:
        cache["banner_js"] = banner.script(
            manifest,
            endpoint=request.app.url_path_for("consent_choice"),
            privacy_url=request.app.url_path_for("privacy_notice"),
        )
    return Response(
        cache["banner_js"], media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"}
    )


@router.post(
    "/consent/choices",
    name="consent_choice",
    response_model=ChoiceOut,
    summary="Record a choice made in the cookie banner",
)
def consent_choice(
    request: Request,
    body: Annotated[ChoiceIn, Body()],
    manifest: deps.ManifestDep,
    services: deps.ServicesDep,
    session: deps.SessionDep,
) -> ChoiceOut:
    """Record the visitor's choice per category, and a GPC signal as an opt-out of sale and sharing."""
    try:
        gpc = signals.gpc_header(request.headers)
        subject = service.subject_of(services, [f"{VISITOR}:{body.visitor}"], field="visitor")
        account = _account(services, body.host_token) if body.host_token else None
        choice = banner.Choice(
            notice_version=body.notice_version,
            choices=body.choices,
            gpc_page=body.gpc,
            gpc_header=gpc,
            dnt_header=signals.dnt_header(request.headers),
            account=account,
        )
        done = banner.record_choice(session, manifest, subject, choice, now=service.now())
    except BadSignal as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, detail={"field": exc.field, "rule": exc.message}
        ) from None
    except ConsentRuleError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail={"field": exc.field, "rule": exc.message}
        ) from None
    session.commit()
    return ChoiceOut(
        choices=done.choices,
        gpc_honoured=done.gpc_honoured,
        dnt_honoured=done.dnt_honoured,
        receipts=done.receipts,
    )


def _account(services: deps.Services, token: str) -> Subject:
    """Return the signed-in account a host token names (INT-3), or raise naming ``host_token``."""
    try:
        found = rtokens.verify_host_token(
            token,
            context.host_token_key(services.settings),
            request_type=RequestType.OPT_OUT_SALE_SHARE,
            now=service.now(),
        )
    except rerrors.RequestRuleError as exc:
        raise ConsentRuleError(exc.message, field="host_token") from None
    identities = [f"user_id:{found.user_id}"] + ([f"email:{found.email}"] if found.email else [])
    return service.subject_of(services, identities, field="host_token")


@router.get("/consent/example", response_class=HTMLResponse, summary="A sample page with the banner")
def consent_example(request: Request, manifest: deps.ManifestDep) -> HTMLResponse:
    """Show a host page with the banner and one blocked script per cookie category (OS-3 status shown)."""
    try:
        gpc = signals.honoured_gpc(manifest, header=signals.gpc_header(request.headers), page=False)
    except BadSignal as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, detail={"field": exc.field, "rule": exc.message}
        ) from None
    categories = [name for name, _info in banner.categories(manifest)]
    dnt_policy = "honoured" if manifest.signals.dnt.honoured else "not honoured, as our notice explains"
    return templates.TemplateResponse(
        request,
        "consent_example.html",
        {
            "title": "Sample page",
            "banner_url": request.app.url_path_for("banner_script"),
            "gpc": gpc,
            "gpc_status": banner.TEXTS["gpcStatus"],
            "dnt": signals.dnt_header(request.headers),
            "dnt_policy": dnt_policy,
            "categories": categories,
        },
    )
