"""Intake: turn what a subject or an operator sent into a checked ``Submission`` (INT-1, INT-2).

Every channel (the public API, the privacy-center form, an imported email, a ticket, the CLI) ends up
here, so the rules on identities, regions and timestamps are the same whichever way a request came in.
Errors name the input field and say how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import phonenumbers

from privacyops.requests import corrections as rcorrections
from privacyops.requests import errors, period
from privacyops.requests import types as rtypes

if TYPE_CHECKING:
    from privacyops.requests.tokens import HostIdentity

IDENTITY_KINDS = ("email", "user_id", "phone", "customer_id")
CHANNELS = ("web_form", "api", "email", "ticket", "chat", "phone", "postal", "cli")
MAX_DETAILS = 5000
MAX_DATA_POINTS = 10
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z0-9-]{2,}$")
_ID = re.compile(r"^[A-Za-z0-9._:@+-]{1,200}$")


@dataclass(frozen=True)
class Identity:
    """One identifier of the subject, normalised (email lower-cased, phone in E.164)."""

    kind: str
    value: str


@dataclass(frozen=True)
class Submission:
    """A request as received, checked and normalised, before it is stored."""

    request_type: rtypes.RequestType
    identities: tuple[Identity, ...]
    regions: tuple[str, ...]
    channel: str
    received_at: datetime | None = None  # None: now; a ticket keeps its original time (INT-2)
    details: str | None = None
    external_ref: str | None = None
    via_agent: bool = False
    agent_proof: bool = False
    verified: bool = False  # an authorised operator vouches for the subject's identity
    host: HostIdentity | None = None  # a signed-in account holder, vouched for by the host app (INT-3)
    data_points: tuple[tuple[str, str], ...] = ()  # offered to prove identity (INT-4); never stored
    declaration_signed: bool = False  # signed under penalty of perjury (INT-4, specific pieces)
    scope: rtypes.AccessScope | None = None  # access and portability: categories or specific pieces
    corrects: tuple[str, ...] = ()  # rectification: names of the fields to correct (INT-5)
    corrections: tuple[tuple[str, str], ...] = ()  # rectification: field -> correct value (RR-1), sealed
    lookback: str | None = None  # access and portability: the period asked for (AC-5), as a token

    @property
    def contact_email(self) -> str | None:
        return next((i.value for i in self.identities if i.kind == "email"), None)

    @property
    def primary(self) -> Identity:
        """Return the identity duplicates are matched on: the email if there is one, else the first."""
        for identity in self.identities:
            if identity.kind == "email":
                return identity
        return self.identities[0]


def normalise_identity(kind: str, value: str, *, field: str = "identities") -> Identity:
    """Return the identity in canonical form, or raise an error naming the field and the expected form."""
    kind = kind.strip().lower().replace("-", "_")
    value = value.strip()
    if kind not in IDENTITY_KINDS:
        raise errors.RequestRuleError(
            f"unknown identity kind {kind!r}; use one of: {', '.join(IDENTITY_KINDS)}", field=field
        )
    if kind == "email":
        if len(value) > 320 or not _EMAIL.match(value):
            raise errors.RequestRuleError("not an email address; write it as name@example.com", field=field)
        return Identity(kind, value.lower())
    if kind == "phone":
        return Identity(kind, _phone(value, field))
    if not _ID.match(value):
        raise errors.RequestRuleError(f"a {kind} is 1 to 200 letters, digits or . _ : @ + -", field=field)
    return Identity(kind, value)


def _phone(value: str, field: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise errors.RequestRuleError(
            "not a phone number; write it with its country code, e.g. +49 30 1234567", field=field
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_identity_option(text: str, *, field: str = "identity") -> Identity:
    """Parse ``kind=value`` as the CLI takes it (``email=a@example.com``)."""
    kind, sep, value = text.partition("=")
    if not sep or not value.strip():
        raise errors.RequestRuleError(
            f"write an identity as kind=value, e.g. email=name@example.com (got {kind.strip()!r}=...)",
            field=field,
        )
    return normalise_identity(kind, value, field=field)


def identities_from(items: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[Identity, ...]:
    """Normalise identities given as a mapping or pairs; at least one, no two of the same value."""
    pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
    found: list[Identity] = []
    for kind, value in pairs:
        identity = normalise_identity(kind, value, field=f"identities.{kind}")
        if identity not in found:
            found.append(identity)
    if not found:
        raise errors.RequestRuleError(
            "give at least one identity (email, user_id or phone) so the request can be matched",
            field="identities",
        )
    return tuple(found)


def build_submission(
    *,
    request_type: str,
    identities: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[Identity],
    regions: Iterable[str],
    channel: str,
    received_at: datetime | None = None,
    details: str | None = None,
    external_ref: str | None = None,
    via_agent: bool = False,
    agent_proof: bool = False,
    verified: bool = False,
    host: HostIdentity | None = None,
    data_points: Mapping[str, str] | None = None,
    declaration_signed: bool = False,
    scope: str | None = None,
    corrects: Iterable[str] = (),
    lookback: str | None = None,
    corrections: Mapping[str, str] | None = None,
) -> Submission:
    """Check every field of an incoming request and return it normalised."""
    kind = rtypes.parse_request_type(request_type, field="type")
    proof = _proof_fields(kind, data_points or {}, scope, corrects)
    proof.update(_corrections(kind, corrections or {}, proof["corrects"]))  # type: ignore[arg-type]
    if channel not in CHANNELS:
        known = ", ".join(CHANNELS)
        raise errors.RequestRuleError(f"unknown channel {channel!r}; use one of: {known}", field="channel")
    pairs = identities.items() if isinstance(identities, Mapping) else identities
    checked = identities_from([(i.kind, i.value) if isinstance(i, Identity) else (i[0], i[1]) for i in pairs])
    codes = tuple(r.strip().lower() for r in regions if r and r.strip())
    if received_at is not None and received_at.tzinfo is None:
        raise errors.RequestRuleError(
            "the time received needs a time zone, e.g. 2025-01-31T09:00:00+00:00", field="received_at"
        )
    if details is not None and len(details) > MAX_DETAILS:
        raise errors.RequestRuleError(f"details are limited to {MAX_DETAILS} characters", field="details")
    return Submission(
        request_type=kind,
        identities=checked,
        regions=codes,
        channel=channel,
        received_at=received_at,
        details=(details or "").strip() or None,
        external_ref=(external_ref or "").strip()[:300] or None,
        via_agent=via_agent,
        agent_proof=agent_proof,
        verified=verified,
        host=host,
        declaration_signed=declaration_signed,
        lookback=_lookback(kind, lookback),
        **proof,  # type: ignore[arg-type]
    )


def _lookback(kind: rtypes.RequestType, text: str | None) -> str | None:
    """Check the period asked for (AC-5) and return it in its written form, or None for the law's default."""
    if text is None or not text.strip():
        return None
    if kind not in (rtypes.RequestType.ACCESS, rtypes.RequestType.PORTABILITY):
        raise errors.RequestRuleError("lookback applies to access and portability requests", field="lookback")
    return period.parse(text).token


