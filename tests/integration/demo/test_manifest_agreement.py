"""The example manifest's ``app_db`` system and the generated database declare the same tables and columns."""

from __future__ import annotations

import sqlalchemy as sa

from privacyops.demo import generate, schema
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.load import load_manifest


def declared() -> dict[str, set[str]]:
    system = load_manifest(LANGFUSE_MANIFEST).systems["app_db"]
    return {name: set(table.fields) for name, table in system.tables.items()}


def generated(url: str) -> dict[str, set[str]]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {
            name: {column["name"] for column in inspector.get_columns(name)}
            for name in inspector.get_table_names()
        }
    finally:
        engine.dispose()


def test_every_declared_table_and_column_exists(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, _ = demo_db
    database = generated(url)
    for table, columns in declared().items():
        assert table in database, f"the manifest declares {table}, the demo has no such table"
        missing = columns - database[table]
        assert not missing, f"{table}: the manifest declares {sorted(missing)} but the demo lacks them"


def test_every_generated_table_and_column_is_declared(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, _ = demo_db
    manifest = declared()
    database = generated(url)
    assert set(database) == set(schema.TABLE_NAMES)
    for table, columns in database.items():
        assert table in manifest, f"the demo has {table} but the manifest does not declare it"
        undeclared = columns - manifest[table]
        assert not undeclared, f"{table}: columns {sorted(undeclared)} are not declared in the manifest"


def test_declared_references_are_foreign_keys_of_the_schema() -> None:
    system = load_manifest(LANGFUSE_MANIFEST).systems["app_db"]
    for name, table in system.tables.items():
        declared_refs = {(ref.fields[0], ref.to[0]) for ref in table.references}
        keys = {
            (fk.parent.name, f"{fk.column.table.name}.{fk.column.name}")
            for fk in schema.metadata.tables[name].foreign_keys
        }
        assert declared_refs == keys, name
