"""Metadata of the published notice and the statements it makes about itself."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field as PydanticField
from pydantic import field_validator

from privacyops.manifest.types import CcpaLetter, Model, PublishedDate, TrackingChannel


class NoticeClaims(Model):
    """Statements the notice makes about itself, kept so the lint can test them against the facts."""

    no_sensitive_information: bool = False
    no_third_party_sources: bool = False
    not_sold_or_shared_12_months: bool = False
    withdrawal_requires_account_deletion: bool = False
    collected_and_shared_through: tuple[TrackingChannel, ...] = ()


class CcpaDisclosures(Model):
    """The categories disclosed, sold or shared in the last twelve months, by CCPA letter."""

    business_purpose: tuple[CcpaLetter, ...] = ()
    sold: tuple[CcpaLetter, ...] = ()
    shared: tuple[CcpaLetter, ...] = ()


# The kinds of change between two published versions (privacyops.lifecycle.changes classifies them).
ChangeKind = Literal[
    "new_purpose", "removed_purpose", "purpose_uses_more_data", "new_category", "removed_category",
    "new_subprocessor", "removed_subprocessor", "new_recipient", "removed_recipient", "new_country",
    "longer_retention", "shorter_retention", "basis_to_consent", "basis_changed", "contact", "wording",
]
# A change of these kinds is material unless the manifest lists its own (notice.material_changes).
DEFAULT_MATERIAL: tuple[ChangeKind, ...] = (
    "new_purpose", "purpose_uses_more_data", "new_category", "new_subprocessor", "new_recipient",
    "new_country", "longer_retention", "basis_to_consent",
)


class Notice(Model):
    """Metadata of the published notice and what it claims."""

    title: str = "Privacy notice"
    version: str | None = None
    last_updated: PublishedDate | None = None
    effective_date: PublishedDate | None = None
    url: str | None = None
    change_notification: tuple[Literal["posted_notice", "direct_notification"], ...] = ("posted_notice",)
    claims: NoticeClaims = NoticeClaims()
    ccpa_table: dict[CcpaLetter, bool] = PydanticField(default_factory=dict)
    ccpa_disclosures: CcpaDisclosures = CcpaDisclosures()
    # Which kinds of change make a new version material (users are told before it takes effect).
    material_changes: tuple[ChangeKind, ...] = DEFAULT_MATERIAL

    @field_validator("ccpa_table", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (v.upper() == "YES") if isinstance(v, str) and v.upper() in ("YES", "NO") else v
                    for k, v in value.items()}
        return value
