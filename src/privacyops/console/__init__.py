"""The admin console: server-rendered pages under /admin for the privacy team.

``install(app)`` adds every page module of :mod:`privacyops.console.pages`, the console's static files,
its error pages (sign in again, role too low, form expired) and the security headers of the HTML pages.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from privacyops.console import errors, headers


def install(app: FastAPI) -> None:
    """Mount the console on ``app``."""
    import privacyops.console.pages as pages_package
    from privacyops.api.app import discover_routers
    from privacyops.console import framework

    for router in discover_routers(pages_package):
        app.include_router(router)
    app.mount(
        f"{framework.PREFIX}/static", StaticFiles(directory=str(framework.STATIC_DIR)), "console_static"
    )
    errors.install(app)
    app.add_middleware(headers.SecurityHeaders, production=framework.production(app.state.services.settings))
