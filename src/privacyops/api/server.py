"""Run the service with uvicorn."""

from __future__ import annotations

import uvicorn

from privacyops.api.app import create_app
from privacyops.settings import Settings
from privacyops.store import db


def run_server(settings: Settings) -> None:
    """Migrate the store to the newest schema, then serve on ``settings.host:settings.port``."""
    db.upgrade(settings.database_url)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        server_header=False,
    )
