"""Structured-tier throughput on the trace corpus, this checkout against another, rounds interleaved.

usage: python bench/pii/structured_speed.py [--against PATH] [--rounds 2] [--quick]
Times the ingestion path's structured tier (every entity but PERSON and STREET_ADDRESS) and the
default engine (names included) on ``bench/.work/corpus.jsonl`` (``run_bench.py`` writes it) with
``engine_worker.py`` on one pinned core. With ``--against``, a checkout of another commit (for
instance ``git worktree add /tmp/base HEAD~3``) runs the same measurement in the same rounds,
alternating, so both see the same load on a shared machine. Prints a markdown table with CPU and
wall rates, the engine's start-up time and the load average before each run. Each run takes 10 to 25
seconds (two repetitions, best kept); ``--quick``: one round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work"
sys.path.insert(0, str(HERE))

from run_bench import ENTITIES, table  # noqa: E402

TIERS = {"structured": ",".join(ENTITIES), "default (names too)": ""}


def measure(checkout: Path | None, entities: str, corpus: Path) -> dict:
    """One run of ``engine_worker.py``; ``checkout`` puts another commit's ``src`` first on the path."""
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout / "src")
    findings = WORK / "speed_findings.jsonl"
    command = [sys.executable, str(HERE / "engine_worker.py"), str(corpus), str(findings), "--reps", "2",
               "--entities", entities]  # fmt: skip
    load = os.getloadavg()[0]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    figures: dict = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load"] = load
    return figures


def main() -> None:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="Another checkout (its src/ is put first on the path).")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--corpus", type=Path, default=WORK / "corpus.jsonl")
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus} is missing: run bench/pii/run_bench.py once (it writes the corpus)")
    checkouts: dict[str, Path | None] = {"this checkout": None}
    if args.against is not None:
        checkouts[f"against {args.against}"] = args.against
    runs: dict[tuple[str, str], list[dict]] = {}
    for _ in range(1 if args.quick else args.rounds):
        for tier, entities in TIERS.items():
            for name, checkout in checkouts.items():
                runs.setdefault((tier, name), []).append(measure(checkout, entities, args.corpus))
    rows = []
    for (tier, name), found in runs.items():
        rows.append([
            tier, name, str(len(found)),
            f"{statistics.median(r['cpu_mb_per_s'] for r in found):.1f}",
            f"{max(r['cpu_mb_per_s'] for r in found):.1f}",
            f"{statistics.median(r['mb_per_s'] for r in found):.1f}",
            f"{statistics.median(r['load_s'] for r in found):.2f}",
            f"{min(r['load'] for r in found):.1f} to {max(r['load'] for r in found):.1f}",
        ])  # fmt: skip
    header = ["tier", "code", "runs", "CPU MB/s (median)", "CPU MB/s (best)", "wall MB/s (median)",
              "engine start s", "load average"]  # fmt: skip
    print(f"{os.cpu_count()} CPUs; corpus {args.corpus.stat().st_size / 1e6:.1f} MB (JSONL)")
    print(table(rows, header))


if __name__ == "__main__":
    main()
