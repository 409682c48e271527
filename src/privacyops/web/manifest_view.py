"""Read the few facts the page shell needs from a manifest, whatever its exact model shape.

The manifest model belongs to ``privacyops.manifest``; these helpers look up a short list of likely
places so that the shell keeps working while that model evolves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

NOTICE_DATE_PATHS = (
    ("notice", "last_updated"),
    ("notice", "updated"),
    ("notice", "effective_date"),
    ("notice", "date"),
    ("last_updated",),
    ("effective_date",),
    ("updated",),
)
CONTROLLER_NAME_PATHS = (("controller", "legal_name"), ("controller", "name"), ("name",))


def lookup(obj: Any, path: Iterable[str]) -> Any:
    """Follow attribute or key names; return None as soon as one is missing."""
    current = obj
    for name in path:
        if current is None:
            return None
        current = current.get(name) if isinstance(current, Mapping) else getattr(current, name, None)
    return current


def first(obj: Any, paths: Iterable[tuple[str, ...]]) -> Any:
    for path in paths:
        value = lookup(obj, path)
        if value not in (None, ""):
            return value
    return None


def notice_date(manifest: Any) -> dt.date | None:
    """Return the date the notice was last updated, as declared in the manifest."""
    value = first(manifest, NOTICE_DATE_PATHS)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def controller_name(manifest: Any) -> str:
    """Return the controller's name, or a neutral placeholder."""
    value = first(manifest, CONTROLLER_NAME_PATHS)
    return str(value) if value else "This service"


def count(manifest: Any, name: str) -> int:
    """Return how many entries a top-level collection of the manifest has."""
    value = lookup(manifest, (name,))
    if value is None:
        return 0
    try:
        return len(value)
    except TypeError:
        return 0
