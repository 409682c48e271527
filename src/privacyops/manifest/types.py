"""Building blocks shared by the manifest models: the frozen base model, periods and vocabularies."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, field_validator, model_validator

ISO_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$"
)

MONTH_ONLY = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthDate(dt.date):
    """A date published to the month only ("Last updated: May 2026"), held as the month's first day.

    It prints as ``2026-05`` and the notice writes "May 2026": a day the company never stated is not
    invented. Age checks count from the first day, the earliest the notice can have been published.
    """

    def isoformat(self) -> str:
        """Return ``YYYY-MM``, an ISO 8601 calendar month."""
        return f"{self.year:04d}-{self.month:02d}"

    __str__ = isoformat


def _day_or_month(value: Any) -> Any:
    if isinstance(value, str) and (found := MONTH_ONLY.match(value.strip())):
        year, month = int(found[1]), int(found[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{value!r} names no month: write YYYY-MM-DD, or YYYY-MM with a month 01-12")
        return MonthDate(year, month, 1)
    return value


# A publication date: a day (2026-05-14) or, when the company states only a month, the month (2026-05).
PublishedDate = Annotated[
    dt.date, BeforeValidator(_day_or_month), PlainSerializer(lambda day: day.isoformat(), when_used="json")
]

CcpaLetter = Literal["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K"]
CCPA_LETTERS: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K")

Source = Literal["provided", "automatic", "social_login", "third_party"]
GdprBasis = Literal[
    "consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests"
]
CanadaConsent = Literal["express", "implied"]
BasisRegime = Literal["gdpr", "pipeda"]
Right = Literal[
    "access",
    "rectification",
    "erasure",
    "restriction",
    "portability",
    "objection",
    "withdraw_consent",
    "no_automated_decisions",
    "complain",
    "know",
    "delete",
    "correct",
    "opt_out_sale_share",
    "limit_sensitive",
    "non_discrimination",
    "appeal",
]
WithdrawalPath = Literal[
    "unsubscribe_link", "preference_center", "account_settings", "contact", "cookie_banner", "delete_account"
]
# The service categories the notice has plain names for; `service:` also takes any other snake_case key.
KNOWN_SERVICES: tuple[str, ...] = (
    "advertising_marketing_lead_generation",
    "third_party_account_connection",
    "cloud_computing",
    "communicate_and_chat",
    "invoice_and_billing",
    "product_metrics",
    "recruiting",
    "internal_use",
    "application_monitoring",
)
ServiceCategory = str
# Who else receives data: other users of the service, anyone (published content), companies of the
# same group, public authorities, and companies that decide for themselves what they do with it.
RecipientKind = Literal["other_users", "public", "affiliate", "authority", "independent_controller"]
RetentionTrigger = Literal[
    "account_terminated", "collected", "last_activity", "consent_withdrawn", "contract_ended",
    "account_active", "as_needed", "indefinite",
]
# Triggers that state no period: kept while the account is active, as long as a stated reason needs it,
# or indefinitely (e.g. public contributions that others build on).
OPEN_ENDED_TRIGGERS: tuple[str, ...] = ("account_active", "as_needed", "indefinite")
TransferMechanism = Literal["none", "adequacy", "dpf", "scc", "uk_idta", "bcr", "derogation"]
TrackingChannel = Literal[
    "targeting_cookies", "marketing_cookies", "analytics_cookies", "beacons_pixels_tags",
    "social_media_plugins", "sdks",
]
CookieCategory = Literal["necessary", "functional", "analytics", "marketing", "targeting"]
RetentionAction = Literal["erase", "anonymise"]
# `none`: the table holds no personal data of its own (e.g. an organisation shared by its members).
ErasureStrategy = Literal["delete", "null", "pseudonymise", "redact", "keep", "none"]
Disclosure = Literal["full", "existence_only"]
IdentityKind = Literal["email", "user_id", "phone", "username", "customer_id", "external_id", "ip_address"]
ConnectorRole = Literal["controller", "processor"]


SNAKE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def check_snake_key(value: str) -> str:
    """Accept a vocabulary key such as `recruiting` or `community_forum`."""
    if not SNAKE_KEY.match(value):
        raise ValueError(f"{value!r} is not a key; write lower-case words joined by _, e.g. community_forum")
    return value


class Model(BaseModel):
    """Base of every manifest model: immutable once loaded, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Period(Model):
    """A span of time stated in one unit, as notices and laws state deadlines."""

    days: int | None = None
    business_days: int | None = None
    months: int | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> Period:
        given = [v for v in (self.days, self.business_days, self.months) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of days, business_days or months, e.g. {days: 30}")
        if given[0] <= 0:
            raise ValueError("the period must be a positive number")
        return self

    def describe(self) -> str:
        """Return the period in words, e.g. '45 days'."""
        for unit, value in (("days", self.days), ("business days", self.business_days),
                            ("months", self.months)):
            if value is not None:
                return f"{value} {unit[:-1] if value == 1 else unit}"
        return ""


def check_iso_duration(value: str) -> str:
    """Reject anything but an ISO 8601 duration such as P1M or P10Y."""
    if not ISO_DURATION.match(value):
        raise ValueError(f"{value!r} is not an ISO 8601 duration; write e.g. P30D, P1M or P10Y")
    return value


class LegalHold(Model):
    """A reason to keep data beyond erasure: named, justified and bounded."""

    name: str
    reason: str
    period: str

    @field_validator("period")
    @classmethod
    def _iso_period(cls, value: str) -> str:
        return check_iso_duration(value)
