"""Messages to the subject (and alerts to the privacy team), rendered from templates into the outbox.

Every message has a plain-text and an HTML part, rendered from ``templates/<kind>.txt.j2`` and
``templates/<kind>.html.j2``. Messages are written to the outbox in the caller's transaction, so a
message exists exactly when the change it announces was committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy.orm import Session

from privacyops.requests import outbox
from privacyops.requests import types as rtypes
from privacyops.requests.context import ServiceContext
from privacyops.store.models.outbox import OutboxMessage
from privacyops.store.models.requests import SubjectRequest

TEMPLATES = Path(__file__).with_name("templates")
SUBJECTS = {
    "acknowledgement": "We received your privacy request",
    "verification": "Your confirmation code",
    "extension": "We need more time for your privacy request",
    "denial": "About your privacy request: we cannot act on it",
    "completion": "Your privacy request is done",
    "forwarded": "Your privacy request was passed on",
    "alert": "Privacy requests need attention",
}
# Messages whose body holds a one-time secret, blanked once sent.
SECRET_KINDS = frozenset({"verification"})


@dataclass(frozen=True)
class Composed:
    """A rendered message: subject line, plain text and HTML."""

    subject: str
    text: str
    html: str


_environment: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    """Return the template environment (HTML parts escaped, text parts not)."""
    global _environment
    if _environment is None:
        _environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
    return _environment


def compose(kind: str, values: dict[str, Any]) -> Composed:
    """Render the message ``kind`` with ``values``; raises KeyError for an unknown kind."""
    subject = SUBJECTS[kind]
    context = {"subject": subject, **values}
    env = environment()
    text = env.get_template(f"{kind}.txt.j2").render(context)
    html = env.get_template(f"{kind}.html.j2").render(context)
    return Composed(subject, text, html)


def request_values(ctx: ServiceContext, request: SubjectRequest) -> dict[str, Any]:
    """Return the values every message about ``request`` uses (no identities beyond the recipient)."""
    kind = rtypes.RequestType(request.request_type)
    return {
        "controller": ctx.controller,
        "privacy_inbox": ctx.privacy_inbox,
        "request_id": request.id,
        "type_summary": rtypes.info(kind).summary,
        "received_on": request.received_at.date().isoformat(),
        "response_due": request.response_due.isoformat() if request.response_due else "as soon as we can",
        "ack_due": request.acknowledgement_due.isoformat() if request.acknowledgement_due else None,
        "status_url": status_url(ctx, request.id),
        "verify_url": status_url(ctx, request.id),
    }


def status_url(ctx: ServiceContext, request_id: str) -> str:
    """Return the privacy-center page where the subject enters the code and follows the request."""
    return f"{ctx.public_url}/privacy/requests/{request_id}"


def to_subject(
    session: Session, ctx: ServiceContext, request: SubjectRequest, kind: str, **extra: Any
) -> OutboxMessage | None:
    """Queue message ``kind`` to the subject of ``request``; None when there is no email to write to."""
    if not request.contact_email:
        return None
    composed = compose(kind, {**request_values(ctx, request), **extra})
    return outbox.add(
        session,
        sender=ctx.privacy_inbox,
        recipient=request.contact_email,
        subject=composed.subject,
        text=composed.text,
        html=composed.html,
        kind=kind,
        request_id=request.id,
        secret_body=kind in SECRET_KINDS,
    )


def to_team(session: Session, ctx: ServiceContext, headline: str, lines: list[str]) -> OutboxMessage:
    """Queue an alert to the privacy team's inbox (ids and dates only, never personal data)."""
    values = {
        "controller": ctx.controller,
        "privacy_inbox": ctx.privacy_inbox,
        "request_id": "-",
        "headline": headline,
        "lines": lines,
    }
    composed = compose("alert", values)
    return outbox.add(
        session,
        sender=ctx.privacy_inbox,
        recipient=ctx.privacy_inbox,
        subject=composed.subject,
        text=composed.text,
        html=composed.html,
        kind="alert",
    )
