"""Job entry points: run a request's steps in the worker, and re-dispatch runs that stalled."""

from __future__ import annotations

import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from privacyops import jobs
from privacyops.execution import reconcile, retrying, runner, start
from privacyops.execution.env import ExecutionEnv, connectors_for
from privacyops.manifest import load as manifest_load
from privacyops.requests import context
from privacyops.settings import Settings

log = logging.getLogger(__name__)

RUN_TASK = "execution_run_request"
DISPATCH_READY_TASK = "execution_dispatch_ready"
(OUTBOX_TASK,) = jobs.needs("requests_send_outbox")


def build_env(settings: Settings) -> ExecutionEnv:
    """Build the execution environment from settings: manifest, connectors, keys (in the worker)."""
    manifest = manifest_load.load_manifest(Path(settings.manifest))
    connectors, problems = connectors_for(manifest)
    return ExecutionEnv(manifest=manifest, service=context.context_from(settings, manifest),
                        connectors=connectors, problems=problems, home=Path(settings.home))


class _SharedEnv:
    """One execution environment per worker process, built again only when what it was built from changes.

    Loading the manifest and opening a connection pool per system costs far more than most runs, so a
    worker keeps them. Each job compares the manifest file's inode, modification time and size, the
    settings and the systems' address variables with those the environment was built from, so that an
    edited manifest or a new address is used from the next job on.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._env: ExecutionEnv | None = None

    @staticmethod
    def _key_of(settings: Settings, env: ExecutionEnv | None) -> tuple[object, ...]:
        path = Path(settings.manifest)
        stat = path.stat()  # a stat per job, not a read: an edit or a replaced file changes these
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        names = sorted(s.url_env for s in env.manifest.systems.values() if s.url_env) if env else []
        addresses = tuple((name, os.environ.get(name)) for name in names)
        return (str(path.resolve()), version, settings.model_dump_json(), addresses)

    def get(self, settings: Settings) -> ExecutionEnv:
        with self._lock:
            if self._env is None or self._key_of(settings, self._env) != self._key:
                # A replaced environment is left to the collector: a job on another thread may still use it.
                self._env = build_env(settings)
                self._key = self._key_of(settings, self._env)
            return self._env


SHARED_ENV = _SharedEnv()


@jobs.task(RUN_TASK, retries=3, retry_delay=10)
def run_request(ctx: jobs.JobContext, request_id: str) -> str:
    """Run the request's pending steps; the store says what is left, so running twice is safe."""
    env = SHARED_ENV.get(ctx.settings)
    if start.start_or_forward(ctx.sessions, env, request_id):
        _send_mail(ctx)
        return "forwarded_to_controller"
    report = runner.run_request(ctx.sessions, env, request_id)
    if report.reason == retrying.RETRYING:
        _retry_later(ctx, report)
    if report.closed or report.status == runner.RUN_FAILED:
        _send_mail(ctx)
    return report.status


def _send_mail(ctx: jobs.JobContext) -> None:
    """Send the mail the run wrote (the answer, a failure alert) now rather than at the next sweep."""
    try:
        ctx.queue.enqueue(OUTBOX_TASK)
    except Exception as exc:  # the outbox sweep sends it within a minute
        log.warning("could not queue %s: %s", OUTBOX_TASK, type(exc).__name__)


def _retry_later(ctx: jobs.JobContext, report: runner.RunReport) -> None:
    """Queue the run again after the backoff of its step that timed out, and say so in the log."""
    tries = max((s["attempts"] for s in report.steps if s["state"] == "pending"), default=1)
    wait = retrying.wait_after(tries)
    # Step names are table and operation names only; the request is not named in the log.
    names = [s["name"] for s in report.steps if s["state"] == "pending" and s["attempts"] == tries]
    log.warning("step %r timed out (try %d of %d); the run is queued again in %.0f s",
                names[0] if names else "?", tries, retrying.MAX_TRIES, wait)
    ctx.queue.enqueue(RUN_TASK, report.request_id, delay=wait)


@jobs.task(DISPATCH_READY_TASK)
def dispatch_ready(ctx: jobs.JobContext) -> int:
    """Queue a run for every request that is ready and has none (after a verification or approval)."""
    with ctx.sessions.begin() as session:
        ids = start.ready(session)
    for request_id in ids:
        ctx.queue.enqueue(RUN_TASK, request_id)
    return len(ids)


@jobs.periodic("execution_reconcile", minute="*")
def reconcile_runs(ctx: jobs.JobContext) -> int:
    """Re-dispatch runs whose worker died or whose queue message was lost, and start ready requests."""
    with ctx.sessions.begin() as session:
        ids = reconcile.reconcile(session, datetime.now(UTC), lambda rid: rid) + start.ready(session)
    for request_id in ids:
        ctx.queue.enqueue(RUN_TASK, request_id)
    return len(ids)
