"""The hourly retention sweep, run by the worker's scheduler."""

from __future__ import annotations

import logging

from privacyops import jobs
from privacyops.execution.tasks import build_env
from privacyops.retention import runs, sweep

log = logging.getLogger(__name__)

SWEEP_TASK = "retention_sweep"


@jobs.periodic(SWEEP_TASK, minute="7")
def sweep_all(ctx: jobs.JobContext) -> dict[str, str]:
    """Sweep every rule of the manifest that has a sweep; return each rule's run status."""
    env = build_env(ctx.settings)
    statuses: dict[str, str] = {}
    try:
        for rule in sweep.sweep_rules(env):
            try:
                run = sweep.run_rule(env, ctx.sessions, rule)
            except runs.RunBusy:
                statuses[rule.name] = "busy"
                continue
            statuses[rule.name] = run.status
            log.info("retention run %d of %s: %s, rows %s", run.id, rule.name, run.status, run.rows)
    finally:
        env.close()
    return statuses
