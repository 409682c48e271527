"""privacyops's engine on a benchmark database: plan + run of access and erasure, timed in process."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = Path(__file__).with_name("obs_manifest.yml")
SYSTEM = "obs_db"  # the system obs_manifest.yml declares
PSEUDONYM_KEY = b"bench-dsr-pseudonymisation-key-32"


@dataclass
class Timings:
    """Seconds per request, with the rows each access returned and anything that went wrong."""

    access_s: list[float] = field(default_factory=list)
    erasure_s: list[float] = field(default_factory=list)
    cold_access_s: float | None = None
    access_rows: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def median(self, kind: str) -> float | None:
        values = self.access_s if kind == "access" else self.erasure_s
        return statistics.median(values) if values else None


def engine_available() -> str | None:
    """Return why the engine cannot be used yet, or None when it can."""
    try:
        import privacyops.engine.plan  # noqa: F401
        import privacyops.engine.run  # noqa: F401
    except ImportError as exc:
        return f"privacyops engine not importable: {exc}"
    return None


def measure(url: str, access_emails: list[str], erasure_emails: list[str],
            manifest_path: Path = MANIFEST) -> Timings:
    """Time privacyops on the database at `url`: one cold access, then each access and erasure given.

    The manifest is loaded and the connector opened once, as a long-running worker does; each request
    is timed from building its plan to the end of its run (an erasure includes its proof re-query).
    """
    from privacyops.connectors import registry
    from privacyops.engine import plan as engine_plan
    from privacyops.engine import run as engine_run
    from privacyops.manifest import load

    manifest = load.load_manifest(manifest_path)
    connector = registry.create("sql", url)
    connectors = {SYSTEM: connector}
    timings = Timings()

    def access(email: str) -> float:
        identities = {"email": email}
        started = time.perf_counter()
        plan = engine_plan.build_plan(manifest, identities, "access")
        result = engine_run.run_access(plan, connectors, identities)
        seconds = time.perf_counter() - started
        if not result.ok:
            timings.errors.append(f"access failed: {_failures(result.steps)}")
        timings.access_rows = {t.split(".", 1)[1]: len(rows) for t, rows in result.rows.items()}
        return seconds

    def erasure(email: str) -> float:
        identities = {"email": email}
        started = time.perf_counter()
        plan = engine_plan.build_plan(manifest, identities, "erasure")
        result = engine_run.run_erasure(plan, connectors, PSEUDONYM_KEY, identities)
        seconds = time.perf_counter() - started
        if not result.ok:
            timings.errors.append(f"erasure failed: {_failures(result.steps)}")
        return seconds

    try:
        if access_emails:
            timings.cold_access_s = access(access_emails[0])
        timings.access_s = [access(e) for e in access_emails]
        timings.erasure_s = [erasure(e) for e in erasure_emails]
    finally:
        close = getattr(connector, "close", None)
        if close is not None:
            close()
    return timings


def _failures(steps: list[Any]) -> str:
    return ", ".join(f"{s.table}: {s.reason}" for s in steps if s.status != "done") or "evidence not ok"
