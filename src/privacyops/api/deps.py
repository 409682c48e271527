"""Request dependencies: the shared services, a session per request, the manifest, and roles.

Routes declare what they need with the ``Annotated`` aliases below; a route that needs a role says
``dependencies=[require_role("admin")]`` (or takes ``Annotated[Principal, require_role(...)]``), and a
route meant for the public says ``dependencies=[public()]``. A test walks every route of the app and
fails for any route that is neither public nor answers 401 without a token.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import fastapi.routing
import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from privacyops.jobs import JobQueue
from privacyops.manifest import load as manifest_load
from privacyops.manifest.schema import Manifest
from privacyops.settings import Settings
from privacyops.store import tokens

ROLE_RANK = {"viewer": 1, "reviewer": 2, "admin": 3}
# A database row id in a path: positive and within PostgreSQL's INTEGER, the type of the id columns.
RowId = Annotated[int, fastapi.Path(ge=1, le=2**31 - 1, description="The record's numeric id.")]


@dataclass
class ManifestState:
    """The manifest loaded at start-up, or why it could not be loaded."""

    path: Path
    manifest: Manifest | None = None
    sha256: str | None = None
    error: str | None = None
    # Renderings of the (immutable) manifest, computed once: e.g. the notice body for /privacy.
    rendered: dict[str, str] = field(default_factory=dict)

    @property
    def loaded(self) -> bool:
        return self.manifest is not None


def load_manifest_state(path: Path) -> ManifestState:
    """Load the manifest with the manifest package's loader, keeping the error instead of raising."""
    state = ManifestState(path=Path(path))
    try:
        state.manifest = manifest_load.load_manifest(path)
        state.sha256 = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except manifest_load.ManifestError as exc:  # reported by /healthz and by `privacyops serve`
        state.error = str(exc)
    return state


@dataclass
class Services:
    """Engine, sessions, manifest, queue and the bootstrap admin token hash, built by ``create_app``."""

    settings: Settings
    engine: sa.Engine
    sessions: sessionmaker[Session]
    manifest: ManifestState
    queue: JobQueue
    admin_token_sha256: str


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's name and role."""

    name: str
    role: str
    token_id: int | None = None


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_session(services: ServicesDep) -> Iterator[Session]:
    """Open one session per request; routes commit what they change, the rest is rolled back."""
    with services.sessions() as session:
        yield session


def get_manifest(services: ServicesDep) -> Manifest:
    if services.manifest.manifest is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"the manifest {services.manifest.path} is not loaded: {services.manifest.error}",
        )
    return services.manifest.manifest


def get_queue(services: ServicesDep) -> JobQueue:
    return services.queue


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ManifestDep = Annotated[Manifest, Depends(get_manifest)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]

bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer <token>`.")


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def authenticate(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Resolve the bearer token to a principal, or answer 401."""
    if credentials is None or not credentials.credentials:
        raise _unauthorised("this endpoint needs an API token in the Authorization header (Bearer)")
    token = credentials.credentials
    if hmac.compare_digest(tokens.hash_token(token), services.admin_token_sha256):
        return Principal(name="bootstrap-admin", role="admin")
    with services.sessions() as session:
        row = tokens.find_active(session, token)
        if row is None:
            raise _unauthorised("the API token is unknown or revoked")
        return Principal(name=row.name, role=row.role, token_id=row.id)


def require_role(role: str) -> Any:
    """Dependency that lets through callers whose role is ``role`` or higher (viewer < reviewer < admin)."""
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLE_RANK)}")

    def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if ROLE_RANK[principal.role] < ROLE_RANK[role]:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"this endpoint needs the {role} role")
        return principal

    check.__name__ = f"require_{role}"
    return Depends(check)


def _public_marker() -> None:
    """Mark a route as meant for anyone (no token)."""


def public() -> Any:
    """Dependency that declares a route public; the authorisation test skips only such routes."""
    return Depends(_public_marker)


@dataclass(frozen=True)
class RouteInfo:
    """One HTTP endpoint of the app as mounted: full path, methods and its dependency tree."""

    path: str
    methods: frozenset[str]
    dependant: Dependant


def api_routes(app: FastAPI) -> list[RouteInfo]:
    """List every API endpoint of ``app`` with its full path, however FastAPI stores included routers."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    found: list[RouteInfo] = []
    if iterate is None:  # FastAPI before lazily included routers: app.routes is already flat
        for route in app.routes:
            if isinstance(route, APIRoute):
                found.append(RouteInfo(route.path, frozenset(route.methods or ()), route.dependant))
        return found
    for context in iterate(app.routes):
        if isinstance(context.original_route, APIRoute):
            found.append(RouteInfo(str(context.path), frozenset(context.methods or ()), context.dependant))
    return found


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def route_is_public(route: RouteInfo) -> bool:
    """Tell whether a route declared itself public with ``public()``."""
    return _public_marker in set(_calls(route.dependant))


def route_needs_token(route: RouteInfo) -> bool:
    """Tell whether a route authenticates its caller."""
    return authenticate in set(_calls(route.dependant))
