"""The few facts of a manifest that the page shell and the summary show."""

from __future__ import annotations

import datetime as dt

from privacyops.manifest.schema import Manifest


def notice_date(manifest: Manifest) -> dt.date | None:
    """Return the date the manifest says its notice was last updated, else took effect, else None.

    A date the manifest does not state (such as today) is never filled in; a published version's date
    comes first where the store is at hand (privacyops.lifecycle.freshness.notice_date).
    """
    return manifest.notice.last_updated or manifest.notice.effective_date


def controller_name(manifest: Manifest) -> str:
    """Return the controller's legal name."""
    return manifest.controller.legal_name
