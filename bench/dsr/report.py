"""The results section of bench/dsr/README.md: one table per database, the goals and the machine."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

README = Path(__file__).with_name("README.md")
# Each Fides mode has its own section, so a run in one mode leaves the other's figures in place.
MARKERS = {"in-process": "results", "worker": "results-worker"}


def markers(mode: str) -> tuple[str, str]:
    name = MARKERS[mode]
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"
ACCESS_GOAL_S, ERASURE_GOAL_S, SCALING_GOAL = 0.150, 0.300, 1.3


def median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    value = seconds * 1000
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def ratio(slow: float | None, fast: float | None) -> str:
    if slow is None or not fast:
        return "n/a"
    return f"{slow / fast:,.0f}x" if slow / fast >= 10 else f"{slow / fast:.1f}x"


def table(rows: list[dict[str, Any]], with_fides: bool) -> list[str]:
    """Render the medians of one database as a Markdown table."""
    head = ["traces"]
    if with_fides:
        head += ["Fides access", "Fides erasure"]
    head += ["privacyops access", "privacyops erasure"]
    if with_fides:
        head += ["ratio access", "ratio erasure"]
    head += ["SQL floor access", "SQL floor erasure", "privacyops first access", "checks"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        fa, fe = median(row.get("fides_access")), median(row.get("fides_erasure"))
        pa, pe = median(row.get("po_access")), median(row.get("po_erasure"))
        cells = [row["label"]]
        if with_fides:
            cells += [ms(fa), ms(fe)]
        cells += [ms(pa), ms(pe)]
        if with_fides:
            cells += [ratio(fa, pa), ratio(fe, pe)]
        cells += [ms(median(row.get("floor_access"))), ms(median(row.get("floor_erasure"))),
                  ms(row.get("po_cold_access")), _checks(row.get("checks", {}))]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _checks(checks: dict[str, str]) -> str:
    failed = [f"{name}: {verdict}" for name, verdict in checks.items() if verdict != "ok"]
    return "; ".join(failed) if failed else f"all {len(checks)} pass"


def goals(rows: list[dict[str, Any]]) -> list[str]:
    """Check the issue's goals against the PostgreSQL rows."""
    out: list[str] = []
    biggest = max(rows, key=lambda r: r["traces"]) if rows else None
    if biggest is not None:
        pa, pe = median(biggest.get("po_access")), median(biggest.get("po_erasure"))
        out.append(f"- privacyops access at {biggest['label']} traces: {ms(pa)} (goal < 150 ms: "
                   f"{_met(pa is not None and pa < ACCESS_GOAL_S)})")
        out.append(f"- privacyops erasure at {biggest['label']} traces: {ms(pe)} (goal < 300 ms: "
                   f"{_met(pe is not None and pe < ERASURE_GOAL_S)})")
        fa, fe = median(biggest.get("fides_access")), median(biggest.get("fides_erasure"))
        if fa is not None and pa and fe is not None and pe:
            out.append(f"- faster than Fides at {biggest['label']}: access {ratio(fa, pa)}, erasure "
                       f"{ratio(fe, pe)} (target at least 10x: {_met(fa / pa >= 10 and fe / pe >= 10)})")
    ordered = sorted(rows, key=lambda r: r["traces"])
    for small, big in zip(ordered, ordered[1:], strict=False):
        if big["traces"] != small["traces"] * 10:
            continue
        for kind in ("access", "erasure"):
            a, b = median(small.get(f"po_{kind}")), median(big.get(f"po_{kind}"))
            if a and b:
                out.append(f"- {kind} {small['label']} -> {big['label']}: x{b / a:.2f} the time "
                           f"(goal at most x1.3: {_met(b / a <= SCALING_GOAL)})")
    return out


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def section(results: dict[str, Any]) -> str:
    """Render the whole results section from one run's results."""
    machine = results["machine"]
    start, end = markers(results.get("fides_mode", "in-process"))
    lines = [start, "", f"Measured {machine['date']} with `{results['command']}`.", ""]
    pg_rows = [r for r in results["rows"] if r["db"] == "postgresql"]
    lite_rows = [r for r in results["rows"] if r["db"] == "sqlite"]
    with_fides = any(r.get("fides_access") for r in pg_rows)
    if pg_rows:
        lines += ["### PostgreSQL", "", *table(pg_rows, with_fides), "", *goals(pg_rows), ""]
    if lite_rows:
        lines += ["### SQLite (privacyops and the SQL floor only; Fides does not run on SQLite)", "",
                  *table(lite_rows, False), "", *goals(lite_rows), ""]
    lines += ["### Machine and versions", ""]
    lines += [f"- {key}: {value}" for key, value in machine.items() if key != "date"]
    lines += ["", end]
    return "\n".join(lines)


def write_readme(results: dict[str, Any], path: Path = README) -> None:
    """Replace the results section of the README (between its markers) with this run's results."""
    text = path.read_text(encoding="utf-8")
    start, end = markers(results.get("fides_mode", "in-process"))
    if start not in text:
        raise SystemExit(f"{path} has no {start} marker; add the pair where the results belong")
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    path.write_text(before + section(results) + after, encoding="utf-8")
