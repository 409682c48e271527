"""A private PostgreSQL server for one test, from Debian's binaries, that the test may stop and start.

The shared test server (``scripts/postgres.sh``) serves every other test at the same time, so a test
that takes its database away starts its own: its own data folder and port, the same settings as the
shared one (no fsync: a restart here is a clean shutdown, never a power cut).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tests import support

SETTINGS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 "
            "-c unix_socket_directories=")  # TCP only: a socket path under tmp_path may be too long


def binaries() -> Path:
    """The newest installed PostgreSQL's bin folder (``apt-get install postgresql`` provides one)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise AssertionError("no PostgreSQL under /usr/lib/postgresql: apt-get install postgresql")
    return found[-1]


def _as_server_user() -> list[str]:
    # The server refuses to run as root; as root, run its tools as the postgres account.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _server_folder() -> Path:
    """A folder for the data directory that the postgres account owns.

    Not under pytest's temporary folder: pytest makes its root private to root again whenever another
    session starts (several test runs on one machine), which would lock the server out of its own files.
    """
    folder = Path(tempfile.mkdtemp(prefix="privacyops-chaos-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


@dataclass
class PrivateServer:
    """A PostgreSQL server in ``data`` on 127.0.0.1:``port``, its superuser ``postgres`` with trust."""

    data: Path
    port: int

    @classmethod
    def create(cls) -> PrivateServer:
        data = _server_folder() / "pgdata"
        server = cls(data, support.free_port())
        server._tool("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--locale=C.UTF-8")
        server.start()
        return server

    def _tool(self, name: str, *args: str) -> None:
        command = [*_as_server_user(), str(binaries() / name), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._tool("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"), "-w",
                   "-o", f"-h 127.0.0.1 -p {self.port} {SETTINGS}", "start")

    def stop(self) -> None:
        """Stop the server at once (``-m fast``: open sessions are ended, nothing is lost)."""
        self._tool("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder."""
        if self.running():
            self.stop()
        shutil.rmtree(self.data.parent, ignore_errors=True)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its URL."""
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)
