"""A privacyops deployment as an operator runs it, as subprocesses: API processes, workers, one store.

The chaos trials start two: the one under test (two ``serve --no-worker-in-process`` and two
``privacyops worker``) and a crash-free reference (one ``serve`` with its in-process worker) on a
demo database built the same way, so that every data store can be compared after each batch.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from privacyops.examples import LANGFUSE_MANIFEST
from tests import support
from tests.support import wait_until

ADMIN_TOKEN = "po_chaos_admin_token_0123456789abcdef"
SECRET_KEY = "chaos-secret-key-0123456789abcdef0123"
PROCESSOR_TABLES = ("traces", "observations", "scores")


def processor_manifest(folder: Path) -> Path:
    """The shipped manifest with the trace tables as data customers ingest, so OpenDSR can reach them."""
    text = LANGFUSE_MANIFEST.read_text()
    for table in PROCESSOR_TABLES:
        marker = f"\n      {table}:\n"
        text = text.replace(marker, f"{marker}        role: processor\n", 1)
    path = folder / "privacy.yml"
    path.write_text(text)
    return path


def cli(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "privacyops", *args], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"privacyops {' '.join(args)} exited {done.returncode}:\n{done.stderr}"


@dataclass
class Deployment:
    """Processes sharing one store, one queue, one home folder and one application database."""

    name: str
    env: dict[str, str]
    folder: Path
    ports: list[int] = field(default_factory=list)
    serves: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    restarts: int = 0

    @classmethod
    def prepare(cls, name: str, folder: Path, *, store_url: str, app_url: str, smtp_port: int,
                manifest: Path, users: int = 200) -> Deployment:
        folder.mkdir(parents=True, exist_ok=True)
        env = support.clean_env(
            PRIVACYOPS_HOME=str(folder / "home"), PRIVACYOPS_DATABASE_URL=store_url,
            PRIVACYOPS_QUEUE_URL=store_url, PRIVACYOPS_ADMIN_TOKEN=ADMIN_TOKEN,
            PRIVACYOPS_SECRET_KEY=SECRET_KEY, PRIVACYOPS_MANIFEST=str(manifest),
            PRIVACYOPS_SMTP_HOST="127.0.0.1", PRIVACYOPS_SMTP_PORT=str(smtp_port),
            PRIVACYOPS_DEMO_MODE="false", APP_DATABASE_URL=app_url,
        )
        plain = app_url.split("?", 1)[0]  # the demo builder takes no connector options
        traces = str(max(2000, 10 * users))
        cli(["demo", "--no-serve", "--db", plain, "--users", str(users), "--traces", traces],
            {**env, "APP_DATABASE_URL": plain})
        cli(["db", "upgrade"], env)
        return cls(name, env, folder)

    def _start(self, args: list[str], log: str) -> subprocess.Popen[bytes]:
        with (self.folder / log).open("ab") as sink:
            return subprocess.Popen([sys.executable, "-m", "privacyops", *args], env=self.env, stdout=sink,
                                    stderr=subprocess.STDOUT)

    def start(self, *, serves: int, workers: int, in_process: bool = False) -> None:
        for number in range(serves):
            port = support.free_port()
            self.ports.append(port)
            args = ["serve", "--port", str(port)] + ([] if in_process else ["--no-worker-in-process"])
            self.serves.append(self._start(args, f"serve{number}.log"))
        for number in range(workers):
            self.workers.append(self._start(["worker", "--workers", "2"], f"worker{number}.log"))
        for port in self.ports:
            wait_until(lambda p=port: self._answers(p), f"{self.name} on port {port} to answer", timeout=90)

    def _answers(self, port: int) -> bool:
        for process in self.serves + self.workers:
            assert process.poll() is None, f"a process of {self.name} exited early:\n{self.logs()[-3000:]}"
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill_worker(self, number: int) -> None:
        """SIGKILL a worker (no cleanup of any kind), reap it, and start it again."""
        process = self.workers[number]
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.workers[number] = self._start(["worker", "--workers", "2"], f"worker{number}.log")
        self.restarts += 1

    def base(self, number: int = 0) -> str:
        return f"http://127.0.0.1:{self.ports[number % len(self.ports)]}"

    def api(self, number: int = 0) -> httpx.Client:
        return httpx.Client(base_url=self.base(number), timeout=30,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.folder.glob("*.log")))

    def stop(self) -> None:
        for process in self.serves + self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.serves + self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
