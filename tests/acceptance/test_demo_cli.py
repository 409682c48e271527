"""``privacyops demo`` run as a user runs it: a subprocess that builds, and one that also serves."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from tests.support import clean_env, free_port

SERVE_DEADLINE = 60.0  # a bound for a start that hangs; how fast the demo starts is no test's business


def table_count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_demo_no_serve_builds_the_database_and_exits(db_url: str, tmp_path: Path) -> None:
    # A PostgreSQL URL as people write it, without a driver name, must work too.
    given = db_url.replace("postgresql+psycopg://", "postgresql://")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "privacyops",
            "demo",
            "--no-serve",
            "--db",
            given,
            "--users",
            "30",
            "--traces",
            "900",
            "--seed",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=clean_env(),
    )
    assert result.returncode == 0, result.stderr
    assert "subject1@example.com" in result.stdout
    assert "APP_DATABASE_URL" in result.stdout
    assert table_count(db_url, "traces") == 900
    assert table_count(db_url, "users") == 30
    assert not (tmp_path / ".privacyops" / "admin_token").exists()


def test_demo_options_read_their_environment_variables(db_url: str, tmp_path: Path) -> None:
    env = clean_env(
        PRIVACYOPS_DEMO_DATABASE_URL=db_url,
        PRIVACYOPS_DEMO_TRACES="777",
        PRIVACYOPS_DEMO_USERS="12",
        PRIVACYOPS_DEMO_SERVE="false",
    )
    result = subprocess.run(
        [sys.executable, "-m", "privacyops", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert table_count(db_url, "traces") == 777
    assert table_count(db_url, "users") == 12
    help_text = subprocess.run(
        [sys.executable, "-m", "privacyops", "demo", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(COLUMNS="200"),
    )
    for name in ("PRIVACYOPS_DEMO_DATABASE_URL", "PRIVACYOPS_DEMO_TRACES", "PRIVACYOPS_PORT"):
        assert name in help_text.stdout


def test_demo_refuses_too_few_traces_with_a_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "privacyops", "demo", "--no-serve", "--traces", "10"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=clean_env(),
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "700" in result.stderr


def test_demo_serves_the_notice_and_gpc(tmp_path: Path) -> None:
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "privacyops", "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        pending = {"/privacy", "/.well-known/gpc.json"}
        answers: dict[str, httpx.Response] = {}
        while pending and time.monotonic() - started < SERVE_DEADLINE:
            for path in sorted(pending):
                try:
                    response = httpx.get(base + path, timeout=2)
                except httpx.TransportError:
                    continue
                if response.status_code == 200:
                    answers[path] = response
                    pending.discard(path)
            time.sleep(0.1)
        assert not pending, f"not served within {SERVE_DEADLINE} s: {sorted(pending)}"
        assert answers["/.well-known/gpc.json"].json()["gpc"] is True
        assert "Langfuse" in answers["/privacy"].text
        assert (tmp_path / ".privacyops" / "demo-app.db").exists()
        assert table_count(f"sqlite:///{tmp_path / '.privacyops' / 'demo-app.db'}", "traces") == 2000
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert f"http://127.0.0.1:{port}/privacy" in output
