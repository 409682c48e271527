"""Minors over HTTP: the sign-up attestation (MN-1) and flagging a known minor (MN-2).

Both are called by the host application's server with a reviewer token. Bad input answers 422 naming
the field, and nothing is recorded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from privacyops.api import deps
from privacyops.api.routes import requests as request_routes
from privacyops.consent import minors, service
from privacyops.consent.schemas import SUBJECT_HELP

router = APIRouter(prefix="/api/v1/consent", tags=["consent"])
Reviewer = Annotated[deps.Principal, deps.require_role("reviewer")]


class AttestationIn(BaseModel):
    """A sign-up and the subject's age attestation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "subject": ["email:ada@example.com"],
                    "age_attestation": True,
                    "notice_version": "2026-03-26",
                }
            ]
        },
    )

    subject: list[str] = Field(min_length=1, max_length=10, description=SUBJECT_HELP)
    age_attestation: bool | None = Field(
        None, description="The subject confirmed the minimum age (required)."
    )
    notice_version: str | None = Field(None, max_length=40)
    channel: str = "web"


class MinorIn(BaseModel):
    """A subject now known to be a minor."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"identities": {"email": "kid@example.com"}, "regions": ["us-ca"]}]},
    )

    identities: dict[str, str] = Field(min_length=1, max_length=5)
    regions: list[str] = Field(default_factory=list, max_length=10)


@router.post(
    "/sign-up-attestations", status_code=status.HTTP_201_CREATED, summary="Record a sign-up's age attestation"
)
def sign_up(
    body: AttestationIn,
    principal: Reviewer,
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> dict[str, str]:
    """Record the 18+ attestation with the notice version; 422 when it is missing (sign-up refused)."""
    subject = service.subject_of(services, body.subject)
    receipt = minors.attest(
        session,
        manifest,
        subject,
        attested=body.age_attestation,
        notice_version=body.notice_version,
        channel=body.channel,
        actor=f"token:{principal.name}",
        now=service.now(),
    )
    session.commit()
    return {"receipt_id": receipt}


@router.post("/minors", status_code=status.HTTP_201_CREATED, summary="Flag a known minor")
def flag_minor(
    body: MinorIn,
    principal: Reviewer,
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> dict[str, object]:
    """Record the flag, opt the subject out of sale and sharing, and file the deletion of the account."""
    ctx = request_routes.get_context(services)
    subject = service.subject_of(
        services, [f"{k}:{v}" for k, v in body.identities.items()], field="identities"
    )
    receipts, request_id = minors.flag_minor(
        session,
        ctx,
        manifest,
        subject,
        body.identities,
        body.regions,
        actor=f"token:{principal.name}",
        now=service.now(),
    )
    request_routes.commit_and_dispatch(session, services)
    return {"receipts": receipts, "erasure_request": request_id}
