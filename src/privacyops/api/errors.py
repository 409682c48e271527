"""One error shape for every 4xx answer: ``{"detail": {"field": ..., "rule": ...}}``.

``field`` names where the problem is (a body field such as ``body.name``, a parameter such as
``query.limit``, a header such as ``Authorization``, or ``body``/``path`` as a whole) and ``rule`` says
what was wrong and how to fix it. A validation error lists every problem in ``errors`` and repeats the
first one in ``field``/``rule``. Error bodies never echo what was sent: only where and which rule.
"""

from __future__ import annotations

from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from privacyops.field_errors import FieldError

RETRY_AFTER_SECONDS = 5
MAX_LISTED = 20  # a body with thousands of bad items still gets a short answer
MAX_RULE_CHARS = 300

# Where a plain-text detail does not name its field, the status says what it is about.
FIELD_BY_STATUS = {
    400: "body", 401: "Authorization", 404: "path", 405: "method", 413: "body", 415: "Content-Type"
}


class FieldProblem(BaseModel):
    """One broken rule of a validation error."""

    field: str = Field(description="Where: `body.<field>`, `query.<name>`, `path.<name>` or `header.<name>`.")
    rule: str = Field(description="The rule the value broke (the value itself is not repeated).")


class ErrorDetail(BaseModel):
    """Where the problem is and what rule it broke."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(description="The field, parameter or header at fault, e.g. `body.type`.")
    rule: str = Field(description="What was wrong and how to fix it.")
    errors: list[FieldProblem] | None = Field(
        None, description="Validation errors only: every problem found (at most 20)."
    )
    attempts_left: int | None = Field(None, description="Code verification only: tries left.")
    message: str | None = Field(None, description="A sentence for the person who sent the request.")


class ErrorBody(BaseModel):
    """The body of every 4xx answer of the API."""

    detail: ErrorDetail


def error_detail(status_code: int, detail: Any) -> dict[str, Any]:
    """Return ``detail`` in the documented shape; a plain string becomes ``{"field", "rule"}``."""
    if isinstance(detail, dict) and "field" in detail and "rule" in detail:
        return detail
    text = detail if isinstance(detail, str) else "the request was refused"
    field, sep, rest = text.partition(": ")
    # "name: what is wrong" already names its field; anything else gets one from the status.
    if sep and field and " " not in field:
        return {"field": field, "rule": rest}
    return {"field": FIELD_BY_STATUS.get(status_code, "request"), "rule": text}


async def http_error(request: Request, exc: Exception) -> Response:
    """Answer an ``HTTPException``; 4xx details take the documented shape, others pass through."""
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    detail: Any = exc.detail
    if 400 <= exc.status_code < 500:
        detail = error_detail(exc.status_code, detail)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int) and parts:
            parts[-1] += f"[{part}]"
        else:
            parts.append(str(part))
    return ".".join(parts) or "body"


def validation_problems(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Turn pydantic errors into ``{"field", "rule"}`` pairs, without the input that broke them."""
    problems = []
    for error in errors[:MAX_LISTED]:
        rule = str(error.get("msg", "invalid value"))[:MAX_RULE_CHARS]
        problems.append({"field": _location(tuple(error.get("loc", ()))), "rule": rule})
    return problems


async def field_error(request: Request, exc: Exception) -> Response:
    """Answer an input that broke a rule of the core with its status, naming the field and the rule."""
    assert isinstance(exc, FieldError)
    return JSONResponse({"detail": {"field": exc.field, "rule": exc.message}}, status_code=exc.status_code,
                        headers=exc.headers())


async def validation_error(request: Request, exc: Exception) -> Response:
    """Answer 422 listing each problem by its location and rule; the input is never echoed."""
    assert isinstance(exc, RequestValidationError)
    problems = validation_problems(list(exc.errors())) or [{"field": "body", "rule": "invalid request"}]
    detail = {**problems[0], "errors": problems}
    return JSONResponse({"detail": detail}, status_code=422)


async def unstorable_value(request: Request, exc: Exception) -> Response:
    """Answer 422 when the database refuses a value the schema allows (PostgreSQL: NUL in text)."""
    assert isinstance(exc, DataError)
    rule = "a value cannot be stored: remove NUL characters (\\u0000) and keep numbers within 32 bits"
    return JSONResponse({"detail": {"field": "request", "rule": rule}}, status_code=422)


async def store_unavailable(request: Request, exc: Exception) -> Response:
    """Answer 503 with Retry-After while the store or the queue cannot be reached (a restart, a failover).

    Nothing the caller sent is wrong, and nothing half-done was kept: the transaction was never committed.
    """
    rule = "the database cannot be reached right now; nothing was stored, try again shortly"
    return JSONResponse({"detail": {"field": "service", "rule": rule}}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def install(app: FastAPI) -> None:
    """Make every error answer of ``app`` use the documented shape."""
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(FieldError, field_error)
    app.add_exception_handler(DataError, unstorable_value)
    app.add_exception_handler(OperationalError, store_unavailable)
    app.add_exception_handler(psycopg.OperationalError, store_unavailable)
