"""A cap on request body size, enforced while the body streams in (never read whole first).

A declared ``Content-Length`` over the cap is refused before the application runs; a body sent without
one (chunked) is counted as it arrives and refused at the first byte over. Either way the answer is
413 with the API's error shape. The PII masking endpoints and the email imports take whole payloads
and messages, so paths under ``BULK_PREFIXES`` get the larger ``max_bulk_body_bytes``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BULK_PREFIXES = ("/api/v1/pii/", "/api/v1/requests/import/")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` at the first byte over the cap; the app's error handler answers 413."""

    def __init__(self, limit: int, setting: str) -> None:
        super().__init__(413, detail=too_large_detail(limit, setting))


def too_large_detail(limit: int, setting: str) -> dict[str, str]:
    """Describe the refusal: the cap, the setting that raises it, and what to do instead."""
    return {
        "field": "body",
        "rule": f"larger than {limit} bytes, the most this endpoint accepts ({setting}); "
        "send less per request or ask the operator to raise the limit",
    }


class BodyLimit:
    """ASGI middleware refusing request bodies over a size cap with 413."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_bulk_body_bytes: int) -> None:
        self.app = app
        self.default = max_body_bytes
        self.bulk = max_bulk_body_bytes

    def limit_for(self, path: str) -> tuple[int, str]:
        """Return the cap for ``path`` and the setting that controls it."""
        if path.startswith(BULK_PREFIXES):
            return self.bulk, "PRIVACYOPS_MAX_BULK_BODY_BYTES"
        return self.default, "PRIVACYOPS_MAX_BODY_BYTES"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self.limit_for(scope.get("path", ""))
        if _declared_length(scope) > limit:
            await _refuse(send, limit, setting)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _counting(receive, limit, setting), tracking_send)
        except BodyTooLarge:
            # Raised where no error handler caught it (outside a route): answer here if still possible.
            if started:
                raise
            await _refuse(send, limit, setting)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0  # the server rejects a malformed length itself
    return 0


def _counting(receive: Receive, limit: int, setting: str) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit, setting)
        return message

    return counted


async def _refuse(send: Send, limit: int, setting: str) -> None:
    body = json.dumps({"detail": too_large_detail(limit, setting)}).encode()
    await send({
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    })
    await send({"type": "http.response.body", "body": body})
