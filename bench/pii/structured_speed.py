"""Structured-tier throughput on the trace corpus, this checkout against another, rounds interleaved.

usage: python bench/pii/structured_speed.py [--against PATH] [--rounds 2] [--quick] [--write]
Times the ingestion path's structured tier (every entity but PERSON and STREET_ADDRESS) and the
default engine (names included) on ``bench/.work/corpus.jsonl`` (``run_bench.py`` writes it) with
``engine_worker.py`` on one pinned core. With ``--against``, a checkout of another commit (for
instance ``git worktree add /tmp/base HEAD~3``) runs the same measurement in the same rounds,
alternating, so both see the same load on a shared machine. Prints a markdown table with CPU and
wall rates, the engine's start-up time and the load average before each run, then the start-up from a
fresh interpreter with an empty cache folder and with the cached database; ``--write`` puts the block
between the ``speed`` markers of RESULTS.md. Each run takes 10 to 25 seconds (two repetitions, best
kept); ``--quick``: one round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work"
sys.path.insert(0, str(HERE))

from run_bench import ENTITIES, table  # noqa: E402

TIERS = {"structured": ",".join(ENTITIES), "default (names too)": ""}
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"


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


STARTUP_PROBE = """
import json, time
wall, cpu = time.perf_counter(), time.process_time()
from privacyops.pii.engine import Engine
Engine().analyze("Hi, my name is John Smith, call 555 123 4567")
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
"""


def startup(checkout: Path | None, cache: Path) -> dict:
    """Seconds from a fresh interpreter to the first finding: import, engine (compiled or cached), call."""
    env = dict(os.environ, PRIVACYOPS_CACHE_DIR=str(cache))
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout / "src")
    done = subprocess.run([sys.executable, "-c", STARTUP_PROBE], capture_output=True, text=True, env=env,
                          check=True)  # fmt: skip
    figures: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def startup_rows(checkouts: dict[str, Path | None], rounds: int) -> list[list[str]]:
    """Start-up with an empty cache folder (compiling) and with the folder the first run filled."""
    rows = []
    for name, checkout in checkouts.items():
        found: dict[str, list[dict]] = {"empty cache folder": [], "cached database": []}
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as folder:
                found["empty cache folder"].append(startup(checkout, Path(folder)))
                found["cached database"].append(startup(checkout, Path(folder)))
        for state, runs in found.items():
            rows.append([name, state, f"{statistics.median(r['wall'] for r in runs):.2f}",
                         f"{statistics.median(r['cpu'] for r in runs):.2f}"])  # fmt: skip
    return rows


def _describe(checkout: Path) -> str:
    """Name another checkout by its commit when it is a git work tree."""
    found = subprocess.run(["git", "-C", str(checkout), "log", "-1", "--format=%h %cs"], capture_output=True,
                           text=True, check=False)  # fmt: skip
    return f"commit {found.stdout.strip()}" if found.returncode == 0 else str(checkout)


def write_block(path: Path, block: str) -> None:
    """Replace the block between the speed markers of ``path`` (or append it)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="Another checkout (its src/ is put first on the path).")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--corpus", type=Path, default=WORK / "corpus.jsonl")
    parser.add_argument("--write", action="store_true", help="Write the block into RESULTS.md.")
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus} is missing: run bench/pii/run_bench.py once (it writes the corpus)")
    checkouts: dict[str, Path | None] = {"this checkout": None}  # the code beside this script
    if args.against is not None:
        checkouts[_describe(args.against)] = args.against
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
    started = table(startup_rows(checkouts, 1 if args.quick else args.rounds),
                    ["code", "cache", "wall s (median)", "CPU s (median)"])  # fmt: skip
    block = "\n".join([
        BEGIN, "## Structured tier and start-up (`structured_speed.py`)", "",
        f"{os.cpu_count()} CPUs; corpus {args.corpus.stat().st_size / 1e6:.1f} MB of JSONL; rounds "
        "interleaved, the load average read before each run.", "",
        table(rows, header), "",
        "Start-up, from a fresh interpreter to the first finding (import, engine, one call):", "",
        started, "", END,
    ])  # fmt: skip
    print(block)
    if args.write:
        write_block(HERE / "RESULTS.md", block)


if __name__ == "__main__":
    main()
