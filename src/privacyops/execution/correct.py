"""Rectification (RR-1): every declared copy of a corrected category takes the new value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from privacyops.connectors.base import Connector, ConnectorError, MapValues, Match
from privacyops.engine.plan import Plan
from privacyops.execution.fanout import concerns
from privacyops.manifest.schema import Manifest


class CorrectionRefused(ValueError):
    """A correction names nothing the manifest declares, or a copy could not be changed."""


def fields_to_correct(manifest: Manifest, plan: Plan, category: str) -> dict[str, list[str]]:
    """Return, per planned table, the declared fields that hold `category` (or a narrower one)."""
    found: dict[str, list[str]] = {}
    for table in plan.tables:
        spec = manifest.systems[table.system].tables[table.table]
        names = [name for name, field in spec.fields.items() if concerns(field.categories, [category])]
        if names:
            found[table.id] = names
    return found


def apply_corrections(manifest: Manifest, plan: Plan, connectors: Mapping[str, Connector],
                      keys: Mapping[str, list[list[Any]]], corrections: Mapping[str, str]) -> int:
    """Change the subject's values of each corrected category in every table found; returns rows changed."""
    changed = 0
    for category, new_value in corrections.items():
        targets = fields_to_correct(manifest, plan, category)
        if not targets:
            raise CorrectionRefused(f"no declared field holds {category}; name a category of the manifest")
        for table_id, names in targets.items():
            found = [tuple(k) for k in keys.get(table_id, [])]
            if found:
                changed += _correct_table(plan, connectors, table_id, names, found, new_value)
    return changed


def _correct_table(plan: Plan, connectors: Mapping[str, Connector], table_id: str, names: list[str],
                   found: list[tuple[Any, ...]], new_value: str) -> int:
    table = plan.table(table_id)
    connector = connectors.get(table.system)
    if connector is None:
        raise CorrectionRefused(f"no connector is configured for system {table.system}")
    match = Match(table.key, tuple(sorted(found, key=repr)))
    try:
        rows = connector.find(table.table, match, names)
        changes = {}
        for name in names:
            olds = sorted({r.get(name) for r in rows} - {None, new_value}, key=repr)
            if olds:
                changes[name] = MapValues(tuple((old, new_value) for old in olds))
        return connector.update(table.table, match, changes) if changes else 0
    except ConnectorError as exc:
        raise CorrectionRefused(f"{table_id}: {exc}") from None