def _corrections(
    kind: rtypes.RequestType, given: Mapping[str, str], corrects: tuple[str, ...]
) -> dict[str, object]:
    """Check the corrected values; the fields they name are corrected fields too (INT-5)."""
    if not given:
        return {}
    if kind is not rtypes.RequestType.RECTIFICATION:
        raise errors.RequestRuleError("corrections apply to rectification requests", field="corrections")
    found = rcorrections.normalise(given)
    return {"corrections": tuple(found.items()), "corrects": tuple(dict.fromkeys([*corrects, *found]))}


def _proof_fields(
    kind: rtypes.RequestType, data_points: Mapping[str, str], scope: str | None, corrects: Iterable[str]
) -> dict[str, object]:
    """Check the data points, the access scope and the corrected fields against the request type."""
    points: list[tuple[str, str]] = []
    for name, value in data_points.items():
        key, text = name.strip().lower(), str(value).strip()
        if not key or not text:
            raise errors.RequestRuleError("each data point needs a name and a value", field="data_points")
        points.append((key, text[:300]))
    if len(points) > MAX_DATA_POINTS:
        raise errors.RequestRuleError(f"give at most {MAX_DATA_POINTS} data points", field="data_points")
    access_scope = None
    if scope:
        if kind not in (rtypes.RequestType.ACCESS, rtypes.RequestType.PORTABILITY):
            raise errors.RequestRuleError("scope applies to access and portability requests", field="scope")
        try:
            access_scope = rtypes.AccessScope(scope.strip().lower())
        except ValueError:
            known = ", ".join(s.value for s in rtypes.AccessScope)
            raise errors.RequestRuleError(
                f"unknown scope {scope!r}; use one of: {known}", field="scope"
            ) from None
    fields = tuple(dict.fromkeys(f.strip().lower() for f in corrects if f and f.strip()))
    if fields and kind is not rtypes.RequestType.RECTIFICATION:
        raise errors.RequestRuleError("corrects applies to rectification requests", field="corrects")
    return {"data_points": tuple(points), "scope": access_scope, "corrects": fields}
