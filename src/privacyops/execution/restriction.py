"""Restriction (Art. 18) and objection (Art. 21) as stored facts the consent decision can read (RR-2, RR-3).

A restricted subject's data is only stored (or kept for legal claims and obligations). An objection stops
processing on legitimate interests unless compelling grounds are recorded; an objection to direct marketing
has no override. A restriction is lifted only after the subject was told it will be.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.manifest.schema import Manifest, Purpose
from privacyops.store.models.execution import ProcessingRestriction

ENTITY = "processing_restriction"
ALL = "*"
KINDS = ("restriction", "objection")
# Processing that stays allowed while data is restricted: keeping it, and what the law requires.
EXEMPT_BASES = frozenset({"legal_obligation"})
EXEMPT_USES = ("essential.legal_obligation",)
OBJECTABLE_BASES = frozenset({"legitimate_interests", "public_task"})


class RestrictionRuleError(ValueError):
    """The change to a restriction or objection is not allowed; the message says why."""


@dataclass(frozen=True)
class Decision:
    """Whether a purpose may process a subject's data, and the rule that decided it."""

    allowed: bool
    reason: str
    # What refused: "restriction" or "objection"; None when allowed.
    rule: str | None = None


def is_direct_marketing(purpose: Purpose | None, scope: str) -> bool:
    """Tell whether a purpose (or a scope name) is direct marketing, where objection is absolute."""
    if purpose is not None and purpose.data_use.startswith("marketing"):
        return True
    return "marketing" in scope


def record(session: Session, *, subject_hashes: Iterable[str], kind: str, scope: str, request_id: str | None,
           actor: str, now: datetime) -> list[ProcessingRestriction]:
    """Record a restriction or objection for each identity hash (existing active ones are kept)."""
    if kind not in KINDS:
        raise RestrictionRuleError(f"kind {kind!r} is not one of: {', '.join(KINDS)}")
    rows = []
    for digest in sorted(set(subject_hashes)):
        row = _active(session, digest, kind, scope)
        if row is None:
            row = ProcessingRestriction(subject_hash=digest, kind=kind, scope=scope, request_id=request_id,
                                        active=True, created_at=now)
            session.add(row)
            session.flush()
            _audit(session, actor, f"{kind}.recorded", row, {"scope": scope, "request": request_id})
        rows.append(row)
    return rows


def _active(session: Session, digest: str, kind: str, scope: str) -> ProcessingRestriction | None:
    query = sa.select(ProcessingRestriction).where(
        ProcessingRestriction.subject_hash == digest, ProcessingRestriction.kind == kind,
        ProcessingRestriction.scope == scope, ProcessingRestriction.active.is_(True))
    return session.execute(query.limit(1)).scalar_one_or_none()


def active_for(session: Session, subject_hashes: Iterable[str]) -> list[ProcessingRestriction]:
    """Return every active restriction and objection on these identity hashes."""
    query = sa.select(ProcessingRestriction).where(
        ProcessingRestriction.subject_hash.in_(sorted(set(subject_hashes))),
        ProcessingRestriction.active.is_(True))
    return list(session.execute(query.order_by(ProcessingRestriction.id)).scalars())


def override(session: Session, manifest: Manifest, restriction_id: int, *, grounds: str, actor: str) -> None:
    """Record compelling grounds that override an objection; never for direct marketing (RR-3)."""
    row = _get(session, restriction_id)
    if row.kind != "objection":
        raise RestrictionRuleError("only an objection can be overridden; a restriction is lifted instead")
    if is_direct_marketing(manifest.purposes.get(row.scope), row.scope):
        raise RestrictionRuleError("an objection to direct marketing is absolute: no grounds override it")
    if not grounds.strip():
        raise RestrictionRuleError("state the compelling legitimate grounds that override the objection")
    row.override_grounds = grounds.strip()
    _audit(session, actor, "objection.overridden", row, {"scope": row.scope})


def record_notice(session: Session, restriction_id: int, *, actor: str, now: datetime) -> None:
    """Record that the subject was told the restriction will be lifted (needed before lifting it)."""
    row = _get(session, restriction_id)
    row.notice_sent_at = now
    _audit(session, actor, "restriction.lift_notice", row, {"scope": row.scope})


def lift(session: Session, restriction_id: int, *, actor: str, now: datetime) -> ProcessingRestriction:
    """Lift a restriction; refused until the subject has been told (RR-2)."""
    row = _get(session, restriction_id)
    if not row.active:
        return row
    if row.kind == "restriction" and row.notice_sent_at is None:
        raise RestrictionRuleError("tell the subject before lifting the restriction: record the notice first")
    row.active, row.lifted_at, row.lifted_by = False, now, actor
    _audit(session, actor, f"{row.kind}.lifted", row, {"scope": row.scope})
    return row


def may_process(session: Session, manifest: Manifest, subject_hashes: Iterable[str],
                purpose_id: str) -> Decision:
    """Decide whether a purpose may use the subject's data given their restrictions and objections.

    This is the restriction and objection part of :func:`privacyops.consent.decide.can_process`, which
    gives the whole answer (legal basis, consent, opt-out signals, minors) and should be asked instead.
    """
    purpose = manifest.purposes.get(purpose_id)
    for row in active_for(session, subject_hashes):
        if row.scope not in (ALL, purpose_id):
            continue
        if row.kind == "restriction" and not _exempt(purpose):
            return Decision(False, "processing is restricted: the data is only stored (Art. 18)",
                            "restriction")
        if row.kind == "objection":
            refused = _objection_refuses(purpose, purpose_id, row)
            if refused:
                return Decision(False, refused, "objection")
    return Decision(True, "no restriction or objection applies")


def _exempt(purpose: Purpose | None) -> bool:
    if purpose is None:
        return False
    return purpose.basis.gdpr in EXEMPT_BASES or purpose.data_use.startswith(EXEMPT_USES)


def _objection_refuses(purpose: Purpose | None, purpose_id: str, row: ProcessingRestriction) -> str:
    if is_direct_marketing(purpose, purpose_id):
        return "the subject objected to direct marketing, which has no override (Art. 21(3))"
    basis = purpose.basis.gdpr if purpose is not None else None
    if row.scope == ALL and basis not in OBJECTABLE_BASES:
        return ""
    if row.override_grounds:
        return ""
    return "the subject objected and no compelling legitimate grounds are recorded (Art. 21(1))"


def _get(session: Session, restriction_id: int) -> ProcessingRestriction:
    row = session.get(ProcessingRestriction, restriction_id)
    if row is None:
        raise RestrictionRuleError(f"no restriction or objection with id {restriction_id}")
    return row


def _audit(session: Session, actor: str, action: str, row: ProcessingRestriction,
           data: dict[str, object]) -> None:
    chain.append(session, actor=actor, action=action, entity=ENTITY, entity_id=str(row.id), data=data)
