"""Fides 2.86 driven through the peer harness: configure it for a database, then time privacy requests."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from services import PEER, log


@dataclass(frozen=True)
class FidesRequest:
    """One privacy request as bench_fides.py saw it: wall time from submission to a final status."""

    kind: str
    email: str
    status: str
    wall_s: float


def configure(python: Path, env: dict[str, str], database: str) -> None:
    """Run the peer's setup.py: storage, policies, a connection to `database` and the dataset."""
    out = subprocess.run([str(python), str(PEER / "setup.py"), database], env=env, check=True, text=True,
                         capture_output=True).stdout
    failed = [line for line in out.splitlines() if len(line.split()) > 1 and not _ok(line)]
    if failed:
        raise SystemExit("Fides setup failed:\n" + "\n".join(failed))
    log(f"Fides now points at {database}")


def _ok(line: str) -> bool:
    # setup.py prints "<what> <status code> <body>" per call.
    parts = line.split()
    code = next((p for p in parts[1:3] if p.isdigit()), "")
    return code.startswith("2")


def run(python: Path, env: dict[str, str], kind: str, emails: list[str]) -> list[FidesRequest]:
    """Submit one request per email, one after another, and wait for each to reach a final status."""
    out = subprocess.run([str(python), str(PEER / "bench_fides.py"), kind, *emails], env=env, check=True,
                         text=True, capture_output=True, timeout=3600).stdout
    requests: list[FidesRequest] = []
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        item = json.loads(line)
        if "error" in item:
            raise SystemExit(f"Fides refused a request: {item['error']}")
        requests.append(FidesRequest(kind, item["email"], item["status"], float(item["wall_s"])))
    for request in requests:
        if request.status != "complete":
            log(f"Fides {kind} ended {request.status}")
    return requests
