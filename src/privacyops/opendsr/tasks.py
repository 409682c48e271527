"""Queued work of OpenDSR: run a request, send the status callbacks, and sweep up what was left behind."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from privacyops import jobs
from privacyops.connectors import registry
from privacyops.connectors.base import Connector
from privacyops.manifest import load as manifest_load
from privacyops.manifest.schema import Manifest
from privacyops.opendsr import callbacks, scope, service, signing
from privacyops.requests import context


class SystemUnreachable(RuntimeError):
    """A system holding customer data has no URL: set the environment variable its url_env names."""


def connectors_for(manifest: Manifest, environ: dict[str, str] | None = None) -> dict[str, Connector]:
    """Build the connector of every system that holds processor tables, from its url or url_env."""
    env = dict(os.environ) if environ is None else environ
    systems = {t.system for t in scope.processor_tables(manifest).values()}
    built: dict[str, Connector] = {}
    for name in sorted(systems):
        system = manifest.systems[name]
        url = system.url or (env.get(system.url_env) if system.url_env else None)
        if url is None and system.url_env:
            raise SystemUnreachable(f"system {name}: set {system.url_env} to its database URL")
        built[name] = registry.create(system.connector, url)
    return built


def send_now(ctx: jobs.JobContext) -> None:
    """Ask the queue to send callbacks now (the periodic sweep catches it if this fails)."""
    try:
        ctx.queue.enqueue("opendsr_send_callbacks")
    except Exception:  # noqa: BLE001 - the sweep sends them later
        return


@jobs.task("opendsr_process", retries=5, retry_delay=60)
def process_request(ctx: jobs.JobContext, request_pk: int) -> str | None:
    """Run one OpenDSR request inside its customer's project, then send its callbacks."""
    manifest = manifest_load.load_manifest(Path(ctx.settings.manifest))
    try:
        status = service.process(
            ctx.sessions, request_pk, manifest, connectors_for(manifest),
            key=context.secret_key(ctx.settings), clock=lambda: datetime.now(UTC),
            base_url=ctx.settings.public_url,
        )
    finally:
        send_now(ctx)
    return status


@jobs.task("opendsr_send_callbacks", retries=8, retry_delay=15)
def send_callbacks(ctx: jobs.JobContext) -> int:
    """Send pending status callbacks, signed; a failure raises so the queue retries."""
    report = callbacks.deliver_pending(ctx.sessions, signing.load_signer(ctx.settings))
    if report.failed:
        raise RuntimeError(f"{report.failed} callback(s) could not be delivered; retrying")
    return report.sent


@jobs.periodic("opendsr_callback_sweep", minute="*")
def callback_sweep(ctx: jobs.JobContext) -> int:
    """Send callbacks an earlier run left behind (a customer endpoint that was down, a lost message)."""
    return callbacks.deliver_pending(ctx.sessions, signing.load_signer(ctx.settings)).sent
