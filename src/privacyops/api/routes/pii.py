"""``/api/v1/pii``: mask payloads over HTTP, including Langfuse's server-side ingestion masking callback.

Langfuse (self-hosted, ingestion masking enabled) POSTs each OTLP/JSON trace export with the headers
``X-Langfuse-Org-Id`` and ``X-Langfuse-Project-Id`` and waits at most 500 ms for the same JSON back,
masked. Langfuse sends no credentials of its own, so the callback takes no API token; it only ever
returns a masked copy of what the caller sent. With ``PRIVACYOPS_LANGFUSE_CALLBACK_TOKEN`` set, the
callback URL configured in Langfuse must carry that token (``?token=...``), or the request must send it
as a bearer token, and anything else is refused. Policies per project come from the manifest's ``pii``
section, or from ``pii-policies.yml`` in ``PRIVACYOPS_HOME`` while the manifest has none.
"""

from __future__ import annotations

import hmac
import json
import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.concurrency import run_in_threadpool

from privacyops.api import deps
from privacyops.pii import masking, otlp, policy, structured
from privacyops.pii.operators import OperatorError
from privacyops.requests import context

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/pii", tags=["pii"])

POLICY_FILE = "pii-policies.yml"
_SCOPES = {"type": ["array", "null"], "items": {
    "type": "object", "properties": {"spans": {"type": "array"}}}}
# The shape check_otlp_json accepts: what the callback takes, as the OpenAPI documents it.
OTLP_TRACES_SCHEMA = {
    "type": "object",
    "required": ["resourceSpans"],
    "properties": {"resourceSpans": {"type": "array", "items": {
        "type": "object",
        "properties": {"scopeSpans": _SCOPES, "instrumentationLibrarySpans": _SCOPES},
    }}},
}


def _state(request: Request) -> tuple[Any, Any]:
    """Return (settings, manifest) from the app, whichever way the app factory stored them."""
    services = getattr(request.app.state, "services", None)
    if services is not None:
        manifest_state = getattr(services, "manifest", None)
        return services.settings, getattr(manifest_state, "manifest", None)
    return getattr(request.app.state, "settings", None), getattr(request.app.state, "manifest", None)


def _policies(settings: Any, manifest: Any) -> policy.PolicySet:
    try:
        found = policy.policies_from_manifest(manifest)
        if found.projects or manifest is None or policy._section(manifest) is not None:
            return found
        home = getattr(settings, "home", None)
        if home is not None and (Path(home) / POLICY_FILE).is_file():
            return policy.load_policy_file(Path(home) / POLICY_FILE)
        return found
    except policy.PolicyError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from exc


def _masker(request: Request, project: str | None, operator: str | None = None) -> masking.PolicyMasker:
    settings, manifest = _state(request)
    chosen = _policies(settings, manifest).for_project(project)
    if operator:
        chosen = chosen.model_copy(update={"operator": operator})
    try:
        # The deployment's key (generated into the home folder when unset) keys the pseudonyms.
        secret = context.secret_key(settings) if settings is not None else None
        return masking.PolicyMasker(chosen, secret=secret, tenant=project or "")
    except OperatorError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from exc


async def _json_body(request: Request) -> Any:
    body = await request.body()  # the size cap is enforced while it streams in (api.body_limit)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        detail = f"body: not UTF-8 at byte {exc.start}"
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=detail) from exc
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="body: JSON nested too deeply") from exc
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=f"body: not valid JSON ({exc})") from exc


def _respond(document: Any) -> JSONResponse:
    try:
        return JSONResponse(document)
    except (RecursionError, ValueError) as exc:  # never echo what could not be serialised safely
        raise HTTPException(422, detail=f"body: {exc}") from exc


@router.post(
    "/langfuse/ingestion-mask",
    summary="Langfuse ingestion masking callback",
    dependencies=[deps.public()],
    response_class=JSONResponse,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": OTLP_TRACES_SCHEMA}}}},
    responses={401: {"description": "The callback token is required and was missing or wrong."}},
)
async def langfuse_ingestion_mask(
    request: Request,
    project_id: Annotated[str | None, Header(alias="X-Langfuse-Project-Id")] = None,
    org_id: Annotated[str | None, Header(alias="X-Langfuse-Org-Id")] = None,
) -> JSONResponse:
    """Return the posted OTLP/JSON export with personal data masked under the project's policy."""
    _check_callback_token(request)
    payload = await _json_body(request)
    masker = _masker(request, project_id)
    try:
        # Masking is CPU work: run it off the event loop so other requests keep flowing.
        masked = await run_in_threadpool(otlp.mask_otlp_json, payload, masker)
    except structured.PayloadError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    return _respond(masked)


def _check_callback_token(request: Request) -> None:
    settings, _manifest = _state(request)
    expected = getattr(settings, "langfuse_callback_token", None)
    if not expected:
        return
    given = request.query_params.get("token", "")
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    if not given and scheme.lower() == "bearer":
        given = bearer.strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="token: missing or wrong (the callback URL must carry PRIVACYOPS_LANGFUSE_CALLBACK_TOKEN)",
        )


class MaskRequest(BaseModel):
    """Text or a JSON document to mask, with an optional operator and project."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["text"]}, {"required": ["document"]}]}
    )

    text: str | SkipJsonSchema[None] = Field(None, description="Plain text to mask.")
    document: Any = Field(
        None,
        description="A JSON document to mask (same shape comes back).",
        json_schema_extra={"not": {"type": "null"}},
    )
    operator: policy.OperatorName | None = Field(None, description="Override the policy's operator.")
    project: str | None = Field(None, description="Project whose policy applies.")


class MaskResponse(BaseModel):
    text: str | None = None
    document: Any = None


@router.post("/mask", response_model=MaskResponse, dependencies=[deps.require_role("viewer")])
def mask(request: Request, body: MaskRequest) -> MaskResponse:
    """Mask a text or a JSON document (for scripts and the admin console)."""
    if body.text is None and body.document is None:
        raise HTTPException(422, detail="text or document: give one")
    masker = _masker(request, body.project, body.operator)
    try:
        document = masker.document(body.document) if body.document is not None else None
    except structured.PayloadError as exc:
        raise HTTPException(422, detail=f"document: {exc}") from exc
    text = masker.text(body.text) if body.text is not None else None
    return MaskResponse(text=text, document=document)


class AnalyzeRequest(BaseModel):
    text: str = Field(description="Text to look through.")


class FindingOut(BaseModel):
    start: int
    end: int
    entity: str
    score: float
    kind: str


@router.post("/analyze", response_model=list[FindingOut], dependencies=[deps.require_role("viewer")])
def analyze(request: Request, body: AnalyzeRequest) -> list[FindingOut]:
    """List what was found where (offsets only: the values are not echoed)."""
    masker = _masker(request, None)
    return [
        FindingOut(start=f.start, end=f.end, entity=f.entity, score=f.score, kind=f.kind)
        for f in masker.engine.analyze(body.text)
    ]
