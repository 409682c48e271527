"""Match the identities of an OpenDSR request, raw or hashed, to values held inside the customer's project.

A raw value is used as it is (an email lower-cased). A hashed one (sha1, md5, sha256 in hex) cannot be
queried, so it is compared with the hash of every value of that identity column in the project: the
cost is bounded by the project's own rows, never the whole table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from privacyops.connectors.base import read_locator, split_locator
from privacyops.engine.plan import Plan
from privacyops.opendsr import schemas
from privacyops.opendsr.scope import ScopedConnector


@dataclass(frozen=True)
class Wanted:
    """One identity as asked: the manifest's kind, the format and the (raw or hashed) value."""

    kind: str
    identity_format: str
    value: str


def wanted(identities: Iterable[Mapping[str, str]]) -> list[Wanted]:
    """Turn stored OpenDSR identities into what the matcher needs (unsupported types are left out)."""
    found: list[Wanted] = []
    for item in identities:
        kind = schemas.SUPPORTED_TYPES.get(item["identity_type"])
        if kind is None:
            continue
        value = item["identity_value"]
        if item["identity_format"] == "raw" and kind == "email":
            value = value.strip().lower()
        found.append(Wanted(kind, item["identity_format"], value))
    return found


def digest(identity_format: str, value: str) -> str:
    """Return the hex digest of ``value`` in the given format."""
    return hashlib.new(identity_format, value.encode()).hexdigest()


def resolve(
    asked: Iterable[Wanted], plan: Plan, connectors: Mapping[str, ScopedConnector]
) -> dict[str, set[str]]:
    """Return the raw values per identity kind: given ones, and the project's values whose hash was given."""
    values: dict[str, set[str]] = {}
    hashed: dict[str, dict[str, set[str]]] = {}
    for item in asked:
        if item.identity_format == "raw":
            values.setdefault(item.kind, set()).add(item.value)
        else:
            hashed.setdefault(item.kind, {}).setdefault(item.identity_format, set()).add(item.value)
    for kind, by_format in hashed.items():
        for candidate in _candidates(kind, plan, connectors):
            forms = {candidate, candidate.strip().lower()}
            digests = {digest(fmt, form) for fmt in by_format for form in forms}
            if any(digests & asked_hashes for asked_hashes in by_format.values()):
                values.setdefault(kind, set()).add(candidate)
    return values


def _candidates(kind: str, plan: Plan, connectors: Mapping[str, ScopedConnector]) -> set[str]:
    found: set[str] = set()
    for table in plan.tables:
        locator = table.identities.get(kind)
        connector = connectors.get(table.system)
        if locator is None or connector is None or table.table not in connector.columns:
            continue
        column, _ = split_locator(locator)
        for row in connector.in_project(table.table, [column]):
            value = read_locator(row, locator)
            if value not in (None, ""):
                found.add(str(value))
    return found


def identity_sets(values: Mapping[str, set[str]]) -> list[dict[str, str]]:
    """Spread the values over runs of the engine, which takes one value per kind in each run."""
    ordered = {kind: sorted(found) for kind, found in values.items() if found}
    runs = max((len(v) for v in ordered.values()), default=0)
    return [{kind: vs[i] for kind, vs in ordered.items() if i < len(vs)} for i in range(runs)]
