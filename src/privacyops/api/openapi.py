"""The error answers in the OpenAPI document: every operation lists the 4xx it can give, one schema.

FastAPI documents only the success answer and its own validation error. This walks the generated
document once and adds, to each operation, the error statuses that apply to it: 401 and 403 where it
takes a token, 404 where its path names a record, 413 where it takes a body, 422 where it takes any
input. Each 4xx answer without a schema of its own gets ``ErrorBody`` (``api.errors``); a page that
answers HTML documents its errors as HTML too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from privacyops.api import errors

DESCRIPTIONS = {
    400: "The body could not be read (not UTF-8 or not the declared format).",
    401: "No token, or a token that is unknown, revoked or not valid here.",
    403: "The token's role is too low for this endpoint.",
    404: "No record with this id.",
    409: "The record is not in a state that allows this.",
    413: "The body is larger than the limit (PRIVACYOPS_MAX_BODY_BYTES).",
    422: "A field or parameter broke a rule; `detail.errors` lists each one.",
    429: "Too many attempts; wait before trying again.",
}
BODY_METHODS = {"post", "put", "patch"}
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the document with the error answers filled in."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the applicable 4xx answers to every operation of ``schema`` (changed in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _add_models(components)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                _document_operation(path, method, operation)
    if FASTAPI_VALIDATION not in repr(schema["paths"]):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
    return schema


def _add_models(components: dict[str, Any]) -> None:
    body = errors.ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(body.pop("$defs", {}))
    components["ErrorBody"] = body


def applicable_statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """Return the error statuses an operation can answer, from what it takes."""
    codes: set[int] = set()
    if operation.get("security"):
        codes |= {401, 403}
    if "{" in path:
        codes.add(404)
    if method in BODY_METHODS or "requestBody" in operation:
        codes.add(413)
    if "requestBody" in operation:
        codes.add(400)
    if operation.get("parameters") or "requestBody" in operation:
        codes.add(422)
    return codes


def _document_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    for code in sorted(applicable_statuses(path, method, operation)):
        responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
    html = "text/html" in responses.get("200", {}).get("content", {})
    for status, response in responses.items():
        if status.startswith("4"):
            _error_content(response, html)


def _error_content(response: dict[str, Any], html: bool) -> None:
    content = response.setdefault("content", {})
    json_part = content.setdefault("application/json", {})
    if "schema" not in json_part or json_part["schema"].get("$ref") == FASTAPI_VALIDATION:
        json_part["schema"] = ERROR_REF
    if html:
        content.setdefault("text/html", {"schema": {"type": "string"}})
