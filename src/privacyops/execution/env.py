"""What running a request needs besides the store: the manifest, the connectors, keys and the clock."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from privacyops.connectors import registry
from privacyops.connectors.base import Connector
from privacyops.execution.steps import DEFAULT_LEASE
from privacyops.manifest.schema import Manifest
from privacyops.requests.context import ServiceContext


@dataclass
class ExecutionEnv:
    """Plain values a step reads: the manifest, one connector per system, the workflow context."""

    manifest: Manifest
    service: ServiceContext
    connectors: Mapping[str, Connector]
    lease: timedelta = DEFAULT_LEASE
    home: Path = Path(".privacyops")  # where access packages are written
    problems: Mapping[str, str] = field(default_factory=dict)  # system -> why it has no connector

    def now(self) -> datetime:
        """Return the current time (timezone-aware UTC)."""
        return self.service.now()

    def pseudonym_key(self) -> bytes:
        """Return the key of keyed pseudonyms, derived from the deployment's secret key."""
        return hmac.new(self.service.key, b"privacyops:pseudonymise", hashlib.sha256).digest()

    def close(self) -> None:
        """Release the connectors that hold connections."""
        for connector in self.connectors.values():
            closer = getattr(connector, "close", None)
            if callable(closer):
                closer()


def connectors_for(manifest: Manifest, environ: Mapping[str, str] | None = None
                   ) -> tuple[dict[str, Connector], dict[str, str]]:
    """Build a connector for each system of the manifest; systems that cannot be reached are named."""
    environ = os.environ if environ is None else environ
    built: dict[str, Connector] = {}
    problems: dict[str, str] = {}
    for name, system in manifest.systems.items():
        url = system.url or (environ.get(system.url_env) if system.url_env else None)
        if system.url_env and not url:
            problems[name] = f"set {system.url_env} to the address of system {name}"
            continue
        try:
            built[name] = registry.create(system.connector, url=url)
        except Exception as exc:  # any failure here is reported per step, naming the system
            problems[name] = f"system {name}: {exc}"
    return built, problems
