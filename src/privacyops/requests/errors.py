"""Errors of the subject-request core; each names the input field at fault so the API can answer 4xx."""

from __future__ import annotations

from privacyops.field_errors import FieldError


class RequestRuleError(FieldError):
    """A subject request broke a rule."""


class UnknownRequestType(RequestRuleError):
    """Unknown request type; use one of the names listed in the message."""


class UnknownRegion(RequestRuleError):
    """Unknown region code; use one of the codes listed in the message."""


class UnknownCalendar(RequestRuleError):
    """The holiday calendar names a country or subdivision the holidays library does not know."""


class RegimeNotApplicable(RequestRuleError):
    """The regime named does not apply to this request."""


class RightNotGranted(RequestRuleError):
    """None of the subject's regimes grants this right."""


class ExtensionRefused(RequestRuleError):
    """The deadline cannot be extended as asked."""


class RefusalNotAllowed(RequestRuleError):
    """The request cannot be refused on these grounds."""


class IllegalTransition(RequestRuleError):
    """The request cannot move from its current state to the target state."""

    status_code = 409


class VerificationRefused(RequestRuleError):
    """The verification does not satisfy the rule for this request."""


class TokenRefused(RequestRuleError):
    """The host-application token is not valid for this request."""


class StepUpRequired(TokenRefused):
    """The token is valid but the sign-in is too old for this request; sign in again (INT-3)."""


class VerificationLocked(IllegalTransition):
    """The request can take no more codes; write to the privacy team, who can verify it another way."""


class RateLimited(RequestRuleError):
    """Too many calls in a short time; wait ``retry_after`` seconds and try again."""

    def __init__(self, message: str | None = None, *, field: str, retry_after: int) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after

    status_code = 429

    def headers(self) -> dict[str, str] | None:
        """Tell the client when to try again."""
        return {"Retry-After": str(self.retry_after)}
