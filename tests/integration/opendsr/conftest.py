"""OpenDSR fixtures: the demo database, a manifest marking traces as customer data, a callback server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from privacyops.demo.generate import build_demo
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db

ADMIN_TOKEN = "po_test_admin_token_for_opendsr_tests"
PROCESSOR_TABLES = ("traces", "observations", "scores")


def processor_manifest_text() -> str:
    """The shipped manifest with the trace tables marked as data customers ingest (role: processor)."""
    text = LANGFUSE_MANIFEST.read_text()
    for table in PROCESSOR_TABLES:
        marker = f"\n      {table}:\n"
        assert marker in text, table
        text = text.replace(marker, f"{marker}        role: processor\n", 1)
    return text


@dataclass
class Demo:
    """The demo database with one subject's trace added in a second project."""

    url: str
    user: str
    email: str
    project: str
    other_project: str
    extra_trace: str = "t_other_project"


@pytest.fixture
def demo(make_db_url: Any, monkeypatch: pytest.MonkeyPatch) -> Demo:
    url = make_db_url("demo")
    build_demo(url, users=30, traces=1400, seed=5)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        email = conn.execute(sa.text("SELECT email FROM users WHERE id = 'u_1'")).scalar_one()
        project = conn.execute(
            sa.text("SELECT project_id FROM traces WHERE user_id = 'u_1' LIMIT 1")).scalar_one()
        other = conn.execute(
            sa.text("SELECT id FROM projects WHERE id <> :p ORDER BY id LIMIT 1"), {"p": project}
        ).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO traces (id, user_id, project_id, name, input, output, metadata) "
            "VALUES ('t_other_project', 'u_1', :p, 'chat', 'hello', 'hi', :m)"
        ), {"p": other, "m": json.dumps({"user": {"email": email}})})
    engine.dispose()
    monkeypatch.setenv("APP_DATABASE_URL", url)
    return Demo(url, "u_1", email, project, other)


@pytest.fixture
def manifest_path(tmp_path: Path) -> Path:
    path = tmp_path / "privacy.yml"
    path.write_text(processor_manifest_text())
    return path


@pytest.fixture
def settings(db_url: str, tmp_path: Path, manifest_path: Path) -> Settings:
    db.upgrade(db_url)
    return Settings(
        database_url=db_url, home=tmp_path / "home", manifest=manifest_path, admin_token=ADMIN_TOKEN,
        worker_in_process=False, public_url="http://processor.test",
    )


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class CallbackServer:
    """A real HTTP server on 127.0.0.1 recording what it is sent; ``fail_next`` answers 500 that often."""

    url: str
    received: list[Received] = field(default_factory=list)
    fail_next: int = 0


@pytest.fixture
def callback_server() -> Iterator[CallbackServer]:
    state = CallbackServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if state.fail_next > 0:
                state.fail_next -= 1
                self.send_response(500)
                self.end_headers()
                return
            state.received.append(Received(body, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/opendsr/callbacks"
    yield state
    server.shutdown()
    thread.join(timeout=10)
