"""privacyops as an operator runs it: `privacyops serve` and `privacyops worker` as subprocesses.

Two shapes: on PostgreSQL, the API without its in-process worker and N separate worker processes, the
store and the queue in one PostgreSQL database; on SQLite, `privacyops serve` alone with its embedded
queue and in-process worker. Mail goes to an SMTP sink in the benchmark process, which counts it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "bench" / ".work" / "service"
MANIFEST = REPO / "bench" / "dsr" / "obs_manifest.yml"
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"
SECRET_KEY = "bench-secret-key-0123456789abcdef0123456789"


def snapshot_src(revision: str = "HEAD") -> Path:
    """Export a committed source (HEAD) to run from, so that edits in progress in the tree do not count.

    Returns the folder to put first on PYTHONPATH; the commit is named in the results. An earlier
    ``revision`` measures the service as it was, for a before/after on the same machine.
    """
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", revision], check=True, capture_output=True, text=True
    ).stdout.strip()
    target = WORK / f"src-{commit}"
    if not (target / "src" / "privacyops").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", commit, "src/privacyops"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailSink:
    """An SMTP server on 127.0.0.1 that keeps only how many messages arrived (never their text)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.count = 0
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"

    def __enter__(self) -> MailSink:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


@dataclass
class Stack:
    """A running privacyops: base URL, store URL, environment and its processes (stopped by `stop`)."""

    name: str
    store_url: str
    data_url: str
    mail_port: int
    workers: int = 1
    in_process: bool = False
    source: Path | None = None  # a snapshot of the source to run (see snapshot_src); None: the tree
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def home(self) -> Path:
        return WORK / self.name / "home"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The whole configuration, by environment variables only (as docs/deploy.md describes)."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACYOPS_", "APP_", "BENCH_"))}
        env = {
            **keep,
            "PRIVACYOPS_HOME": str(self.home),
            "PRIVACYOPS_DATABASE_URL": self.store_url,
            "PRIVACYOPS_MANIFEST": str(MANIFEST),
            "PRIVACYOPS_ADMIN_TOKEN": ADMIN_TOKEN,
            "PRIVACYOPS_SECRET_KEY": SECRET_KEY,
            "PRIVACYOPS_PORT": str(self.port),
            "PRIVACYOPS_SMTP_HOST": "127.0.0.1",
            "PRIVACYOPS_SMTP_PORT": str(self.mail_port),
            "PRIVACYOPS_DEMO_MODE": "false",
            "PRIVACYOPS_DEFAULT_REGION": "eu",
            "PRIVACYOPS_LOG_LEVEL": "warning",
            "BENCH_OBS_DATABASE_URL": self.data_url,
        }
        for action in ("intake", "verify", "resend"):
            for per in ("address", "identity"):
                env[f"PRIVACYOPS_RATE_LIMIT_{action.upper()}_PER_{per.upper()}"] = "0"  # one load client
        if self.source is not None:
            env["PYTHONPATH"] = str(self.source)
        if self.store_url.startswith("postgresql"):
            env["PRIVACYOPS_QUEUE_URL"] = self.store_url
        env["PRIVACYOPS_WORKER_IN_PROCESS"] = "true" if self.in_process else "false"
        return env

    def start(self) -> Stack:
        """Migrate the store, start the API (and the workers) and wait until the API answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        env = self.env()
        subprocess.run(
            [sys.executable, "-m", "privacyops", "db", "upgrade"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self._spawn(["serve"], env, "serve")
        for number in range(0 if self.in_process else self.workers):
            self._spawn(["worker"], env, f"worker{number + 1}")  # its default threads
        self._wait_healthy()
        return self

    def _spawn(self, args: list[str], env: dict[str, str], log_name: str) -> None:
        log = open(WORK / self.name / f"{log_name}.log", "wb")  # noqa: SIM115 - lives with the process
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "privacyops", *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise SystemExit(f"a privacyops process exited early; see {WORK / self.name}/*.log")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"privacyops did not answer on {self.base} within 60 s")

    def stop(self) -> None:
        """Stop every process this stack started, each by its own process group."""
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes.clear()

    def api(self) -> httpx.Client:
        """An HTTP client on the API (keep-alive, as a front end or a load balancer keeps it)."""
        return httpx.Client(
            base_url=f"{self.base}/api/v1", timeout=60, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )
