"""Job entry points: run a request's steps in the worker, and re-dispatch runs that stalled."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from privacyops import jobs
from privacyops.execution import reconcile, runner, start
from privacyops.execution.env import ExecutionEnv, connectors_for
from privacyops.manifest import load as manifest_load
from privacyops.requests import context

RUN_TASK = "execution_run_request"
DISPATCH_READY_TASK = "execution_dispatch_ready"


def build_env(settings: object) -> ExecutionEnv:
    """Build the execution environment from settings: manifest, connectors, keys (in the worker)."""
    from privacyops.settings import Settings

    assert isinstance(settings, Settings)
    manifest = manifest_load.load_manifest(Path(settings.manifest))
    connectors, problems = connectors_for(manifest)
    return ExecutionEnv(manifest=manifest, service=context.context_from(settings, manifest),
                        connectors=connectors, problems=problems, home=Path(settings.home))


@jobs.task(RUN_TASK, retries=3, retry_delay=10)
def run_request(ctx: jobs.JobContext, request_id: str) -> str:
    """Run the request's pending steps; the store says what is left, so running twice is safe."""
    env = build_env(ctx.settings)
    try:
        if start.start_or_forward(ctx.sessions, env, request_id):
            return "forwarded_to_controller"
        return runner.run_request(ctx.sessions, env, request_id).status
    finally:
        env.close()


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
