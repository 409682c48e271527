"""The compiled Hyperscan database, kept on disk between processes.

Compiling every recognizer pattern into one database takes about a second of CPU, which each new
process (a worker, ``privacyops mask``, a server's first masking call) would otherwise pay again.
The compiled bytes are written once to a cache folder, under a name that hashes everything the
result depends on: the expressions, their ids and flags, the ``hyperscan`` wheel's version and the
machine's architecture. A later process with the same patterns loads the file in a millisecond.

The file holds a SHA-256 of the database after a short header, checked before Hyperscan reads it.
A missing, truncated, corrupt or foreign file is rebuilt silently; a folder that cannot be written
only means the next process compiles again. The database holds patterns, never scanned text.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import platform
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_ENV = "PRIVACYOPS_CACHE_DIR"
MAGIC = b"privacyops-hsdb-1\n"
PREFIX = "pii-scan-"
SUFFIX = ".hsdb"
STALE_DAYS = 30
"""Cached databases nobody loaded for this long are removed when another one is written."""

_configured: Path | None = None


def configure(folder: Path | str | None) -> None:
    """Use ``folder`` for the cache in this process (``Settings.cache_dir``); None restores the default."""
    global _configured
    _configured = Path(folder).expanduser() if folder else None


def cache_dir() -> Path:
    """Return the cache folder: the configured one, else ``PRIVACYOPS_CACHE_DIR``, else the user's cache."""
    if _configured is not None:
        return _configured
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "privacyops"


def database_key(expressions: Sequence[bytes], flags: Sequence[int], version: str) -> str:
    """Hash what a compiled database depends on into the cache file's name."""
    digest = hashlib.sha256()
    for part in (version.encode(), platform.machine().encode(), str(len(expressions)).encode()):
        digest.update(part + b"\0")
    for expression, flag in zip(expressions, flags, strict=True):
        digest.update(expression + b"\0" + str(flag).encode() + b"\0")
    return digest.hexdigest()[:32]


def load_or_build(key: str, build: Callable[[], tuple[Any, bytes]], load: Callable[[bytes], Any]) -> Any:
    """Return ``load(bytes)`` of the cached database named ``key``; else build and store it.

    ``build`` compiles and returns the database with its serialised bytes; ``load`` turns bytes
    into a database and raises on bytes Hyperscan refuses (another version or CPU): a miss too.
    """
    path = cache_dir() / f"{PREFIX}{key}{SUFFIX}"
    payload = _read(path)
    if payload is not None:
        try:
            database = load(payload)
        except Exception as exc:  # written by another Hyperscan build: compile anew
            log.debug("cached scan database not usable (%s); compiling", type(exc).__name__)
        else:
            with contextlib.suppress(OSError):
                os.utime(path)  # keeps it from being pruned as unused
            return database
    database, payload = build()
    _write(path, payload)
    return database


def _read(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if len(data) <= head or not data.startswith(MAGIC):
        return None
    payload = data[head:]
    if hashlib.sha256(payload).digest() != data[len(MAGIC) : head]:
        return None
    return payload


def _write(path: Path, payload: bytes) -> None:
    """Write the file atomically (a temporary file renamed over it); failures are only logged."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-" + PREFIX)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        log.debug("scan database not cached in %s (%s)", path.parent, type(exc).__name__)
        return
    _prune(path)


def _prune(kept: Path) -> None:
    limit = time.time() - STALE_DAYS * 86400
    for other in kept.parent.glob(f"{PREFIX}*{SUFFIX}"):
        with contextlib.suppress(OSError):
            if other != kept and other.stat().st_mtime < limit:
                other.unlink()
