"""The store keys an engine seals and opens values with, read from ``store_keys`` and kept briefly.

Each engine made by :func:`privacyops.store.db.make_engine` carries a keyring, reached from the column
types through the engine's dialect. The keyring reads ``store_keys`` on its own connection (never the
one in the middle of a flush) and keeps what it read for ``REFRESH_SECONDS``: another process's
rotation is picked up that quickly, and a rotation waits that long before its last sweep.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import NullPool

from privacyops.store import sealing

REFRESH_SECONDS = 2.0
_ATTRIBUTE = "privacyops_keyring"

SecretSource = Callable[[], bytes]


class KeyringError(RuntimeError):
    """The store key a value needs is missing: the store is not migrated or the key was retired."""


@dataclass(frozen=True)
class KeyRow:
    """One row of ``store_keys`` as the keyring needs it."""

    id: str
    salt: str | None
    state: str


def read_keys(connection: sa.Connection) -> list[KeyRow]:
    """Return every store key, oldest first."""
    rows = connection.execute(sa.text("SELECT id, salt, state FROM store_keys ORDER BY created_at, id"))
    return [KeyRow(str(r.id), r.salt, str(r.state)) for r in rows]


def salt_bytes(salt: str) -> bytes:
    """Decode a stored salt."""
    return base64.b64decode(salt)


class Keyring:
    """Key-encryption keys by id, and which one seals new values; derived from the deployment secret."""

    def __init__(self, url: str, secret: bytes | SecretSource, *, refresh_seconds: float = REFRESH_SECONDS):
        self._url = url
        self._secret_source = secret if callable(secret) else (lambda: secret)
        self._secret: bytes | None = None
        self._refresh_seconds = refresh_seconds
        self._keks: dict[str, bytes] = {}
        self._current: str | None = None
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def secret(self) -> bytes:
        """Return the deployment's secret (resolved on first use)."""
        if self._secret is None:
            self._secret = self._secret_source()
        return self._secret

    def kek_for(self, key_id: str, salt: str) -> bytes:
        """Return the key-encryption key of a store key row (cached: HKDF per use would cost)."""
        kek = self._keks.get(key_id)
        if kek is None:
            kek = sealing.derive_kek(self.secret(), salt_bytes(salt), key_id)
        return kek

    def sealing_key(self) -> tuple[str, bytes]:
        """Return the id and key-encryption key new values are sealed under."""
        if time.monotonic() - self._loaded_at > self._refresh_seconds:
            self.refresh()
        if self._current is None:
            raise KeyringError("the store has no active encryption key: run `privacyops db upgrade` "
                               "(or finish a rotation with `privacyops keys rotate`)")
        return self._current, self._keks[self._current]

    def opening_key(self, key_id: str) -> bytes:
        """Return the key-encryption key of ``key_id``, reading the store again if it is new to us."""
        if key_id not in self._keks:
            self.refresh()
        kek = self._keks.get(key_id)
        if kek is None:
            raise KeyringError(f"a stored value is sealed under store key {key_id}, which is retired or "
                               "unknown: it cannot be opened (`privacyops keys list` shows the keys)")
        return kek

    def refresh(self) -> None:
        """Read ``store_keys`` again on a connection of its own."""
        with self._lock:
            engine = sa.create_engine(self._url, poolclass=NullPool)
            try:
                with engine.connect() as connection:
                    rows = read_keys(connection)
            except sa.exc.DBAPIError as exc:
                raise KeyringError(f"the store keys cannot be read ({type(exc.orig).__name__}): run "
                                   "`privacyops db upgrade`") from None
            finally:
                engine.dispose()
            self._load(rows)

    def _load(self, rows: list[KeyRow]) -> None:
        keks = {row.id: self.kek_for(row.id, row.salt) for row in rows if row.salt}
        active = [row.id for row in rows if row.salt and row.state == "active"]
        self._keks, self._current = keks, (active[-1] if active else None)
        self._loaded_at = time.monotonic()


def attach(engine: sa.Engine, keyring: Keyring) -> None:
    """Give ``engine`` the keyring its sealed columns use."""
    setattr(engine.dialect, _ATTRIBUTE, keyring)


def of(dialect: Dialect) -> Keyring:
    """Return the keyring of the engine a statement runs on."""
    keyring = getattr(dialect, _ATTRIBUTE, None)
    if keyring is None:
        raise KeyringError("this database engine was not made by privacyops.store.db.make_engine, so it "
                           "has no store keys to seal or open personal data with")
    assert isinstance(keyring, Keyring)
    return keyring
