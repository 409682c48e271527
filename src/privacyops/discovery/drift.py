"""Discovery drift per system: what the manifest declares, what a scan found undeclared, and the reverse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from privacyops.store.models.discovery import DiscoveryScan


@dataclass(frozen=True)
class Column:
    """One column as the data map lists it: where, the categories declared and the entities found."""

    table: str
    column: str
    categories: tuple[str, ...]
    found: tuple[tuple[str, int], ...]
    sampled: int

    @property
    def name(self) -> str:
        """Return ``table.column``."""
        return f"{self.table}.{self.column}"


@dataclass
class Drift:
    """The three lists of one system's last scan."""

    system: str
    scan: DiscoveryScan
    declared: list[Column] = field(default_factory=list)
    undeclared: list[Column] = field(default_factory=list)
    not_found: list[Column] = field(default_factory=list)


def of(scan: DiscoveryScan) -> Drift:
    """Sort the columns of a stored scan into declared / found but undeclared / declared but not found."""
    drift = Drift(scan.system, scan)
    for entry in scan.columns:
        column = _column(entry)
        if not entry.get("present", True):
            drift.not_found.append(column)
        elif entry.get("declared") and entry.get("categories"):
            drift.declared.append(column)
        elif entry.get("personal"):
            drift.undeclared.append(column)
    return drift


def _column(entry: dict[str, Any]) -> Column:
    entities = entry.get("entities") or {}
    found = tuple(sorted(((str(e), int(n)) for e, n in entities.items()), key=lambda kv: (-kv[1], kv[0])))
    return Column(str(entry["table"]), str(entry["column"]), tuple(entry.get("categories") or ()), found,
                  int(entry.get("sampled") or 0))
