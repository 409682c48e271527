"""Marketing mail: list subscriptions, who may be mailed, one-click unsubscribe, export and suppression.

A list subscription is a consent receipt of the marketing purpose with the list as its scope; a receipt
without a scope covers every list. For a list, the newer of the two decides, after the checks of
``can_process`` that no consent overrides (objection, restriction, minors). Stopping marketing is a right
of every subject wherever they live and needs no verification (MK-1, MK-2); transactional mail is not
marketing and is never held back here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.consent import decide, ledger
from privacyops.consent import links as tokens
from privacyops.consent import purposes as cpurposes
from privacyops.consent.errors import ConsentRuleError
from privacyops.consent.subjects import Subject
from privacyops.manifest.schema import Manifest
from privacyops.store.models.consent import ConsentContact, ConsentState
from privacyops.store.models.requests import ErasureSuppression

LIST_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Refusals that a consent receipt cannot lift.
ABSOLUTE = frozenset({"restriction", "objection", "minor"})


class NotMarketable(ConsentRuleError):
    """The subject may not be sent marketing mail for this list."""


def purpose_of(manifest: Manifest) -> cpurposes.PurposeInfo:
    """Return the manifest's consent purpose for marketing mail (the first marketing purpose)."""
    for info in cpurposes.catalog(manifest).purposes.values():
        if info.marketing and info.purpose is not None:
            return info
    raise ConsentRuleError(
        "the manifest declares no marketing purpose (data_use marketing.*)", field="purpose"
    )


def check_list(name: str) -> str:
    """Return a valid list name, or raise naming the field."""
    if name and not LIST_NAME.match(name):
        raise ConsentRuleError("a list name is 1 to 64 lowercase letters, digits, - or _", field="list")
    return name


def subscribe(
    session: Session,
    manifest: Manifest,
    subject: Subject,
    list_name: str,
    *,
    granted: bool,
    notice_version: str | None,
    method: str,
    channel: str,
    actor: str,
    now: datetime,
) -> str:
    """Record a subscription to (or an unsubscription from) a list; keeps the address for mailing."""
    info = purpose_of(manifest)
    entry = ledger.Entry(
        purpose=info.name,
        granted=granted,
        notice_version=notice_version,
        method=method,
        channel=channel,
        scope=check_list(list_name),
    )
    receipt = ledger.record(session, cpurposes.catalog(manifest), subject, entry, actor=actor, now=now)
    remember(session, subject, now=now)
    return receipt.receipt_id


def mail_subject(subject: Subject) -> Subject:
    """Return the subject with their email first: marketing receipts are kept under the address's key."""
    if not subject.emails:
        raise ConsentRuleError(
            "a mailing-list subscription needs the email address (email:...)", field="subject"
        )
    first = subject.emails[0][0]
    return Subject((first, *(k for k in subject.keys if k != first)), subject.emails)


def remember(session: Session, subject: Subject, *, now: datetime) -> None:
    """Keep each email address of the subject (sealed) so that mail and the suppression export can use it."""
    for digest, address in subject.emails:
        if session.get(ConsentContact, digest) is None:
            session.add(ConsentContact(subject_key=digest, kind="email", value=address, created_at=now))
    session.flush()


def may_send(session: Session, manifest: Manifest, subject: Subject, list_name: str = "") -> decide.Decision:
    """Decide whether marketing mail of this list may go to the subject."""
    info = purpose_of(manifest)
    overall = decide.can_process(session, subject, info.name, manifest=manifest)
    if overall.code in ABSOLUTE or _erased(session, subject):
        return (
            overall
            if overall.code in ABSOLUTE
            else decide.Decision(
                info.name, False, "erased", "the subject's data was erased; they stay suppressed", info.basis
            )
        )
    found = ledger.states(session, subject, [info.name])
    state = _newest(found.get((info.name, "")), found.get((info.name, list_name)) if list_name else None)
    if state is None:
        return decide.Decision(info.name, False, "no_consent", "no subscription is recorded", info.basis)
    if not state.granted:
        where = f"list {list_name!r}" if state.scope else "all marketing"
        return decide.Decision(
            info.name,
            False,
            "withdrawn",
            f"the subject unsubscribed from {where}",
            info.basis,
            state.receipt_id,
        )
    if state.purpose_hash != info.definition_hash:
        return decide.Decision(
            info.name,
            False,
            "stale_consent",
            "subscribed under an earlier definition of the purpose; ask again",
            info.basis,
            state.receipt_id,
        )
    return decide.Decision(info.name, True, "consent", "subscribed", info.basis, state.receipt_id)


