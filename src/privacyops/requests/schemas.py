"""HTTP shapes of subject requests (input and output models, with OpenAPI examples) and their views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from privacyops.requests import email_import, errors, notify, records
from privacyops.requests.context import ServiceContext
from privacyops.store.models.requests import SubjectRequest

_EXAMPLE_ID = "3f2a9c4e5b6d7e8f9a0b1c2d3e4f5a6b"


class RequestIn(BaseModel):
    """A request as the subject files it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"type": "access", "identities": {"email": "ada@example.com"}, "regions": ["eu"]},
                {
                    "type": "opt_out_sale_share",
                    "identities": {"email": "sam@example.org"},
                    "regions": ["us-ca"],
                },
                {
                    "type": "access",
                    "identities": {"email": "sam@example.org"},
                    "regions": ["us-ca"],
                    "scope": "specific_pieces",
                    "data_points": {"phone": "+1 415 555 0100", "invoices.amount_cents": "4900"},
                    "declaration_signed": True,
                },
                {"type": "erasure", "host_token": "<JWT signed by the host application>"},
                {"type": "rectification", "identities": {"email": "ada@example.com"},
                 "corrections": {"name": "Ada King"}},
            ]
        }
    )
    type: str = Field(description="access, portability, erasure, rectification, restriction, ...")
    identities: dict[str, str] = Field(
        default_factory=dict, description="email, user_id, phone or customer_id (optional with a host token)"
    )
    regions: list[str] = Field(
        default_factory=list, description="eu, uk, ch, ca, us-ca; default: PRIVACYOPS_DEFAULT_REGION"
    )
    details: str | None = None
    via_agent: bool = False
    agent_proof: bool = Field(False, description="an authorised agent holds the subject's signed permission")
    host_token: str | None = Field(
        None,
        description="a signed-in account holder's token from the host application (HS256 JWT); "
        "also accepted as `Authorization: Bearer <token>`",
    )
    data_points: dict[str, str] = Field(
        default_factory=dict,
        description="without an account: details the business holds, named by a declared field "
        "(`phone`, `invoices.amount_cents`), matched and then forgotten",
    )
    declaration_signed: bool = Field(
        False, description="the person declares under penalty of perjury that they are who they say"
    )
    scope: str | None = Field(None, description="access and portability: categories or specific_pieces")
    corrects: list[str] = Field(default_factory=list, description="rectification: the fields to correct")
    corrections: dict[str, str] = Field(
        default_factory=dict,
        description="rectification: the correct value of each field, named by a declared field (`name`, "
        "`users.phone`) or category (`user.name`); every declared copy takes it; implies `corrects`",
    )
    lookback: str | None = Field(
        None,
        description="access and portability: the period to cover: all, 12m, extended (back to "
        "2022-01-01) or a date such as 2023-01-01; default: what the laws of the regions give",
    )


class CodeIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "493021"}]})
    code: str = Field(min_length=1, max_length=100)


class NoteIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "checked the scope with legal"}]})
    note: str | None = None


class ApproveIn(NoteIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"note": "checked with the subject", "corrections": {"name": "Ada King"}}]
        }
    )
    corrections: dict[str, str] | None = Field(
        None, description="rectification: the corrections as amended by the reviewer (replace the subject's)"
    )


class ReasonIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "the subject withdrew it by phone"}]}
    )
    reason: str = ""


class DenyIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"code": "unverifiable", "reason": "the code was never entered and mail bounced"}]
        }
    )
    code: str = Field(description="unverifiable, manifestly_unfounded, excessive, repeat_request, ...")
    reason: str = ""


class ExtendIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "data in three archived systems must be restored first"}]}
    )
    reason: str = ""
    new_due: date | None = Field(
        None, description="needed where the law has no fixed extension (Switzerland)"
    )


class CompleteIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"partial": False, "note": None}]})
    partial: bool = False
    note: str | None = None


class ForwardIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"controller": "Example Customer Ltd"}]})
    controller: str = ""


class TicketIn(BaseModel):
    """A request received elsewhere (support ticket, chat, phone), imported with its original time."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "erasure",
                    "identities": {"email": "ada@example.com"},
                    "regions": ["eu"],
                    "received_at": "2025-01-31T09:30:00+01:00",
                    "channel": "ticket",
                    "external_ref": "SUP-4711",
                }
            ]
        }
    )
    type: str
    identities: dict[str, str]
    regions: list[str] = Field(default_factory=list, description="default: PRIVACYOPS_DEFAULT_REGION")
    received_at: datetime
    channel: str = "ticket"
    external_ref: str | None = None
    details: str | None = None
    verified: bool = False


class InboundEmailIn(BaseModel):
    """An email forwarded by a mail provider: either ``raw`` (the whole message) or its parts."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sender": "ada@example.com",
                    "subject": "Please delete my data",
                    "text": "I would like you to erase everything you hold about me.",
                    "received_at": "2025-03-03T10:00:00+00:00",
                    "message_id": "<abc123@mail.example.com>",
                }
            ]
        }
    )
    raw: str | None = None
    sender: str | None = None
    subject: str = ""
    text: str = ""
    received_at: datetime | None = None
    message_id: str | None = None
    type: str | None = None
    regions: list[str] = Field(default_factory=list, description="default: PRIVACYOPS_DEFAULT_REGION")

    def to_inbound(self) -> email_import.InboundEmail:
        """Return the email to import, parsing ``raw`` when given."""
        if self.raw:
            return email_import.parse_eml(self.raw.encode())
        if not self.sender:
            raise errors.RequestRuleError("give the sender's address, or the raw message", field="sender")
        return email_import.InboundEmail(
            self.sender, self.subject, self.text, self.received_at, self.message_id
        )


