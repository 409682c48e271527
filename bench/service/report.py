"""The results section of bench/service/README.md, written from one run's raw results."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from services import FIDES_VERSION, Postgres

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
GOALS = {"access": (100.0, 6.0), "erasure": (150.0, 15.0)}  # median ms at most, times faster than Fides
SPLIT = ("http", "queue", "steps", "package", "close", "notify")


def load() -> str:
    """Return the load average as text."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(pg: Postgres, source: Path) -> dict[str, Any]:
    """Describe the machine, the servers and the code measured."""
    engine = sa.create_engine(pg.url("postgres"))
    with engine.connect() as conn:
        server = str(conn.execute(sa.text("SHOW server_version")).scalar_one())
    engine.dispose()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "CPU": f"{os.cpu_count()} cores, {cpu} (shared with other work while measuring)",
        "load average (start)": load(),
        "OS": f"{platform.system()} {platform.release()}",
        "PostgreSQL": f"{server} on 127.0.0.1 (test server: fsync off, synchronous_commit off)",
        "SQLite": sqlite3.sqlite_version,
        "privacyops": f"{metadata.version('privacyops')}, commit {source.parent.name.removeprefix('src-')} "
        f"(run from `git archive` of that commit), Python {platform.python_version()}",
        "Fides": f"ethyca-fides {FIDES_VERSION}, Python 3.13, in-process execution, Redis",
    }


def pct(values: list[float], q: float) -> float:
    """Return the q-quantile (0..1) by the nearest-rank rule."""
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))] if ordered else float("nan")
    )


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _latency_rows(name: str, block: dict[str, Any], fides: dict[str, Any] | None) -> list[str]:
    rows = []
    for kind in ("access", "erasure"):
        samples = block[kind]
        totals = [s["total_ms"] for s in samples]
        median = statistics.median(totals)
        split = {k: statistics.median([s["split"].get(k, 0.0) for s in samples]) for k in SPLIT}
        service = statistics.median([s["split"]["service"] for s in samples])
        theirs = statistics.median(fides[f"{kind}_ms"]) if fides else None
        ratio = f"{theirs / median:.1f}x" if theirs else "-"
        parts = " / ".join(_ms(split[k]) for k in SPLIT)
        rows.append(
            f"| {name} | {kind} | {len(samples)} | {_ms(median)} | {_ms(pct(totals, 0.95))} | "
            f"{_ms(service)} | {parts} | {_ms(theirs) if theirs else '-'} | {ratio} |"
        )
    return rows


def _verdicts(name: str, block: dict[str, Any], fides: dict[str, Any] | None) -> list[str]:
    lines = []
    for kind, (limit, times) in GOALS.items():
        median = statistics.median([s["total_ms"] for s in block[kind]])
        verdict = "met" if median <= limit else f"not met by {median - limit:,.0f} ms"
        line = f"- {name} {kind}: median {_ms(median)} (goal at most {limit:.0f} ms: {verdict})"
        if fides:
            ratio = statistics.median(fides[f"{kind}_ms"]) / median
            line += (
                f"; {ratio:.1f}x faster than Fides (goal at least {times:.0f}x: "
                f"{'met' if ratio >= times else 'not met'})"
            )
        lines.append(line)
    return lines


def section(results: dict[str, Any]) -> str:
    """Return the results as markdown."""
    fides = results.get("fides")
    out = [f"Measured {results['machine']['date']} with `{results['command']}`.", ""]
    out += [
        "### Latency: one subject of 505 rows in 1M traces, submission to `completed`",
        "",
        "| service | request | n | p50 | p95 | ready to completed (p50) | split p50: http / queue / "
        "steps / package / close / notify | Fides p50 | faster than Fides |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    named = {
        "postgresql": "PostgreSQL, serve + 1 worker process",
        "sqlite": "SQLite, serve with in-process worker",
    }
    for key, name in named.items():
        if key in results:
            out += _latency_rows(name, results[key], fides)
    out.append("")
    for key, name in named.items():
        if key in results:
            out += _verdicts(name, results[key], fides)
    if fides:
        out.append(
            f"- Fides (n={len(fides['access_ms'])} access, {len(fides['erasure_ms'])} erasure), "
            f"final status: {', '.join(fides['status'])}"
        )
    for key in named:
        if key in results:
            out.append(f"- {named[key]}: checks {results[key]['checks']}, states {results[key]['states']}")
    if "durable" in results:
        out += ["", *durable_lines(results["durable"])]
    if "throughput" in results:
        out += ["", *throughput_lines(results["throughput"])]
    out += ["", "### Machine and versions", ""]
    out += [f"- {k}: {v}" for k, v in results["machine"].items()]
    return "\n".join(out)


def durable_lines(block: dict[str, Any]) -> list[str]:
    """The erasure on a PostgreSQL server with fsync and synchronous_commit on, beside the SQL floor."""
    erasures = [s["total_ms"] for s in block["erasure"]]
    service = [s["split"]["service"] for s in block["erasure"]]
    steps = [s["split"]["steps"] for s in block["erasure"]]
    floor = block["floor_erasure_ms"]
    return [
        "### Durable PostgreSQL (fsync on, synchronous_commit on, full_page_writes on)",
        "",
        "| what | n | p50 | p95 |",
        "|---|---|---|---|",
        f"| privacyops erasure, submission to completed | {len(erasures)} "
        f"| {_ms(statistics.median(erasures))} "
        f"| {_ms(pct(erasures, 0.95))} |",
        f"| privacyops erasure, approved to completed | {len(service)} | {_ms(statistics.median(service))} "
        f"| {_ms(pct(service, 0.95))} |",
        f"| privacyops erasure steps only | {len(steps)} | {_ms(statistics.median(steps))} "
        f"| {_ms(pct(steps, 0.95))} |",
        f"| SQL floor erasure (one transaction) | {len(floor)} | {_ms(statistics.median(floor))} "
        f"| {_ms(pct(floor, 0.95))} |",
        "",
        f"- commit (WAL flush) on this disk: {block['commit_ms']:.2f} ms median "
        f"(`SELECT 1` in a write transaction, {block['commit_samples']} samples)",
    ]


def throughput_lines(block: dict[str, Any]) -> list[str]:
    """Requests per second and p99 per worker count."""
    lines = [
        "### Throughput: mixed requests over distinct subjects, PostgreSQL",
        "",
        f"{block['requests']} requests ({block['mix']}) submitted, verified and approved over HTTP by a "
        f"separate load process with {block['clients']} connections; the run is timed from the first "
        "submission to the last completion.",
        "",
        "| worker processes | requests/s | p50 | p99 | wall time | done |",
        "|---|---|---|---|---|---|",
    ]
    for row in block["rows"]:
        lines.append(
            f"| {row['workers']} | {row['per_second']:.1f} | {_ms(row['p50_ms'])} | {_ms(row['p99_ms'])} "
            f"| {row['wall_s']:.0f} s | {row['completed']}/{row['requests']} |"
        )
    lines.append("")
    for row in block["rows"]:
        outcomes = ", ".join(f"{n} {what}" for what, n in row["outcomes"].items())
        lines.append(f"- {row['workers']} worker process(es): {outcomes}")
    return lines


def write_readme(results: dict[str, Any]) -> None:
    """Replace the results section of the README."""
    text = README.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n\n{section(results)}\n\n{END}{tail}", encoding="utf-8")


def commit_of(repo: Path) -> str:
    """Return the short commit of the tree."""
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
