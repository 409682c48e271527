"""What every lint rule receives, and small helpers the rules share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from privacyops.manifest.errors import Finding, Level
from privacyops.manifest.schema import Manifest
from privacyops.manifest.source import Path, SourceMap


@dataclass(frozen=True)
class Context:
    """The manifest under lint, where its keys are, and the date the lint runs as of."""

    manifest: Manifest
    source: SourceMap
    today: dt.date

    def finding(self, level: Level, code: str, path: Path, message: str, fix: str) -> Finding:
        """Build a finding located at a manifest key."""
        return self.source.finding(path, level, code, message, fix)


def months_between(start: dt.date, end: dt.date) -> int:
    """Return the number of whole calendar months from start to end."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def names(items: object) -> str:
    """Return items as a readable list of `code` words."""
    return ", ".join(f"`{item}`" for item in sorted(items))  # type: ignore[call-overload]
