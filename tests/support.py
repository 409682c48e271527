"""Small helpers shared by the test tiers (ports, subprocess environments)."""

from __future__ import annotations

import os
import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any PRIVACYOPS_* or app database setting, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRIVACYOPS_")}
    env.pop("APP_DATABASE_URL", None)
    env.update(extra)
    return env
