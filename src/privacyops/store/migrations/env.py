"""Alembic environment: runs migrations against the URL that ``privacyops.store.db`` configured."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy.types import TypeDecorator

import privacyops.store.models  # noqa: F401  (registers every table on Base.metadata)
from privacyops.store import db
from privacyops.store.base import Base

# Tables that live in the same database but belong to something else (the Postgres job queue).
FOREIGN_TABLE_PREFIXES = ("huey_",)


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """Leave tables that privacyops does not model out of autogenerate."""
    return not (type_ == "table" and name is not None and name.startswith(FOREIGN_TABLE_PREFIXES))


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write project column types as their plain SQLAlchemy type, so migrations never import models."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"  # the script template imports sqlalchemy as sa
    return False


def skip_empty_revision(context_: Any, _revision: Any, directives: list[Any]) -> None:
    """Write no file when autogenerate finds nothing to change."""
    if getattr(context_.config.cmd_opts, "autogenerate", False) or context_.config.attributes.get(
        "autogenerate"
    ):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []


def run_migrations() -> None:
    config = context.config
    url = config.attributes.get("privacyops_url") or config.get_main_option("sqlalchemy.url")
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = db.make_engine(str(url))
    try:
        with engine.connect() as conn:
            _run_on(conn)
    finally:
        engine.dispose()


def _run_on(connection: Any) -> None:
    if connection.dialect.name != "sqlite":
        _migrate(connection)
        return
    # Batch migrations rebuild SQLite tables (copy, drop, rename); with foreign keys enforced, dropping
    # a referenced table would fail or cascade. The pragma only takes effect outside a transaction, so
    # it goes to the driver connection before SQLAlchemy begins one; integrity is checked afterwards.
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        _migrate(connection)
        problems = raw.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"migration left rows that break foreign keys: {problems[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _migrate(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        process_revision_directives=skip_empty_revision,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
