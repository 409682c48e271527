"""The signed, expiring download link of a request's access package (AC-3), issued when the run closes.

The link names the request (the package is kept sealed at ``<home>/packages/<request id>.zip.sealed``)
and the moment it stops working; it is signed with the deployment key, so the link itself is the
authorisation to download, and only until it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from privacyops.package import links as package_links
from privacyops.settings import Settings

ROUTE = "/api/v1/packages"
SEALED_NAME = "{request_id}.zip.sealed"
DEFAULT_DAYS: int = Settings.model_fields["package_link_days"].default


@dataclass(frozen=True)
class IssuedLink:
    """A download link: the full URL for the subject and when it stops working."""

    url: str
    expires_at: datetime


def package_path(home: Path, request_id: str) -> Path:
    """Return where the sealed package of a request is kept."""
    return Path(home) / "packages" / SEALED_NAME.format(request_id=request_id)


def download_url(public_url: str, token: str) -> str:
    """Return the public URL that downloads the package a token grants."""
    return f"{public_url.rstrip('/')}{ROUTE}/{token}"


def link_days(settings: Settings | None = None) -> int:
    """Return how many days a link stays valid (``PRIVACYOPS_PACKAGE_LINK_DAYS``, default 7)."""
    if settings is None:
        try:
            settings = Settings()
        except ValueError:  # an unrelated setting is invalid: keep the default lifetime
            return DEFAULT_DAYS
    return settings.package_link_days


def issue(request_id: str, key: bytes, public_url: str, now: datetime, days: int) -> IssuedLink:
    """Sign a link to the request's package, valid for ``days`` from ``now``."""
    expires_at = now + timedelta(days=days)
    token = package_links.sign_link(request_id, expires_at, key)
    return IssuedLink(download_url(public_url, token), expires_at)
