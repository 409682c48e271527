"""Security headers on the HTML pages: the privacy center and the admin console.

The policy allows scripts and styles from this origin only (htmx is a vendored file; no inline script or
style anywhere), no framing, and, when served over HTTPS in production, strict transport. The API and
its docs page are left to their own headers.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HTML_PREFIXES = ("/admin", "/privacy")
HSTS = "max-age=31536000; includeSubDomains"


def applies(path: str) -> bool:
    """Tell whether ``path`` is one of the HTML pages the headers cover."""
    return path == "/" or any(path == p or path.startswith(p + "/") for p in HTML_PREFIXES)


class SecurityHeaders:
    """ASGI middleware adding the headers to answers of the covered paths."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not applies(scope["path"]):
            await self.app(scope, receive, send)
            return
        console = scope["path"].startswith("/admin")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    # Request ids sit in page paths: never pass them on to another site.
                    (b"referrer-policy", b"no-referrer"),
                ]
                if console:
                    extra.append((b"cache-control", b"no-store"))
                if self.production:
                    extra.append((b"strict-transport-security", HSTS.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
