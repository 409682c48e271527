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
from privacyops.connectors.base import Connector, ConnectorError, Match, Row, read_locator, split_locator
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
            every = [spot for found in spots.values() for spot in found]
            for system_name in sorted({spot.system for spot in every}):
                needed = {spot.table for spot in every if spot.system == system_name}
                loaded, kinds = self._load(system_name, identities, needed)
                found_by |= kinds
                rows.update({(system_name, table): found for table, found in loaded.items()})
        except ConnectorError as exc:
            raise errors.VerificationRefused(
                f"data points cannot be checked now ({exc}); try again later or verify by the code sent by "
                "email",
                field="data_points",
            ) from None
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
        self, system_name: str, identities: Sequence[Identity], needed: set[str]
    ) -> tuple[dict[str, list[Row]], set[str]]:
        """Find the person, then follow declared references along the shortest way to each point's table."""
        system = self.manifest.systems[system_name]
        connector = self._connector(system_name)
        kinds_given = {identity.kind for identity in identities}
        anchors = [name for name, table in system.tables.items() if kinds_given & set(table.identity)]
        loaded: dict[str, list[Row]] = {}
        searched: set[str] = set()
        kinds: set[str] = set()
        for target in sorted(needed):
            toward = _distances(system, {target})
            reachable = {name: toward[name] for name in anchors if name in toward}
            nearest = min(reachable.values(), default=None)
            for name in sorted(n for n, d in reachable.items() if d == nearest and n not in searched):
                searched.add(name)
                kinds |= _find_person(connector, name, system.tables[name], identities, loaded)
            for _hop in range(MAX_HOPS):
                if target in loaded or not _follow(system, connector, loaded, toward):
                    break
        return loaded, kinds


def _find_person(
    connector: Connector,
    name: str,
    table: Table,
    identities: Sequence[Identity],
    loaded: dict[str, list[Row]],
) -> set[str]:
    """Load the rows of ``name`` that carry one of the identities; return the kinds that found some."""
    kinds: set[str] = set()
    for identity in identities:
        column = table.identity.get(identity.kind)  # type: ignore[call-overload]
        if column is None:
            continue
        found = connector.find(name, Match.of(column, [identity.value]), _columns(table))
        if found:
            kinds.add(identity.kind)
            loaded.setdefault(name, []).extend(found)
    return kinds


def _columns(table: Table) -> list[str]:
    names = [*table.primary_key, *table.identity.values(), *table.fields]
    return list(dict.fromkeys(split_locator(name)[0] for name in names))


def _links(system: System) -> list[tuple[str, tuple[str, ...], str, tuple[str, ...]]]:
    """Return the declared references inside ``system`` as (table, fields, target table, target fields)."""
    links = []
    for table_name, table in system.tables.items():
        for ref in table.references:
            targets = [t.split(".") for t in ref.to]
            if any(len(t) != 2 for t in targets) or len({t[0] for t in targets}) != 1:
                continue  # references to other systems or split targets are not followed
            if targets[0][0] in system.tables:
                links.append((table_name, ref.fields, targets[0][0], tuple(t[1] for t in targets)))
    return links


def _distances(system: System, needed: set[str]) -> dict[str, int]:
    """Return, for each table linked to a table holding a point, how many references away it is."""
    distance = {name: 0 for name in needed}
    frontier = list(needed)
    links = _links(system)
    while frontier:
        nxt: list[str] = []
        for name in frontier:
            for child, _fields, parent, _to in links:
                neighbours = [parent] if child == name else [child] if parent == name else []
                for other in neighbours:
                    if other not in distance:
                        distance[other] = distance[name] + 1
                        nxt.append(other)
        frontier = nxt
    return distance


def _follow(
    system: System, connector: Connector, loaded: dict[str, list[Row]], toward: Mapping[str, int]
) -> bool:
    """Load rows linked to loaded rows, one step closer to a table holding a point; tell if any were."""
    grew = False
    for child, fields, parent, parent_fields in _links(system):
        if parent in loaded and child not in loaded and toward.get(child, 99) < toward.get(parent, 99):
            target, columns, source, source_columns = child, fields, parent, parent_fields
        elif child in loaded and parent not in loaded and toward.get(parent, 99) < toward.get(child, 99):
            target, columns, source, source_columns = parent, parent_fields, child, fields
        else:
            continue
        found = _rows_where(connector, target, system.tables[target], columns, loaded[source], source_columns)
        if found:
            loaded[target] = found
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

