"""The table id -> tests -> outcomes, and the problems ``--strict`` fails on."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reqtrace.sources import Claims, Requirement

# Across runs (SQLite, PostgreSQL) a failure anywhere wins; a pass beats a skip or a test not run.
_MERGE_RANK = {"not run": 0, "skipped": 1, "xfailed": 1, "passed": 2, "failed": 3}
_RULE_WIDTH = 60


@dataclass(frozen=True)
class Result:
    """One marked test: its node id, the ids it proves and its outcome (merged over the reports)."""

    nodeid: str
    ids: tuple[str, ...]
    outcome: str


@dataclass
class Row:
    """One requirement id with the places in src/ that claim it and the tests that prove it."""

    id: str
    rule: str
    known: bool
    claimed_at: list[str] = field(default_factory=list)
    tests: list[Result] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for test in self.tests if test.outcome == outcome)

    @property
    def status(self) -> str:
        if not self.known:
            return "UNKNOWN ID"
        if not self.tests:
            return "NO TEST"
        if self.count("failed"):
            return "FAILING"
        if self.count("passed"):
            return "ok"
        return "NOT RUN" if self.count("not run") == len(self.tests) else "NOT PASSED"


class ReportError(Exception):
    """A report file that is missing or is not what ``--req-report`` writes."""


def load_reports(paths: list[Path]) -> dict[str, Result]:
    """Read the JSON reports of ``pytest --req-report`` and merge them by test node id."""
    merged: dict[str, Result] = {}
    for path in paths:
        for nodeid, entry in _read_report(path).items():
            result = Result(nodeid, tuple(entry["ids"]), str(entry["outcome"]))
            before = merged.get(nodeid)
            if before is None or _MERGE_RANK.get(result.outcome, 0) > _MERGE_RANK.get(before.outcome, 0):
                merged[nodeid] = result
    return merged


def _read_report(path: Path) -> dict[str, dict[str, Any]]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReportError(f"{path}: no such report; write it with pytest --req-report {path}") from exc
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: not JSON ({exc}); write it again with pytest --req-report") from exc
    tests = body.get("tests") if isinstance(body, dict) else None
    if not isinstance(tests, dict):
        raise ReportError(f"{path}: no 'tests' object; is it a report of pytest --req-report?")
    return tests


def build_rows(requirements: list[Requirement], claims: Claims, results: dict[str, Result]) -> list[Row]:
    """A row per id of requirements.md in its order, then ids named elsewhere that it does not have."""
    rows = {req.id: Row(req.id, req.rule, known=True) for req in requirements}
    named = set(claims.places) | {req_id for result in results.values() for req_id in result.ids}
    for req_id in sorted(named - set(rows)):
        rows[req_id] = Row(req_id, "", known=False)
    for req_id, places in claims.places.items():
        rows[req_id].claimed_at = places
    for result in sorted(results.values(), key=lambda result: result.nodeid):
        for req_id in result.ids:
            rows[req_id].tests.append(result)
    return list(rows.values())


def problems(rows: list[Row], results: dict[str, Result], ran: bool = True) -> list[str]:
    """What ``--strict`` fails on, each saying what to fix; ``ran=False``: tests only collected."""
    found = [
        f"{result.nodeid}: @pytest.mark.req() names no id; give the ids it proves, e.g. req(\"DL-1\")"
        for result in results.values()
        if not result.ids
    ]
    for row in rows:
        if not row.known:
            where = [test.nodeid for test in row.tests] + row.claimed_at
            found.append(
                f"{row.id} is not in requirements.md but is named by {', '.join(where)}; "
                "correct the id or add the requirement"
            )
        elif row.claimed_at and not row.tests:
            found.append(
                f"{row.id} is claimed by {_places(row.claimed_at)} but no test is marked "
                f'@pytest.mark.req("{row.id}"); mark the test that proves it, or correct the claim'
            )
        elif ran and row.claimed_at and not row.count("passed"):
            found.append(
                f"{row.id} is claimed by {_places(row.claimed_at)} but none of its {len(row.tests)} "
                "marked test(s) passed; make them pass"
            )
    return found


def _places(places: list[str], shown: int = 3) -> str:
    more = f" and {len(places) - shown} more" if len(places) > shown else ""
    return ", ".join(places[:shown]) + more


def render(rows: list[Row], show_tests: bool = True) -> str:
    """The table as text: one line per id, and below it each test with its outcome."""
    lines = [f"{'id':<7} {'claimed':<7} {'tests':>5} {'passed':>6} {'failed':>6}  {'status':<10}  rule"]
    for row in rows:
        rule = row.rule if len(row.rule) <= _RULE_WIDTH else row.rule[: _RULE_WIDTH - 3] + "..."
        claimed = "yes" if row.claimed_at else "-"
        lines.append(
            f"{row.id:<7} {claimed:<7} {len(row.tests):>5} {row.count('passed'):>6} "
            f"{row.count('failed'):>6}  {row.status:<10}  {rule}"
        )
        if show_tests:
            lines.extend(f"{'':<9}{test.outcome:<8} {test.nodeid}" for test in row.tests)
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    """One line: how many ids pass (none of their tests failing), are claimed, or have no test."""
    known = [row for row in rows if row.known]
    proven = sum(1 for row in known if row.status == "ok")
    claimed = sum(1 for row in known if row.claimed_at)
    untested = sum(1 for row in known if not row.tests)
    return (f"{proven}/{len(known)} requirements have a passing test; {claimed} are claimed in src/; "
            f"{untested} have no test")
