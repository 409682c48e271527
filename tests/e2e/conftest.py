"""The deployed service as an operator runs it: ``serve`` and ``worker`` as subprocesses, mail, a browser.

Nothing here calls the engine in process: a request goes from the privacy-center form to ``completed``
only through the running service, its queue and its worker.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from privacyops.examples import LANGFUSE_MANIFEST
from tests import support
from tests.integration.requests.conftest import Inbox
from tests.support import wait_until

ADMIN_TOKEN = "po_end_to_end_admin_token_0123456789"
SECRET_KEY = "end-to-end-secret-key-0123456789abcdef"
DEMO_BANNER_END = "privacyops on http"  # the last line the demo prints before it serves


class Mailbox(Inbox):
    """Messages received by a real SMTP server on 127.0.0.1, looked up by recipient."""

    def texts_to(self, address: str) -> list[tuple[str, str]]:
        """(subject, plain text) of every message sent to ``address``."""
        found = []
        for message in self.messages:
            if address in str(message["To"]):
                body = message.get_body(preferencelist=("plain",))
                found.append((str(message["Subject"]), body.get_content() if body is not None else ""))
        return found


def code_for(texts: list[tuple[str, str]]) -> str | None:
    """The six-digit code of the newest verification message, if one arrived."""
    for subject, text in reversed(texts):
        found = re.search(r"^\s+(\d{6})\s*$", text, re.MULTILINE)
        if "code" in subject.lower() and found:
            return found.group(1)
    return None


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=support.free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@dataclass
class Service:
    """A running privacyops: its base URL, environment, app database and the log files of its processes."""

    base: str
    env: dict[str, str]
    app_db_url: str
    store_url: str
    logs: list[Path]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.base}/api/v1", timeout=30,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def log_text(self) -> str:
        """Everything the processes wrote, from the moment they serve.

        ``privacyops demo`` first prints what it built, naming the made-up demo subjects a newcomer
        can try; that banner is the command's answer to its user, not a log line, and is left out.
        """
        text = "\n".join(path.read_text(errors="replace") for path in self.logs if path.exists())
        banner_end = text.find(DEMO_BANNER_END)
        return text[banner_end:] if banner_end >= 0 else text


def cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``privacyops ARGS`` as the operator would; fail with its output on a non-zero exit."""
    done = subprocess.run([sys.executable, "-m", "privacyops", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"privacyops {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return done


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``privacyops ARGS`` in the background with its output in ``log``."""
    with log.open("wb") as sink:
        return subprocess.Popen([sys.executable, "-m", "privacyops", *args], env=env, stdout=sink,
                                stderr=subprocess.STDOUT)


def wait_healthy(service: Service) -> None:
    def answers() -> bool:
        for process in service.processes:
            assert process.poll() is None, f"a process exited early:\n{service.log_text()[-3000:]}"
        try:
            return httpx.get(f"{service.base}/healthz", timeout=2).status_code < 500
        except httpx.HTTPError:
            return False

    wait_until(answers, "the service to answer /healthz", timeout=60)


class DemoMailbox:
    """The mail ``privacyops demo`` keeps instead of sending, read from its ``/dev/mail.json``."""

    def __init__(self, base: str) -> None:
        self.base = base

    def texts_to(self, address: str) -> list[tuple[str, str]]:
        kept = httpx.get(f"{self.base}/dev/mail.json", timeout=10).json()
        messages = kept["messages"] if isinstance(kept, dict) else kept
        return [(m["subject"], m["text"]) for m in messages if address in m["to"]]


MailSource = Mailbox | DemoMailbox


def _base_env(db_url: str, app_db_url: str, tmp_path: Path, port: int) -> dict[str, str]:
    return support.clean_env(
        PRIVACYOPS_HOME=str(tmp_path / "home"),
        PRIVACYOPS_DATABASE_URL=db_url,
        PRIVACYOPS_ADMIN_TOKEN=ADMIN_TOKEN,
        PRIVACYOPS_SECRET_KEY=SECRET_KEY,
        PRIVACYOPS_PORT=str(port),
    )


@pytest.fixture(params=["serve+worker", "demo"])
def running(request: pytest.FixtureRequest, db_kind: str, db_url: str, make_db_url: Callable[[str], str],
            tmp_path: Path) -> Iterator[tuple[Service, MailSource]]:
    """A running service and where its mail goes.

    ``serve+worker``: the production shape, ``privacyops serve`` without its in-process worker and a
    separate ``privacyops worker`` (on PostgreSQL the queue is in PostgreSQL too), mail sent by SMTP.
    ``demo``: ``privacyops demo`` as a newcomer starts it, its in-process worker and its mailbox.
    """
    port = support.free_port()
    app_db_url = make_db_url("app")
    env = _base_env(db_url, app_db_url, tmp_path, port)
    logs = [tmp_path / "serve.log", tmp_path / "worker.log"]
    running = Service(f"http://127.0.0.1:{port}", env, app_db_url, db_url, logs)
    if request.param == "demo":
        source: MailSource = DemoMailbox(running.base)
        running.processes.append(start(["demo", "--db", app_db_url], env, logs[0]))
    else:
        smtp: Mailbox = request.getfixturevalue("mailbox")
        source = smtp
        env.update(PRIVACYOPS_MANIFEST=str(LANGFUSE_MANIFEST), PRIVACYOPS_SMTP_HOST="127.0.0.1",
                   PRIVACYOPS_SMTP_PORT=str(smtp.port), PRIVACYOPS_DEMO_MODE="false",
                   APP_DATABASE_URL=app_db_url)
        if db_kind == "postgres":
            env["PRIVACYOPS_QUEUE_URL"] = db_url
        cli("demo", "--no-serve", "--db", app_db_url, env=env)  # the application's data only
        cli("db", "upgrade", env=env)
        running.processes.append(start(["serve", "--no-worker-in-process"], env, logs[0]))
        running.processes.append(start(["worker", "--workers", "2"], env, logs[1]))
    try:
        wait_healthy(running)
        yield running, source
    finally:
        for process in running.processes:
            support.stop_process(process, signal.SIGTERM)  # as systemd stops a service
