"""How far back an access answer reaches (AC-5): everything, twelve months, back to 2022, or a date.

Which period applies is a ``Choice``: the mode, the first day for a date, and why (the law's default or
what was asked for; see :mod:`privacyops.requests.period`).

A table's rows are dated by its timestamp column: the first declared field named like one of
``TIMESTAMP_COLUMNS`` (a caller may name another, or none, per table); a table without one whose rows
reference a dated table is dated through the reference (a score by its trace). Rows older than the
window are left out and counted; rows without a date, and tables without any date, are always included,
because leaving out what cannot be dated would hide data rather than limit a period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from privacyops.connectors.base import Row
from privacyops.manifest.schema import Manifest
from privacyops.notice import labels
from privacyops.reports import inventory

Lookback = Literal["12_months", "extended", "all", "since"]
LOOKBACKS: tuple[str, ...] = ("12_months", "extended", "all", "since")
# How each mode is written on the command line, in the API and on a stored request.
TOKENS: dict[str, str] = {"12_months": "12m", "extended": "extended", "all": "all"}
SPELLINGS: dict[str, str] = {"12m": "12_months", "12_months": "12_months", "12-months": "12_months",
                             "12months": "12_months", "extended": "extended", "all": "all"}
CHOICES_HELP = "all, 12m, extended or a date such as 2023-01-01"
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
    "since": "everything collected on or after {since}",
}


class LookbackError(ValueError):
    """A lookback that is not one of the choices; the message lists them."""


@dataclass(frozen=True)
class Choice:
    """The period a package covers: a mode, the first day for mode ``since``, and why it applies."""

    mode: str
    since: dt.date | None = None
    reason: str = ""

    @property
    def token(self) -> str:
        """Return the choice as it is written: ``all``, ``12m``, ``extended`` or the date."""
        return self.since.isoformat() if self.since is not None else TOKENS[self.mode]

    def as_json(self) -> dict[str, str]:
        """Return the choice as plain values (kept with a run)."""
        return {"lookback": self.token, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Choice:
        """Read a choice written by ``as_json``."""
        return parse(str(data["lookback"]), reason=str(data.get("reason") or ""))


def parse(text: str, *, reason: str = "") -> Choice:
    """Read a lookback as written (``all``, ``12m``, ``extended`` or ``YYYY-MM-DD``)."""
    cleaned = text.strip().lower()
    if cleaned in SPELLINGS:
        return Choice(SPELLINGS[cleaned], reason=reason)
    try:
        return Choice("since", dt.date.fromisoformat(cleaned), reason)
    except ValueError:
        raise LookbackError(f"unknown lookback {text!r}; use {CHOICES_HELP}") from None


@dataclass
class LookbackReport:
    """The window applied, the rows it left out per table and why older data may be missing."""

    mode: str
    since: dt.datetime | None
    until: dt.datetime
    reason: str = ""
    columns: dict[str, str | None] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    undated: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """Say in words which period the package covers."""
        text = DESCRIPTIONS[self.mode].format(since=self.since.date().isoformat() if self.since else "")
        if self.since is None:
            return f"This package covers {text}."
        start, end = self.since.date().isoformat(), self.until.date().isoformat()
        return f"This package covers {text}: from {start} to {end}."

    def lines(self) -> list[str]:
        """Return what the letter says about the period: which one, why, and what lies outside it."""
        return [self.describe(), *([self.reason] if self.reason else []), *self.notes]

    def as_json(self) -> dict[str, Any]:
        """Return the period as data.json states it."""
        return {
            "mode": self.mode,
            "reason": self.reason,
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


def window_start(mode: str, generated_at: dt.datetime, since: dt.date | None = None) -> dt.datetime | None:
    """Return the earliest moment a row may carry to be included, or None for no limit."""
    if mode == "since" and since is not None:
        return dt.datetime(since.year, since.month, since.day, tzinfo=dt.UTC)
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
    raise LookbackError(f"unknown lookback {mode!r}; use one of 12_months, extended, all, or since a date")


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
    manifest: Manifest, rows: Mapping[str, list[Row]], mode: str | Choice, generated_at: dt.datetime,
    columns: Mapping[str, str | None] | None = None,
) -> tuple[dict[str, list[Row]], LookbackReport]:
    """Keep the rows inside the window; report what was left out and what could not be dated."""
    choice = mode if isinstance(mode, Choice) else Choice(mode)
    since = window_start(choice.mode, generated_at, choice.since)
    report = LookbackReport(choice.mode, since, as_utc(generated_at), choice.reason)
    kept: dict[str, list[Row]] = {}
    overrides = columns or {}
    own = {t: overrides[t] if t in overrides else timestamp_column(manifest, t) for t in rows}
    for table_id, table_rows in rows.items():
        column, date_of = own[table_id], _own_date(own[table_id])
        if column is None and table_id not in overrides:
            column, date_of = _parent_date(manifest, table_id, rows, own) or (None, date_of)
        report.columns[table_id] = column
        kept[table_id] = []
        for row in table_rows:
            moment = date_of(row)
            if column and moment is None:
                report.undated[table_id] = report.undated.get(table_id, 0) + 1
            if since is not None and moment is not None and moment < since:
                report.left_out[table_id] = report.left_out.get(table_id, 0) + 1
                continue
            kept[table_id].append(row)
    report.notes += _notes(manifest, report)
    return kept, report


def _own_date(column: str | None) -> Callable[[Row], dt.datetime | None]:
    return lambda row: moment_of(row.get(column)) if column else None


def _parent_date(manifest: Manifest, table_id: str, rows: Mapping[str, list[Row]],
                 columns: Mapping[str, str | None]) -> tuple[str, Callable[[Row], dt.datetime | None]] | None:
    """Date the rows of an undated table by the dated row each references (a trace's score by the trace).

    A score is collected with its trace, so it belongs to the trace's period; leaving the trace out and
    giving its score would split one record across periods. Rows whose parent was not found stay undated.
    """
    system, _, name = table_id.partition(".")
    table = manifest.systems[system].tables.get(name) if system in manifest.systems else None
    for reference in table.references if table else ():
        *target, key = reference.to[0].split(".")
        parent = ".".join(target) if len(target) == 2 else f"{system}.{target[0]}"
        column = columns.get(parent)
        if len(reference.fields) != 1 or not column or parent not in rows:
            continue
        moments = {r.get(key): moment_of(r.get(column)) for r in rows[parent]}
        return f"{reference.fields[0]} -> {parent}.{column}", _looked_up(moments, reference.fields[0])
    return None


def _looked_up(moments: Mapping[Any, dt.datetime | None],
               field_name: str) -> Callable[[Row], dt.datetime | None]:
    return lambda row: moments.get(row.get(field_name))


def _notes(manifest: Manifest, report: LookbackReport) -> list[str]:
    notes: list[str] = []
    if report.left_out and report.since is not None:
        total = sum(report.left_out.values())
        tables = ", ".join(f"{t} ({n})" for t, n in sorted(report.left_out.items()))
        ask = ("; ask for the extended period (back to 1 January 2022) to receive them"
               if report.since > EXTENDED_SINCE else "")
        notes.append(f"{total} older record(s) are not in this package, being dated before "
                     f"{report.since.date().isoformat()}: {tables}{ask}.")
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
