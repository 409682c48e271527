from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from privacyops.api.app import create_app
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db
from tests.support import free_port

ADMIN_TOKEN = "po_test_admin_token_for_pii_tests"
POLICIES = """\
default: {operator: placeholder}
projects:
  proj-pseudo: {operator: pseudonym}
  proj-ips-only: {operator: redact, entities: [IP_ADDRESS]}
"""


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    db.upgrade(db_url)
    home = tmp_path / "home"
    home.mkdir()
    (home / "pii-policies.yml").write_text(POLICIES)
    return Settings(
        database_url=db_url,
        home=home,
        manifest=LANGFUSE_MANIFEST,
        admin_token=ADMIN_TOKEN,
        secret_key="test-secret-for-pseudonyms",
        worker_in_process=False,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve the app with a real uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)
