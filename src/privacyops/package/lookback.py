"""How far back an access answer reaches (AC-5): twelve months by default, back to 2022 on request.

A table's rows are dated by its timestamp column: the first declared field named like one of
``TIMESTAMP_COLUMNS`` (a caller may name another, or none, per table). Rows older than the window are
left out and counted; rows without a date, and tables without a timestamp column, are always included,
because leaving out what cannot be dated would hide data rather than limit a period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from privacyops.connectors.base import Row
from privacyops.manifest.schema import Manifest
from privacyops.notice import labels
from privacyops.reports import inventory

Lookback = Literal["12_months", "extended", "all"]
LOOKBACKS: tuple[str, ...] = ("12_months", "extended", "all")
# The CCPA regulations reach back to data collected on or after this day.
EXTENDED_SINCE = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
# Event times only: a row's creation date does not age the data out (an account opened years ago is
# still held today, so it belongs in every answer).
TIMESTAMP_COLUMNS: tuple[str, ...] = ("timestamp", "occurred_at", "start_time", "issued_at")
# Retention triggers that make rows disappear with age alone, so older rows may no longer exist.
AGE_TRIGGERS = frozenset({"collected", "last_activity"})
DESCRIPTIONS: dict[str, str] = {
    "12_months": "the twelve months before the request",
    "extended": "everything collected on or after 1 January 2022",
    "all": "everything we hold, however old",
}


@dataclass
class LookbackReport:
    """The window applied, the rows it left out per table and why older data may be missing."""

    mode: str
    since: dt.datetime | None
    until: dt.datetime
    columns: dict[str, str | None] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    undated: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """Say in words which period the package covers."""
        text = DESCRIPTIONS[self.mode]
        if self.since is None:
            return f"This package covers {text}."
        start, end = self.since.date().isoformat(), self.until.date().isoformat()
        return f"This package covers {text}: from {start} to {end}."

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
            "timestamp_columns": dict(sorted(self.columns.items())),
            "rows_left_out": dict(sorted(self.left_out.items())),
            "undated_rows": dict(sorted(self.undated.items())),
            "notes": list(self.notes),
        }


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Treat a naive moment as UTC (how the stores keep them) and convert an aware one to UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def window_start(mode: str, generated_at: dt.datetime) -> dt.datetime | None:
    """Return the earliest moment a row may carry to be included, or None for no limit."""
    if mode == "12_months":
        end = as_utc(generated_at)
        try:
            return end.replace(year=end.year - 1)
        except ValueError:  # 29 February
            return end.replace(year=end.year - 1, day=28)
    if mode == "extended":
        return EXTENDED_SINCE
    if mode == "all":
        return None
    raise ValueError(f"unknown lookback {mode!r}; use one of {', '.join(LOOKBACKS)}")


def timestamp_column(manifest: Manifest, table_id: str) -> str | None:
    """Return the column that dates a table's rows, by the naming convention, or None."""
    system, _, name = table_id.partition(".")
    table = manifest.systems[system].tables.get(name) if system in manifest.systems else None
    if table is None:
        return None
    return next((c for c in TIMESTAMP_COLUMNS if c in table.fields), None)


def moment_of(value: Any) -> dt.datetime | None:
    """Read a row's timestamp value: a datetime, a date or ISO text; None when it cannot be read."""
    if isinstance(value, dt.datetime):
        return as_utc(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            return as_utc(dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def apply_lookback(
    manifest: Manifest, rows: Mapping[str, list[Row]], mode: str, generated_at: dt.datetime,
    columns: Mapping[str, str | None] | None = None,
) -> tuple[dict[str, list[Row]], LookbackReport]:
    """Keep the rows inside the window; report what was left out and what could not be dated."""
    since = window_start(mode, generated_at)
    report = LookbackReport(mode, since, as_utc(generated_at))
    kept: dict[str, list[Row]] = {}
    overrides = columns or {}
    for table_id, table_rows in rows.items():
        column = overrides[table_id] if table_id in overrides else timestamp_column(manifest, table_id)
        report.columns[table_id] = column
        kept[table_id] = []
        for row in table_rows:
            moment = moment_of(row.get(column)) if column else None
            if column and moment is None:
                report.undated[table_id] = report.undated.get(table_id, 0) + 1
            if since is not None and moment is not None and moment < since:
                report.left_out[table_id] = report.left_out.get(table_id, 0) + 1
                continue
            kept[table_id].append(row)
    report.notes += _notes(manifest, report)
    return kept, report


def _notes(manifest: Manifest, report: LookbackReport) -> list[str]:
    notes: list[str] = []
    if report.left_out:
        total = sum(report.left_out.values())
        notes.append(f"{total} older record(s) are not in this package; ask for the extended period "
                     "(back to 1 January 2022) to receive them.")
    undated = sorted(t for t, c in report.columns.items() if c is None)
    if undated and report.since is not None:
        notes.append(f"Records of {', '.join(undated)} carry no date, so all of them are included.")
    if report.undated:
        notes.append("Records whose date is empty are included whatever the period: "
                     + ", ".join(f"{t} ({n})" for t, n in sorted(report.undated.items())) + ".")
    if report.since is None or report.since < report.until - dt.timedelta(days=366):
        notes += _retention_limits(manifest, report)
    return notes


def _retention_limits(manifest: Manifest, report: LookbackReport) -> list[str]:
    """Say why data older than a retention period cannot be given, however far back the request reaches."""
    lines = []
    for rule in manifest.retention.rules:
        if rule.trigger not in AGE_TRIGGERS:
            continue
        covered = inventory.rule_categories(manifest, rule)
        names = [inventory.category_label(manifest, c) for c in manifest.data_categories if c in covered]
        trigger = labels.label(labels.RETENTION_TRIGGERS, rule.trigger)
        action = labels.label(labels.RETENTION_ACTIONS, rule.action)
        lines.append(f"Older records may no longer exist: {labels.human_list(names) or 'the data concerned'} "
                     f"is {action} {labels.duration(rule.period)} {trigger} (rule {rule.name}), "
                     "so the package cannot reach further back for it.")
    return lines
