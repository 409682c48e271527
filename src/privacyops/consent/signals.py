"""Browser privacy signals read from request headers: Global Privacy Control and Do-Not-Track.

GPC (OS-1): a request carries the signal only if ``Sec-GPC`` is exactly ``1``. An absent header, or
``0``, is no signal; any other value is malformed and refused, so nothing is recorded from it. DNT
(OS-5) is a different signal: it is recorded only if the manifest says it is honoured, and is never read
as GPC.
"""

from __future__ import annotations

from collections.abc import Mapping

from privacyops.consent.errors import BadSignal
from privacyops.manifest.schema import Manifest

GPC_HEADER = "Sec-GPC"
DNT_HEADER = "DNT"


def gpc_header(headers: Mapping[str, str]) -> bool:
    """Return whether the request carries a GPC signal; raise :class:`BadSignal` for a malformed header."""
    value = headers.get(GPC_HEADER.lower(), headers.get(GPC_HEADER))
    if value is None or value.strip() in ("", "0"):
        return False
    if value.strip() == "1":
        return True
    raise BadSignal(
        f"the {GPC_HEADER} header is 1 when the signal is on (GPC spec); got {value[:20]!r}", field=GPC_HEADER
    )


def dnt_header(headers: Mapping[str, str]) -> bool:
    """Return whether the request carries ``DNT: 1`` (any other value is no signal)."""
    value = headers.get(DNT_HEADER.lower(), headers.get(DNT_HEADER))
    return value is not None and value.strip() == "1"


def honoured_gpc(manifest: Manifest, *, header: bool, page: bool) -> bool:
    """Return whether a GPC signal seen in the header or the page opts the subject out here."""
    return manifest.signals.gpc.honoured and (header or page)


def honoured_dnt(manifest: Manifest, *, header: bool) -> bool:
    """Return whether a DNT signal counts: only when the manifest says DNT is honoured."""
    return manifest.signals.dnt.honoured and header
