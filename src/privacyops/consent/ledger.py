"""The consent ledger: append a receipt, keep the derived state in step, read state and history (CN-1).

A receipt is never changed: a withdrawal is a new receipt. The state row per subject, purpose and scope
is rewritten only here, in the transaction that appends the receipt, so it always equals the latest
receipt. Every receipt is also an audit event (without any identity: subjects are keyed hashes).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.consent import purposes as cpurposes
from privacyops.consent.errors import ConsentRuleError, MissingNoticeVersion
from privacyops.consent.subjects import Subject
from privacyops.store.models.consent import ConsentReceipt, ConsentState
from privacyops.store.upsert import insert_for

ENTITY = "consent_receipt"
KINDS = ("consent", "signal", "attestation", "flag")
METHODS = ("banner", "preference_center", "unsubscribe", "form", "api", "import", "gpc", "staff", "sign_up")
CHANNELS = ("web", "email", "api", "cli", "phone", "postal", "in_person")
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Entry:
    """What one receipt says; ``text_shown`` defaults to the purpose's text from the manifest."""

    purpose: str
    granted: bool
    notice_version: str | None
    method: str
    channel: str
    kind: str = "consent"
    scope: str = ""
    text_shown: str | None = None
    regime: str | None = None
    signal: str | None = None


def record(
    session: Session, catalog: cpurposes.Catalog, subject: Subject, entry: Entry, *, actor: str, now: datetime
) -> ConsentReceipt:
    """Append one receipt and bring the subject's state for its purpose up to date (caller commits)."""
    return record_many(session, catalog, [(subject, entry)], actor=actor, now=now)[0]


def record_many(
    session: Session,
    catalog: cpurposes.Catalog,
    items: Sequence[tuple[Subject, Entry]],
    *,
    actor: str,
    now: datetime,
) -> list[ConsentReceipt]:
    """Append receipts in order with their states, and one audit event naming them all (caller commits).

    Every entry is checked before anything is written: one bad entry records none of them.
    """
    checked = [(subject, entry, check(catalog, entry)) for subject, entry in items]
    receipts = [_receipt(subject, entry, info, actor, now) for subject, entry, info in checked]
    session.add_all(receipts)
    _set_states(session, receipts)
    session.flush()
    first = receipts[0]
    data: dict[str, object] = {
        "purpose": first.purpose,
        "scope": first.scope,
        "kind": first.kind,
        "method": first.method,
        "channel": first.channel,
        "signal": first.signal,
        "notice_version": first.notice_version,
    }
    if len(receipts) > 1:
        data = {
            "receipts": [r.receipt_id for r in receipts],
            "count": len(receipts),
            "purposes": sorted({r.purpose for r in receipts}),
            "granted": sum(r.granted for r in receipts),
        }
    action = (
        "consent.recorded" if len(receipts) > 1 else f"consent.{'granted' if first.granted else 'withdrawn'}"
    )
    entity_id = first.receipt_id if len(receipts) == 1 else f"{first.receipt_id}+{len(receipts) - 1}"
    chain.append(session, actor=actor, action=action, entity=ENTITY, entity_id=entity_id, data=data)
    return receipts


def _receipt(
    subject: Subject, entry: Entry, info: cpurposes.PurposeInfo, actor: str, now: datetime
) -> ConsentReceipt:
    text = entry.text_shown if entry.text_shown is not None else info.text
    return ConsentReceipt(
        receipt_id=secrets.token_hex(16),
        subject_key=subject.primary,
        kind=entry.kind,
        purpose=info.name,
        scope=entry.scope,
        granted=entry.granted,
        notice_version=str(entry.notice_version),
        notice_hash=cpurposes.text_hash(text),
        purpose_hash=info.definition_hash,
        text_shown=text,
        method=entry.method,
        channel=entry.channel,
        regime=entry.regime,
        signal=entry.signal,
        actor=actor,
        recorded_at=now,
    )