class PublicRequest(BaseModel):
    """What anyone holding the request id may see: no identities."""

    id: str
    type: str
    state: str
    received_at: datetime
    verified_at: datetime | None
    acknowledgement_due: date | None
    response_due: date | None
    status_url: str
    verified_by: str | None = Field(None, description="email_code, host_token, points or operator")
    answer_scope: str | None = Field(
        None, description="access and portability verified on data points: categories or specific_pieces"
    )
    verification_note: str | None = Field(None, description="why the answer is limited, in plain words")


class LinkedResponse(BaseModel):
    linked: bool = True
    message: str


class RequestSummary(BaseModel):
    id: str
    type: str
    state: str
    channel: str
    regions: list[str]
    received_at: datetime
    response_due: date | None
    duplicate_of: str | None


class IdentityOut(BaseModel):
    kind: str
    value: str | None
    value_hash: str


class TransitionOut(BaseModel):
    source: str
    target: str
    actor: str
    reason: str | None
    at: datetime
    audit_event_id: int | None


class RequestDetail(RequestSummary):
    acknowledgement_due: date | None
    verified_at: datetime | None
    closed_at: datetime | None
    deadlines: dict[str, Any]
    extensions: list[dict[str, Any]]
    flags: dict[str, Any]
    response_nature: str | None
    denial_code: str | None
    denial_reason: str | None
    external_ref: str | None
    identities: list[IdentityOut]
    corrections: dict[str, str | None] = Field(
        default_factory=dict, description="rectification: field -> correct value (values only to reviewers)"
    )
    history: list[TransitionOut]


class ImportResult(BaseModel):
    id: str
    created: bool
    state: str


def public_view(request: SubjectRequest, ctx: ServiceContext) -> PublicRequest:
    """Return the public view of a request."""
    return PublicRequest(
        id=request.id,
        type=request.request_type,
        state=request.state,
        received_at=request.received_at,
        verified_at=request.verified_at,
        acknowledgement_due=request.acknowledgement_due,
        response_due=request.response_due,
        status_url=notify.status_url(ctx, request.id),
        **verification_view(request),
    )


def verification_view(request: SubjectRequest) -> dict[str, str | None]:
    """Return how the request was verified and, when the answer is limited, why (no identities)."""
    record = records.verification_record(request)
    scope = records.answer_scope(request)
    return {
        "verified_by": record.get("method"),
        "answer_scope": scope.value if scope else None,
        "verification_note": records.limitation_note(request),
    }


def linked_response() -> JSONResponse:
    """Answer a duplicate without revealing the open request's id to whoever filed it."""
    body = LinkedResponse(
        message="an open request of the same kind for this person exists; this one was linked to it"
    )
    return JSONResponse(body.model_dump(), status_code=200)


def summary(request: SubjectRequest) -> RequestSummary:
    """Return the list view of a request."""
    return RequestSummary(
        id=request.id,
        type=request.request_type,
        state=request.state,
        channel=request.channel,
        regions=list(request.regions),
        received_at=request.received_at,
        response_due=request.response_due,
        duplicate_of=request.duplicate_of,
    )


def detail(session: Session, request: SubjectRequest, *, reveal: bool) -> RequestDetail:
    """Return everything about a request; identity values only when ``reveal``."""
    identities = [
        IdentityOut(kind=i.kind, value=i.value if reveal else None, value_hash=i.value_hash)
        for i in records.identities_of(session, request.id)
    ]
    history = [
        TransitionOut(
            source=t.source,
            target=t.target,
            actor=t.actor,
            reason=t.reason,
            at=t.at,
            audit_event_id=t.audit_event_id,
        )
        for t in records.history(session, request.id)
    ]
    return RequestDetail(
        **summary(request).model_dump(),
        acknowledgement_due=request.acknowledgement_due,
        verified_at=request.verified_at,
        closed_at=request.closed_at,
        deadlines=request.deadlines,
        extensions=list(request.extensions or []),
        flags=dict(request.flags or {}),
        response_nature=request.response_nature,
        denial_code=request.denial_code,
        denial_reason=request.denial_reason,
        external_ref=request.external_ref,
        identities=identities,
        corrections={name: value if reveal else None for name, value in (request.corrections or {}).items()},
        history=history,
    )


def find_requests(
    session: Session, *, state: str | None = None, request_type: str | None = None, limit: int = 100
) -> list[SubjectRequest]:
    """Return requests, newest first, filtered by state and type."""
    query = sa.select(SubjectRequest)
    if state:
        query = query.where(SubjectRequest.state == state)
    if request_type:
        query = query.where(SubjectRequest.request_type == request_type)
    return list(session.execute(query.order_by(SubjectRequest.received_at.desc()).limit(limit)).scalars())
