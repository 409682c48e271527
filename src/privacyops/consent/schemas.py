"""HTTP shapes of consent receipts and decisions (input and output models)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from privacyops.store.models.consent import ConsentReceipt

SUBJECT_HELP = "The subject's identities as kind:value, e.g. email:ada@example.com or user_id:u-42."


class ReceiptIn(BaseModel):
    """A consent given or withdrawn, as the host application reports it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "subject": ["email:ada@example.com"],
                    "purpose": "marketing_communications",
                    "granted": True,
                    "notice_version": "2026-03-26",
                    "method": "form",
                    "channel": "web",
                }
            ]
        },
    )

    subject: list[str] = Field(min_length=1, max_length=10, description=SUBJECT_HELP)
    purpose: str = Field(max_length=100)
    granted: bool
    notice_version: str | None = Field(None, description="The notice version the subject saw (required).")
    text_shown: str | None = Field(None, description="The exact text shown; default: the purpose's text.")
    method: str = "api"
    channel: str = "api"
    regime: str | None = Field(None, max_length=40)
    scope: str = Field("", max_length=100, description="A part of the purpose, e.g. one mailing list.")


class BatchReceiptsIn(BaseModel):
    """Many receipts recorded together."""

    model_config = ConfigDict(extra="forbid")

    receipts: list[ReceiptIn] = Field(min_length=1, max_length=1000)


class BatchReceiptsOut(BaseModel):
    """The receipt ids, in the order the receipts were given."""

    receipt_ids: list[str]


class ReceiptOut(BaseModel):
    """A recorded receipt (without the subject, which the ledger keeps only as a keyed hash)."""

    receipt_id: str
    kind: str
    purpose: str
    scope: str
    granted: bool
    notice_version: str
    notice_hash: str
    text_shown: str
    method: str
    channel: str
    regime: str | None
    signal: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, row: ConsentReceipt) -> ReceiptOut:
        """Build the view of a stored receipt."""
        return cls(
            receipt_id=row.receipt_id,
            kind=row.kind,
            purpose=row.purpose,
            scope=row.scope,
            granted=row.granted,
            notice_version=row.notice_version,
            notice_hash=row.notice_hash,
            text_shown=row.text_shown,
            method=row.method,
            channel=row.channel,
            regime=row.regime,
            signal=row.signal,
            recorded_at=row.recorded_at,
        )


class DecisionOut(BaseModel):
    """Allow or deny, with the rule that decided and the evidence."""

    purpose: str
    allowed: bool
    code: str = Field(
        description="legal_basis, consent, no_consent, withdrawn, stale_consent, restriction, "
        "objection, gpc_opt_out, opt_out or minor"
    )
    reason: str
    basis: str
    receipt_id: str | None = None


class BatchIn(BaseModel):
    """Many subjects, each decided for the same purposes."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "subjects": [["email:ada@example.com"], ["user_id:u-42"]],
                    "purposes": ["marketing_communications", "usage_trends"],
                }
            ]
        },
    )

    subjects: list[list[str]] = Field(min_length=1, max_length=1000, description=SUBJECT_HELP)
    purposes: list[str] = Field(min_length=1, max_length=50)


class BatchOut(BaseModel):
    """One list of decisions per subject, in the order the subjects were given."""

    results: list[list[DecisionOut]]


class LookupOut(BaseModel):
    """A subject's current state per purpose and their receipts, newest first."""

    decisions: list[DecisionOut]
    receipts: list[ReceiptOut]


class PreferenceLinkIn(BaseModel):
    """The signed-in user the host application wants a preference-center link for."""

    model_config = ConfigDict(extra="forbid")

    subject: list[str] = Field(min_length=1, max_length=10, description=SUBJECT_HELP)
