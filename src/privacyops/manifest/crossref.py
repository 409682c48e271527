"""Checks that need the whole manifest: every name used is declared, every reference resolves."""

from __future__ import annotations

from collections.abc import Iterator

from privacyops.manifest import sweeps, taxonomy
from privacyops.manifest.errors import Finding
from privacyops.manifest.schema import Manifest, System, Table
from privacyops.manifest.source import Path, SourceMap


def check(manifest: Manifest, source: SourceMap) -> list[Finding]:
    """Return an error for every undeclared or unresolved name."""
    # Declarations first: a misspelt declared key would otherwise also fail every use of it.
    for phase in ((_category_keys, _subjects), (_purposes, _sharing, _retention, _systems, sweeps.problems)):
        found = [source.finding(path, "error", code, message, fix)
                 for step in phase for path, code, message, fix in step(manifest)]
        if found:
            return found
    return []


Problem = tuple[Path, str, str, str]


def _category_keys(m: Manifest) -> Iterator[Problem]:
    known = taxonomy.data_categories()
    for key, category in m.data_categories.items():
        path: Path = ("data_categories", key)
        if category.custom:
            if key in known:
                yield (*path, "custom"), "custom-shadows", \
                    f"`{key}` is a fideslang category, not a custom one", "remove custom: true and parent"
            elif category.parent not in known and category.parent not in m.data_categories:
                yield (*path, "parent"), "unknown-category", \
                    f"parent `{category.parent}` of `{key}` is unknown", \
                    taxonomy.suggestion(str(category.parent), known | set(m.data_categories), "categories")
            elif not key.startswith(f"{category.parent}."):
                yield path, "custom-key", f"custom category `{key}` does not sit under its parent", \
                    f"name it `{category.parent}.{key.rsplit('.', 1)[-1]}`"
        elif key not in known:
            yield path, "unknown-category", f"`{key}` is not a fideslang data category", \
                taxonomy.suggestion(key, known, "fideslang categories") + \
                " (or declare it with custom: true and a parent)"


def _declared_category(m: Manifest, key: str, path: Path) -> Iterator[Problem]:
    if key not in m.data_categories:
        yield path, "undeclared-category", f"data category `{key}` is not declared in data_categories", \
            taxonomy.suggestion(key, m.data_categories, "categories") + " (or add it to data_categories)"


def _subjects(m: Manifest) -> Iterator[Problem]:
    known = taxonomy.data_subjects()
    for key, subject in m.data_subjects.items():
        if not subject.custom and key not in known:
            yield ("data_subjects", key), "unknown-subject", f"`{key}` is not a fideslang data subject", \
                taxonomy.suggestion(key, known, "data subjects") + " (or add custom: true)"


def _purposes(m: Manifest) -> Iterator[Problem]:
    uses = taxonomy.data_uses()
    for key, purpose in m.purposes.items():
        base: Path = ("purposes", key)
        for i, category in enumerate(purpose.categories):
            yield from _declared_category(m, category, (*base, "categories", i))
        for i, subject in enumerate(purpose.subjects):
            if subject not in m.data_subjects:
                yield (*base, "subjects", i), "undeclared-subject", \
                    f"data subject `{subject}` is not declared", \
                    taxonomy.suggestion(subject, m.data_subjects, "data subjects")
        if purpose.data_use not in uses:
            yield (*base, "data_use"), "unknown-data-use", \
                f"`{purpose.data_use}` is not a fideslang data use", \
                taxonomy.suggestion(purpose.data_use, uses, "data uses")
        ref = purpose.basis.pipeda.exception_ref if purpose.basis.pipeda else None
        if ref is not None and ref not in m.canada_exceptions:
            yield (*base, "basis", "pipeda", "exception_ref"), "undeclared-exception", \
                f"Canadian exception `{ref}` is not declared in canada_exceptions", \
                taxonomy.suggestion(ref, m.canada_exceptions, "exceptions")


