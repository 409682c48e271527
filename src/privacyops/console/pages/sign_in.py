"""Signing in and out of the console with a user name and password."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.audit import chain
from privacyops.console import framework, lockout, sessions, sso, users
from privacyops.requests import context
from privacyops.settings import Settings
from privacyops.store.models.console import ConsoleUser

log = logging.getLogger(__name__)
router = framework.page_router()


def _secure(request: Request) -> bool:
    return framework.production(request.app.state.services.settings)


def safe_next(target: str) -> str:
    """Return where to go after signing in: a console path only, never another site."""
    if target.startswith(framework.PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{framework.PREFIX}/"


def form_page(request: Request, *, next_path: str, error: str = "", code: int = 200) -> HTMLResponse:
    nonce = secrets.token_urlsafe(24)
    answer = framework.render(
        request,
        None,
        "sign_in.html",
        {
            "title": "Sign in",
            "next": next_path,
            "nonce": nonce,
            "error": error,
            "sso": sso.Provider.from_settings(request.app.state.services.settings),
        },
        status_code=code,
    )
    answer.set_cookie(
        framework.SIGN_IN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path=framework.PREFIX,
        max_age=3600,
    )
    return answer


@router.get("/sign-in", response_class=HTMLResponse, dependencies=[deps.public()])
def sign_in_form(request: Request, next: str = "") -> HTMLResponse:  # noqa: A002 - the query's name
    """Show the sign-in form."""
    return form_page(request, next_path=safe_next(next))


@router.post("/sign-in", dependencies=[deps.public()])
def sign_in(
    request: Request,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    nonce: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",  # noqa: A002 - the form field's name
) -> Response:
    """Check the password, open a session and go where the person was heading."""
    target = safe_next(next)
    expected = request.cookies.get(framework.SIGN_IN_COOKIE, "")
    if not nonce or not expected or not secrets.compare_digest(nonce, expected):
        return form_page(
            request,
            next_path=target,
            code=status.HTTP_400_BAD_REQUEST,
            error="The form had expired. Enter your user name and password again.",
        )
    now = datetime.now(UTC)
    policy = lockout.Policy.from_settings(services.settings)
    attempt = lockout.count(
        services.sessions,
        policy,
        context.secret_key(services.settings),
        username=users.normalise(username),
        address=request.client.host if request.client else None,
        now=now,
    )
    if attempt.paused:
        log.info("console sign-in paused")  # neither the name typed nor the address is logged
        return _paused(request, target, attempt.paused_for)
    user = users.authenticate(session, username, password)
    if user is None:
        return _refused(request, session, target, attempt, policy, username)
    lockout.forgive(session, policy, attempt, now=now)
    return signed_in(request, session, services.settings, user, target, now)


def signed_in(request: Request, session: Session, settings: Settings, user: ConsoleUser, target: str,
              now: datetime, **audited: str) -> Response:
    """Open the user's console session, audited (with ``audited`` facts), and send the browser on."""
    row, token = sessions.start(session, user, framework.lifetime(settings), now)
    user.last_sign_in_at = now
    chain.append(
        session,
        actor=users.actor_name(user.username),
        action="console.signed_in",
        entity="console_user",
        entity_id=str(user.id),
        data={"session": row.id, **audited},
    )
    session.commit()
    answer = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookie(answer, request, token)
    return answer


def set_session_cookie(answer: Response, request: Request, token: str) -> None:
    """Give the browser its session cookie; the sign-in form's one-time cookie is done with."""
    answer.set_cookie(
        framework.SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path=framework.PREFIX,
    )
    answer.delete_cookie(framework.SIGN_IN_COOKIE, path=framework.PREFIX)


def _paused(request: Request, target: str, seconds: int) -> HTMLResponse:
    answer = form_page(
        request,
        next_path=target,
        code=status.HTTP_429_TOO_MANY_REQUESTS,
        error=(
            "Sign-in is paused after too many attempts. Try again in "
            f"{lockout.wait_text(seconds)}. If these attempts were not yours, tell an admin."
        ),
    )
    answer.headers["Retry-After"] = str(seconds)
    return answer


def _refused(
    request: Request,
    session: Session,
    target: str,
    attempt: lockout.Attempt,
    policy: lockout.Policy,
    username: str,
) -> HTMLResponse:
    """Answer a wrong name or password; audit the pause when this was the last attempt allowed."""
    session.rollback()
    log.info("console sign-in refused")  # the name typed is not logged: it may be anything
    if attempt.reached:
        found = users.find(session, users.normalise(username))
        lockout.record_pause(session, attempt, policy, user_id=found.id if found else None)
        session.commit()
        log.warning("console sign-in paused after too many attempts")
        return _paused(request, target, attempt.pause_after)
    return form_page(
        request,
        next_path=target,
        code=status.HTTP_401_UNAUTHORIZED,
        error="The user name or password is wrong, or the account is disabled.",
    )


@router.post("/sign-out")
def sign_out(request: Request, staff: framework.ViewerAction, session: deps.SessionDep) -> Response:
    """End the session and go back to the sign-in form."""
    token = request.cookies.get(framework.SESSION_COOKIE, "")
    row = sessions.end(session, token, datetime.now(UTC))
    if row is not None:
        chain.append(
            session,
            actor=staff.actor,
            action="console.signed_out",
            entity="console_user",
            entity_id=str(staff.user_id),
            data={"session": row.id},
        )
    session.commit()
    answer = RedirectResponse(f"{framework.PREFIX}/sign-in", status_code=status.HTTP_303_SEE_OTHER)
    answer.delete_cookie(framework.SESSION_COOKIE, path=framework.PREFIX)
    return answer
