"""The disclosures ledger: what was actually sold, shared or disclosed, and what the notice may claim.

The host application records a disclosure over the API; the CCPA section of the notice is computed
from the manifest plus the ledger's last twelve months (NV-3), so one recorded sale or share flips the
"not sold or shared" statement. ``findings`` turns a contradiction between the manifest's stated
disclosures and the ledger into an error for ``privacyops check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.field_errors import FieldError
from privacyops.manifest.errors import Finding
from privacyops.manifest.schema import Manifest
from privacyops.manifest.types import CCPA_LETTERS
from privacyops.reports.ccpa import RecordedDisclosure
from privacyops.store.models.disclosures import KINDS, Disclosure


class DisclosureError(FieldError):
    """A disclosure that cannot be recorded; ``field`` names the input to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


def record(
    session: Session,
    *,
    kind: str,
    recipient: str,
    letters: Sequence[str],
    occurred_at: dt.datetime,
    actor: str,
    now: dt.datetime,
    purpose: str | None = None,
    request_id: str | None = None,
) -> Disclosure:
    """Add one disclosure to the ledger and audit it; the caller commits."""
    if kind not in KINDS:
        raise DisclosureError("kind", f"must be one of {', '.join(KINDS)}")
    if not recipient.strip():
        raise DisclosureError("recipient", "name the third party that received the data")
    bad = [x for x in letters if x not in CCPA_LETTERS]
    if not letters or bad:
        raise DisclosureError("letters", f"give CCPA category letters A-K (not {', '.join(bad) or 'none'})")
    if occurred_at > now:
        raise DisclosureError("occurred_at", "a disclosure is recorded once it happened, not in advance")
    row = Disclosure(
        kind=kind,
        recipient=recipient.strip(),
        letters=sorted(set(letters)),
        purpose=purpose,
        occurred_at=occurred_at,
        recorded_at=now,
        recorded_by=actor,
        request_id=request_id,
    )
    session.add(row)
    session.flush()
    chain.append(
        session,
        actor=actor,
        action="disclosure.recorded",
        entity="disclosure",
        entity_id=str(row.id),
        data={"kind": kind, "letters": row.letters, "request_id": request_id},
    )
    return row


def listing(session: Session, since: dt.datetime | None = None) -> list[Disclosure]:
    """Return the ledger (from ``since`` when given), newest first."""
    query = sa.select(Disclosure).order_by(Disclosure.occurred_at.desc(), Disclosure.id.desc())
    if since is not None:
        query = query.where(Disclosure.occurred_at >= since)
    return list(session.execute(query).scalars())


def window_start(today: dt.date) -> dt.date:
    """Return the first day of the twelve months that end on ``today``."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def recorded(session: Session, today: dt.date) -> list[RecordedDisclosure]:
    """Return the ledger's last twelve months as one event per letter, as the CCPA report reads them."""
    since = dt.datetime.combine(window_start(today), dt.time(), tzinfo=dt.UTC)
    return [
        RecordedDisclosure(letter, row.kind, row.occurred_at.date(), row.recipient)  # type: ignore[arg-type]
        for row in listing(session, since)
        for letter in row.letters
    ]


def fingerprint(events: Sequence[RecordedDisclosure]) -> str:
    """Return a short key that changes whenever the events that shape the notice change."""
    return str(hash(tuple(sorted((e.letter, e.kind, e.recipient) for e in events))))


def findings(manifest: Manifest, events: Sequence[RecordedDisclosure]) -> list[Finding]:
    """Return an error for each sale or share in the ledger that the manifest's statements deny."""
    stated = manifest.notice.ccpa_disclosures
    claims_none = manifest.notice.claims.not_sold_or_shared_12_months
    out: list[Finding] = []
    for kind, words, letters in (("sale", "sold", stated.sold), ("share", "shared", stated.shared)):
        missing = sorted({e.letter for e in events if e.kind == kind} - set(letters))
        if not missing and not (claims_none and any(e.kind == kind for e in events)):
            continue
        names = sorted({e.recipient for e in events if e.kind == kind})
        message = (
            f"the disclosures ledger records personal information {words} in the last 12 months "
            f"(letters {', '.join(missing) or 'already listed'}; to {', '.join(names)}), but the "
            f"manifest does not state it{' and claims nothing was sold or shared' if claims_none else ''}"
        )
        fix = (
            f"add {', '.join(missing) or 'them'} to notice.ccpa_disclosures.{words}, set "
            "notice.claims.not_sold_or_shared_12_months: false, offer the opt-out, and publish a new version"
        )
        out.append(
            _located(
                manifest, ("notice", "ccpa_disclosures", words), f"ledger-{words}-undisclosed", message, fix
            )
        )
    return out


def _located(manifest: Manifest, path: tuple[str, ...], code: str, message: str, fix: str) -> Finding:
    source = manifest._source
    if source is None:
        return Finding(level="error", code=code, message=message, key=".".join(path), fix=fix)
    finding: Finding = source.finding(path, "error", code, message, fix)
    return finding
