"""What the consent routes and commands share: the deployment's identity key and the clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from privacyops.consent import subjects
from privacyops.requests import context

if TYPE_CHECKING:
    from privacyops.api.deps import Services
    from privacyops.settings import Settings

_KEYS: dict[tuple[str | None, str], bytes] = {}


def now() -> datetime:
    """Return the current time (timezone-aware UTC)."""
    return datetime.now(UTC)


def identity_key(settings: Settings) -> bytes:
    """Return the key identities are hashed with (the deployment secret, as for subject requests)."""
    return context.secret_key(settings)


def subject_of(services: Services, identities: Iterable[str], *, field: str = "subject") -> subjects.Subject:
    """Parse the identities of a call into a subject, hashing them with the deployment's key."""
    settings = services.settings
    # Read once per deployment: without PRIVACYOPS_SECRET_KEY the key comes from a file in the home.
    cache_key = (settings.secret_key, str(settings.home))
    key = _KEYS.get(cache_key)
    if key is None:
        key = _KEYS[cache_key] = identity_key(settings)
    return subjects.parse(key, identities, field=field)
