"""What every console page shares: who is signed in, roles, CSRF, the layout and the navigation.

A page is one module of :mod:`privacyops.console.pages` exposing ``router`` plus one template in
``console/templates``. It declares who may see it with ``Annotated[Staff, framework.require("viewer")]``
and who may act with ``framework.action("reviewer")`` (which also checks the form's CSRF token), adds
itself to the navigation with ``framework.add_nav(...)``, and answers with ``framework.render(...)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from privacyops.api import deps
from privacyops.console import sessions
from privacyops.console.users import Staff
from privacyops.settings import Settings

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
PREFIX = "/admin"
SESSION_COOKIE = "po_console"
SIGN_IN_COOKIE = "po_console_signin"  # ties the sign-in form to the browser that loaded it
CSRF_HEADER = "X-CSRF-Token"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def page_router() -> APIRouter:
    """Return a router for console pages: under /admin, kept out of the OpenAPI document."""
    return APIRouter(prefix=PREFIX, include_in_schema=False, tags=["admin console"])


# --- navigation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """One entry of the console's navigation bar, shown to ``role`` and above."""

    label: str
    endpoint: str
    role: str = "viewer"
    order: int = 100


NAV: list[NavItem] = []


def add_nav(label: str, endpoint: str, *, role: str = "viewer", order: int = 100) -> None:
    """Add a page to the navigation (once, however often its module is imported)."""
    item = NavItem(label, endpoint, role, order)
    if item not in NAV:
        NAV.append(item)
        NAV.sort(key=lambda entry: (entry.order, entry.label))


def nav_for(staff: Staff | None) -> list[NavItem]:
    """Return the navigation entries the signed-in person may open."""
    if staff is None:
        return []
    rank = deps.ROLE_RANK[staff.role]
    return [item for item in NAV if deps.ROLE_RANK[item.role] <= rank]


# --- who is signed in --------------------------------------------------------------------------------


class SignInRequired(Exception):
    """No live session: a page sends the browser to sign in, an action answers 401."""


class RoleRequired(Exception):
    """The person is signed in but their role is too low for this page or action (403)."""

    def __init__(self, role: str, staff: Staff) -> None:
        super().__init__(role)
        self.role = role
        self.staff = staff


class CsrfRejected(Exception):
    """A form was posted without the session's CSRF token (403)."""

    def __init__(self, staff: Staff | None) -> None:
        super().__init__("csrf")
        self.staff = staff


def lifetime(settings: Settings) -> sessions.Lifetime:
    """Return the session lifetime the settings give."""
    return sessions.Lifetime(
        idle=timedelta(minutes=settings.console_idle_minutes),
        absolute=timedelta(minutes=settings.console_session_minutes),
    )


def production(settings: Settings) -> bool:
    """Tell whether the service is served over HTTPS for real: Secure cookies and HSTS then apply."""
    return settings.public_url.startswith("https://") and not settings.demo_mode


def signed_in(request: Request, services: deps.ServicesDep) -> Staff:
    """Resolve the session cookie to the signed-in person, or raise ``SignInRequired``."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired()
    with services.sessions() as session:
        found = sessions.find_live(session, token, lifetime(services.settings), datetime.now(UTC))
        if found is None:
            raise SignInRequired()
        row, user = found
        return Staff(user_id=user.id, username=user.username, role=user.role, csrf_token=row.csrf_token)


def require(role: str) -> Any:
    """Dependency: the signed-in person, if their role is ``role`` or higher."""
    if role not in deps.ROLE_RANK:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(deps.ROLE_RANK)}")

    def check(staff: Annotated[Staff, Depends(signed_in)]) -> Staff:
        if deps.ROLE_RANK[staff.role] < deps.ROLE_RANK[role]:
            raise RoleRequired(role, staff)
        return staff

    check.__name__ = f"console_{role}"
    return Depends(check)


def action(role: str) -> Any:
    """Dependency for a state-changing POST: ``require(role)`` plus the session's CSRF token.

    The token comes from the form's ``csrf_token`` field, or the X-CSRF-Token header htmx sends.
    """
    checked = require(role)

    # Defaults, not Annotated: the annotations are strings, and ``checked`` is local to this call.
    def check(
        staff: Staff = checked,
        csrf_token: str = Form(""),
        x_csrf_token: str = Header(""),
    ) -> Staff:
        offered = csrf_token or x_csrf_token
        if not offered or not _same(offered, staff.csrf_token):
            raise CsrfRejected(staff)
        return staff

    check.__name__ = f"console_{role}_action"
    return Depends(check)


def _same(left: str, right: str) -> bool:
    import hmac

    return hmac.compare_digest(left.encode(), right.encode())


Viewer = Annotated[Staff, require("viewer")]
Reviewer = Annotated[Staff, require("reviewer")]
Admin = Annotated[Staff, require("admin")]
ReviewerAction = Annotated[Staff, action("reviewer")]
AdminAction = Annotated[Staff, action("admin")]
ViewerAction = Annotated[Staff, action("viewer")]


def can(staff: Staff | None, role: str) -> bool:
    """Tell templates whether to offer an action needing ``role``."""
    return staff is not None and deps.ROLE_RANK[staff.role] >= deps.ROLE_RANK[role]


# --- rendering ---------------------------------------------------------------------------------------

# Confirmations shown after an action's redirect (?done=<key>): only these fixed texts, never the URL's.
MESSAGES: dict[str, str] = {"signed-in": "Signed in."}


def add_message(key: str, text: str) -> None:
    """Register a confirmation a page's action can show after its redirect with ``?done=key``."""
    MESSAGES[key] = text


def render(
    request: Request,
    staff: Staff | None,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a console template inside the layout, with the navigation and the CSRF token."""
    services: deps.Services = request.app.state.services
    base = {
        "staff": staff,
        "nav": nav_for(staff),
        "csrf_token": staff.csrf_token if staff else "",
        "can": lambda role: can(staff, role),
        "controller": controller_name(services),
        "flash": MESSAGES.get(request.query_params.get("done", ""), ""),
    }
    return templates.TemplateResponse(request, template, {**base, **(context or {})}, status_code=status_code)


def controller_name(services: deps.Services) -> str:
    """Return the controller the manifest names, for page titles and messages."""
    manifest = services.manifest.manifest
    if manifest is None:
        return "privacyops"
    from privacyops.web import manifest_view

    return manifest_view.controller_name(manifest)


# --- route table helpers for tests -------------------------------------------------------------------


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def route_needs_session(route: deps.RouteInfo) -> bool:
    """Tell whether a route checks a console session (the console's own authorisation)."""
    return signed_in in set(_calls(route.dependant))
