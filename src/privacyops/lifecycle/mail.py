"""Messages about the notice, rendered from ``templates/<kind>.(txt|html).j2`` into the outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy.orm import Session

from privacyops.requests import outbox
from privacyops.requests.context import ServiceContext
from privacyops.store.models.outbox import OutboxMessage

TEMPLATES = Path(__file__).with_name("templates")
SUBJECTS = {
    "subscription_confirm": "Confirm your subscription to changes of our privacy notice",
    "notice_change": "Our privacy notice is changing",
    "subprocessor_change": "Our list of subprocessors is changing",
}

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def queue(session: Session, ctx: ServiceContext, kind: str, recipient: str, **values: Any) -> OutboxMessage:
    """Render message ``kind`` and write it to the outbox in the caller's transaction."""
    context = {
        "subject": SUBJECTS[kind],
        "controller": ctx.controller,
        "privacy_inbox": ctx.privacy_inbox,
        **values,
    }
    text = _environment.get_template(f"{kind}.txt.j2").render(context)
    html = _environment.get_template(f"{kind}.html.j2").render(context)
    return outbox.add(
        session,
        sender=ctx.privacy_inbox,
        recipient=recipient,
        subject=SUBJECTS[kind],
        text=text,
        html=html,
        kind=kind,
    )
