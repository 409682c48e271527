"""Subscriptions by email to changes of the notice or of the subprocessor list, with double opt-in.

A subscription is written ``pending`` and a confirmation link is mailed; only a confirmed one is told
of changes. Links carry an HMAC of the subscription's id under the deployment's secret, so no token is
stored and a link cannot be made for another subscription. Every state change is audited (by id).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.lifecycle import mail
from privacyops.requests.context import ServiceContext
from privacyops.store.models import notice as model
from privacyops.store.models.notice import ChangeSubscription

Topic = Literal["notice", "subprocessors"]
TOPICS: tuple[str, ...] = ("notice", "subprocessors")
TOPIC_WORDS = {"notice": "its privacy notice", "subprocessors": "its subprocessors"}


class SubscriptionError(ValueError):
    """A subscription link or address that cannot be acted on; the message says why."""


def link_token(ctx: ServiceContext, action: str, subscription_id: int) -> str:
    """Return the token of a confirm or unsubscribe link of one subscription."""
    message = f"notice-subscription:{action}:{subscription_id}".encode()
    return hmac.new(ctx.key, message, hashlib.sha256).hexdigest()[:40]


def link(ctx: ServiceContext, action: str, subscription_id: int) -> str:
    """Return the full confirm or unsubscribe address of a subscription."""
    token = link_token(ctx, action, subscription_id)
    return f"{ctx.public_url}/privacy/subscriptions/{subscription_id}/{action}?token={token}"


def subscribe(session: Session, ctx: ServiceContext, email: str, topic: str) -> ChangeSubscription:
    """Record a pending subscription (or renew one) and queue its confirmation link; the caller commits."""
    email = _checked_email(email)
    if topic not in TOPICS:
        raise SubscriptionError(f"topic must be one of {', '.join(TOPICS)}")
    email_hash = ctx.identity_hash("email", email.casefold())
    row = session.execute(
        sa.select(ChangeSubscription).where(
            ChangeSubscription.email_hash == email_hash, ChangeSubscription.topic == topic
        )
    ).scalar_one_or_none()
    if row is None:
        row = ChangeSubscription(
            email=email, email_hash=email_hash, topic=topic, state=model.PENDING, created_at=ctx.now()
        )
        session.add(row)
        session.flush()
    elif row.state == model.UNSUBSCRIBED:
        row.state, row.unsubscribed_at = model.PENDING, None
    if row.state == model.PENDING:
        # A confirmed address is not mailed again: asking twice must not become a way to spam it.
        mail.queue(
            session,
            ctx,
            "subscription_confirm",
            email,
            topic_words=TOPIC_WORDS[topic],
            confirm_url=link(ctx, "confirm", row.id),
        )
    chain.append(
        session,
        actor="public",
        action="subscription.requested",
        entity="change_subscription",
        entity_id=str(row.id),
        data={"topic": topic, "state": row.state},
    )
    return row


def confirm(session: Session, ctx: ServiceContext, subscription_id: int, token: str) -> ChangeSubscription:
    """Confirm a subscription from its mailed link; the caller commits."""
    row = _by_link(session, ctx, "confirm", subscription_id, token)
    if row.state == model.PENDING:
        _move(session, row, model.CONFIRMED, "subscription.confirmed")
        row.confirmed_at = ctx.now()
    return row


def unsubscribe(
    session: Session, ctx: ServiceContext, subscription_id: int, token: str
) -> ChangeSubscription:
    """End a subscription from the link in any message it received; the caller commits."""
    row = _by_link(session, ctx, "unsubscribe", subscription_id, token)
    if row.state != model.UNSUBSCRIBED:
        _move(session, row, model.UNSUBSCRIBED, "subscription.ended")
        row.unsubscribed_at = ctx.now()
    return row


def _move(session: Session, row: ChangeSubscription, state: str, action: str) -> None:
    """Put the subscription in ``state``, audited by the person who followed the link."""
    row.state = state
    chain.append(
        session,
        actor="public",
        action=action,
        entity="change_subscription",
        entity_id=str(row.id),
        data={"topic": row.topic},
    )


def confirmed(session: Session, topic: str) -> list[ChangeSubscription]:
    """Return the confirmed subscriptions of a topic, oldest first."""
    return list(
        session.execute(
            sa.select(ChangeSubscription)
            .where(
                ChangeSubscription.topic == topic,
                ChangeSubscription.state == model.CONFIRMED,
            )
            .order_by(ChangeSubscription.id)
        ).scalars()
    )


def _by_link(
    session: Session, ctx: ServiceContext, action: str, subscription_id: int, token: str
) -> ChangeSubscription:
    row = session.get(ChangeSubscription, subscription_id)
    if row is None or not hmac.compare_digest(token, link_token(ctx, action, subscription_id)):
        raise SubscriptionError("this link is not valid; use the latest link we mailed you")
    return row


def _checked_email(email: str) -> str:
    email = email.strip()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise SubscriptionError("email: give a full email address, e.g. name@example.com")
    return email
