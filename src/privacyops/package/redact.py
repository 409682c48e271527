"""Other people's identities in the subject's rows (AC-2): which fields hold them and whose they are.

A field is identity-like when the manifest uses it to find people: a table's `identity` locator, a
reference to such a locator (``invited_by_user_id -> users.id``), or a field of the same data category
as one (``billing_email`` is an email like ``users.email``). A value in such a field that is not one of
the subject's identities belongs to someone else and is masked. The subject's identities are those
given with the request, widened as the engine widens them: a row found by one of the subject's
identities yields the other identities of that row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from privacyops.connectors.base import Row, read_locator, split_locator
from privacyops.manifest.schema import Manifest

KIND_NAMES: dict[str, str] = {
    "email": "email address",
    "user_id": "user id",
    "phone": "phone number",
    "username": "username",
    "customer_id": "customer id",
    "external_id": "external id",
    "ip_address": "IP address",
}


def other_person(kind: str) -> str:
    """Return the reason counted when another person's identity of a kind is masked."""
    return f"another person's {KIND_NAMES.get(kind, kind.replace('_', ' '))}"


@dataclass(frozen=True)
class IdentityFields:
    """Identity kinds per field: `structural` from locators and references, `by_category` from categories."""

    locators: Mapping[str, Mapping[str, str]]  # table id -> kind -> locator
    structural: Mapping[tuple[str, str], frozenset[str]]
    by_category: Mapping[tuple[str, str], frozenset[str]]

    def kinds(self, table_id: str, column: str) -> frozenset[str]:
        """Return the identity kinds a column may hold; structural knowledge wins over categories."""
        key = (table_id, column)
        return self.structural.get(key) or self.by_category.get(key, frozenset())


def identity_fields(manifest: Manifest) -> IdentityFields:
    """Find every identity-like field of the manifest's tables."""
    locators: dict[str, dict[str, str]] = {}
    structural: dict[tuple[str, str], set[str]] = {}
    category_kinds: dict[str, set[str]] = {}
    for system_name, system in manifest.systems.items():
        for table_name, table in system.tables.items():
            table_id = f"{system_name}.{table_name}"
            locators[table_id] = {str(k): v for k, v in table.identity.items()}
            for kind, locator in table.identity.items():
                column, path = split_locator(locator)
                if path:
                    continue
                structural.setdefault((table_id, column), set()).add(str(kind))
                spec = table.fields.get(column)
                for category in spec.categories if spec else ():
                    category_kinds.setdefault(category, set()).add(str(kind))
    _add_references(manifest, locators, structural)
    by_category = {
        (f"{s}.{t}", name): frozenset(k for c in spec.categories for k in category_kinds.get(c, ()))
        for s, system in manifest.systems.items() for t, table in system.tables.items()
        for name, spec in table.fields.items()
    }
    return IdentityFields(
        locators=locators,
        structural={key: frozenset(kinds) for key, kinds in structural.items()},
        by_category={key: kinds for key, kinds in by_category.items() if kinds},
    )


def _add_references(manifest: Manifest, locators: Mapping[str, Mapping[str, str]],
                    structural: dict[tuple[str, str], set[str]]) -> None:
    plain = {(t, split_locator(loc)[0]): k for t, kinds in locators.items() for k, loc in kinds.items()
             if not split_locator(loc)[1]}
    for system_name, system in manifest.systems.items():
        for table_name, table in system.tables.items():
            table_id = f"{system_name}.{table_name}"
            for reference in table.references:
                for column, target in zip(reference.fields, reference.to, strict=True):
                    parts = target.split(".")
                    owner, name, target_column = (system_name, *parts) if len(parts) == 2 else parts
                    kind = plain.get((f"{owner}.{name}", target_column))
                    if kind:
                        structural.setdefault((table_id, column), set()).add(kind)


@dataclass
class SubjectIdentities:
    """The subject's identity values by kind; emails compare without regard to case."""

    values: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, subject: Mapping[str, Any], kinds: Iterable[str] = KIND_NAMES) -> SubjectIdentities:
        """Take the identities out of a subject description (other keys, such as `region`, are ignored)."""
        known = cls()
        for kind in kinds:
            given = subject.get(kind)
            for value in given if isinstance(given, list | tuple | set) else [given]:
                known.add(kind, value)
        return known

    def add(self, kind: str, value: Any) -> bool:
        """Add a value; return whether it was new."""
        if value in (None, ""):
            return False
        text = normalise(kind, value)
        bucket = self.values.setdefault(kind, set())
        if text in bucket:
            return False
        bucket.add(text)
        return True

    def owns(self, value: Any) -> bool:
        """Tell whether a value is one of the subject's identities, of any kind."""
        return any(normalise(kind, value) in vs for kind, vs in self.values.items())

    def emails(self) -> set[str]:
        return set(self.values.get("email", set()))

    def as_json(self) -> dict[str, list[str]]:
        return {kind: sorted(vs) for kind, vs in sorted(self.values.items()) if vs}


def normalise(kind: str, value: Any) -> str:
    text = str(value).strip()
    return text.lower() if kind == "email" or "@" in text else text


def widen(known: SubjectIdentities, fields: IdentityFields,
          rows: Mapping[str, list[Row]]) -> SubjectIdentities:
    """Add the identities of every row found by one of the subject's identities, until nothing changes."""
    changed = True
    while changed:
        changed = False
        for table_id, table_rows in rows.items():
            locators = fields.locators.get(table_id, {})
            if not locators:
                continue
            for row in table_rows:
                values = {kind: read_locator(row, loc) for kind, loc in locators.items()}
                if any(v not in (None, "") and normalise(k, v) in known.values.get(k, set())
                       for k, v in values.items()):
                    for kind, value in values.items():
                        changed |= known.add(kind, value)
    return known


def mask_row(table_id: str, row: Row, fields: IdentityFields, known: SubjectIdentities,
             counts: Counter[str]) -> tuple[Row, set[str]]:
    """Return the row with other people's identities masked, and the names of the fields changed."""
    anchored = any(known.owns(row[c]) for c in row
                   if fields.kinds(table_id, c) and row[c] not in (None, ""))
    out = dict(row)
    changed: set[str] = set()
    for column, value in row.items():
        kinds = fields.kinds(table_id, column)
        if not kinds or value in (None, "") or known.owns(value):
            continue
        if all(k in known.values for k in kinds) or not anchored:
            # A kind the subject has is someone else's value; an unknown kind in a row that is not
            # tied to the subject by any identity is not shown either.
            kind = sorted(kinds)[0]
            out[column] = f"[redacted: {other_person(kind)}]"
            counts[other_person(kind)] += 1
            changed.add(column)
    return out, changed
