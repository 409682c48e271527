"""The data map: systems, datasets, categories and subprocessors as a picture and tables; lint findings."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import HTMLResponse

from privacyops.api import deps
from privacyops.console import datamap, framework
from privacyops.manifest import lint
from privacyops.manifest.errors import Finding

router = framework.page_router()
framework.add_nav("Data map", "console_data_map", order=40)
# Lint findings of a manifest, by its SHA-256: the manifest does not change while the service runs.
_FINDINGS: dict[str, list[Finding]] = {}


@router.get("/data-map", response_class=HTMLResponse)
def console_data_map(
    request: Request, staff: framework.Viewer, services: deps.ServicesDep, manifest: deps.ManifestDep
) -> HTMLResponse:
    """Draw the data map and list what the manifest declares and what its lint finds."""
    key = services.manifest.sha256 or ""
    if key not in _FINDINGS:
        _FINDINGS[key] = lint.lint(manifest, today=datetime.now(UTC).date())
    systems = [
        (
            name,
            system,
            [
                (table_name, table, sorted({c for f in table.fields.values() for c in f.categories}))
                for table_name, table in system.tables.items()
            ],
        )
        for name, system in manifest.systems.items()
    ]
    return framework.render(
        request,
        staff,
        "data_map.html",
        {
            "title": "Data map",
            "graph": datamap.build(manifest),
            "systems": systems,
            "subprocessors": manifest.subprocessors,
            "findings": _FINDINGS[key],
            "manifest_path": services.manifest.path.name,
        },
    )
