"""The browser a subject verified in: a signed cookie that lets the request's page offer the package.

A request's id is on its page and in every e-mail, so knowing it must not be enough to download the
person's data. When the subject enters the right code, the answer sets ``po_verified``: the request id
with an HMAC of it under the deployment key (HttpOnly, SameSite=Lax, limited to ``/privacy``, Secure
over HTTPS). Only a browser carrying that cookie sees the download button, and the button's link is
signed afresh on each visit and expires within the hour, like the link in the e-mail (AC-3).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response

from privacyops.execution import links as execution_links
from privacyops.package import links as package_links
from privacyops.requests.context import ServiceContext
from privacyops.settings import Settings
from privacyops.store.models.requests import SubjectRequest

COOKIE = "po_verified"
COOKIE_PATH = "/privacy"
MAX_REQUESTS = 5  # a shared computer remembers a few requests, not a history
MAX_AGE = 30 * 24 * 3600
LINK_LIFETIME = timedelta(hours=1)
READY = ("completed", "partially_completed")


def _mark(key: bytes, request_id: str) -> str:
    digest = hmac.new(key, b"privacy-center verified browser\0" + request_id.encode(), hashlib.sha256)
    return f"{request_id}.{digest.hexdigest()[:32]}"


def _entries(request: Request) -> list[str]:
    return [part for part in request.cookies.get(COOKIE, "").split("~") if part][-MAX_REQUESTS:]


def verified_here(request: Request, ctx: ServiceContext, request_id: str) -> bool:
    """Tell whether this browser verified ``request_id`` (its cookie carries the request's mark)."""
    expected = _mark(ctx.key, request_id)
    return any(hmac.compare_digest(entry, expected) for entry in _entries(request))


def remember(
    response: Response, request: Request, ctx: ServiceContext, settings: Settings, request_id: str
) -> None:
    """Add the request to the browser's cookie, keeping the last few."""
    mark = _mark(ctx.key, request_id)
    kept = [entry for entry in _entries(request) if entry != mark][-(MAX_REQUESTS - 1) :]
    secure = settings.public_url.startswith("https://") and not settings.demo_mode
    response.set_cookie(
        COOKIE,
        "~".join([*kept, mark]),
        max_age=MAX_AGE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def package_link(
    request: Request, ctx: ServiceContext, settings: Settings, row: SubjectRequest
) -> execution_links.IssuedLink | None:
    """Return a fresh, short-lived link to the request's package when this browser may have it."""
    if row.state not in READY or not verified_here(request, ctx, row.id):
        return None
    if not execution_links.package_path(settings.home, row.id).exists():
        return None
    expires_at = datetime.now(UTC) + LINK_LIFETIME
    token = package_links.sign_link(row.id, expires_at, ctx.key)
    return execution_links.IssuedLink(execution_links.download_url("", token), expires_at)