def check(catalog: cpurposes.Catalog, entry: Entry) -> cpurposes.PurposeInfo:
    """Return the purpose of a valid entry, or raise naming the field at fault."""
    info = catalog.recordable(entry.purpose, entry.kind)
    if not (entry.notice_version or "").strip():
        raise MissingNoticeVersion(
            "give the version of the notice the subject saw (notice_version), "
            "e.g. the manifest's notice.version",
            field="notice_version",
        )
    if len(entry.notice_version or "") > 40:
        raise ConsentRuleError("a notice version is at most 40 characters", field="notice_version")
    for name, value, allowed in (
        ("kind", entry.kind, KINDS),
        ("method", entry.method, METHODS),
        ("channel", entry.channel, CHANNELS),
    ):
        if value not in allowed:
            raise ConsentRuleError(f"unknown {name} {value!r}; use one of: {', '.join(allowed)}", field=name)
    if entry.text_shown is not None and not (0 < len(entry.text_shown.strip()) <= MAX_TEXT):
        raise ConsentRuleError(
            f"the text shown is 1 to {MAX_TEXT} characters; leave it out to record the "
            "purpose's text from the manifest",
            field="text_shown",
        )
    if len(entry.scope) > 100:
        raise ConsentRuleError("a scope is at most 100 characters", field="scope")
    return info


_UPSERT_CHUNK = 1000
_STATE_COLUMNS = (
    "kind",
    "granted",
    "receipt_id",
    "notice_version",
    "purpose_hash",
    "method",
    "signal",
    "recorded_at",
)


def _set_states(session: Session, receipts: Sequence[ConsentReceipt]) -> None:
    """Bring the state rows of these receipts up to date, one upsert per subject, purpose and scope.

    An upsert rather than read-then-insert: two choices of one visitor posted at once (a GPC opt-out
    the page sends by itself, then a click) would otherwise both insert and one would fail. A receipt
    older than the stored state never replaces it.
    """
    latest: dict[tuple[str, str, str], ConsentReceipt] = {}
    for receipt in receipts:  # in order: the last receipt of a key is its state
        latest[(receipt.subject_key, receipt.purpose, receipt.scope)] = receipt
    insert = insert_for(session)
    rows = [
        {
            "subject_key": subject_key,
            "purpose": purpose,
            "scope": scope,
            **{name: getattr(receipt, name) for name in _STATE_COLUMNS},
        }
        for (subject_key, purpose, scope), receipt in latest.items()
    ]
    # Many rows to a statement (each key once, as one statement may not touch a row twice), in chunks
    # that stay under SQLite's limit of bound values.
    for start in range(0, len(rows), _UPSERT_CHUNK):
        statement = insert(ConsentState).values(rows[start : start + _UPSERT_CHUNK])
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["subject_key", "purpose", "scope"],
                set_={name: statement.excluded[name] for name in _STATE_COLUMNS},
                where=ConsentState.recorded_at <= statement.excluded.recorded_at,
            )
        )
    # Rows this session had loaded are stale now: read them again when next used.
    for item in list(session.identity_map.values()):
        if isinstance(item, ConsentState):
            session.expire(item)


def states(
    session: Session, subject: Subject, names: Iterable[str] | None = None
) -> dict[tuple[str, str], ConsentState]:
    """Return the subject's latest state per (purpose, scope), across all their identities."""
    query = sa.select(ConsentState).where(ConsentState.subject_key.in_(subject.keys))
    if names is not None:
        query = query.where(ConsentState.purpose.in_(sorted(set(names))))
    latest: dict[tuple[str, str], ConsentState] = {}
    for row in session.execute(query).scalars():
        key = (row.purpose, row.scope)
        if key not in latest or row.recorded_at > latest[key].recorded_at:
            latest[key] = row
    return latest


def history(session: Session, subject: Subject, *, limit: int = 500) -> list[ConsentReceipt]:
    """Return the subject's receipts, newest first."""
    query = (
        sa.select(ConsentReceipt)
        .where(ConsentReceipt.subject_key.in_(subject.keys))
        .order_by(ConsentReceipt.id.desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def rebuild_states(session: Session) -> int:
    """Derive every state row again from the receipts (after a restore); returns the number of states."""
    session.execute(sa.delete(ConsentState))
    latest: dict[tuple[str, str, str], ConsentReceipt] = {}
    for receipt in session.execute(sa.select(ConsentReceipt).order_by(ConsentReceipt.id)).scalars():
        latest[(receipt.subject_key, receipt.purpose, receipt.scope)] = receipt
    _set_states(session, list(latest.values()))
    session.flush()
    return len(latest)
