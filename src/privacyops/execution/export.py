"""The access package of a request: built by `privacyops.package` when installed, else a plain ZIP."""

from __future__ import annotations

import csv
import importlib
import importlib.util
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from privacyops.engine.run import AccessResult
from privacyops.manifest.schema import Manifest

PACKAGE_MODULE = "privacyops.package"


def write_package(manifest: Manifest, request_id: str, result: AccessResult, path: Path) -> Path:
    """Write the subject's data to a ZIP at `path` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    builder = _package_builder()
    if builder is not None:
        # The full package (cover letter, JSON Schema, encryption) lives in privacyops.package.
        return Path(builder(manifest=manifest, request_id=request_id, result=result, path=path))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        data = json.dumps(_as_json(result.rows), indent=2, sort_keys=True, default=str)
        archive.writestr("data.json", data)
        for table_id, rows in sorted(result.rows.items()):
            archive.writestr(f"{table_id}.csv", _csv(rows))
    return path


def _package_builder() -> Any:
    if importlib.util.find_spec(PACKAGE_MODULE) is None:
        return None
    return getattr(importlib.import_module(PACKAGE_MODULE), "build_access_package", None)


def _as_json(rows: Mapping[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {table: [dict(r) for r in table_rows] for table, table_rows in sorted(rows.items())}


def _csv(rows: list[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows([{c: "" if r.get(c) is None else r.get(c) for c in columns} for r in rows])
    return buffer.getvalue()
