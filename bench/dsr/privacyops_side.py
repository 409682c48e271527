"""privacyops's engine on a benchmark database: plan + run of access and erasure, timed in process."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
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


class Session:
    """privacyops as a long-running worker holds it: the manifest loaded and the connector open, once."""

    def __init__(self, url: str, manifest_path: Path = MANIFEST) -> None:
        from privacyops.connectors import registry
        from privacyops.engine import plan, run
        from privacyops.manifest import load

        self._plan, self._run = plan, run
        self.manifest = load.load_manifest(manifest_path)
        self.connector = registry.create("sql", url)
        self.connectors = {SYSTEM: self.connector}
        self.timings = Timings()

    def access(self, email: str) -> float:
        """Plan and run one access request; return its seconds and record the rows it returned."""
        identities = {"email": email}
        started = time.perf_counter()
        plan = self._plan.build_plan(self.manifest, identities, "access")
        result = self._run.run_access(plan, self.connectors, identities)
        seconds = time.perf_counter() - started
        if not result.ok:
            self.timings.errors.append(f"access failed: {_failures(result.steps)}")
        self.timings.access_rows = {t.split(".", 1)[1]: len(rows) for t, rows in result.rows.items()}
        return seconds

    def erasure(self, email: str) -> float:
        """Plan and run one erasure request, its proof re-query included; return its seconds."""
        identities = {"email": email}
        started = time.perf_counter()
        plan = self._plan.build_plan(self.manifest, identities, "erasure")
        result = self._run.run_erasure(plan, self.connectors, PSEUDONYM_KEY, identities)
        seconds = time.perf_counter() - started
        if not result.ok:
            self.timings.errors.append(f"erasure failed: {_failures(result.steps)}")
        return seconds

    def close(self) -> None:
        close = getattr(self.connector, "close", None)
        if close is not None:
            close()


def measure(url: str, access_emails: list[str], erasure_emails: list[str],
            manifest_path: Path = MANIFEST,
            around_erasure: Callable[[str], Callable[[], None]] | None = None) -> Timings:
    """Time privacyops on the database at `url`: one cold access, then each access and erasure given.

    The manifest is loaded and the connector opened once, as a long-running worker does; each request
    is timed from building its plan to the end of its run (an erasure includes its proof re-query).
    `around_erasure(email)`, when given, is called untimed before each erasure and returns what to call
    untimed after it (e.g. a snapshot and its restore, so a subject can be erased again).
    """
    session = Session(url, manifest_path)
    timings = session.timings
    try:
        if access_emails:
            timings.cold_access_s = session.access(access_emails[0])
        timings.access_s = [session.access(e) for e in access_emails]
        for email in erasure_emails:
            after = around_erasure(email) if around_erasure else None
            timings.erasure_s.append(session.erasure(email))
            if after is not None:
                after()
    finally:
        session.close()
    return timings


def _failures(steps: list[Any]) -> str:
    return ", ".join(f"{s.table}: {s.reason}" for s in steps if s.status != "done") or "evidence not ok"
