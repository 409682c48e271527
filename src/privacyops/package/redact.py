"""Other people's identities in the subject's rows (AC-2): which fields hold them and whose they are.

A field is identity-like when the manifest uses it to find people: a table's `identity` locator, a
reference to such a locator (``invited_by_user_id -> users.id``), a field of the same data category
as one (``billing_email`` is an email like ``users.email``), or an identifying field (a name, phone,
username, identifier: :mod:`privacyops.manifest.identifying`). A value in such a field that is not one
of the subject's belongs to someone else and is masked. The subject's identities are those given with
the request, widened as the engine widens them: a row found by one of the subject's identities yields
the other identities of that row, and the values of its identifying fields are the subject's own (their
name, their referral code), shown wherever they appear.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from privacyops.connectors.base import Row, read_locator, split_locator
from privacyops.engine.values import looks_like_phone, same_phone
from privacyops.manifest.identifying import identifying_fields, kind_word
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
    return f"another person's {KIND_NAMES.get(kind) or kind_word(kind)}"


@dataclass(frozen=True)
class IdentityFields:
    """Identity kinds per field: `structural` from locators and references, `by_category` from categories.

    `identifying` names, per table, the fields whose values identify a person (name, phone ...): in a
    row of the subject they are the subject's own; elsewhere they may be someone else's.
    """

    locators: Mapping[str, Mapping[str, str]]  # table id -> kind -> locator
    structural: Mapping[tuple[str, str], frozenset[str]]
    by_category: Mapping[tuple[str, str], frozenset[str]]
    identifying: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # table id -> field -> kind

    def kinds(self, table_id: str, column: str) -> frozenset[str]:
        """Return the identity kinds a column may hold; structural knowledge wins over categories."""
        key = (table_id, column)
        found = self.structural.get(key) or self.by_category.get(key)
        if found:
            return found
        kind = self.identifying.get(table_id, {}).get(column)
        return frozenset({kind}) if kind else frozenset()


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
        identifying={f"{s}.{t}": identifying_fields(table) for s, system in manifest.systems.items()
                     for t, table in system.tables.items()},
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
    """The subject's identity values by kind, and their own identifying values (name, phone ...) by kind.

    Emails compare without regard to case; own values without regard to case or spacing; phone
    numbers by their digits, with or without the country code.
    """

    values: dict[str, set[str]] = field(default_factory=dict)
    own: dict[str, set[str]] = field(default_factory=dict)

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

    def add_own(self, kind: str, value: Any) -> bool:
        """Add a value of one of the subject's identifying fields; return whether it was new."""
        if value is None or isinstance(value, bool | dict | list) or not str(value).strip():
            return False
        bucket = self.own.setdefault(kind, set())
        text = fold(value)
        if text in bucket:
            return False
        bucket.add(text)
        return True

    def has(self, kind: str) -> bool:
        """Tell whether the subject has a value of this kind (an identity or an own value)."""
        return bool(self.values.get(kind) or self.own.get(kind))

    def owns(self, value: Any) -> bool:
        """Tell whether a value is one of the subject's identities or own values, of any kind."""
        if any(normalise(kind, value) in vs for kind, vs in self.values.items()):
            return True
        if any(fold(value) in vs for vs in self.own.values()):
            return True
        text = str(value)
        return looks_like_phone(text) and any(same_phone(text, phone) for phone in self.phones())

    def emails(self) -> set[str]:
        return set(self.values.get("email", set())) | set(self.own.get("email", set()))

    def phones(self) -> set[str]:
        """Return every phone number of the subject (identities and own values)."""
        every = [v for vs in (*self.values.values(), *self.own.values()) for v in vs]
        return set(self.values.get("phone", set())) | set(self.own.get("phone", set())) | {
            v for v in every if looks_like_phone(v)}

    def as_json(self) -> dict[str, list[str]]:
        return {kind: sorted(vs) for kind, vs in sorted(self.values.items()) if vs}


def normalise(kind: str, value: Any) -> str:
    text = str(value).strip()
    return text.lower() if kind == "email" or "@" in text else text


def fold(value: Any) -> str:
    """Return a value as compared with the subject's own values: spacing and case do not count."""
    return " ".join(str(value).split()).casefold()


def widen(known: SubjectIdentities, fields: IdentityFields,
          rows: Mapping[str, list[Row]]) -> SubjectIdentities:
    """Add the identities and own values of every row one of the subject's identities finds, until stable."""
    changed = True
    while changed:
        changed = False
        for table_id, table_rows in rows.items():
            locators = fields.locators.get(table_id, {})
            if not locators:
                continue
            identifying = fields.identifying.get(table_id, {})
            for row in table_rows:
                values = {kind: read_locator(row, loc) for kind, loc in locators.items()}
                if any(v not in (None, "") and normalise(k, v) in known.values.get(k, set())
                       for k, v in values.items()):
                    for kind, value in values.items():
                        changed |= known.add(kind, value)
                    for name, kind in identifying.items():
                        changed |= known.add_own(kind, row.get(name))
    return known


def mask_row(table_id: str, row: Row, fields: IdentityFields, known: SubjectIdentities,
             counts: Counter[str], others: dict[str, str] | None = None) -> tuple[Row, set[str]]:
    """Return the row with other people's identities masked, and the names of the fields changed.

    Each masked value is added to ``others`` (value -> kind), so free text can lose it too.
    """
    anchored = any(known.owns(row[c]) for c in row
                   if fields.kinds(table_id, c) and row[c] not in (None, ""))
    out = dict(row)
    changed: set[str] = set()
    for column, value in row.items():
        kinds = fields.kinds(table_id, column)
        if not kinds or value in (None, "") or known.owns(value):
            continue
        if all(known.has(k) for k in kinds) or not anchored:
            # A kind the subject has is someone else's value; an unknown kind in a row that is not
            # tied to the subject by any identity is not shown either.
            kind = sorted(kinds)[0]
            out[column] = f"[redacted: {other_person(kind)}]"
            counts[other_person(kind)] += 1
            changed.add(column)
            if others is not None and isinstance(value, str | int) and not isinstance(value, bool):
                others.setdefault(str(value), kind)
    return out, changed
