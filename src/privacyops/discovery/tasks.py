"""The worker's discovery scan: run a scan an admin queued from the console's data map."""

from __future__ import annotations

from pathlib import Path

from privacyops import jobs
from privacyops.discovery import scans
from privacyops.manifest import load as manifest_load

SCAN_TASK = "discovery_scan"


@jobs.task(SCAN_TASK, retries=0)
def run_scan(ctx: jobs.JobContext, scan_id: int) -> str:
    """Scan the system of the queued scan ``scan_id``; return its status."""
    manifest = manifest_load.load_manifest(Path(ctx.settings.manifest))
    row = scans.run(ctx.sessions, manifest, scan_id)
    return row.status if row is not None else "missing"
