"""Turn the engine's rows into what the package shows: secrets stated, other people masked, JSON values.

The engine already states fields declared ``disclose: existence_only``; this module states, in
addition, every field of a secret category (passwords, credentials, government identifiers) whatever
the manifest says about disclosure, and scrubs free text (see :mod:`privacyops.package.scrub`).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from privacyops.connectors.base import Row
from privacyops.engine.values import ValueMatcher
from privacyops.manifest.schema import Manifest, Table
from privacyops.package import people, redact, scrub

# Categories whose values are never shown, only whether they exist (CCPA regulations 7024(d)).
SECRET_CATEGORIES: tuple[str, ...] = (
    "user.authorization.password", "user.authorization.credentials", "user.authorization.biometric",
    "user.government_id", "user.authorization.security_question",
)
EXISTENCE_VALUES = frozenset({"set", "not set"})

FULL, EXISTENCE_ONLY, REDACTED = "full", "existence_only", "redacted"
# Values whose text form is generated (a moment, a UUID), never written by a person.
NO_TEXT = (dt.datetime, dt.date, dt.time, uuid.UUID)


@dataclass(frozen=True)
class FieldInfo:
    """A field's data categories (keys and names) as the manifest declares them."""

    categories: tuple[str, ...]
    labels: tuple[str, ...]
    secret: bool


@dataclass
class Record:
    """One row as the package shows it, with how each field was disclosed."""

    system: str
    table: str
    values: dict[str, Any]
    disclosure: dict[str, str]


@dataclass
class Disclosed:
    """The rows of every table as shown, the fields stated rather than shown, and what was masked."""

    records: dict[str, list[Record]] = field(default_factory=dict)
    fields: dict[str, dict[str, FieldInfo]] = field(default_factory=dict)
    withheld: dict[str, list[str]] = field(default_factory=dict)  # table id -> existence-only fields
    redactions: Counter[str] = field(default_factory=Counter)
    identities: redact.SubjectIdentities = field(default_factory=redact.SubjectIdentities)

    def categories(self) -> set[str]:
        """Return the categories of the fields that hold a value in some record."""
        found: set[str] = set()
        for table_id, records in self.records.items():
            for name, info in self.fields.get(table_id, {}).items():
                if any(r.values.get(name) not in (None, "", "not set") for r in records):
                    found |= set(info.categories)
        return found


def is_secret(categories: tuple[str, ...]) -> bool:
    """Tell whether a field of these categories may only be stated, never shown."""
    return any(c == s or c.startswith(s + ".") for c in categories for s in SECRET_CATEGORIES)


def field_infos(manifest: Manifest, table_id: str) -> dict[str, FieldInfo]:
    """Return the declared fields of a table with their categories and category names."""
    table = _table(manifest, table_id)
    if table is None:
        return {}
    infos = {}
    for name, spec in table.fields.items():
        names = tuple(manifest.data_categories[c].name if c in manifest.data_categories else c
                      for c in spec.categories)
        secret = spec.disclose == "existence_only" or is_secret(spec.categories)
        infos[name] = FieldInfo(tuple(spec.categories), names, secret)
    return infos


def _table(manifest: Manifest, table_id: str) -> Table | None:
    system, _, name = table_id.partition(".")
    return manifest.systems[system].tables.get(name) if system in manifest.systems else None


def disclose(manifest: Manifest, rows: Mapping[str, list[Row]], subject: Mapping[str, Any]) -> Disclosed:
    """Prepare every row for the package: state secrets, mask other people, scrub text, make JSON values."""
    identity_fields = redact.identity_fields(manifest)
    known = redact.widen(redact.SubjectIdentities.of(subject), identity_fields, rows)
    out = Disclosed(identities=known)
    staged: list[tuple[str, Row, dict[str, str], set[str]]] = []
    others: dict[str, str] = {}  # other people's values masked in a field -> kind, cut from text too
    for table_id, table_rows in rows.items():
        infos = field_infos(manifest, table_id)
        out.fields[table_id] = infos
        out.withheld[table_id] = sorted(n for n, i in infos.items() if i.secret)
        out.records[table_id] = []
        for row in table_rows:
            shown, disclosure = _state_secrets(row, infos)
            shown, masked = redact.mask_row(table_id, shown, identity_fields, known, out.redactions, others)
            disclosure.update({name: REDACTED for name in masked})
            # A moment or a UUID written as text holds nothing to scrub: only text and nested values are.
            scanned = {n for n, v in shown.items() if not isinstance(v, NO_TEXT)}
            staged.append((table_id, {n: json_value(v) for n, v in shown.items()}, disclosure, scanned))
    _scrub_text(staged, known, others, out.redactions)
    for table_id, values, disclosure, _ in staged:
        system, _, table = table_id.partition(".")
        out.records[table_id].append(Record(system, table, values, disclosure))
    return out


def _state_secrets(row: Row, infos: Mapping[str, FieldInfo]) -> tuple[Row, dict[str, str]]:
    shown = dict(row)
    disclosure = {name: FULL for name in row}
    for name, info in infos.items():
        if info.secret and name in shown:
            value = shown[name]
            if value not in EXISTENCE_VALUES:
                shown[name] = "not set" if value in (None, "") else "set"
            disclosure[name] = EXISTENCE_ONLY
    return shown, disclosure


def _scrub_text(staged: list[tuple[str, Row, dict[str, str], set[str]]], known: redact.SubjectIdentities,
                others: dict[str, str], counts: Counter[str]) -> None:
    """Scrub every text leaf of every fully shown value in one scan (nested JSON values included)."""
    places = [(index, name, path, text) for index, (_, row, disclosure, scanned) in enumerate(staged)
              for name, value in row.items() if disclosure.get(name) == FULL and name in scanned
              for path, text in _text_leaves(value, ())]
    shown = [value for _, row, disclosure, _ in staged
             for name, value in row.items() if disclosure.get(name) == FULL]
    strangers = {**people.sort_people(shown, known), **others}
    strangers = {value: kind for value, kind in strangers.items() if not known.owns(value)}
    matcher = ValueMatcher((kind, value) for value, kind in strangers.items())
    results = scrub.scrub_texts([p[3] for p in places], known.emails(), own_phones=known.phones(),
                                others=matcher, describe=redact.other_person)
    for (index, name, path, _), (text, found) in zip(places, results, strict=True):
        if found:
            row = staged[index][1]
            row[name] = _with_leaf(row[name], path, text)
            staged[index][2][name] = REDACTED
            counts.update(found)


def _text_leaves(value: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        return [(path, value)] if value else []
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _text_leaves(v, (*path, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _text_leaves(v, (*path, i))]
    return []


def _with_leaf(value: Any, path: tuple[Any, ...], text: str) -> Any:
    if not path:
        return text
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _with_leaf(value[head], rest, text)}
    copy = list(value)
    copy[head] = _with_leaf(copy[head], rest, text)
    return copy


def json_value(value: Any) -> Any:
    """Return a value JSON can hold: moments as ISO 8601 text, bytes as base64, decimals as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_value(v) for v in value]
    return json.loads(json.dumps(value, default=str))
