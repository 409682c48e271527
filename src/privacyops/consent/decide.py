"""``can_process``: the one answer to "may this purpose use this subject's data", with its reason.

The checks, in order: restriction (RR-2) and objection (RR-3) from ``execution.restriction``; a minor
(MN-2) or a sale/share opt-out (a GPC signal, OS-1/OS-2) for purposes that sell or share; then the legal
basis: a consent purpose needs a live receipt under the purpose's current definition (CN-3), other bases
are allowed without one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from privacyops.consent import ledger
from privacyops.consent import purposes as cpurposes
from privacyops.consent.subjects import Subject
from privacyops.execution import restriction
from privacyops.manifest.schema import Manifest
from privacyops.store.models.consent import ConsentState


@dataclass(frozen=True)
class Decision:
    """Allow or deny, the rule that decided (``code``), a sentence saying why, and the evidence."""

    purpose: str
    allowed: bool
    code: str
    reason: str
    basis: str
    receipt_id: str | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the decision as the API shows it."""
        return {
            "purpose": self.purpose,
            "allowed": self.allowed,
            "code": self.code,
            "reason": self.reason,
            "basis": self.basis,
            "receipt_id": self.receipt_id,
        }


def can_process(session: Session, subject: Subject, purpose: str, *, manifest: Manifest) -> Decision:
    """Decide one purpose for one subject (raises ``UnknownPurpose`` for a purpose the manifest lacks)."""
    return can_process_many(session, subject, [purpose], manifest=manifest)[0]


def can_process_many(
    session: Session, subject: Subject, purposes: Iterable[str], *, manifest: Manifest
) -> list[Decision]:
    """Decide several purposes for one subject with one read of their state."""
    catalog = cpurposes.catalog(manifest)
    infos = [catalog.get(name) for name in purposes]
    wanted = {i.name for i in infos} | {cpurposes.SALE_SHARE, cpurposes.MINOR}
    found = ledger.states(session, subject, wanted)
    held = restriction.active_for(session, subject.keys)
    decisions = []
    for info in infos:
        refused = _restricted(session, manifest, subject, info) if held else None
        decisions.append(refused or _signals(info, found) or _by_basis(info, found))
    return decisions


def _restricted(
    session: Session, manifest: Manifest, subject: Subject, info: cpurposes.PurposeInfo
) -> Decision | None:
    answer = restriction.may_process(session, manifest, subject.keys, info.name)
    if answer.allowed:
        return None
    return Decision(info.name, False, answer.rule or "restriction", answer.reason, info.basis)


def _signals(info: cpurposes.PurposeInfo, found: dict[tuple[str, str], ConsentState]) -> Decision | None:
    if not info.sale_share:
        return None
    minor = found.get((cpurposes.MINOR, ""))
    if minor is not None and minor.granted:
        return Decision(
            info.name,
            False,
            "minor",
            "the subject is known to be a minor: their data is not sold or shared (1798.120(c))",
            info.basis,
            minor.receipt_id,
        )
    opt_out = found.get((cpurposes.SALE_SHARE, ""))
    if opt_out is not None and not opt_out.granted:
        code = "gpc_opt_out" if opt_out.signal == "gpc" else "opt_out"
        how = "a Global Privacy Control signal" if code == "gpc_opt_out" else "the subject's choice"
        return Decision(
            info.name,
            False,
            code,
            f"the subject opted out of sale and sharing by {how}",
            info.basis,
            opt_out.receipt_id,
        )
    return None


def _by_basis(info: cpurposes.PurposeInfo, found: dict[tuple[str, str], ConsentState]) -> Decision:
    if not info.consent_required:
        return Decision(
            info.name,
            True,
            "legal_basis",
            f"processed on {info.basis.replace('_', ' ')}; no consent needed",
            info.basis,
        )
    state = found.get((info.name, ""))
    if state is None:
        return Decision(
            info.name, False, "no_consent", "the purpose needs consent and none is recorded", info.basis
        )
    if not state.granted:
        return Decision(
            info.name, False, "withdrawn", "the subject withdrew consent", info.basis, state.receipt_id
        )
    if state.purpose_hash != info.definition_hash:
        return Decision(
            info.name,
            False,
            "stale_consent",
            "consent was given for an earlier definition of the purpose; ask again",
            info.basis,
            state.receipt_id,
        )
    return Decision(info.name, True, "consent", "live consent is recorded", info.basis, state.receipt_id)
