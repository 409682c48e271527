"""Column types for personal data: sealed on the way into the database, opened on the way out.

Code reads and writes plain values; only the database sees ciphertext (see :mod:`privacyops.store.sealing`).
A value written before encryption at rest is read as it is, and the next migration or rotation seals it.
Sealed columns cannot be searched by value: lookups go through a keyed hash kept beside them.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from privacyops.store import keyring, sealing

# Every sealed column as (table, primary key, column): what a key rotation walks through.
SEALED_COLUMNS: list[tuple[str, str, str]] = []


class SealedText(TypeDecorator[Any]):
    """Text kept encrypted at rest; ``purpose`` (``table.column``) is authenticated with each value."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str, primary_key: str = "id") -> None:
        super().__init__()
        self.purpose = purpose
        self.primary_key = primary_key
        table, column = purpose.split(".")
        if (table, primary_key, column) not in SEALED_COLUMNS:
            SEALED_COLUMNS.append((table, primary_key, column))

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        key_id, kek = keyring.of(dialect).sealing_key()
        return sealing.seal(self._text(value), purpose=self.purpose, key_id=key_id, kek=kek)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not sealing.is_sealed(value):
            return self._value(value) if value is not None else None
        kek = keyring.of(dialect).opening_key(sealing.key_id_of(value))
        return self._value(sealing.open_sealed(value, purpose=self.purpose, kek=kek))

    def _text(self, value: Any) -> str:
        return str(value)

    def _value(self, text: str) -> Any:
        return text


class SealedJSON(SealedText):
    """A JSON document kept encrypted at rest (whole, as its JSON text)."""

    def _text(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    def _value(self, text: Any) -> Any:
        return json.loads(text) if isinstance(text, str) else text


class SealedBytes(SealedText):
    """Bytes (an uploaded file) kept encrypted at rest, as the base64 text of the bytes."""

    def _text(self, value: Any) -> str:
        return base64.b64encode(bytes(value)).decode("ascii")

    def _value(self, text: Any) -> Any:
        return base64.b64decode(text) if isinstance(text, str) else text
