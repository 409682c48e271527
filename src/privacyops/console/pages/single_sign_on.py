"""Signing into the console through the configured OpenID Connect provider.

``/admin/sso/start`` sends the browser to the provider; ``/admin/sso/callback`` is the redirect URL
registered there. Every sign-in and every refusal is an audit event; no log line names the person.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from privacyops.api import deps
from privacyops.audit import chain
from privacyops.console import framework, sso, sso_accounts
from privacyops.console.pages import sign_in as password_sign_in
from privacyops.requests import context

log = logging.getLogger(__name__)
router = framework.page_router()


def _to_password_form() -> Response:
    """Where single sign-on is not set up, its addresses lead to the password form."""
    return RedirectResponse(f"{framework.PREFIX}/sign-in", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/sso/start", dependencies=[deps.public()])
def sso_start(request: Request, services: deps.ServicesDep, next: str = "") -> Response:  # noqa: A002
    """Send the browser to the identity provider, remembering the sign-in in a signed cookie."""
    provider = sso.Provider.from_settings(services.settings)
    if provider is None:
        return _to_password_form()
    try:
        url, flow = sso.start(provider, password_sign_in.safe_next(next))
    except sso.SsoRefused as exc:
        log.warning("console single sign-on unavailable: %s", exc.reason)
        return _refused_page(request, exc)
    answer = RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)
    answer.set_cookie(
        sso.FLOW_COOKIE,
        sso.seal_flow(flow, context.secret_key(services.settings)),
        httponly=True,
        samesite="lax",  # the provider's redirect back is a top-level GET: the cookie comes along
        secure=framework.production(services.settings),
        path=framework.PREFIX,
        max_age=sso.FLOW_SECONDS,
    )
    return answer


@router.get("/sso/callback", dependencies=[deps.public()])
def sso_callback(
    request: Request,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    """Check the provider's answer, find or create the console user and open a session."""
    provider = sso.Provider.from_settings(services.settings)
    if provider is None:
        return _to_password_form()
    key = context.secret_key(services.settings)
    try:
        flow = sso.open_flow(request.cookies.get(sso.FLOW_COOKIE, ""), key)
        if error or not code:
            raise sso.SsoRefused("provider", "the identity provider did not sign you in")
        claims = sso.finish(provider, flow, code=code, state=state)
        role = sso_accounts.role_for(provider.rules, claims, provider.groups_claim)
        user = sso_accounts.sign_in(session, issuer=provider.issuer, claims=claims, role=role, key=key)
    except sso.SsoRefused as exc:
        session.rollback()
        _audit_refusal(session, exc)
        session.commit()
        log.info("console single sign-on refused: %s", exc.reason)
        return _refused_page(request, exc)
    answer = password_sign_in.signed_in(request, session, services.settings, user, flow.next_path,
                                        datetime.now(UTC), via="single sign-on", role=user.role)
    answer.delete_cookie(sso.FLOW_COOKIE, path=framework.PREFIX)
    return answer


def _audit_refusal(session: deps.SessionDep, refused: sso.SsoRefused) -> None:
    known = refused.user_id is not None
    chain.append(
        session,
        actor="console",
        action="console.sso_refused",
        entity="console_user" if known else "console_sign_in",
        entity_id=str(refused.user_id) if known else "sso",
        data={"reason": refused.reason},
    )


def _refused_page(request: Request, refused: sso.SsoRefused) -> HTMLResponse:
    answer = password_sign_in.form_page(
        request,
        next_path=f"{framework.PREFIX}/",
        code=status.HTTP_403_FORBIDDEN,
        error=f"Single sign-on did not sign you in: {refused.message}.",
    )
    answer.delete_cookie(sso.FLOW_COOKIE, path=framework.PREFIX)
    return answer
