"""What the request workflow needs from the deployment: key, regimes, names, clock; built from settings."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from privacyops import home
from privacyops.audit import chain
from privacyops.manifest.schema import Manifest
from privacyops.requests import corrections, tokens, verification
from privacyops.requests import regimes as rregimes
from privacyops.requests.corrections import Correctable
from privacyops.requests.types import RequestType
from privacyops.settings import Settings

if TYPE_CHECKING:
    from privacyops.requests.intake import Identity
    from privacyops.requests.points import PointMatch

SECRET_KEY_FILE = "secret_key"
HOST_TOKEN_KEY_FILE = "host_token_key"
# Requests that erase cannot be undone, so a person looks at them before the work starts
# (the default of PRIVACYOPS_APPROVAL_REQUIRED).
DEFAULT_APPROVAL_TYPES: frozenset[RequestType] = frozenset(
    RequestType(name) for name in Settings.model_fields["approval_required"].default
)
# Channels where the subject did not say where they live: the strictest common regime applies
# (the default of PRIVACYOPS_DEFAULT_REGION).
DEFAULT_REGION: str = Settings.model_fields["default_region"].default


class PointLookup(Protocol):
    """Counts which data points offered by a person match what the business holds about them (INT-4)."""

    def point_names(self) -> tuple[str, ...]: ...

    def match(self, identities: Sequence[Identity], offered: Mapping[str, str]) -> PointMatch: ...


@dataclass(frozen=True)
class Authority:
    """A supervisory authority the subject may complain to."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class ServiceContext:
    """Everything the workflow steps read besides the store; plain values, easy to build in tests."""

    key: bytes
    catalog: rregimes.RegimeCatalog = rregimes.DEFAULT_CATALOG
    controller: str = "The controller"
    privacy_inbox: str = "privacy@localhost"
    public_url: str = "http://127.0.0.1:8000"
    authorities: Mapping[str, Authority] = field(default_factory=dict)  # by regime id
    approval_types: frozenset[RequestType] = DEFAULT_APPROVAL_TYPES
    default_region: str = DEFAULT_REGION
    code_ttl: timedelta = verification.DEFAULT_CODE_TTL
    max_codes: int = verification.MAX_CODES_PER_REQUEST  # codes over the request's life
    max_code_failures: int = verification.MAX_FAILURES_PER_REQUEST  # wrong codes over its life
    host_token_key: bytes | None = None  # None: host tokens are not accepted
    step_up_window: timedelta = tokens.DEFAULT_STEP_UP_WINDOW
    points: PointLookup | None = None  # None: data points cannot be checked
    correctable: Correctable | None = None  # None: corrected fields are not checked against a manifest
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        """Return the current time (timezone-aware UTC)."""
        return self.clock()

    def identity_hash(self, kind: str, value: str) -> str:
        """Return the keyed hash that matches an identity without revealing it."""
        return chain.identity_hash(f"{kind}:{value}", key=self.key)


def secret_key(settings: Settings) -> bytes:
    """Return ``PRIVACYOPS_SECRET_KEY``, or the key generated once into ``<home>/secret_key`` (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    return _generated_key(Path(settings.home) / SECRET_KEY_FILE)


def host_token_key(settings: Settings) -> bytes:
    """Return ``PRIVACYOPS_HOST_TOKEN_KEY``, or the key generated once into ``<home>/host_token_key``."""
    if settings.host_token_key:
        return settings.host_token_key.encode()
    return _generated_key(Path(settings.home) / HOST_TOKEN_KEY_FILE)


def _generated_key(path: Path) -> bytes:
    if path.exists():
        return path.read_text().strip().encode()
    home.private_folder(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first; use theirs
        return path.read_text().strip().encode()
    value = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value + "\n")
    return value.encode()


def context_from(
    settings: Settings, manifest: Manifest | None, *, clock: Callable[[], datetime] | None = None
) -> ServiceContext:
    """Build the workflow context from settings and (when loaded) the manifest."""
    extra: dict[str, object] = {}
    if clock is not None:
        extra["clock"] = clock
    catalog = catalog_for(manifest)
    if manifest is not None and manifest.systems:
        from privacyops.requests import points  # imported here: it reaches the connectors

        extra["points"] = points.ManifestPointLookup(manifest)
        extra["correctable"] = corrections.correctable(manifest)
    return ServiceContext(
        key=secret_key(settings),
        catalog=catalog,
        controller=manifest.controller.legal_name if manifest else "The controller",
        privacy_inbox=manifest.contacts.privacy_email if manifest else settings.mail_from,
        public_url=settings.public_url.rstrip("/"),
        authorities=authorities_for(manifest, catalog),
        approval_types=frozenset(RequestType(name) for name in settings.approval_required),
        default_region=settings.default_region,
        host_token_key=host_token_key(settings),
        step_up_window=timedelta(minutes=settings.step_up_minutes),
        max_codes=settings.verify_max_codes,
        max_code_failures=settings.verify_max_failures,
        **extra,  # type: ignore[arg-type]
    )


def catalog_for(manifest: Manifest | None) -> rregimes.RegimeCatalog:
    """Return the built-in regimes plus US state regimes the manifest declares, with its holiday calendars."""
    catalog = rregimes.DEFAULT_CATALOG
    if manifest is None:
        return catalog
    for code, region in manifest.regions.items():
        regime = _regime_of(catalog, code)
        if regime is None and code.startswith("us-") and region.deadline.days:
            extension = region.extension.days if region.extension else None
            regime = rregimes.us_state_regime(
                code, name=region.law, response_days=region.deadline.days, extension_days=extension
            )
            catalog = catalog.with_regime(regime)
        if regime is not None and region.holidays is not None:
            catalog = catalog.with_calendar(regime.id, region.holidays.country, region.holidays.subdivision)
    return catalog


def authorities_for(manifest: Manifest | None, catalog: rregimes.RegimeCatalog) -> dict[str, Authority]:
    """Map each regime id to the supervisory authority the manifest names for its region."""
    if manifest is None:
        return {}
    found: dict[str, Authority] = {}
    for code, region in manifest.regions.items():
        regime = _regime_of(catalog, code)
        if regime is not None and region.authority is not None:
            found.setdefault(regime.id, Authority(region.authority.name, region.authority.url))
    return found


def _regime_of(catalog: rregimes.RegimeCatalog, code: str) -> rregimes.Regime | None:
    try:
        return catalog.regimes_for([code])[0]
    except ValueError:
        return None
