"""Who holds a claim (a step, an outbox message): ``host:pid``, and whether that process is gone.

A process on another host cannot be asked; its claims end with their lease. A process on this host can:
a claim whose process no longer runs (or is a zombie waiting to be reaped) is abandoned at once, so a
restarted worker takes its predecessor's work over without waiting for a lease to run out.
"""

from __future__ import annotations

import os
import socket


def this_process() -> str:
    """Name the running process as ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def gone(owner: str | None) -> bool:
    """Tell whether ``owner`` (``host:pid``) is a process of this host that no longer runs."""
    host, _, pid = (owner or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _alive(int(pid))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True
