"""The servers the benchmark needs on 127.0.0.1: PostgreSQL, Redis and the Fides web server."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from interpreter import find_python

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "bench" / ".work"
PEER = Path(os.environ.get("BENCH_FIDES_PEER", "/work/shared/peers/fides"))
FIDES_VENV = WORK / "fidesvenv"
FIDES_VERSION = "2.86.2"
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "56379"))
FIDES_PORT = int(os.environ.get("BENCH_FIDES_PORT", "58080"))
# Fides reads connector templates from ./data/saas/config and fails at start-up without the folder.
FIDES_CWD = WORK / "fides-cwd"


def log(message: str) -> None:
    """Print a progress line (never any personal data)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Postgres:
    """Where the PostgreSQL server listens; trust authentication as `postgres` on 127.0.0.1."""

    host: str
    port: int
    user: str

    def url(self, database: str, driver: str = "psycopg") -> str:
        """Return a SQLAlchemy URL for one database of this server."""
        return f"postgresql+{driver}://{self.user}@{self.host}:{self.port}/{database}"

    def env(self) -> dict[str, str]:
        """Return the libpq variables that point psql, createdb and the peer scripts at this server."""
        # The server trusts local connections, so the password the peer's env.sh expects is never checked.
        return {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user, "PGPASSWORD": "fides"}


@dataclass
class Started:
    """Processes this run started, stopped in reverse order at the end (each by its own process group)."""

    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def add(self, name: str, process: subprocess.Popen[bytes]) -> None:
        self.processes.append((name, process))

    def stop_all(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                log(f"stopping {name} (pid {process.pid})")
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes.clear()


def start_postgres() -> Postgres:
    """Start (or reuse) the project's PostgreSQL through scripts/postgres.sh and return where it listens."""
    out = subprocess.run(["bash", str(REPO / "scripts" / "postgres.sh")], check=True, text=True,
                         capture_output=True).stdout
    found = re.search(r"postgresql\+psycopg://(\w+)@([\d.]+):(\d+)/", out)
    if not found:
        raise SystemExit(f"scripts/postgres.sh printed no URL: {out!r}")
    return Postgres(host=found.group(2), port=int(found.group(3)), user=found.group(1))


def port_open(port: int) -> bool:
    """Return whether something accepts TCP connections on 127.0.0.1:port."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_redis(started: Started) -> None:
    """Start Redis for Fides on 127.0.0.1 (installing Debian's redis-server if missing), or reuse one."""
    if port_open(REDIS_PORT):
        log(f"reusing Redis on 127.0.0.1:{REDIS_PORT}")
        return
    if shutil.which("redis-server") is None:
        log("installing redis-server with apt-get")
        subprocess.run(["apt-get", "install", "-y", "-q", "redis-server"], check=True,
                       stdout=subprocess.DEVNULL)
    process = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--requirepass", "redispassword",
         "--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, start_new_session=True)
    started.add("redis-server", process)
    _wait(lambda: port_open(REDIS_PORT), 20, "Redis")


def ensure_fides_venv() -> Path:
    """Create the Python 3.13 venv with ethyca-fides unless it already has the right version."""
    python = FIDES_VENV / "bin" / "python"
    probe = [str(python), "-c", "import importlib.metadata as m; print(m.version('ethyca-fides'))"]
    installed = ""
    if python.exists():
        installed = subprocess.run(probe, capture_output=True, text=True).stdout.strip()
    if installed == FIDES_VERSION:
        return python
    interpreter = find_python("3.13")
    log(f"installing ethyca-fides=={FIDES_VERSION} into {FIDES_VENV} (about 80 s)")
    subprocess.run([interpreter, "-m", "venv", str(FIDES_VENV)], check=True)
    subprocess.run([str(FIDES_VENV / "bin" / "pip"), "install", "-q", f"ethyca-fides=={FIDES_VERSION}"],
                   check=True)
    return python


def fides_env(pg: Postgres, fides_db: str) -> dict[str, str]:
    """Return the environment of Fides's processes: the peer's env.sh, pointed at our servers."""
    base = {**os.environ, **pg.env(), "REDIS_PORT": str(REDIS_PORT), "FIDES_PORT": str(FIDES_PORT),
            "FIDES_DB": fides_db}
    script = f"set -a; source {PEER / 'env.sh'}; env -0"
    out = subprocess.run(["bash", "-c", script], env=base, check=True, capture_output=True).stdout
    pairs = (item.split(b"=", 1) for item in out.split(b"\0") if b"=" in item)
    return {k.decode(): v.decode() for k, v in pairs}


def start_fides(started: Started, python: Path, env: dict[str, str]) -> None:
    """Run the peer's serve.py from a directory holding data/saas/config and wait for its health check."""
    if port_open(FIDES_PORT):
        raise SystemExit(f"port {FIDES_PORT} is taken; stop what runs there or set BENCH_FIDES_PORT")
    (FIDES_CWD / "data" / "saas" / "config").mkdir(parents=True, exist_ok=True)
    log_file = open(WORK / "fides-server.log", "wb")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen([str(python), str(PEER / "serve.py")], cwd=FIDES_CWD, env=env,
                               stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    started.add("fides webserver", process)
    log("starting Fides (the first start migrates its own database and takes a while)")

    def healthy() -> bool:
        if process.poll() is not None:
            raise SystemExit(f"Fides exited with {process.returncode}; see {WORK / 'fides-server.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{FIDES_PORT}/health", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    _wait(healthy, 600, "Fides")


def start_fides_worker(started: Started, python: Path, env: dict[str, str]) -> None:
    """Run the peer's worker.py (a Celery worker) and wait until it says it is ready for tasks."""
    log_path = WORK / "fides-worker.log"
    log_file = open(log_path, "wb")  # noqa: SIM115 - lives as long as the worker
    process = subprocess.Popen([str(python), str(PEER / "worker.py")], cwd=FIDES_CWD, env=env,
                               stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    started.add("fides worker", process)
    log("starting the Fides Celery worker")

    def ready() -> bool:
        if process.poll() is not None:
            raise SystemExit(f"the Fides worker exited with {process.returncode}; see {log_path}")
        return b" ready." in log_path.read_bytes()

    _wait(ready, 300, "the Fides worker")


def _wait(ready: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.5)
    raise SystemExit(f"{what} did not become ready within {seconds:.0f} s")
