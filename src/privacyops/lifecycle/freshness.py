"""How old the notice in effect is: the health check warns from month 11, before the 12-month limit (NV-1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from privacyops.lifecycle import versions
from privacyops.manifest.rules_base import months_between
from privacyops.manifest.schema import Manifest
from privacyops.web import manifest_view

DUE_MONTHS = 11
STALE_MONTHS = 12


def notice_date(session: Session, manifest: Manifest | None, today: dt.date) -> dt.date | None:
    """Return the "last updated" date in effect: the published version's, else the manifest's own."""
    current = versions.current(session, today)
    if current is not None:
        return current.effective_date
    return manifest_view.notice_date(manifest) if manifest is not None else None


def notice_health(session: Session, manifest: Manifest | None, today: dt.date) -> dict[str, Any]:
    """Return the notice's age check for /healthz: ok, alert (11 months or more) or unknown (no date)."""
    updated = notice_date(session, manifest, today)
    if updated is None:
        return {
            "state": "unknown",
            "last_updated": None,
            "message": "no published version and no notice.last_updated: publish one with "
            "`privacyops notice publish`",
        }
    age = months_between(updated, today)
    body: dict[str, Any] = {"state": "ok", "last_updated": updated.isoformat(), "age_months": age}
    if age >= DUE_MONTHS:
        body["state"] = "alert"
        body["message"] = (
            f"the notice was last updated {age} months ago; review it and publish a new "
            f"version before it is {STALE_MONTHS} months old"
        )
    return body
