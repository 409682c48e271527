"""Engines, sessions and migrations for the store.

Nothing here runs at import time: callers pass a URL and get an engine, a session factory, or an
upgraded database.
"""

from __future__ import annotations

import fcntl
import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from privacyops import home
from privacyops.store import keyring

if TYPE_CHECKING:
    from privacyops.settings import Settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 15_000
UPGRADE_COMMAND = "privacyops db upgrade"


class StoreNotMigrated(RuntimeError):
    """The store's schema is not the one this privacyops needs; ``privacyops db upgrade`` fixes it."""


def normalise_url(url: str) -> str:
    """Point bare ``postgresql://`` URLs at psycopg 3, the driver this project installs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(
    url: str,
    *,
    sqlite_immediate: bool = False,
    secret: bytes | keyring.SecretSource | None = None,
    **engine_kwargs: Any,
) -> sa.Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and its parent folder.

    ``sqlite_immediate`` makes every SQLite transaction take the write lock when it begins. Use it for
    an engine whose transactions read and then write (a workflow step): otherwise a concurrent commit
    between the read and the write makes SQLite refuse the write at once with "database is locked".

    ``secret`` is the deployment's secret key, from which the store keys that seal personal data are
    derived; without it the engine takes the one the environment's settings name, when first needed.
    """
    url = normalise_url(url)
    engine = _create_engine(url, sqlite_immediate, engine_kwargs)
    keyring.attach(engine, keyring.Keyring(url, secret if secret is not None else secret_from_environment))
    return engine


def engine_for(settings: Settings, *, sqlite_immediate: bool = False, **engine_kwargs: Any) -> sa.Engine:
    """Create the engine of the store ``settings`` name, sealing with the secret key they name."""
    return make_engine(settings.database_url, sqlite_immediate=sqlite_immediate,
                       secret=settings_secret(settings), **engine_kwargs)


def settings_secret(settings: Settings) -> keyring.SecretSource:
    """Return the lazy source of the secret key ``settings`` name (read or generated when first needed)."""
    from privacyops.requests import context

    return lambda: context.secret_key(settings)


def secret_from_environment() -> bytes:
    """Return the secret key of the settings the environment gives (``PRIVACYOPS_SECRET_KEY`` or the home)."""
    from privacyops.requests import context
    from privacyops.settings import load_settings

    return context.secret_key(load_settings())


def _create_engine(url: str, sqlite_immediate: bool, engine_kwargs: dict[str, Any]) -> sa.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine_kwargs.setdefault("pool_pre_ping", True)
        return sa.create_engine(url, **engine_kwargs)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        # Created 0600 before SQLite opens it: its -wal and -shm files then take the same mode.
        home.touch_private(Path(database))
    connect_args = engine_kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    connect_args.setdefault("check_same_thread", False)
    engine = sa.create_engine(url, connect_args=connect_args, **engine_kwargs)
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite_immediate if sqlite_immediate else _begin_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over so that
    # SQLAlchemy's "begin" event below issues the BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _begin_sqlite_immediate(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Return the session factory used everywhere (objects stay readable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Build an Alembic configuration in code; no ``alembic.ini`` is needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    # Date first, so that the folder lists migrations in the order they were written.
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    config.attributes["privacyops_url"] = normalise_url(url)
    if importlib.util.find_spec("ruff") is not None:
        # New migration scripts come out formatted and lint-clean, as the rest of the code.
        config.set_section_option("post_write_hooks", "hooks", "ruff_format, ruff_fix")
        for name, options in (("ruff_format", "format"), ("ruff_fix", "check --fix --exit-zero")):
            section = "post_write_hooks"
            config.set_section_option(section, f"{name}.type", "module")
            config.set_section_option(section, f"{name}.module", "ruff")
            config.set_section_option(section, f"{name}.options", f"{options} REVISION_SCRIPT_FILENAME")
    return config


def upgrade(url: str, revision: str = "head", *, secret: bytes | keyring.SecretSource | None = None) -> None:
    """Bring the database at ``url`` up to ``revision`` (the newest by default).

    ``secret`` seals personal data that an older version stored in clear (by default the secret key
    the environment's settings name, read only if there is such data).
    """
    config = alembic_config(url)
    config.attributes["privacyops_secret"] = secret if secret is not None else secret_from_environment
    with _migration_lock(url):
        command.upgrade(config, revision)


def ensure_schema(url: str, *, secret: bytes | keyring.SecretSource | None = None) -> None:
    """Make sure the store has the newest schema before a command uses it.

    An embedded SQLite store is migrated on first use. A server database is never changed behind the
    operator's back: :class:`StoreNotMigrated` names the command that migrates it.
    """
    current = current_revision(url)
    head = head_revision()
    if current == head:
        return
    if _sqlite_file(url) is not None:
        upgrade(url, secret=secret)
        return
    where = f"is at revision {current}" if current else "has no tables yet"
    raise StoreNotMigrated(
        f"the store database {where}, this privacyops needs revision {head}: run `{UPGRADE_COMMAND}` "
        "(with the same --db or PRIVACYOPS_DATABASE_URL) and try again"
    )


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(normalise_url(url))
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else Path(database).expanduser()


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    # Commands started together (serve and worker) would each create the same tables of an embedded
    # SQLite store, which every command migrates on first use: the lock beside the file orders them.
    path = _sqlite_file(url)
    if path is None:
        yield
        return
    lock = home.touch_private(path.with_name(path.name + ".migrate-lock"))
    with lock.open("rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def head_revision() -> str | None:
    """Return the newest migration shipped with this version of privacyops."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def current_revision(url: str) -> str | None:
    """Return the migration the database at ``url`` is at (None if never migrated)."""
    engine = make_engine(url)
    try:
        return revision_of(engine)
    finally:
        engine.dispose()


def revision_of(engine: sa.Engine) -> str | None:
    """Return the migration the database behind ``engine`` is at (None if never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ping(engine: sa.Engine) -> None:
    """Run a trivial query; raises if the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def new_revision(message: str, url: str | None = None) -> Path:
    """Write a migration for the difference between the models and the migrated schema.

    Without ``url`` the comparison runs against a throwaway SQLite database brought to head, which is
    what a contributor adding a model wants.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        target = url or f"sqlite:///{folder}/revision.db"
        upgrade(target)
        config = alembic_config(target)
        config.attributes["autogenerate"] = True
        script = command.revision(config, message=message, autogenerate=True)
    if script is None or isinstance(script, list):
        raise NothingToMigrate()
    return Path(script.path)


class NothingToMigrate(Exception):
    """The models and the migrations already agree: there is no migration to write."""
