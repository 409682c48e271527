"""The privacy manifest as pydantic models: everything a privacy notice states, in one immutable object."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field as PydanticField
from pydantic import PrivateAttr, field_validator, model_validator

from privacyops.manifest.notice_meta import CcpaDisclosures, Notice, NoticeClaims
from privacyops.manifest.parties import Address, Affiliate, ContactPoint, Contacts, Controller, Representative
from privacyops.manifest.practices import (
    AutomatedDecision,
    BackupPolicy,
    FreeText,
    Minors,
    Retention,
    RetentionRule,
    SignalPolicy,
    Signals,
    Sweep,
)
from privacyops.manifest.sharing import BusinessTransfers, ErasureConnector, Recipient, Subprocessor
from privacyops.manifest.systems import Field, Reference, System, Table
from privacyops.manifest.types import (
    CCPA_LETTERS,
    BasisRegime,
    CanadaConsent,
    CcpaLetter,
    CookieCategory,
    GdprBasis,
    LegalHold,
    Model,
    Period,
    Right,
    Source,
    WithdrawalPath,
    check_iso_duration,
)
from privacyops.pii.policy import PolicySet

__all__ = [
    "Address", "Affiliate", "AutomatedDecision", "BackupPolicy", "BusinessTransfers", "CanadaBasis",
    "CanadaException", "CcpaDisclosures", "ContactPoint", "Contacts", "Controller", "Cookie", "DataCategory",
    "DataSubject", "ErasureConnector", "Field", "FreeText", "Holidays", "LegalBasis", "LegalHold", "Manifest",
    "Minors", "Notice", "NoticeClaims", "Period", "Purpose", "Recipient", "Reference", "Region",
    "Representative", "Retention", "RetentionRule", "SignalPolicy", "Signals", "SocialLogin", "Subprocessor",
    "SupervisoryAuthority", "Sweep", "System", "Table",
]


class Holidays(Model):
    """The public holiday calendar used to count business days (a `holidays` package country code)."""

    country: str
    subdivision: str | None = None


class SupervisoryAuthority(Model):
    """Where a person may complain."""

    name: str
    url: str | None = None


class Region(Model):
    """A jurisdiction: the rights it grants and how fast requests must be answered."""

    name: str
    law: str
    countries: tuple[str, ...] = ()
    basis_regime: BasisRegime | None = None
    rights: tuple[Right, ...]
    deadline: Period
    extension: Period | None = None
    right_deadlines: dict[Right, Period] = PydanticField(default_factory=dict)
    # A right that applies only in some cases, with the condition in words, e.g. "in certain instances".
    conditions: dict[Right, str] = PydanticField(default_factory=dict)
    holidays: Holidays | None = None
    authority: SupervisoryAuthority | None = None

    def deadline_for(self, right: str) -> Period:
        """Return the response deadline of a right, falling back to the region's default."""
        return self.right_deadlines.get(right, self.deadline)  # type: ignore[call-overload]


class DataSubject(Model):
    """A kind of person whose data is processed (a fideslang data subject key, or custom)."""

    name: str
    description: str | None = None
    custom: bool = False
    # Whether these people have an account with us: account-based retention triggers need one.
    has_account: bool | None = None
    # Rights or rules that apply to this group of people wherever they live, in the company's words.
    rights_note: str | None = None


class DataCategory(Model):
    """A kind of personal data (a fideslang data category key, or a custom key under a parent)."""

    name: str
    description: str | None = None
    examples: tuple[str, ...] = ()
    source: tuple[Source, ...] = ("provided",)
    ccpa: CcpaLetter | None = None
    sensitive: bool | Literal["maybe"] = False
    custom: bool = False
    parent: str | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _source_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _custom_has_parent(self) -> DataCategory:
        if self.custom and not self.parent:
            raise ValueError("a custom category needs a parent, e.g. parent: user.content")
        if self.parent and not self.custom:
            raise ValueError("parent is only for custom categories; add custom: true or remove parent")
        return self


class CanadaBasis(Model):
    """The Canadian ground for a purpose: express or implied consent, or a named s.7 exception."""

    consent: CanadaConsent | None = None
    exception_ref: str | None = None


