"""The privacy center's authorised-agent path (INT-6): a request made for someone else.

The agent gives their name and e-mail, attests that they hold the person's signed permission and
uploads it (a .pdf, .png or .txt, checked by its first bytes). The request names the person, whose
address gets the confirmation code: the person confirms directly, as the CCPA regulations allow. An
agent who cannot attest and upload the permission files a request that waits in
``awaiting_agent_proof`` until the privacy team records the proof. Name, e-mail and document are
sealed at rest; the audit chain records only whether there was an attestation and a document.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import UploadFile
from sqlalchemy.orm import Session

from privacyops.api.routes import evidence as evidence_routes
from privacyops.audit import chain
from privacyops.execution import evidence_files
from privacyops.requests import errors, intake, records
from privacyops.store.models.agents import RequestAgent

MAX_NAME = 200


@dataclass(frozen=True)
class Agent:
    """What the agent told the form."""

    name: str
    email: str
    attests: bool
    document: evidence_files.Upload | None

    @property
    def proof(self) -> bool:
        """Tell whether the agent attested to the signed permission and uploaded it."""
        return self.attests and self.document is not None


def parse(
    for_someone_else: str, name: str, email: str, attests: str, document: UploadFile | None, limit: int
) -> Agent | None:
    """Return the agent the form describes, or None for a person asking for themselves.

    Raises ``errors.RequestRuleError`` naming the form field to fix.
    """
    if not for_someone_else:
        return None
    if not name.strip():
        raise errors.RequestRuleError("write your name, as the person's agent", field="agent_name")
    if len(name.strip()) > MAX_NAME:
        raise errors.RequestRuleError(f"write at most {MAX_NAME} characters", field="agent_name")
    try:
        (checked,) = intake.identities_from([("email", email)])
    except errors.RequestRuleError as exc:
        raise errors.RequestRuleError(exc.message, field="agent_email") from None
    upload = (
        evidence_routes.read_upload(document, limit) if document is not None and document.filename else None
    )
    if upload is not None:
        try:
            evidence_files.content_type(upload, limit)
        except evidence_files.EvidenceRejected as exc:
            raise errors.RequestRuleError(exc.message, field="agent_document") from None
    return Agent(name.strip(), checked.value, bool(attests), upload)


def record(session: Session, request_id: str, agent: Agent, limit: int) -> None:
    """Keep the agent and their document beside the request, audited without personal data."""
    session.add(
        RequestAgent(request_id=request_id, name=agent.name, email=agent.email, attested=agent.attests)
    )
    if agent.document is not None:
        evidence_files.attach(
            session,
            request_id=request_id,
            task_id=None,
            kind="agent_permission",
            upload=agent.document,
            actor="agent",
            limit=limit,
        )
    chain.append(
        session,
        actor="agent",
        action="request.agent_named",
        entity=records.ENTITY,
        entity_id=request_id,
        data={"attested": agent.attests, "document": agent.document is not None},
    )
    session.flush()
