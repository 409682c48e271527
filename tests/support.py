"""Small helpers shared by the test tiers (ports, subprocess environments, log checks)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any PRIVACYOPS_* or app database setting, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRIVACYOPS_")}
    env.pop("APP_DATABASE_URL", None)
    # The hourly retention sweep would change the demo's data whenever a test spans minute 7, under
    # tests that compare data before and after a request; tests of the sweep run it by name.
    env["PRIVACYOPS_SCHEDULED_OFF"] = "retention_sweep"
    env.update(extra)
    return env


def wait_until(check: Callable[[], Any], what: str, timeout: float = 120, every: float = 0.1) -> Any:
    """Poll ``check`` until it returns something true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def stop_process(process: subprocess.Popen[Any], sig: int = signal.SIGINT, grace: float = 30) -> None:
    """Stop a server the way its operator would (Ctrl-C or SIGTERM), killing it after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# Addresses of the test machine itself: they name no person, so a log line may carry them.
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def assert_no_secrets(text: str, secrets: Iterable[str], *, allow: Iterable[str] = LOOPBACK) -> None:
    """Fail when ``text`` (captured log output) holds any of ``secrets`` or anything the PII engine finds.

    ``secrets`` are the values a test handed the service (tokens, codes, email addresses, ids); the
    engine (``privacyops.pii``) then catches personal data nobody thought to list. Findings whose value
    is in ``allow`` (loopback addresses by default) are not personal data and pass.
    """
    from privacyops.pii import engine  # imported here: building the engine is only needed by callers

    lines = text.splitlines()
    for secret in (s for s in secrets if s):
        # Whole values only: a six-digit code may well occur inside a longer number (a port, a time).
        alone = re.compile(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])")
        for number, line in enumerate(lines, start=1):
            shown = alone.sub("<secret>", line)
            assert not alone.search(line), f"log line {number} holds a secret: {shown!r}"
    allowed = set(allow)
    for number, findings in enumerate(engine.default_engine().analyze_many(lines), start=1):
        found = [f for f in findings if f.value_in(lines[number - 1]) not in allowed]
        assert not found, f"log line {number} holds {found[0].entity}: {lines[number - 1]!r}"
