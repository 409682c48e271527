"""The pytest side: record each ``req``-marked test's ids and outcome; ``--req-report PATH`` writes them.

Ids travel in the test report's ``user_properties``, so an outcome is recorded wherever reports are
logged, also in a process that never collected the test item.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

MARKER = "req"
REPORT_VERSION = 1
# A later phase never improves a test: a failure anywhere wins, then a skip, then the call's pass.
_RANK = {"not run": 0, "passed": 1, "skipped": 2, "xfailed": 2, "failed": 3}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--req-report",
        metavar="PATH",
        default=None,
        help="write each req-marked test's requirement ids and outcome as JSON (python -m tests.reqtrace)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too, so that the plugin works under --strict-markers outside this project.
    if not any(line.startswith(f"{MARKER}(") for line in config.getini("markers")):
        config.addinivalue_line("markers", f"{MARKER}(id, ...): the requirement ids this test proves")
    config.pluginmanager.register(Recorder(config), "reqtrace-recorder")


def marker_ids(item: pytest.Item) -> list[str]:
    """The requirement ids of every ``req`` marker on the test, its class and its module."""
    ids: list[str] = []
    for marker in item.iter_markers(MARKER):
        ids.extend(str(arg) for arg in marker.args if str(arg) not in ids)
    return ids


class Recorder:
    """Collects ``nodeid -> {"ids", "outcome"}`` for one pytest session."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.tests: dict[str, dict[str, Any]] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            if item.get_closest_marker(MARKER) is None:
                continue
            ids = marker_ids(item)
            item.user_properties.append((MARKER, ids))
            self.tests[item.nodeid] = {"ids": ids, "outcome": "not run"}

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        ids = next((value for name, value in report.user_properties if name == MARKER), None)
        if not isinstance(ids, list):
            return
        entry = self.tests.setdefault(report.nodeid, {"ids": [str(i) for i in ids], "outcome": "not run"})
        outcome = phase_outcome(report)
        if outcome is not None and _RANK[outcome] > _RANK[entry["outcome"]]:
            entry["outcome"] = outcome

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = self.config.getoption("--req-report")
        if not path or hasattr(self.config, "workerinput"):
            return
        write_report(Path(path), str(self.config.getoption("--db", default="")), self.tests)


def phase_outcome(report: pytest.TestReport) -> str | None:
    """What one phase (setup, call, teardown) says about the test; None when it says nothing."""
    if report.failed:
        return "failed"
    if hasattr(report, "wasxfail"):
        return "xfailed"
    if report.skipped:
        return "skipped"
    return "passed" if report.when == "call" else None


def write_report(path: Path, db: str, tests: dict[str, dict[str, Any]]) -> None:
    """Write the recorded tests as the JSON report ``python -m tests.reqtrace --report`` reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"version": REPORT_VERSION, "db": db, "tests": dict(sorted(tests.items()))}
    path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
