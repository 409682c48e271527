"""How sure the business is of who asks, for people without an account (INT-4), and INT-5's correction rule.

Without an account, matching two data points the business already holds gives a reasonable degree of
certainty, enough to disclose categories; three points and a declaration signed under penalty of perjury
give a reasonably high degree, needed for specific pieces (CPPA regulations §7062). A request for specific
pieces that reaches only the lower level is answered with categories, and the outcome says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from privacyops.requests import errors
from privacyops.requests import types as rtypes
from privacyops.requests.types import AccessScope, RequestType, VerificationLevel

_RANK = {VerificationLevel.NONE: 0, VerificationLevel.REASONABLE: 1, VerificationLevel.REASONABLY_HIGH: 2}
_DISCLOSING = frozenset({RequestType.ACCESS, RequestType.PORTABILITY})


@dataclass(frozen=True)
class LevelOutcome:
    """Whether the person is verified enough, what may be answered, and why."""

    verified: bool
    required: VerificationLevel
    reached: VerificationLevel
    scope: AccessScope | None  # for access and portability: what the answer may contain
    reason: str


def required_level(request_type: RequestType, scope: AccessScope | None = None) -> VerificationLevel:
    """Return the level a person without an account must reach for this request."""
    if request_type is RequestType.ACCESS and scope is AccessScope.CATEGORIES:
        return VerificationLevel.REASONABLE
    if request_type in _DISCLOSING:
        return VerificationLevel.REASONABLY_HIGH
    return rtypes.info(request_type).non_account_level


def reached_level(matched_points: int, signed_declaration: bool) -> VerificationLevel:
    """Return the level reached by ``matched_points`` matching data points and an optional declaration."""
    if matched_points >= 3 and signed_declaration:
        return VerificationLevel.REASONABLY_HIGH
    if matched_points >= 2:
        return VerificationLevel.REASONABLE
    return VerificationLevel.NONE


def assess_points(
    request_type: RequestType,
    *,
    matched_points: int,
    signed_declaration: bool = False,
    scope: AccessScope | None = None,
) -> LevelOutcome:
    """Decide a non-account holder's verification from matched data points and a signed declaration."""
    asked = (scope or AccessScope.SPECIFIC_PIECES) if request_type in _DISCLOSING else None
    required = required_level(request_type, asked)
    reached = reached_level(matched_points, signed_declaration)
    if _RANK[reached] >= _RANK[required]:
        return LevelOutcome(True, required, reached, asked, f"verified to a {reached} degree")
    if asked is AccessScope.SPECIFIC_PIECES and reached is VerificationLevel.REASONABLE:
        why = (
            "specific pieces of data need three matching data points and a signed declaration; "
            f"{_points(matched_points, signed_declaration)}, so the answer lists the categories of data only"
        )
        return LevelOutcome(True, required, reached, AccessScope.CATEGORIES, why)
    points = _points(matched_points, signed_declaration)
    why = f"this request needs a {required} degree of certainty; {points}"
    return LevelOutcome(False, required, reached, None, why)


def _points(matched: int, declared: bool) -> str:
    declaration = "with" if declared else "without"
    return f"{matched} data point(s) matched, {declaration} a signed declaration"


def check_correction_channel(corrected_fields: Iterable[str], verified_via: Iterable[str]) -> None:
    """Refuse a correction verified through the very data it corrects (INT-5), naming the field."""
    corrected = {f.strip().lower() for f in corrected_fields}
    overlap = sorted(corrected & {v.strip().lower() for v in verified_via})
    if overlap:
        raise errors.VerificationRefused(
            f"the request corrects {', '.join(overlap)}, so it cannot be verified through "
            f"{'it' if len(overlap) == 1 else 'them'}; verify through other data (e.g. a code by phone, "
            "or a signed-in session)",
            field="verified_via",
        )
