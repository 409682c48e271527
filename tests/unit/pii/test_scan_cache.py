"""The compiled scan database is cached on disk: loaded when it fits, rebuilt silently when it does not."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from privacyops.pii import scan_cache, scanner
from privacyops.pii.recognizers import EmailRecognizer, Pattern, Recognizer
from privacyops.pii.recognizers.ip_address import IpAddressRecognizer
from tests import support

TEXT = "write to jane@doe.org from 203.0.113.7, or to joe@example.com"


def _patterns(extra: tuple[Pattern, ...] = ()) -> list[scanner.CompiledPattern]:
    recognizers: list[Recognizer] = [EmailRecognizer(), IpAddressRecognizer()]
    owned = [(index, pattern) for index, rec in enumerate(recognizers) for pattern in rec.PATTERNS]
    owned += [(0, pattern) for pattern in extra]
    return scanner.compile_patterns(owned)


def _spans(found: scanner.Scanner) -> list[tuple[int, scanner.Spans]]:
    return [(compiled.index, spans) for compiled, spans in found.scan(TEXT)]


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "cache"
    scan_cache.configure(folder)
    yield folder
    scan_cache.configure(None)


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{scan_cache.PREFIX}*{scan_cache.SUFFIX}"))


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("compiled although a usable cached database was there")

    monkeypatch.setattr(scanner, "_compile", refuse)


def test_a_second_scanner_loads_the_cached_database_and_finds_the_same(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = scanner.HyperscanScanner(_patterns())
    [stored] = _files(cache)
    assert stored.stat().st_mode & 0o077 == 0, "the cache file is private to its owner"
    _no_compiling(monkeypatch)
    second = scanner.HyperscanScanner(_patterns())
    assert _spans(second) == _spans(first) != []


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "foreign database", "empty"])
def test_a_damaged_or_foreign_file_is_rebuilt_silently(cache: Path, damage: str) -> None:
    expected = _spans(scanner.HyperscanScanner(_patterns()))
    [stored] = _files(cache)
    data = stored.read_bytes()
    head = len(scan_cache.MAGIC) + 32
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped byte":
        middle = head + (len(data) - head) // 2
        data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
    elif damage == "foreign database":  # a checksum that holds over bytes Hyperscan refuses
        payload = b"not a database of this Hyperscan build"
        data = scan_cache.MAGIC + hashlib.sha256(payload).digest() + payload
    else:
        data = b""
    stored.write_bytes(data)
    rebuilt = scanner.HyperscanScanner(_patterns())
    assert _spans(rebuilt) == expected
    assert stored.read_bytes() != data, "the damaged file is replaced by a good one"
    assert scan_cache._read(stored) is not None


def test_other_patterns_or_flags_get_another_file(cache: Path) -> None:
    scanner.HyperscanScanner(_patterns())
    scanner.HyperscanScanner(_patterns((Pattern("extra", r"\bzz[0-9]{3}\b", 0.5),)))
    scanner.HyperscanScanner(_patterns((Pattern("extra", r"\bzz[0-9]{3}\b", 0.5, exact=True),)))
    assert len(_files(cache)) == 3
    assert scan_cache.database_key([b"a"], [0], "1") != scan_cache.database_key([b"a"], [0], "2")


def test_an_unwritable_folder_only_means_compiling_again(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    scan_cache.configure(blocker / "cache")
    try:
        assert _spans(scanner.HyperscanScanner(_patterns())) != []
    finally:
        scan_cache.configure(None)


def test_threads_scan_at_once_each_with_its_own_scratch(cache: Path) -> None:
    scan = scanner.HyperscanScanner(_patterns())
    expected = _spans(scan)
    results: list[list[tuple[int, scanner.Spans]]] = []

    def work() -> None:
        results.extend(_spans(scan) for _ in range(200))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 800 and all(found == expected for found in results)


def test_the_default_engine_file_is_the_same_in_every_process(tmp_path: Path) -> None:
    """String hashing differs per process; the database's name (and its patterns) must not."""
    probe = (
        "from privacyops.pii import engine, scan_cache;"
        "scanner = engine.Engine().scanner;"
        "print(sorted(p.name for p in scan_cache.cache_dir().glob('pii-scan-*')))"
    )
    names = set()
    for seed in ("1", "2"):
        env = support.clean_env(PRIVACYOPS_CACHE_DIR=str(tmp_path / "cache"), PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                              timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        names.add(done.stdout.strip())
    assert len(names) == 1 and "pii-scan-" in names.pop()


def test_a_worker_process_builds_the_scan_database_when_it_starts(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = support.clean_env(PRIVACYOPS_HOME=str(tmp_path / "home"), PRIVACYOPS_CACHE_DIR=str(cache))
    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        worker = subprocess.Popen([sys.executable, "-m", "privacyops", "worker", "--workers", "1"], env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        support.wait_until(lambda: _files(cache) or worker.poll() is not None, "the scan database", 60)
        assert worker.poll() is None, log.read_text()
        [stored] = _files(cache)
        assert scan_cache._read(stored) is not None
    finally:
        support.stop_process(worker)