def _newest(*states: ConsentState | None) -> ConsentState | None:
    present = [s for s in states if s is not None]
    return max(present, key=lambda s: s.recorded_at) if present else None


def _erased(session: Session, subject: Subject) -> bool:
    query = sa.select(ErasureSuppression.id).where(ErasureSuppression.value_hash.in_(subject.keys)).limit(1)
    return session.execute(query).first() is not None


def unsubscribe(
    session: Session, manifest: Manifest, request: tokens.Unsubscribe, *, now: datetime
) -> str | None:
    """Record a one-click unsubscription; again for the same list it records nothing (idempotent)."""
    subject = Subject((request.subject_key,))
    current = may_send(session, manifest, subject, request.list_name)
    if current.code == "withdrawn":
        return None
    info = purpose_of(manifest)
    version = cpurposes.catalog(manifest).notice_version or "unversioned"
    entry = ledger.Entry(
        purpose=info.name,
        granted=False,
        notice_version=version,
        method="unsubscribe",
        channel="email",
        scope=request.list_name,
        text_shown=f"Unsubscribe from {request.list_name or 'all marketing email'}",
    )
    return ledger.record(
        session, cpurposes.catalog(manifest), subject, entry, actor="one-click", now=now
    ).receipt_id


@dataclass(frozen=True)
class Contact:
    """A known address and the decision for a list."""

    address: str
    decision: decide.Decision


def contacts(session: Session, manifest: Manifest, list_name: str = "") -> Iterator[Contact]:
    """Yield every known address with the decision for the list (for exports and suppression lists)."""
    check_list(list_name)
    query = sa.select(ConsentContact).order_by(ConsentContact.created_at, ConsentContact.subject_key)
    for row in session.execute(query.execution_options(yield_per=500)).scalars():
        yield Contact(row.value, may_send(session, manifest, Subject((row.subject_key,)), list_name))


def build_message(
    *, sender: str, to: str, subject: str, body: str, unsubscribe_url: str | None
) -> EmailMessage:
    """Build a mail; marketing mail (with an unsubscribe URL) gets the RFC 8058 one-click headers.

    Transactional mail (a password reset, a receipt) is built without them and is never suppressed.
    """
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    if unsubscribe_url is not None:
        if not unsubscribe_url.startswith("https://") and not unsubscribe_url.startswith("http://127.0.0.1"):
            raise ConsentRuleError("the unsubscribe link must be https (RFC 8058)", field="public_url")
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        body = f"{body}\n\nUnsubscribe: {unsubscribe_url}\n"
    message.set_content(body)
    return message


def marketing_message(
    session: Session,
    manifest: Manifest,
    subject: Subject,
    *,
    secret: bytes,
    public_url: str,
    list_name: str,
    sender: str,
    title: str,
    body: str,
    now: datetime,
) -> EmailMessage:
    """Build a marketing mail for a subscribed subject, refusing anyone who may not be mailed."""
    found = may_send(session, manifest, subject, list_name)
    if not found.allowed:
        raise NotMarketable(f"{found.code}: {found.reason}", field="subject")
    if not subject.emails:
        raise ConsentRuleError("give the subject's email address (email:...)", field="subject")
    digest, address = subject.emails[0]
    token = tokens.issue(secret, digest, list_name, now=now)
    return build_message(
        sender=sender,
        to=address,
        subject=title,
        body=body,
        unsubscribe_url=f"{public_url.rstrip('/')}/consent/unsubscribe/{token}",
    )
