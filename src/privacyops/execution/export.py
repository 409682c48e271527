"""The access package of a request, built by ``privacyops.package`` (AC-1..AC-6).

A package kept by the service (``<home>/packages``) is sealed with AES-GCM under the deployment key, so
it is encrypted at rest; an operator's ``request export -o FILE`` writes the plain ZIP they asked for.
Both say how many rows each table holds in the package and how many older ones the period left out:
the same numbers the cover letter, data.json and the CSV files give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from privacyops import home
from privacyops.engine.run import AccessResult
from privacyops.manifest.schema import Manifest
from privacyops.package import build, crypto
from privacyops.package import lookback as window

SEALED_SUFFIX = ".sealed"


@dataclass(frozen=True)
class Written:
    """Where the package went, with the rows of each table in it and the period applied."""

    path: Path
    package: build.Package

    def summary(self) -> dict[str, Any]:
        """Return the counts and the period as plain values, without personal data (kept with the run)."""
        period = self.package.period
        return {
            "package_rows": dict(sorted(self.package.rows.items())),
            "package_left_out": dict(sorted(period.left_out.items())),
            "lookback": {"mode": period.mode, "since": period.since.isoformat() if period.since else None,
                         "reason": period.reason},
        }


def build_package(manifest: Manifest, request_id: str, result: AccessResult, subject: Mapping[str, Any],
                  generated_at: datetime | None = None,
                  lookback: window.Choice | None = None) -> build.Package:
    """Return the subject's access package with its counts; without a lookback it holds everything."""
    return build.build_package(
        manifest, result, subject=subject, request_id=request_id,
        generated_at=generated_at or datetime.now(UTC), lookback=lookback or window.Choice("all"),
    )


def package_bytes(manifest: Manifest, request_id: str, result: AccessResult,
                  subject: Mapping[str, Any], generated_at: datetime | None = None,
                  lookback: window.Choice | None = None) -> bytes:
    """Return the ZIP bytes of the subject's access package."""
    return build_package(manifest, request_id, result, subject, generated_at, lookback).data


def write_package(manifest: Manifest, request_id: str, result: AccessResult, path: Path, *,
                  subject: Mapping[str, Any], seal_key: bytes | None = None,
                  generated_at: datetime | None = None, lookback: window.Choice | None = None) -> Written:
    """Write the package to ``path`` (sealed, with ``.sealed`` appended, when a key is given)."""
    package = build_package(manifest, request_id, result, subject, generated_at, lookback)
    data = package.data
    if seal_key is not None:
        path = path.with_name(path.name + SEALED_SUFFIX)
        data = crypto.seal(data, seal_key)
    return Written(home.write_private(path, data), package)  # a subject's data: readable by its owner only
