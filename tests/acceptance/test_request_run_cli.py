"""`privacyops request plan|run|export` as subprocesses against a store and the demo database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from privacyops.demo.generate import build_demo
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.package import crypto
from privacyops.requests import decisions, intake, service
from privacyops.requests.context import ServiceContext
from privacyops.store import db

SECRET = "acceptance-run-secret-key"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "privacyops", "request", *args], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def world(tmp_path: Path) -> tuple[dict[str, str], str]:
    store, demo = f"sqlite:///{tmp_path / 'store.db'}", f"sqlite:///{tmp_path / 'demo.db'}"
    db.upgrade(store)
    build_demo(demo, users=10, traces=800, seed=3)
    env = {**os.environ, "PRIVACYOPS_DATABASE_URL": store, "APP_DATABASE_URL": demo,
           "PRIVACYOPS_MANIFEST": str(LANGFUSE_MANIFEST), "PRIVACYOPS_SECRET_KEY": SECRET,
           "PRIVACYOPS_HOME": str(tmp_path / "home")}
    return env, store


def file_request(store: str, request_type: str) -> str:
    ctx = ServiceContext(key=SECRET.encode())
    engine = db.make_engine(store, secret=SECRET.encode())  # the deployment the CLI runs as
    submission = intake.build_submission(request_type=request_type,
                                         identities={"email": "subject1@example.com"},
                                         regions=["eu"], channel="cli", verified=True)
    with db.session_factory(engine).begin() as session:
        request = service.submit(session, ctx, submission, actor="test").request
        if request.state == "awaiting_approval":
            decisions.approve(session, ctx, request.id, actor="test")
        request_id = request.id
    engine.dispose()
    return request_id


def test_plan_run_and_export_an_access_request(world: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, store = world
    request_id = file_request(store, "access")
    plan = cli(env, "plan", request_id)
    assert plan.returncode == 0, plan.stderr
    assert "app_db.users" in plan.stdout and "subject1@example.com" not in plan.stdout
    run = cli(env, "run", request_id, "--wait", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["status"] == "completed"
    out = tmp_path / "subject.zip"
    export = cli(env, "export", request_id, "-o", str(out))
    assert export.returncode == 0, export.stderr
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        data = archive.read("data.json").decode()
    assert {"data.json", "cover-letter.html", "cover-letter.md", "manifest.json"} <= set(names)
    assert "subject1@example.com" in data
    # The copy the service keeps is sealed at rest and opens only with the deployment key.
    (kept,) = (Path(env["PRIVACYOPS_HOME"]) / "packages").glob(f"{request_id}.zip.sealed")
    assert not zipfile.is_zipfile(kept)
    opened = crypto.open_sealed(kept.read_bytes(), SECRET.encode())
    with zipfile.ZipFile(io.BytesIO(opened)) as archive:
        assert "cover-letter.html" in archive.namelist()


def test_erasure_plan_lists_the_steps_and_a_failed_step_exits_1(world: tuple[dict[str, str], str]) -> None:
    env, store = world
    request_id = file_request(store, "erasure")
    plan = cli(env, "plan", request_id)
    assert plan.returncode == 0, plan.stderr
    assert "erase app_db.users" in plan.stdout and "prove nothing is left" in plan.stdout
    broken = {**env, "APP_DATABASE_URL": f"sqlite:///{Path(env['PRIVACYOPS_HOME']) / 'missing' / 'x.db'}"}
    run = cli(broken, "run", request_id, "--wait")
    assert run.returncode == 1
    assert "failed" in run.stdout


def test_run_of_an_unknown_request_names_the_field(world: tuple[dict[str, str], str]) -> None:
    env, _ = world
    run = cli(env, "run", "nope", "--wait")
    assert run.returncode == 1
    assert "id:" in run.stderr and "Traceback" not in run.stderr