class LegalBasis(Model):
    """The legal basis of a purpose per regime."""

    gdpr: GdprBasis | None = None
    # Further GDPR grounds the same purpose rests on in some cases (e.g. consent and legitimate interests).
    gdpr_also: tuple[GdprBasis, ...] = ()
    pipeda: CanadaBasis | None = None

    @field_validator("pipeda", mode="before")
    @classmethod
    def _pipeda_shorthand(cls, value: Any) -> Any:
        # `pipeda: implied_consent` is short for `pipeda: {consent: implied}`.
        if isinstance(value, str) and value.endswith("_consent"):
            return {"consent": value.removesuffix("_consent")}
        return value

    def for_regime(self, regime: str) -> object | None:
        """Return the basis stated for a regime, or None."""
        return getattr(self, regime, None)


class Purpose(Model):
    """Why data is processed: categories used, legal basis per regime and how consent is withdrawn."""

    name: str
    description: str | None = None
    categories: tuple[str, ...]
    subjects: tuple[str, ...] = ()
    data_use: str
    basis: LegalBasis = LegalBasis()
    legitimate_interest: str | None = None
    withdrawal: tuple[WithdrawalPath, ...] = ()

    @property
    def consent_required(self) -> bool:
        """Return whether any regime relies on consent for this purpose."""
        ca = self.basis.pipeda
        gdpr = "consent" in (self.basis.gdpr, *self.basis.gdpr_also)
        return gdpr or (ca is not None and ca.consent == "express")


class CanadaException(Model):
    """A PIPEDA s.7 case in which data may be processed without consent."""

    citation: str
    text: str


class Cookie(Model):
    """A cookie, pixel or similar tracker."""

    name: str
    provider: str
    category: CookieCategory
    purpose: str | None = None
    duration: str
    pixel: bool = False
    first_party: bool = True

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        return value if value == "session" else check_iso_duration(value)


class SocialLogin(Model):
    """A sign-in provider and the categories it sends us."""

    name: str
    categories: tuple[str, ...]
    data: tuple[str, ...] = ()


class Manifest(Model):
    """The whole privacy manifest."""

    manifest_version: Literal[1] = 1
    controller: Controller
    notice: Notice
    contacts: Contacts
    regions: dict[str, Region]
    data_subjects: dict[str, DataSubject] = PydanticField(default_factory=dict)
    data_categories: dict[str, DataCategory]
    purposes: dict[str, Purpose]
    canada_exceptions: dict[str, CanadaException] = PydanticField(default_factory=dict)
    subprocessors: tuple[Subprocessor, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    business_transfers: BusinessTransfers = BusinessTransfers(applies=False)
    cookies: tuple[Cookie, ...] = ()
    social_logins: tuple[SocialLogin, ...] = ()
    retention: Retention = Retention()
    minors: Minors | None = None  # no minimum age declared: the notice says nothing about minors
    signals: Signals = Signals()
    automated_decisions: tuple[AutomatedDecision, ...] = ()
    security_measures: tuple[str, ...] = ()
    free_text: tuple[FreeText, ...] = ()
    systems: dict[str, System] = PydanticField(default_factory=dict)
    pii: PolicySet | None = None

    # Where each key came from (a privacyops.manifest.source.SourceMap), set by the loader.
    _source: Any = PrivateAttr(default=None)

    def collected_categories(self) -> set[str]:
        """Return the categories some purpose, social login or system field actually uses."""
        used = {c for p in self.purposes.values() for c in p.categories}
        used |= {c for s in self.social_logins for c in s.categories}
        used |= {c for system in self.systems.values()
                 for table in system.tables.values() for c in table.categories()}
        return used & set(self.data_categories)

    def ccpa_collected(self) -> dict[str, bool]:
        """Return, for each CCPA letter, whether a collected category falls under it."""
        letters = {self.data_categories[c].ccpa for c in self.collected_categories()}
        return {letter: letter in letters for letter in CCPA_LETTERS}

    def subprocessors_by_service(self) -> dict[str, list[Subprocessor]]:
        """Group subprocessors by service category, in order of first appearance."""
        groups: dict[str, list[Subprocessor]] = {}
        for sub in self.subprocessors:
            groups.setdefault(sub.service, []).append(sub)
        return groups