def _sharing(m: Manifest) -> Iterator[Problem]:
    for section in ("subprocessors", "recipients"):
        for i, item in enumerate(getattr(m, section)):
            for j, category in enumerate(item.categories):
                yield from _declared_category(m, category, (section, i, "categories", j))
            for j, purpose in enumerate(item.purposes):
                if purpose not in m.purposes:
                    yield (section, i, "purposes", j), "undeclared-purpose", \
                        f"purpose `{purpose}` is not declared", \
                        taxonomy.suggestion(purpose, m.purposes, "purposes")
    for i, login in enumerate(m.social_logins):
        for j, category in enumerate(login.categories):
            yield from _declared_category(m, category, ("social_logins", i, "categories", j))


def _retention(m: Manifest) -> Iterator[Problem]:
    for i, rule in enumerate(m.retention.rules):
        for j, target in enumerate(rule.data):
            path: Path = ("retention", "rules", i, "data", j)
            if target in m.data_categories:
                continue
            problem = _data_target_problem(m, target)
            if problem:
                yield path, "undeclared-data", problem[0], problem[1]


def _data_target_problem(m: Manifest, target: str) -> tuple[str, str] | None:
    parts = target.split(".")
    if parts[0] not in m.systems:
        if target.startswith("user") or target.startswith("system"):
            return (f"data category `{target}` is not declared",
                    taxonomy.suggestion(target, m.data_categories, "categories"))
        return (f"`{target}` names neither a declared category nor a system",
                taxonomy.suggestion(parts[0], m.systems, "systems") + " (write system.table or system.*)")
    system = m.systems[parts[0]]
    if len(parts) == 1 or parts[1] == "*":
        return None
    if parts[1] not in system.tables:
        return (f"table `{parts[1]}` is not declared in system `{parts[0]}`",
                taxonomy.suggestion(parts[1], system.tables, "tables"))
    if len(parts) == 3 and parts[2] not in system.tables[parts[1]].fields:
        return (f"field `{parts[2]}` is not declared in `{parts[0]}.{parts[1]}`",
                taxonomy.suggestion(parts[2], system.tables[parts[1]].fields, "fields"))
    return None


def _systems(m: Manifest) -> Iterator[Problem]:
    for name, system in m.systems.items():
        for table_name, table in system.tables.items():
            yield from _table(m, name, system, table_name, table)


def _table(m: Manifest, system_name: str, system: System, table_name: str, table: Table) -> Iterator[Problem]:
    base: Path = ("systems", system_name, "tables", table_name)
    for field_name, spec in table.fields.items():
        for i, category in enumerate(spec.categories):
            yield from _declared_category(m, category, (*base, "fields", field_name, "categories", i))
    for kind, expression in table.identity.items():
        column = expression.split("->", 1)[0].strip()
        if column not in table.fields:
            yield (*base, "identity", kind), "undeclared-field", \
                f"identity `{kind}` uses field `{column}`, which `{table_name}` does not declare", \
                taxonomy.suggestion(column, table.fields, "fields")
    for column in table.primary_key:
        if column not in table.fields:
            yield (*base, "primary_key"), "undeclared-field", \
                f"primary key `{column}` is not a declared field", \
                taxonomy.suggestion(column, table.fields, "fields")
    for i, reference in enumerate(table.references):
        for column in reference.fields:
            if column not in table.fields:
                yield (*base, "references", i), "undeclared-field", \
                    f"reference from `{column}`, which `{table_name}` does not declare", \
                    taxonomy.suggestion(column, table.fields, "fields")
        for target in reference.to:
            problem = _reference_problem(m, system_name, target)
            if problem:
                yield (*base, "references", i), "undeclared-reference", problem[0], problem[1]


def _reference_problem(m: Manifest, system_name: str, target: str) -> tuple[str, str] | None:
    parts = target.split(".")
    other, table, column = (system_name, *parts) if len(parts) == 2 else parts
    if other not in m.systems:
        return f"reference to `{target}` names unknown system `{other}`", \
            taxonomy.suggestion(other, m.systems, "systems")
    tables = m.systems[other].tables
    if table not in tables:
        return (f"reference to `{target}`: table `{table}` is not declared in system `{other}`",
                taxonomy.suggestion(table, tables, "tables"))
    if column not in tables[table].fields:
        return (f"reference to `{target}`: field `{column}` is not declared in `{table}`",
                taxonomy.suggestion(column, tables[table].fields, "fields"))
    return None
