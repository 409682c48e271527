"""The app factory: everything is built from a ``Settings`` object, nothing at import time."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

import privacyops
import privacyops.api.routes as routes_package
import privacyops.web as web_package
from privacyops import console, jobs, logfilter
from privacyops.api import body_limit, deps, docs, errors, openapi
from privacyops.settings import Settings
from privacyops.store import db, tokens

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def create_app(settings: Settings) -> FastAPI:
    """Build the service: store, manifest, job queue, API routes and public pages."""
    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        logfilter.install()  # served by another host than `privacyops serve`: its logging is scrubbed too
        if settings.worker_in_process:
            services.queue.start_in_process()
        try:
            yield
        finally:
            services.queue.close()
            services.engine.dispose()

    app = FastAPI(
        title="privacyops",
        version=privacyops.__version__,
        description="Privacy as code: the notice, subject requests, consent and retention from one manifest.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by api.docs from the package's own copy of Swagger UI
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    errors.install(app)
    openapi.install(app)
    app.add_middleware(
        body_limit.BodyLimit,
        max_body_bytes=settings.max_body_bytes,
        max_bulk_body_bytes=settings.max_bulk_body_bytes,
    )
    app.include_router(docs.router)
    for router in discover_routers(routes_package):
        app.include_router(router)
    for router in discover_routers(web_package):
        app.include_router(router)
    jobs.check_registry()  # the routes name the tasks they enqueue: all must be registered
    app.mount("/static", StaticFiles(directory=str(Path(web_package.__file__).with_name("static"))), "static")
    console.install(app)  # the admin console's pages, static files and the HTML pages' security headers
    return app


def build_services(settings: Settings) -> deps.Services:
    """Create the engine, session factory, manifest state and job queue the app shares."""
    # Request handlers read then write; immediate SQLite transactions queue them instead of failing.
    engine = db.engine_for(settings, sqlite_immediate=True)
    sessions = db.session_factory(engine)
    manifest = deps.load_manifest_state(Path(settings.manifest))
    if manifest.error:
        log.warning("manifest %s not loaded: %s", settings.manifest, manifest.error)
    queue = jobs.build_queue(settings, sessions)
    admin = tokens.ensure_admin_token(settings)
    return deps.Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        manifest=manifest,
        queue=queue,
        admin_token_sha256=tokens.hash_token(admin.token),
    )


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.ispkg:
            yield importlib.import_module(f"{package.__name__}.{info.name}")


def discover_routers(package: ModuleType) -> list[APIRouter]:
    """Return the ``router`` of every module of ``package`` that has one (a new resource is one file)."""
    found = []
    for module in _modules(package):
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found
