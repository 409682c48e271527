"""Telling people of a new version: mail to subscribers, in-app displays, and hooks for other parts.

Who was told, how and when is one ``notice_notifications`` row each (by subscription id or a keyed
hash of the host application's user reference, never an address).

Hooks: another part of the platform reacts to a material version by registering a callback with
``on_material_change``. It is called inside the publishing transaction with the session, the new
version row and the keys of the purposes the material changes touch; the consent records mark
consents to those purposes stale this way (NV-2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.lifecycle import mail, subscriptions
from privacyops.lifecycle.changes import Change
from privacyops.requests.context import ServiceContext
from privacyops.store.models.notice import NoticeNotification, NoticeVersion

MaterialHook = Callable[[Session, NoticeVersion, tuple[str, ...]], None]
_hooks: list[MaterialHook] = []
SUBPROCESSOR_KINDS = frozenset({"new_subprocessor", "removed_subprocessor"})


def on_material_change(hook: MaterialHook) -> MaterialHook:
    """Register ``hook`` to be called for each material version (usable as a decorator)."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def changed_purposes(changes: Sequence[Change]) -> tuple[str, ...]:
    """Return the purposes the material changes touch, each once."""
    return tuple(dict.fromkeys(p for c in changes if c.material for p in c.purposes))


def tell(session: Session, ctx: ServiceContext, version: NoticeVersion, changes: Sequence[Change]) -> int:
    """Queue mails for a new version to whom it concerns and run the hooks; return the mails queued.

    Notice subscribers hear of material versions, and so does every subject with a live consent to a
    purpose the material changes touch (when the consent records hold their address); subprocessor
    subscribers hear of any subprocessor change.
    """
    queued = 0
    if version.material:
        queued += _mail_topic(
            session,
            ctx,
            version,
            "notice",
            "notice_change",
            [c.text for c in changes if c.material],
            "/privacy",
        )
        queued += _mail_consenting(session, ctx, version, changes)
        _run_hooks(session, version, changed_purposes(changes))
    sub_lines = [c.text for c in changes if c.kind in SUBPROCESSOR_KINDS]
    if sub_lines:
        queued += _mail_topic(
            session, ctx, version, "subprocessors", "subprocessor_change", sub_lines, "/privacy/subprocessors"
        )
    return queued


def record_display(session: Session, ctx: ServiceContext, version: NoticeVersion, user_ref: str) -> bool:
    """Record that the host application showed ``version`` to one of its users; False if already shown."""
    subject_hash = ctx.identity_hash("host_user", user_ref)
    seen = (
        session.query(NoticeNotification)
        .filter_by(version_id=version.id, channel="in_app", subject_hash=subject_hash)
        .first()
    )
    if seen is not None:
        return False
    session.add(
        NoticeNotification(
            version_id=version.id, channel="in_app", subject_hash=subject_hash, told_at=ctx.now()
        )
    )
    chain.append(
        session,
        actor="host",
        action="notice.shown",
        entity="notice_version",
        entity_id=str(version.id),
        data={"subject": subject_hash},
    )
    return True


def _mail_topic(
    session: Session,
    ctx: ServiceContext,
    version: NoticeVersion,
    topic: str,
    kind: str,
    lines: list[str],
    page: str,
) -> int:
    told = _Telling(session, ctx, version, kind, lines, page)
    for sub in subscriptions.confirmed(session, topic):
        told.mail(sub.email, subscriptions.link(ctx, "unsubscribe", sub.id), subscription_id=sub.id)
    return told.audit(topic)


def _mail_consenting(
    session: Session, ctx: ServiceContext, version: NoticeVersion, changes: Sequence[Change]
) -> int:
    """Mail each subject whose live consent covers a purpose the material changes touch (NV-2)."""
    from privacyops.store.models.consent import ConsentContact, ConsentState

    purposes = changed_purposes(changes)
    if not purposes:
        return 0
    consenting = sa.select(ConsentState.subject_key).where(
        ConsentState.purpose.in_(purposes), ConsentState.granted.is_(True)
    )
    contacts = session.execute(
        sa.select(ConsentContact)
        .where(ConsentContact.kind == "email", ConsentContact.subject_key.in_(consenting))
        .order_by(ConsentContact.subject_key)
    ).scalars()
    lines = [c.text for c in changes if c.material]
    told = _Telling(session, ctx, version, "notice_change", lines, "/privacy")
    for contact in contacts:
        told.mail(contact.value, None, subject_hash=contact.subject_key)
    return told.audit("consenting_subjects")


class _Telling:
    """One version's change mail to one audience: each message queued and recorded, one audit event."""

    def __init__(self, session: Session, ctx: ServiceContext, version: NoticeVersion, kind: str,
                 lines: list[str], page: str) -> None:
        self.session, self.ctx, self.version, self.kind = session, ctx, version, kind
        self.lines, self.page, self.count = lines, page, 0

    def mail(self, address: str, unsubscribe_url: str | None, **recipient: Any) -> None:
        """Queue the message to ``address`` and record who was told (a subscription or a subject)."""
        ctx, version = self.ctx, self.version
        message = mail.queue(
            self.session,
            ctx,
            self.kind,
            address,
            version=version.version,
            effective=version.effective_date.isoformat(),
            lines=self.lines,
            notice_url=f"{ctx.public_url}{self.page}",
            diff_url=f"{ctx.public_url}/privacy/versions/{version.id}/diff",
            unsubscribe_url=unsubscribe_url,
        )
        self.session.add(NoticeNotification(version_id=version.id, channel="email",
                                            outbox_message_id=message.id, told_at=ctx.now(), **recipient))
        self.count += 1

    def audit(self, audience: str) -> int:
        """Audit how many were told, if any; return the count."""
        if self.count:
            chain.append(
                self.session,
                actor="system",
                action="notice.notified",
                entity="notice_version",
                entity_id=str(self.version.id),
                data={"topic": audience, "messages": self.count},
            )
        return self.count


def _run_hooks(session: Session, version: NoticeVersion, purposes: tuple[str, ...]) -> None:
    for hook in _hooks:
        hook(session, version, purposes)
