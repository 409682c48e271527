"""The access package of a request, built by ``privacyops.package`` (AC-1..AC-6).

A package kept by the service (``<home>/packages``) is sealed with AES-GCM under the deployment key, so
it is encrypted at rest; an operator's ``request export -o FILE`` writes the plain ZIP they asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from privacyops.engine.run import AccessResult
from privacyops.manifest.schema import Manifest
from privacyops.package import build, crypto

SEALED_SUFFIX = ".sealed"


def package_bytes(manifest: Manifest, request_id: str, result: AccessResult,
                  subject: Mapping[str, Any], generated_at: datetime | None = None) -> bytes:
    """Return the ZIP bytes of the subject's access package."""
    return build.build_access_package(
        manifest, result, subject=subject, request_id=request_id,
        generated_at=generated_at or datetime.now(UTC),
    )


def write_package(manifest: Manifest, request_id: str, result: AccessResult, path: Path, *,
                  subject: Mapping[str, Any], seal_key: bytes | None = None,
                  generated_at: datetime | None = None) -> Path:
    """Write the package to ``path`` (sealed, with ``.sealed`` appended, when a key is given)."""
    data = package_bytes(manifest, request_id, result, subject, generated_at)
    path.parent.mkdir(parents=True, exist_ok=True)
    if seal_key is not None:
        path = path.with_name(path.name + SEALED_SUFFIX)
        data = crypto.seal(data, seal_key)
    path.write_bytes(data)
    return path
