"""Minors: the 18+ attestation at sign-up (MN-1) and the flag of a known minor (MN-2).

Sign-up records the subject's attestation that they are at least the manifest's minimum age, tied to the
notice version they saw; without it sign-up is refused. Flagging a known minor records the flag, opts
them out of sale and sharing (``can_process`` then denies every sale/share purpose) and files a
verified account deletion, as the notice promises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from privacyops.consent import ledger
from privacyops.consent import purposes as cpurposes
from privacyops.consent.errors import ConsentRuleError
from privacyops.consent.subjects import Subject
from privacyops.manifest.schema import Manifest
from privacyops.requests import intake
from privacyops.requests import service as rservice
from privacyops.requests.context import ServiceContext


def attest(
    session: Session,
    manifest: Manifest,
    subject: Subject,
    *,
    attested: bool | None,
    notice_version: str | None,
    channel: str,
    actor: str,
    now: datetime,
) -> str:
    """Record the sign-up attestation; refuse sign-up (naming the field) when it is missing or false."""
    if manifest.minors is None:
        raise ConsentRuleError(
            "the manifest declares no minimum age, so there is nothing to attest "
            "(declare minors.minimum_age in the manifest to take attestations)",
            field="age_attestation",
        )
    minimum = manifest.minors.minimum_age
    if attested is not True:
        raise ConsentRuleError(
            f"sign-up needs the subject's attestation that they are at least {minimum} "
            "(age_attestation: true)",
            field="age_attestation",
        )
    entry = ledger.Entry(
        purpose=cpurposes.AGE_ATTESTATION,
        granted=True,
        notice_version=notice_version,
        method="sign_up",
        channel=channel,
        kind="attestation",
        text_shown=f"I confirm that I am at least {minimum} years old.",
    )
    return ledger.record(
        session, cpurposes.catalog(manifest), subject, entry, actor=actor, now=now
    ).receipt_id


def flag_minor(
    session: Session,
    ctx: ServiceContext,
    manifest: Manifest,
    subject: Subject,
    identities: Mapping[str, str],
    regions: Sequence[str],
    *,
    actor: str,
    now: datetime,
) -> tuple[list[str], str]:
    """Flag a known minor: the flag, a sale/share opt-out, and a queued account deletion (request id)."""
    catalog = cpurposes.catalog(manifest)
    version = catalog.notice_version or "unversioned"
    receipts = [
        ledger.record(
            session,
            catalog,
            subject,
            ledger.Entry(
                purpose=cpurposes.MINOR,
                granted=True,
                notice_version=version,
                method="staff",
                channel="api",
                kind="flag",
            ),
            actor=actor,
            now=now,
        ).receipt_id,
    ]
    if cpurposes.SALE_SHARE in catalog.purposes:
        receipts.append(
            ledger.record(
                session,
                catalog,
                subject,
                ledger.Entry(
                    purpose=cpurposes.SALE_SHARE,
                    granted=False,
                    notice_version=version,
                    method="staff",
                    channel="api",
                    text_shown="A known minor is opted out of sale and sharing.",
                ),
                actor=actor,
                now=now,
            ).receipt_id
        )
    submission = intake.build_submission(
        request_type="account_deletion",
        identities=identities,
        regions=regions,
        channel="api",
        details="Known minor: the account is deleted as the privacy notice states.",
        verified=True,
    )
    filed = rservice.submit(session, ctx, submission, actor=actor)
    return receipts, filed.request.id
