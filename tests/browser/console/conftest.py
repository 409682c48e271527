"""The admin console served once per test module, with people of each role and requests to work on.

The app runs in a uvicorn thread on 127.0.0.1 over a real store (SQLite, or PostgreSQL with --db
postgres); no worker runs, so a request stays where a test puts it. Screenshots of the main pages go
to build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from privacyops.api.app import create_app
from privacyops.console import users
from privacyops.demo.generate import build_demo
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.execution import fanout
from privacyops.manifest.load import load_manifest
from privacyops.requests import context, intake
from privacyops.requests import service as rservice
from privacyops.settings import Settings
from privacyops.store import db
from tests.support import free_port

SCREENSHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"
PASSWORD = "console-test-password"


@dataclass
class Console:
    """A served console: its base address, settings and the requests seeded into it."""

    base: str
    settings: Settings
    requests: dict[str, str]

    def sessions(self) -> Any:
        return db.session_factory(db.engine_for(self.settings))


def _seed(settings: Settings) -> dict[str, str]:
    """File requests of several kinds; the erasure has its recipients' tasks opened."""
    manifest = load_manifest(LANGFUSE_MANIFEST)
    ctx = context.context_from(settings, manifest)
    made: dict[str, str] = {}
    engine = db.engine_for(settings)
    with db.session_factory(engine)() as session:
        for role in ("admin", "reviewer", "viewer"):
            users.add(session, username=role, password=PASSWORD, role=role, actor="test")
        for label, kind, address, verified in [
            ("erasure", "erasure", "erin@example.com", True),
            ("to_approve", "erasure", "ada@example.com", True),
            ("to_deny", "access", "dan@example.com", False),
            ("to_extend", "access", "ext@example.com", False),
            ("portability", "portability", "pat@example.com", False),
        ]:
            submission = intake.build_submission(
                request_type=kind,
                identities=[("email", address)],
                regions=["eu"],
                channel="web_form",
                verified=verified,
            )
            made[label] = rservice.submit(session, ctx, submission, actor="subject").request.id
        chosen = fanout.recipients_for(manifest, ["user.contact.email", "user.name"])
        fanout.create_tasks(session, made["erasure"], "erase", chosen, datetime.now(UTC))
        session.commit()
    engine.dispose()
    return made


@pytest.fixture(scope="module")
def console(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    db.upgrade(module_db_url)
    port = free_port()
    settings = Settings(
        database_url=module_db_url,
        home=tmp_path_factory.mktemp("home"),
        manifest=LANGFUSE_MANIFEST,
        admin_token="po_console_browser_admin",
        secret_key="console-browser-secret-key-0123456789",
        worker_in_process=False,
        queue_url="memory://",
        public_url=f"http://127.0.0.1:{port}",
    )
    seeded = _seed(settings)
    # The example manifest's systems read the demo database, whose last user ended the account long
    # ago: the retention page has overdue data to show.
    demo_url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    build_demo(demo_url, users=30, traces=700, seed=5)
    patch = pytest.MonkeyPatch()
    patch.setenv("APP_DATABASE_URL", demo_url)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield Console(f"http://127.0.0.1:{port}", settings, seeded)
    server.should_exit = True
    thread.join(timeout=30)
    patch.undo()


def sign_in(page: Any, console: Console, role: str, *, next_path: str = "/admin/") -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{console.base}{next_path}")
    page.fill("#username", role)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{console.base}{next_path}")


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot under build/screenshots/<name>.png."""

    def take(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        return path

    return take
