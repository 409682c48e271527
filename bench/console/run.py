"""Server time of the console and privacy-center pages with many requests in the store.

Fills a fresh store with N requests (10,000 by default) spread over a year, with their transitions,
audit events and recipient tasks, then times each page N times through the app in process (no network:
the figure is the server's work) and prints p50/p95 per page. ``--quick`` runs 2,000 requests and 5
rounds (well under a minute). ``--db postgresql+psycopg://...`` times PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from privacyops.api.app import create_app
from privacyops.audit import chain
from privacyops.console import framework, sessions, users
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db
from privacyops.store.models.audit import AuditEvent, AuditHead
from privacyops.store.models.execution import RecipientTask
from privacyops.store.models.requests import RequestIdentity, SubjectRequest

TYPES = ("access", "erasure", "portability", "rectification", "objection", "marketing_opt_out")
OPEN = ("awaiting_verification", "awaiting_approval", "in_progress", "verified")
CLOSED = ("completed", "denied", "cancelled", "partially_completed")


def fill(settings: Settings, count: int, seed: int = 7) -> list[str]:
    """Write ``count`` requests, a third open, with identities, one audit event each and open erasures' tasks.

    Rows go in with bulk INSERTs (the sealed identity values still pass through their column type); the
    audit events carry placeholder hashes, since no page timed here walks the chain.
    """
    rng = random.Random(seed)
    now = datetime.now(UTC)
    requests, identities, tasks, events = [], [], [], []
    for n in range(count):
        received = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
        closed = rng.random() > 0.33
        kind = rng.choice(TYPES)
        request_id = uuid.uuid4().hex
        requests.append(
            {
                "id": request_id,
                "request_type": kind,
                "state": rng.choice(CLOSED if closed else OPEN),
                "channel": "web_form",
                "regions": ["eu"],
                "subject_key": uuid.uuid4().hex * 2,
                "received_at": received,
                "created_at": received,
                "updated_at": received,
                "response_due": (received + timedelta(days=30)).date(),
                "deadlines": {},
                "extensions": [],
                "flags": {},
                "closed_at": received + timedelta(days=rng.randrange(1, 40)) if closed else None,
            }
        )
        identities.append(
            {
                "request_id": request_id,
                "kind": "email",
                "value_hash": uuid.uuid4().hex * 2,
                "value": f"person{n}@example.org",
            }
        )
        events.append(
            {
                "id": n + 1,
                "created_at": received,
                "actor": "bench",
                "action": "request.received",
                "entity": "subject_request",
                "entity_id": request_id,
                "data": {"type": kind},
                "prev_hash": "0" * 64,
                "hash": "0" * 64,
            }
        )
        if kind == "erasure" and not closed:
            tasks += [
                {
                    "request_id": request_id,
                    "recipient": f"Recipient {k}",
                    "service": "hosting",
                    "action": "erase",
                    "categories": ["user.name"],
                    "channel": "manual",
                    "state": "open",
                    "attempts": 0,
                    "created_at": received,
                }
                for k in range(3)
            ]
    engine = db.engine_for(settings)
    with db.session_factory(engine)() as session:
        for model, rows in (
            (SubjectRequest, requests),
            (RequestIdentity, identities),
            (RecipientTask, tasks),
            (AuditEvent, events),
        ):
            if rows:
                session.execute(sa.insert(model), rows)
        # The chain's head follows the bulk rows, so that later events (the bench admin) append after them.
        session.merge(AuditHead(id=chain.HEAD_ID, last_id=len(events), last_hash="0" * 64))
        session.commit()
    engine.dispose()
    return [row["id"] for row in requests]


def admin_cookie(settings: Settings) -> str:
    """Add an admin and open a session for it; return the cookie."""
    engine = db.engine_for(settings)
    with db.session_factory(engine)() as session:
        user = users.add(session, username="bench", password="bench-password-1", role="admin", actor="bench")
        _row, cookie = sessions.start(session, user, framework.lifetime(settings), datetime.now(UTC))
        session.commit()
    engine.dispose()
    return cookie


def time_pages(client: TestClient, pages: list[str], rounds: int) -> list[tuple[str, float, float]]:
    """Return (page, p50 ms, p95 ms) after one untimed warm-up call per page."""
    results = []
    for path in pages:
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, path
        times.sort()
        results.append((path, statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="2,000 requests, 5 rounds")
    parser.add_argument("--db", default="", help="store URL (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()
    count, rounds = (2000, 5) if args.quick else (args.requests, args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'store.db'}"
        settings = Settings(
            database_url=url,
            home=Path(folder) / "home",
            manifest=LANGFUSE_MANIFEST,
            admin_token="po_bench_console",
            secret_key="bench-console-secret-0123456789",
            worker_in_process=False,
            queue_url="memory://",
        )
        db.upgrade(url)
        started = time.perf_counter()
        ids = fill(settings, count)
        print(f"filled {count} requests in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        cookie = admin_cookie(settings)
        open_one = ids[1]
        pages = [
            "/admin/requests",
            "/admin/requests?status=all",
            "/admin/requests?due=overdue",
            f"/admin/requests/{open_one}",
            "/admin/tasks",
            "/admin/dashboard",
            "/admin/audit",
            "/admin/data-map",
            "/privacy/request",
        ]
        with TestClient(create_app(settings)) as client:
            client.cookies.set(framework.SESSION_COOKIE, cookie, path="/admin")
            results = time_pages(client, pages, rounds)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| page | p50 ms | p95 ms |\n|---|---:|---:|")
    for path, p50, p95 in results:
        print(f"| `{path.replace(open_one, '{id}')}` | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
