"""Data points for people without an account (INT-4): matching what they tell us against what we hold.

A person who cannot sign in can prove who they are by telling us things only they (and we) know: the
phone number on the account, the amount of an invoice, the postal code of the billing address. This
module looks the person up by their identities in the systems the manifest declares, follows the
declared references a few steps (user -> billing customer -> invoices), and says which of the offered
details match a value held there. The offered values are compared and forgotten: only the names of the
points that matched are kept (INT-7).

A point is named by a declared field, ``field`` or ``table.field`` (``phone``, ``invoices.amount_cents``).
Fields that identify the person (their email, user id) are how the record is found, not points; secrets
(``disclose: existence_only``, e.g. password hashes) are never points.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import phonenumbers

from privacyops.connectors import registry
from privacyops.connectors.base import Connector, Match, Row, read_locator, split_locator
from privacyops.manifest.schema import Manifest
from privacyops.manifest.systems import System, Table
from privacyops.requests import errors
from privacyops.requests.intake import Identity

MAX_HOPS = 3  # references followed from the tables where the person was found
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")


@dataclass(frozen=True)
class PointMatch:
    """Which offered points matched; ``found_by`` names the identity kinds that found the person."""

    found_by: tuple[str, ...]
    matched: tuple[str, ...]
    unmatched: tuple[str, ...]

    @property
    def found(self) -> bool:
        return bool(self.found_by)


@dataclass(frozen=True)
class _Spot:
    """Where one point lives: a system, a table and a field (column or column->json.path)."""

    system: str
    table: str
    field: str


@dataclass
class ManifestPointLookup:
    """Match data points against the systems of a manifest, through their connectors."""

    manifest: Manifest
    environ: Mapping[str, str] | None = None
    connectors: Mapping[str, Connector] | None = None  # given: used as is and not closed
    _opened: dict[str, Connector] = field(default_factory=dict, init=False, repr=False)

    def point_names(self) -> tuple[str, ...]:
        """Return every name a point may be given (``field`` and ``table.field``), sorted."""
        names: set[str] = set()
        for _system, table_name, _table, name in self._fields():
            names.update({name, f"{table_name}.{name}"})
        return tuple(sorted(names))

    def match(self, identities: Sequence[Identity], offered: Mapping[str, str]) -> PointMatch:
        """Find the person by ``identities`` and tell which ``offered`` points match their records."""
        spots = {name: self._spots(name) for name in offered}
        unknown = sorted(name for name, found in spots.items() if not found)
        if unknown:
            raise errors.RequestRuleError(
                f"no declared field can check {', '.join(unknown)}; give one of: "
                + ", ".join(self.point_names()),
                field=f"data_points.{unknown[0]}",
            )
        found_by: set[str] = set()
        rows: dict[tuple[str, str], list[Row]] = {}
        try:
            for system_name in {spot.system for found in spots.values() for spot in found}:
                loaded, kinds = self._load(system_name, identities)
                found_by |= kinds
                rows.update({(system_name, table): found for table, found in loaded.items()})
        finally:
            self.close()
        matched = [name for name, value in offered.items() if _held(value, name, spots[name], rows)]
        unmatched = [name for name in offered if name not in matched]
        return PointMatch(tuple(sorted(found_by)), tuple(matched), tuple(unmatched))

    def close(self) -> None:
        """Release the connectors this lookup opened."""
        for connector in self._opened.values():
            closer = getattr(connector, "close", None)
            if callable(closer):
                closer()
        self._opened.clear()

    # -- where points live -----------------------------------------------------------------------------

    def _fields(self) -> Iterable[tuple[str, str, Table, str]]:
        for system_name, system in self.manifest.systems.items():
            for table_name, table in system.tables.items():
                anchors = set(table.identity.values())
                for name, spec in table.fields.items():
                    if spec.disclose == "existence_only" or name in anchors or name in table.primary_key:
                        continue
                    yield system_name, table_name, table, name

    def _spots(self, point: str) -> list[_Spot]:
        wanted = point.strip().lower()
        return [
            _Spot(system, table_name, name)
            for system, table_name, _table, name in self._fields()
            if wanted in (name.lower(), f"{table_name}.{name}".lower())
        ]

    # -- reading the person's rows ---------------------------------------------------------------------

    def _connector(self, system_name: str) -> Connector:
        if self.connectors is not None and system_name in self.connectors:
            return self.connectors[system_name]
        if system_name not in self._opened:
            system = self.manifest.systems[system_name]
            self._opened[system_name] = registry.create(system.connector, url=self._url(system_name, system))
        return self._opened[system_name]

    def _url(self, name: str, system: System) -> str | None:
        if system.url or not system.url_env:
            return system.url
        environ = os.environ if self.environ is None else self.environ
        url = environ.get(system.url_env)
        if not url:
            raise errors.VerificationRefused(
                f"data points cannot be checked now: system {name} is not connected "
                f"({system.url_env} is unset); verify by code instead",
                field="data_points",
            )
        return url

    def _load(
        self, system_name: str, identities: Sequence[Identity]
    ) -> tuple[dict[str, list[Row]], set[str]]:
        system = self.manifest.systems[system_name]
        connector = self._connector(system_name)
        loaded: dict[str, list[Row]] = {}
        kinds: set[str] = set()
        for table_name, table in system.tables.items():
            for identity in identities:
                column = table.identity.get(identity.kind)  # type: ignore[call-overload]
                if column is None:
                    continue
                found = connector.find(table_name, Match.of(column, [identity.value]), _columns(table))
                if found:
                    kinds.add(identity.kind)
                    loaded.setdefault(table_name, []).extend(found)
        for _hop in range(MAX_HOPS):
            if not _follow(system, connector, loaded):
                break
        return loaded, kinds


def _columns(table: Table) -> list[str]:
    names = [*table.primary_key, *table.identity.values(), *table.fields]
    return list(dict.fromkeys(split_locator(name)[0] for name in names))


def _follow(system: System, connector: Connector, loaded: dict[str, list[Row]]) -> bool:
    """Load rows of tables linked by a declared reference to rows already loaded; tell if any were."""
    grew = False
    for table_name, table in system.tables.items():
        for ref in table.references:
            targets = [t.split(".") for t in ref.to]
            if any(len(t) != 2 for t in targets) or len({t[0] for t in targets}) != 1:
                continue  # references to other systems or split targets are not followed
            other = targets[0][0]
            other_columns = tuple(t[1] for t in targets)
            if other in loaded and table_name not in loaded:  # a child of a loaded table
                found = _rows_where(connector, table_name, table, ref.fields, loaded[other], other_columns)
                if found:
                    loaded[table_name] = found
                    grew = True
            elif table_name in loaded and other not in loaded and other in system.tables:  # a parent
                parent = system.tables[other]
                found = _rows_where(connector, other, parent, other_columns, loaded[table_name], ref.fields)
                if found:
                    loaded[other] = found
                    grew = True
    return grew


def _rows_where(
    connector: Connector,
    table_name: str,
    table: Table,
    columns: Sequence[str],
    source: list[Row],
    source_columns: Sequence[str],
) -> list[Row]:
    values = {tuple(row.get(c) for c in source_columns) for row in source}
    values = {v for v in values if None not in v}
    if not values:
        return []
    return connector.find(table_name, Match(tuple(columns), tuple(sorted(values, key=str))), _columns(table))


# -- comparing -----------------------------------------------------------------------------------------


def _held(value: str, name: str, spots: list[_Spot], rows: Mapping[tuple[str, str], list[Row]]) -> bool:
    offered = normalise(value, phone="phone" in name.lower())
    if not offered:
        return False
    for spot in spots:
        for row in rows.get((spot.system, spot.table), []):
            held = read_locator(row, spot.field)
            if held is not None and normalise(str(held), phone="phone" in spot.field.lower()) == offered:
                return True
    return False


def normalise(value: str, *, phone: bool = False) -> str:
    """Return a form of ``value`` that ignores case, spacing and number formatting (``12.50`` = ``12.5``)."""
    text = _SPACES.sub("", value).casefold()
    if phone:
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            return text
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not _NUMBER.fullmatch(text):  # postal codes with a leading zero stay text
        return text
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return text

