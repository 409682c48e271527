"""What a rectification may correct (RR-1), and the corrected values checked against the manifest.

A correction is named by a declared field (``name``, ``users.name``) or by the data category it holds
(``user.name``), and its new value goes to every declared copy of that category. Only fields that
describe the person themselves are offered: their name, contact details, username, location and job
title. Identifiers link rows (changing one cuts the subject off their own data), credentials are
secrets, and content, behaviour and payment records are accounts of what happened, not facts a single
new value can fix.

The new values are personal data: the request keeps them sealed, and nothing here logs or audits them.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from privacyops.manifest.schema import Manifest
from privacyops.requests import errors

PROFILE_CATEGORIES = ("user.name", "user.contact", "user.account.username", "user.location", "user.job_title")
MAX_CORRECTIONS = 10
MAX_VALUE = 500


@dataclass(frozen=True)
class Correctable:
    """The names a correction may use (field, ``table.field`` or category) and the categories each reaches."""

    names: Mapping[str, tuple[str, ...]]
    choices: tuple[tuple[str, str], ...] = ()  # (field name, category): one per category, for the form

    def categories(self, name: str) -> tuple[str, ...]:
        """Return the categories a correction named ``name`` changes, or () when it names nothing known."""
        return self.names.get(name.strip().lower(), ())

    def fields_of(self, categories: Iterable[str]) -> set[str]:
        """Return every bare field name that holds one of ``categories`` (what INT-5 compares)."""
        wanted = set(categories)
        return {name for name, held in self.names.items() if "." not in name and wanted & set(held)}


def _profile(category: str) -> bool:
    return any(category == p or category.startswith(p + ".") for p in PROFILE_CATEGORIES)


# Built once per loaded manifest: the API builds a context for every call. Keyed by id, checked by a
# weak reference so a new manifest (or one at a reused address) is never answered from an old one.
_BUILT: dict[int, tuple[weakref.ref[Manifest], Correctable]] = {}


def correctable(manifest: Manifest) -> Correctable:
    """Return what a rectification may correct in the systems the manifest declares."""
    key = id(manifest)
    cached = _BUILT.get(key)
    if cached is not None and cached[0]() is manifest:
        return cached[1]
    built = _correctable(manifest)
    _BUILT[key] = (weakref.ref(manifest, lambda _: _BUILT.pop(key, None)), built)
    return built


def _correctable(manifest: Manifest) -> Correctable:
    names: dict[str, set[str]] = {}
    for system in manifest.systems.values():
        for table_name, table in system.tables.items():
            for field_name, spec in table.fields.items():
                held = [c for c in spec.categories if _profile(c)]
                if spec.disclose != "full" or not held or len(held) != len(spec.categories):
                    continue
                for name in (field_name.lower(), f"{table_name}.{field_name}".lower(), *held):
                    names.setdefault(name, set()).update(held)
    frozen = {name: tuple(sorted(held)) for name, held in sorted(names.items())}
    return Correctable(frozen, _choices(frozen))


def _choices(names: Mapping[str, tuple[str, ...]]) -> tuple[tuple[str, str], ...]:
    # One choice per category, named by its shortest field name: `email` rather than `billing_email`.
    best: dict[str, str] = {}
    for name, held in names.items():
        if "." in name or len(held) != 1:
            continue
        current = best.get(held[0])
        if current is None or (len(name), name) < (len(current), current):
            best[held[0]] = name
    return tuple(sorted((name, category) for category, name in best.items()))


def normalise(corrections: Mapping[str, str], *, field: str = "corrections") -> dict[str, str]:
    """Check the shape of corrections (names and values given, within limits) and return them trimmed."""
    found: dict[str, str] = {}
    for name, value in corrections.items():
        key, text = str(name).strip().lower(), str(value).strip()
        if not key:
            raise errors.RequestRuleError("each correction names a field, e.g. name", field=field)
        if not text:
            raise errors.RequestRuleError("give the correct value", field=f"{field}.{key}")
        if len(text) > MAX_VALUE:
            raise errors.RequestRuleError(f"a corrected value is at most {MAX_VALUE} characters",
                                          field=f"{field}.{key}")
        found[key] = text
    if len(found) > MAX_CORRECTIONS:
        raise errors.RequestRuleError(f"give at most {MAX_CORRECTIONS} corrections", field=field)
    return found


def check(known: Correctable, corrections: Mapping[str, str], *, field: str = "corrections") -> None:
    """Refuse a correction of a field the manifest does not offer, or two values for one category."""
    given: dict[str, str] = {}
    for name in corrections:
        categories = known.categories(name)
        if not categories:
            offered = ", ".join(n for n, _ in known.choices) or "none (the manifest declares no such field)"
            raise errors.RequestRuleError(
                f"no declared field of the person's own data is called {name!r}; correct one of: {offered}",
                field=f"{field}.{name}",
            )
        for category in categories:
            if given.setdefault(category, name) != name:
                raise errors.RequestRuleError(
                    f"{name} and {given[category]} both correct {category}; give one value for it",
                    field=f"{field}.{name}",
                )


def implied_fields(known: Correctable, corrections: Mapping[str, str]) -> tuple[str, ...]:
    """Return the field names the corrections change: the names given and every field of their categories."""
    found = set(corrections)
    for name in corrections:
        found |= known.fields_of(known.categories(name))
    return tuple(sorted(found))


def by_category(manifest: Manifest, corrections: Mapping[str, str]) -> dict[str, str]:
    """Return the corrections keyed by the categories they change, as the run applies them.

    A name the manifest no longer offers is passed on as given: the run then refuses it, saying so.
    """
    known = correctable(manifest)
    found: dict[str, str] = {}
    for name, value in corrections.items():
        for category in known.categories(name) or (name,):
            found[category] = value
    return found
