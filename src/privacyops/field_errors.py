"""One error type for "this input broke a rule".

It names the field, says how to fix it, and carries the HTTP status the API answers with, so the packages
(requests, consent, retention, lifecycle) share one handler (``api.errors``) instead of each route catching
and re-raising its own.
"""

from __future__ import annotations


class FieldError(ValueError):
    """An input broke a rule; nothing was changed. ``field`` names the input, ``message`` the fix."""

    status_code = 422

    def __init__(self, message: str | None = None, *, field: str) -> None:
        self.field = field
        self.message = message or (self.__doc__ or "").strip()
        super().__init__(f"{field}: {self.message}")

    def headers(self) -> dict[str, str] | None:
        """Return HTTP headers the answer carries (e.g. Retry-After), if any."""
        return None
