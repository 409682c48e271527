"""OpenDSR v2 processor endpoints: discovery, new requests, status and cancellation, all signed.

A customer authenticates with the token issued for its project (``Authorization: Bearer``); it sees
and acts only on its own requests, inside its own project. Bad documents answer 400 with the
OpenDSR error object naming each field at fault. Admins register customers under ``/api/v1``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from privacyops import jobs
from privacyops.api import deps
from privacyops.opendsr import clients, schemas, service, signing
from privacyops.store.models.opendsr import OpendsrClient

log = logging.getLogger(__name__)

SEND_CALLBACKS, PROCESS = jobs.needs("opendsr_send_callbacks", "opendsr_process")
router = APIRouter(tags=["OpenDSR (processor)"])
PREFIX = "/opendsr/v1"
Admin = Annotated[deps.Principal, deps.require_role("admin")]


def get_signer(services: deps.ServicesDep) -> signing.Signer:
    return signing.load_signer(services.settings)


SignerDep = Annotated[signing.Signer, Depends(get_signer)]


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def current_customer(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(deps.bearer)],
    session: deps.SessionDep,
) -> OpendsrClient:
    """Return the customer whose OpenDSR token this is, or answer 401.

    Customer tokens are not API tokens: they open only these endpoints and only the customer's own
    project, so the routes authenticate here instead of through ``deps.authenticate``.
    """
    if credentials is None or not credentials.credentials:
        raise _unauthorised("this endpoint needs your OpenDSR token in the Authorization header (Bearer)")
    row = clients.find_by_token(session, credentials.credentials)
    if row is None:
        raise _unauthorised("the OpenDSR token is unknown or revoked")
    return row


# The marker keeps the app-wide token check off these routes: current_customer answers 401 itself.
CUSTOMER_ROUTE = [deps.public()]
Customer = Annotated[OpendsrClient, Depends(current_customer)]


def signed(signer: signing.Signer, payload: BaseModel | dict[str, Any], code: int = 200) -> Response:
    """Answer JSON with the signature of its exact bytes in ``X-OpenDSR-Signature``."""
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    body = json.dumps(data, separators=(",", ":")).encode()
    return Response(body, status_code=code, media_type="application/json", headers=signer.headers(body))


def problem(signer: signing.Signer, code: int, problems: list[service.Problem]) -> Response:
    """Answer the OpenDSR error object; each entry names its field."""
    errors = [{"domain": "Validation", "reason": "invalid_field", "field": p.field, "message": f"{p.field}: "
               f"{p.message}"} for p in problems]
    message = "; ".join(e["message"] for e in errors)
    return signed(signer, {"error": {"code": code, "message": message, "errors": errors}}, code)


def rule_problem(signer: signing.Signer, exc: service.OpendsrError) -> Response:
    return problem(signer, exc.status, [service.Problem(exc.field, exc.message)])


def _now() -> datetime:
    return datetime.now(UTC)


@router.get(f"{PREFIX}/discovery", dependencies=[deps.public()], response_model=schemas.Discovery,
            summary="What this processor supports, and its signing key")
def discovery(signer: SignerDep, services: deps.ServicesDep) -> Response:
    base = services.settings.public_url.rstrip("/")
    document = schemas.Discovery(
        supported_identities=schemas.supported_identities(),
        supported_subject_request_types=["access", "portability", "erasure"],
        processor_certificate=f"{base}{PREFIX}/certificate.pem",
        processor_public_key=signer.public_key_pem(),
    )
    return signed(signer, document)


@router.get(f"{PREFIX}/certificate.pem", dependencies=[deps.public()], summary="The signing certificate",
            response_class=Response,
            responses={200: {"content": {"application/x-pem-file": {"schema": {"type": "string"}}},
                             "description": "The certificate (PEM)."}})
def certificate(signer: SignerDep) -> Response:
    return Response(signer.certificate_pem(), media_type="application/x-pem-file")


@router.post(f"{PREFIX}/requests", status_code=201, dependencies=CUSTOMER_ROUTE,
             response_model=schemas.Receipt, summary="Receive a subject request from a customer")
async def create_request(request: Request, caller: Customer, signer: SignerDep,
                         services: deps.ServicesDep, session: deps.SessionDep) -> Response:
    raw = await request.body()
    try:
        row = service.receive(session, caller, raw, _now())
    except service.BadDocument as exc:
        return problem(signer, 400, exc.problems)
    except service.OpendsrError as exc:
        return rule_problem(signer, exc)
    session.commit()
    _dispatch(services, SEND_CALLBACKS)
    _dispatch(services, PROCESS, row.id)
    receipt = schemas.Receipt(
        controller_id=service.controller_id(caller),
        expected_completion_time=row.expected_completion_time,
        received_time=row.received_time,
        encoded_request=service.encoded(raw),
        subject_request_id=row.subject_request_id,
        processor_signature=signer.sign(raw),
    )
    return signed(signer, receipt, 201)


@router.get(f"{PREFIX}/requests/{{subject_request_id}}", dependencies=CUSTOMER_ROUTE,
            response_model=schemas.StatusDocument, summary="The status of one of your requests")
def request_status(subject_request_id: str, caller: Customer, signer: SignerDep,
                   services: deps.ServicesDep, session: deps.SessionDep) -> Response:
    try:
        row = service.get(session, caller, subject_request_id)
    except service.OpendsrError as exc:
        return rule_problem(signer, exc)
    return signed(signer, service.status_document(caller, row, services.settings.public_url))


@router.get(f"{PREFIX}/requests/{{subject_request_id}}/results", dependencies=CUSTOMER_ROUTE,
            summary="The rows found by a completed access or portability request")
def request_results(subject_request_id: str, caller: Customer, signer: SignerDep,
                    session: deps.SessionDep) -> Response:
    try:
        row = service.get(session, caller, subject_request_id)
    except service.OpendsrError as exc:
        return rule_problem(signer, exc)
    if row.status != "completed" or row.results is None:
        return rule_problem(signer, service.OpendsrError(
            "results exist once an access or portability request is completed", field="request_status",
            status=409))
    return signed(signer, {"subject_request_id": row.subject_request_id, "results_count": row.results_count,
                           "tables": row.results})


@router.delete(f"{PREFIX}/requests/{{subject_request_id}}", status_code=202, dependencies=CUSTOMER_ROUTE,
               response_model=schemas.Cancellation,
               summary="Cancel one of your requests while it is pending (202)")
def cancel_request(subject_request_id: str, caller: Customer, signer: SignerDep,
                   services: deps.ServicesDep, session: deps.SessionDep) -> Response:
    now = _now()
    try:
        row = service.cancel(session, caller, subject_request_id, now)
    except service.OpendsrError as exc:
        return rule_problem(signer, exc)
    session.commit()
    _dispatch(services, SEND_CALLBACKS)
    answer = schemas.Cancellation(controller_id=service.controller_id(caller),
                                  subject_request_id=row.subject_request_id, received_time=now,
                                  processor_signature=signer.sign(subject_request_id.encode()))
    return signed(signer, answer, 202)


def _dispatch(services: deps.Services, name: str, *args: Any) -> None:
    try:
        services.queue.enqueue(name, *args)
    except Exception as exc:  # noqa: BLE001 - the periodic sweep and the store keep the work
        log.warning("could not queue %s: %s", name, type(exc).__name__)


# --- admin: register customers ---------------------------------------------------------------------


class ClientCreate(BaseModel):
    # pattern: at least one character that is not a space (issue_client refuses blank names)
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    project_id: str = Field(min_length=1, max_length=200, pattern=r"\S")
    admin_emails: list[str] = Field(default_factory=list, max_length=20)


class ClientIssued(BaseModel):
    id: int
    name: str
    project_id: str
    token: str


@router.post("/api/v1/opendsr/clients", status_code=201, response_model=ClientIssued,
             summary="Register a customer for one project and issue its OpenDSR token (shown once)")
def create_client(body: ClientCreate, principal: Admin, session: deps.SessionDep) -> ClientIssued:
    row, token = clients.issue_client(session, name=body.name, project_id=body.project_id,
                                      admin_emails=body.admin_emails)
    session.commit()
    return ClientIssued(id=row.id, name=row.name, project_id=row.project_id, token=token)
