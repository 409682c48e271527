"""The store, service, worker and audit commands, run as the user runs them: as subprocesses."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from privacyops import jobs
from privacyops.audit import chain
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db
from tests import support
from tests.support import free_port


def privacyops(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "privacyops", *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    return support.clean_env(PRIVACYOPS_HOME=str(home), **extra)


@pytest.fixture
def manifest() -> Path:
    return LANGFUSE_MANIFEST


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


@pytest.fixture
def served(db_url: str, tmp_path: Path, manifest: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    port = free_port()
    home = tmp_path / "home"
    process = subprocess.Popen(
        [sys.executable, "-m", "privacyops", "serve", "--port", str(port), "--manifest", str(manifest)],
        env=clean_env(home, PRIVACYOPS_DATABASE_URL=db_url),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{stop(process)}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "serve did not answer /healthz within 60 s"
        time.sleep(0.2)
    yield base, process, home
    if process.poll() is None:
        stop(process)


def test_serve_answers_healthz_and_prints_the_admin_token_once(
    served: tuple[str, subprocess.Popen[str], Path],
) -> None:
    base, process, home = served
    health = httpx.get(f"{base}/healthz").json()
    assert health["checks"] == {"database": "ok", "manifest": "ok", "queue": "ok", "restore": "ok"}
    assert health["worker_in_process"] is True
    assert httpx.get(f"{base}/.well-known/gpc.json").json()["gpc"] is True
    assert httpx.get(f"{base}/api/v1/manifest").status_code == 401
    token_file = home / "admin_token"
    token = token_file.read_text().strip()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    whoami = httpx.get(f"{base}/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert whoami.json() == {"name": "bootstrap-admin", "role": "admin"}
    output = stop(process)
    assert output.count(token) == 1


def test_serve_refuses_a_missing_manifest(tmp_path: Path) -> None:
    result = privacyops(
        "serve", "--manifest", str(tmp_path / "nowhere.yml"), "--port", str(free_port()),
        env=clean_env(tmp_path / "home"),
    )
    assert result.returncode == 1
    assert "nowhere.yml" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_and_current(db_url: str, tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    before = privacyops("db", "current", "--db", db_url, env=env)
    assert before.returncode == 1 and "never migrated" in before.stdout
    upgraded = privacyops("db", "upgrade", "--db", db_url, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert db.current_revision(db_url) == db.head_revision()
    after = privacyops("db", "current", env={**env, "PRIVACYOPS_DATABASE_URL": db_url})
    assert after.returncode == 0 and f"current: {db.head_revision()}" in after.stdout


def test_db_upgrade_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    result = privacyops(
        "db", "upgrade", "--db", "postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2",
        env=clean_env(tmp_path),
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: could not migrate the database")
    assert "Traceback" not in result.stderr and "secret" not in result.stderr


@pytest.mark.req("RK-4")
def test_audit_verify_names_the_tampered_row(db_url: str, tmp_path: Path) -> None:
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    with db.session_factory(engine).begin() as session:
        for index in range(5):
            chain.append(session, actor="cli-test", action="step", entity="request", entity_id="1",
                         data={"index": index})
    env = clean_env(tmp_path)
    intact = privacyops("audit", "verify", "--db", db_url, env=env)
    assert intact.returncode == 0 and "5 events" in intact.stdout
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_events SET entity_id = '2' WHERE id = 3"))
    engine.dispose()
    broken = privacyops("audit", "verify", "--db", db_url, env=env)
    assert broken.returncode == 1
    assert "broken at row 3" in broken.stderr
    as_json = privacyops("audit", "verify", "--json", env={**env, "PRIVACYOPS_DATABASE_URL": db_url})
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["first_bad_id"] == 3


def test_db_revision_writes_nothing_when_models_and_migrations_agree(tmp_path: Path) -> None:
    result = privacyops("db", "revision", "-m", "nothing", env=clean_env(tmp_path))
    assert result.returncode == 1
    assert "already agree" in result.stderr


def test_worker_runs_queued_tasks(db_url: str, db_kind: str, tmp_path: Path) -> None:
    db.upgrade(db_url)
    home = tmp_path / "home"
    queue_url = db_url if db_kind == "postgres" else ""
    settings = Settings(database_url=db_url, home=home, queue_url=queue_url or None)
    queue = jobs.build_queue(settings)
    queue.enqueue("heartbeat")
    env = clean_env(home, PRIVACYOPS_DATABASE_URL=db_url)
    if queue_url:
        env["PRIVACYOPS_QUEUE_URL"] = queue_url
    process = subprocess.Popen(
        [sys.executable, "-m", "privacyops", "worker", "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while queue.last_heartbeat() is None:
            assert process.poll() is None, "the worker exited early"
            assert time.monotonic() < deadline, "the worker did not run the queued heartbeat"
            time.sleep(0.2)
        # Periodic tasks may be waiting by now, so the queue need not be empty; the heartbeat is fresh.
        heartbeat = queue.last_heartbeat()
        assert heartbeat is not None and abs((datetime.now(UTC) - heartbeat).total_seconds()) < 120
    finally:
        output = stop(process)
        queue.close()
    assert "heartbeat" in output
