"""``python -m tests.reqtrace [--report PATH ...] [--strict]``: requirement ids, their tests, outcomes.

Without ``--report`` the tests are collected (not run) to show which test proves which id.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.reqtrace import sources, table


def main(argv: list[str] | None = None) -> int:
    """Print the table; return the exit status (1 for problems under ``--strict``)."""
    args = _parser().parse_args(argv)
    req_path = Path(args.requirements) if args.requirements else sources.requirements_path()
    try:
        results = table.load_reports([Path(p) for p in args.report]) if args.report else _collected()
    except table.ReportError as exc:
        print(f"reqtrace: {exc}", file=sys.stderr)
        return 2
    if not req_path.is_file():
        return _without_requirements(f"{req_path} not found", results)
    requirements = sources.parse_requirements(req_path.read_text(encoding="utf-8"))
    if not requirements:
        return _without_requirements(f"{req_path} has no rows like '| INT-1 | ... |'", results)
    claims = sources.find_claims({req.id.split("-")[0] for req in requirements}, Path(args.src))
    rows = table.build_rows(requirements, claims, results)
    print(table.render(rows, show_tests=not args.brief))
    print(table.summary(rows))
    found = table.problems(rows, results, ran=bool(args.report))
    for problem in found:
        print(f"reqtrace: {problem}", file=sys.stderr)
    return 1 if args.strict and found else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.reqtrace", description=__doc__)
    parser.add_argument(
        "--report", action="append", default=[], metavar="PATH",
        help="JSON written by pytest --req-report PATH (repeat to merge runs, e.g. SQLite and PostgreSQL)",
    )
    parser.add_argument(
        "--strict", action="store_true",
        help="exit 1 when an id claimed in src/ has no passing test, or a test or src/ names an unknown id",
    )
    parser.add_argument(
        "--requirements", metavar="PATH",
        help=f"requirements.md (default ${sources.REQUIREMENTS_ENV} or {sources.DEFAULT_REQUIREMENTS})",
    )
    parser.add_argument("--src", default=str(sources.SRC), metavar="PATH",
                        help="the code whose comments and docstrings claim ids (default: src/)")
    parser.add_argument("--brief", action="store_true", help="one line per id, without the tests")
    return parser


def _collected() -> dict[str, table.Result]:
    """Marked tests as ``pytest --collect-only`` sees them, each with the outcome 'not run'."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "collected.json"
        command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                   "--req-report", str(report), "tests"]
        done = subprocess.run(command, cwd=sources.ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not report.exists():
            output = done.stdout[-2000:] + done.stderr[-2000:]
            raise table.ReportError(f"collecting the tests failed:\n{output}")
        return table.load_reports([report])


def _without_requirements(why: str, results: dict[str, table.Result]) -> int:
    """Say why nothing can be checked; that fails in CI (CI=true) and only warns elsewhere."""
    in_ci = os.environ.get("CI") == "true"
    print(
        f"reqtrace: {why}, so no id can be checked ({len(results)} marked tests seen). "
        f"Put the team's docs beside the checkout (../shared/docs) or set ${sources.REQUIREMENTS_ENV}.",
        file=sys.stderr,
    )
    return 1 if in_ci else 0


if __name__ == "__main__":
    sys.exit(main())
