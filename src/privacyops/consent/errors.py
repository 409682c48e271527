"""Errors of the consent core; each names the input field at fault so the API can answer 4xx."""

from __future__ import annotations

from privacyops.field_errors import FieldError


class ConsentRuleError(FieldError):
    """A consent input broke a rule; nothing was recorded."""


class UnknownPurpose(ConsentRuleError):
    """The purpose is not one the manifest declares; use one of the names listed in the message."""


class MissingNoticeVersion(ConsentRuleError):
    """A receipt needs the version of the notice the subject saw."""


class BadSignal(ConsentRuleError):
    """A browser privacy signal header is malformed."""
