"""Lookups over the manifest's data inventory shared by the CCPA table, the records and the notice."""

from __future__ import annotations

from collections.abc import Iterable

from privacyops.manifest import schema


def related(a: str, b: str) -> bool:
    """Return whether two category keys overlap: equal, or one is an ancestor of the other."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def touches(declared: Iterable[str], keys: Iterable[str]) -> bool:
    """Return whether any declared key overlaps any of the given keys."""
    wanted = tuple(keys)
    return any(related(d, k) for d in declared for k in wanted)


def collected_keys(manifest: schema.Manifest) -> list[str]:
    """Return the keys of the collected data categories, in the manifest's order."""
    collected = manifest.collected_categories()
    return [key for key in manifest.data_categories if key in collected]


def keys_for_letter(manifest: schema.Manifest, letter: str) -> list[str]:
    """Return the collected category keys whose CCPA letter is the given one."""
    return [k for k in collected_keys(manifest) if manifest.data_categories[k].ccpa == letter]


def category_label(manifest: schema.Manifest, key: str) -> str:
    """Return the human name of a category, or its key when it is not declared."""
    category = manifest.data_categories.get(key)
    return category.name if category is not None else key


def purposes_using(manifest: schema.Manifest, keys: Iterable[str]) -> list[str]:
    """Return the keys of purposes that use any of the given categories."""
    wanted = tuple(keys)
    return [key for key, p in manifest.purposes.items() if touches(p.categories, wanted)]


def recipients_of(manifest: schema.Manifest, keys: Iterable[str]) -> list[schema.Subprocessor]:
    """Return the subprocessors that receive any of the given categories."""
    wanted = tuple(keys)
    return [sub for sub in manifest.subprocessors if touches(sub.categories, wanted)]


def letters_of(manifest: schema.Manifest, keys: Iterable[str]) -> list[str]:
    """Return the CCPA letters (sorted, unique) of the declared categories overlapping the given keys."""
    wanted = tuple(keys)
    letters = {
        c.ccpa for key, c in manifest.data_categories.items() if c.ccpa and touches((key,), wanted)
    }
    return sorted(letter for letter in letters if letter)


def rule_categories(manifest: schema.Manifest, rule: schema.RetentionRule) -> set[str]:
    """Return the category keys a retention rule covers, whether it names categories or system data."""
    covered: set[str] = set()
    for target in rule.data:
        if target in manifest.data_categories:
            covered.add(target)
            continue
        system_name, _, rest = target.partition(".")
        system = manifest.systems.get(system_name)
        if system is None:
            continue
        table_name, _, field_name = rest.partition(".")
        for name, table in system.tables.items():
            if table_name in ("", "*", name):
                fields = [table.fields[field_name]] if field_name in table.fields else table.fields.values()
                covered |= {c for spec in fields for c in spec.categories}
    return covered


def holds_on(manifest: schema.Manifest, keys: Iterable[str]) -> list[tuple[str, schema.LegalHold]]:
    """Return (where, hold) for every legal hold on a table or field that holds one of the categories."""
    wanted = tuple(keys)
    found: list[tuple[str, schema.LegalHold]] = []
    for system_name, system in manifest.systems.items():
        for table_name, table in system.tables.items():
            if table.hold is not None and touches(table.categories(), wanted):
                found.append((f"{system_name}.{table_name}", table.hold))
            for field_name, spec in table.fields.items():
                if spec.hold is not None and touches(spec.categories, wanted):
                    found.append((f"{system_name}.{table_name}.{field_name}", spec.hold))
    return found
