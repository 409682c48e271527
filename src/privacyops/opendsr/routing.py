"""Controller or processor (PC-1): a request that concerns only customer data goes to that customer.

Data customers ingest (traces, payloads; tables with ``role: processor``) belongs to them: they are the
controller and decide. A subject request whose data lies only there is passed to the admins of the
customers whose projects hold it, the subject is told, and the request ends ``forwarded_to_controller``
with ``forwarded_at`` and no export. With connectors the decision looks at the rows actually found;
without, at the tables the plan could reach.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.connectors.base import Connector, read_locator
from privacyops.engine import collect as ecollect
from privacyops.engine import plan as eplan
from privacyops.manifest.schema import Manifest
from privacyops.opendsr import clients, scope
from privacyops.requests import decisions, notify, outbox, records
from privacyops.requests.context import ServiceContext
from privacyops.requests.states import RequestState
from privacyops.store.models.opendsr import RequestForward
from privacyops.store.models.requests import SubjectRequest

ACTOR = "system"
FORWARDABLE = frozenset({
    RequestState.RECEIVED, RequestState.AWAITING_VERIFICATION, RequestState.VERIFIED,
    RequestState.AWAITING_APPROVAL, RequestState.IN_PROGRESS,
})
CUSTOMER_SUBJECT = "A privacy request about data in your project"


@dataclass(frozen=True)
class Classification:
    """Where the subject's data lies: controller tables, processor tables, and the projects concerned."""

    controller_tables: tuple[str, ...]
    processor_tables: tuple[str, ...]
    project_ids: tuple[str, ...] = ()
    complete: bool = True  # False when some table could not be searched: then nothing is forwarded

    @property
    def processor_only(self) -> bool:
        return self.complete and bool(self.processor_tables) and not self.controller_tables


def classify(
    manifest: Manifest, identities: Mapping[str, str], connectors: Mapping[str, Connector] | None = None
) -> Classification:
    """Say whether the subject's data is only customer data (by rows found, or by the plan's tables)."""
    plan = eplan.build_plan(manifest, identities, "access")
    processor = scope.processor_tables(manifest)
    if connectors is None:
        tables = [t.id for t in plan.tables]
        return _split(tables, processor, ())
    found = ecollect.collect(plan, connectors, identities)
    tables = [table for table, rows in found.rows.items() if rows]
    projects: set[str] = set()
    for table_id, rows in found.rows.items():
        column = processor[table_id].project_column if table_id in processor else None
        for row in rows.values() if column else ():
            value = read_locator(row, column or "")
            if value not in (None, ""):
                projects.add(str(value))
    return _split(tables, processor, tuple(sorted(projects)), complete=not found.failures)


def _split(tables: list[str], processor: Mapping[str, scope.ProcessorTable], projects: tuple[str, ...],
           *, complete: bool = True) -> Classification:
    return Classification(
        controller_tables=tuple(t for t in tables if t not in processor),
        processor_tables=tuple(t for t in tables if t in processor),
        project_ids=projects,
        complete=complete,
    )


def forward_if_processor_only(
    session: Session,
    ctx: ServiceContext,
    request: SubjectRequest,
    manifest: Manifest,
    connectors: Mapping[str, Connector] | None = None,
) -> RequestForward | None:
    """Forward the request to the customers when its data is only theirs; None when it stays here."""
    if RequestState(request.state) not in FORWARDABLE:
        return None
    identities = _identities(session, request)
    if not identities:
        return None
    found = classify(manifest, identities, connectors)
    if not found.processor_only:
        return None
    return _forward(session, ctx, request, found, identities)


def _identities(session: Session, request: SubjectRequest) -> dict[str, str]:
    values: dict[str, str] = {}
    for identity in records.identities_of(session, request.id):
        if identity.value:
            values.setdefault(identity.kind, identity.value)
    return values


def _forward(session: Session, ctx: ServiceContext, request: SubjectRequest, found: Classification,
             identities: Mapping[str, str]) -> RequestForward:
    customers = clients.for_projects(session, list(found.project_ids))
    names = ", ".join(c.name for c in customers) or "the customer whose service holds the data"
    now = ctx.now()
    decisions.forward_to_controller(session, ctx, request.id, actor=ACTOR, controller=names)
    for customer in customers:
        for address in customer.admin_emails:
            _tell_customer(session, ctx, request, address, identities)
    unknown = sorted(set(found.project_ids) - {c.project_id for c in customers})
    if unknown or not found.project_ids:
        lines = [f"request {request.id}: no customer admin is registered for project {p}" for p in unknown]
        notify.to_team(session, ctx, "A forwarded request needs a customer contact",
                       lines or [f"request {request.id}: the project could not be told from the data"])
    request.flags = {**(request.flags or {}), "forwarded_at": now.isoformat()}
    row = RequestForward(
        request_id=request.id,
        forwarded_at=now,
        project_ids=list(found.project_ids),
        client_ids=[c.id for c in customers],
        reason=f"only customer data matched ({', '.join(found.processor_tables)})",
    )
    session.add(row)
    session.flush()
    return row


def _tell_customer(session: Session, ctx: ServiceContext, request: SubjectRequest, address: str,
                   identities: Mapping[str, str]) -> None:
    listed = "\n".join(f"  {kind}: {value}" for kind, value in sorted(identities.items()))
    text = (
        f"Hello,\n\n{ctx.controller} processes data in your project on your behalf. A person asked us to "
        f"{request.request_type.replace('_', ' ')} the data held about them, and the only data we found is "
        f"data you control, so we pass the request to you to decide. They are known by:\n{listed}\n\n"
        f"Our reference: {request.id}, received {request.received_at.date().isoformat()}.\n"
        f"You can act on it through our OpenDSR endpoint or your project's settings; we have told the "
        f"person that you will answer them.\n\n{ctx.controller}, {ctx.privacy_inbox}\n"
    )
    html = "".join(f"<p>{_escape(part)}</p>" for part in text.split("\n\n"))
    outbox.add(session, sender=ctx.privacy_inbox, recipient=address, subject=CUSTOMER_SUBJECT, text=text,
               html=html, kind="forwarded_to_customer", request_id=request.id)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


def forward_of(session: Session, request_id: str) -> RequestForward | None:
    """Return the forward record of a request, if it was forwarded by this module."""
    query = sa.select(RequestForward).where(RequestForward.request_id == request_id)
    return session.execute(query).scalar_one_or_none()
