"""Consent benchmark: the decision endpoint beside a trivial endpoint of the same server, and receipts/s.

On PostgreSQL (the test server of ``scripts/postgres.sh``): a fresh store with SUBJECTS subjects and
RECEIPTS receipts, ``privacyops serve`` as a subprocess, and a separate load process calling
``GET /api/v1/decisions`` and ``GET /api/v1/whoami`` (authenticated the same way, no database read) in
turns of the same length. Then receipts recorded through ``POST /api/v1/consent/receipts`` by the load
process (each one committed: durable as far as the server's settings allow), and through the library
in batches. ``--quick`` (the default) is 10k subjects and 100k receipts; ``--full`` the issue's 100k and 1M.

    PRIVACYOPS_TEST_PG_URL=... python bench/consent/run.py [--full] [--seconds 10] [--threads 16]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.support import free_port  # noqa: E402

from privacyops.consent import ledger, subjects  # noqa: E402
from privacyops.consent import purposes as cpurposes  # noqa: E402
from privacyops.examples import LANGFUSE_MANIFEST  # noqa: E402
from privacyops.manifest.load import load_manifest  # noqa: E402
from privacyops.store import db  # noqa: E402

TOKEN = "po_bench_consent_admin_token_0123456789"
SECRET = "bench-consent-secret-key-0123456789abcdef"
PURPOSES = [
    "marketing_communications",
    "marketing_effectiveness",
    "cookies.analytics",
    "cookies.targeting",
    "cookies.marketing",
]


def seed(url: str, subjects_n: int, receipts_n: int) -> float:
    """Bulk-insert receipts and their derived states; returns seconds taken."""
    manifest = load_manifest(LANGFUSE_MANIFEST)
    catalog = cpurposes.catalog(manifest)
    started = time.perf_counter()
    engine = db.make_engine(url)
    per = max(1, receipts_n // subjects_n)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        receipts, states = [], []
        for i in range(subjects_n):
            key = subjects.identity_key(SECRET.encode(), "email", f"user{i}@bench.example")
            latest: dict[str, dict[str, object]] = {}
            for j in range(per):
                purpose = PURPOSES[j % len(PURPOSES)]
                info = catalog.purposes[purpose]
                row = {
                    "receipt_id": secrets.token_hex(16),
                    "subject_key": key,
                    "kind": "consent",
                    "purpose": purpose,
                    "scope": "",
                    "granted": (i + j) % 3 != 0,
                    "notice_version": "2026-03-26",
                    "notice_hash": "0" * 64,
                    "purpose_hash": info.definition_hash,
                    "text_shown": info.text,
                    "method": "import",
                    "channel": "api",
                    "regime": None,
                    "signal": None,
                    "actor": "bench",
                    "recorded_at": base + timedelta(seconds=i * per + j),
                }
                receipts.append(row)
                latest[purpose] = row
            for row in latest.values():
                states.append(
                    {
                        k: row[k]
                        for k in (
                            "subject_key",
                            "purpose",
                            "scope",
                            "kind",
                            "granted",
                            "receipt_id",
                            "notice_version",
                            "purpose_hash",
                            "method",
                            "signal",
                            "recorded_at",
                        )
                    }
                )
            if len(receipts) >= 20_000 or i == subjects_n - 1:
                conn.execute(sa.text(_insert("consent_receipts", receipts[0])), receipts)
                conn.execute(sa.text(_insert("consent_states", states[0])), states)
                receipts, states = [], []
        conn.exec_driver_sql("ANALYZE consent_receipts")
        conn.exec_driver_sql("ANALYZE consent_states")
    engine.dispose()
    return time.perf_counter() - started


def _insert(table: str, row: dict[str, object]) -> str:
    return f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"


def library_receipts(url: str, count: int, batch: int) -> float:
    """Record receipts through ``ledger.record_many``, ``batch`` per transaction; returns receipts/s."""
    manifest = load_manifest(LANGFUSE_MANIFEST)
    catalog = cpurposes.catalog(manifest)
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    entry = ledger.Entry(
        purpose="marketing_communications",
        granted=True,
        notice_version="2026-03-26",
        method="import",
        channel="api",
    )
    started = time.perf_counter()
    for first in range(0, count, batch):
        items = [
            (subjects.parse(SECRET.encode(), [f"email:lib{i}@bench.example"]), entry)
            for i in range(first, min(count, first + batch))
        ]
        with sessions.begin() as session:
            ledger.record_many(session, catalog, items, actor="bench", now=datetime.now(UTC))
    engine.dispose()
    return count / (time.perf_counter() - started)


def serve(url: str, home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYOPS_")}
    env.update(
        PRIVACYOPS_DATABASE_URL=url,
        PRIVACYOPS_ADMIN_TOKEN=TOKEN,
        PRIVACYOPS_SECRET_KEY=SECRET,
        PRIVACYOPS_PORT=str(port),
        PRIVACYOPS_MANIFEST=str(LANGFUSE_MANIFEST),
        PRIVACYOPS_HOME=str(home),
        PRIVACYOPS_QUEUE_URL="memory://",
        PYTHONPATH=str(ROOT / "src"),
    )
    log = (home / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "privacyops", "serve", "--no-worker-in-process"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code < 500:
                return process, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"privacyops serve did not start; see {home / 'serve.log'}")
        time.sleep(0.2)


def load(base: str, kind: str, seconds: float, threads: int, subjects_n: int) -> dict[str, float]:
    """Run ``bench/consent/load.py`` as a separate process and return its figures."""
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("load.py")),
            base,
            kind,
            str(seconds),
            str(threads),
            str(subjects_n),
            TOKEN,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="100k subjects and 1M receipts")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load turn")
    parser.add_argument("--threads", type=int, default=16, help="client threads of the load process")
    args = parser.parse_args()
    subjects_n, receipts_n = (100_000, 1_000_000) if args.full else (10_000, 100_000)
    admin = os.environ.get("PRIVACYOPS_TEST_PG_URL")
    if not admin:
        raise SystemExit('set PRIVACYOPS_TEST_PG_URL (eval "$(bash scripts/postgres.sh)")')
    name = f"bench_consent_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    home = ROOT / "bench" / ".work" / "consent"
    home.mkdir(parents=True, exist_ok=True)
    process = None
    try:
        db.upgrade(url)
        seeded = seed(url, subjects_n, receipts_n)
        process, base = serve(url, home)
        load(base, "decision", 2, args.threads, subjects_n)  # warm-up: pools and caches
        turns = {kind: [] for kind in ("trivial", "decision")}
        for _ in range(2):  # side by side, in alternating turns
            for kind in turns:
                turns[kind].append(load(base, kind, args.seconds, args.threads, subjects_n))
        http_receipts = load(base, "receipt", args.seconds, args.threads, subjects_n)
        http_batches = load(base, "batch", args.seconds, 4, subjects_n)
        lib = library_receipts(url, 5000, 500)
        report = {
            "subjects": subjects_n,
            "receipts": receipts_n,
            "seed_s": round(seeded, 1),
            "turns": turns,
            "http_receipts": http_receipts,
            "http_batches": http_batches,
            "library_receipts_per_s": round(lib),
        }
        print(json.dumps(report, indent=2))
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


if __name__ == "__main__":
    main()
