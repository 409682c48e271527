"""Run the service with uvicorn."""

from __future__ import annotations

import uvicorn

from privacyops import logfilter
from privacyops.api.app import create_app
from privacyops.settings import Settings
from privacyops.store import db


def run_server(settings: Settings) -> None:
    """Migrate the store to the newest schema, then serve on ``settings.host:settings.port``.

    Every log line, the access log included, goes through ``logfilter.SecretLogFilter``: download
    tokens, request ids in links and email addresses are replaced by placeholders.
    """
    db.upgrade(settings.database_url, secret=db.settings_secret(settings))
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        log_config=logfilter.logging_config(settings.log_level),
        proxy_headers=True,
        server_header=False,
    )
