"""The few facts of a manifest that the page shell and the summary show."""

from __future__ import annotations

import datetime as dt

from privacyops.manifest.schema import Manifest


def notice_date(manifest: Manifest) -> dt.date:
    """Return the date the notice was last updated (the ``lastUpdate`` of gpc.json).

    A manifest that states no date (the lint asks for one) gives the date it took effect, else today.
    """
    return manifest.notice.last_updated or manifest.notice.effective_date or dt.date.today()


def controller_name(manifest: Manifest) -> str:
    """Return the controller's legal name."""
    return manifest.controller.legal_name
