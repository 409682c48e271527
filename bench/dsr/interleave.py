"""privacyops on every size of one database at once, request by request in turn across the sizes.

Interleaving spreads whatever else the shared machine is doing evenly over the sizes, so the ratio
between sizes (the 10x-rows goal) measures the data, not the moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import privacyops_side
import sqlalchemy as sa
import truth
from services import log


@dataclass
class Contender:
    """One size of one database: its results row, privacyops's own copy and the ground truth."""

    row: dict[str, Any]
    url: str
    expected: dict[str, int]


class Restorer:
    """Around each erasure: check nothing of the subject is left, then put the subject's rows back.

    The last erasure of each subject stays in place for the final check of the whole database.
    """

    def __init__(self, url: str, total: int, subjects: int) -> None:
        self.engine = sa.create_engine(url)
        self.remaining, self.subjects = total, subjects
        self.problems: list[str] = []

    def __call__(self, email: str) -> Callable[[], None]:
        self.remaining -= 1
        saved = truth.snapshot(self.engine, email) if self.remaining >= self.subjects else None

        def after() -> None:
            left = {t: n for t, n in truth.leftovers(self.engine, email).items() if n}
            if left:
                self.problems.append(f"{truth.user_id(email)} kept rows in {sorted(left)}")
            if saved is not None:
                truth.restore(self.engine, saved)
                if truth.snapshot(self.engine, email) != saved:
                    self.problems.append(f"restoring {truth.user_id(email)} did not give the same rows")

        return after


def measure_all(contenders: list[Contender], access_subject: str, subjects: list[str], repeat: int,
                erasures: int) -> None:
    """Time privacyops on every contender in turn and record timings and checks in their rows."""
    missing = privacyops_side.engine_available()
    if missing:
        for c in contenders:
            c.row["checks"]["privacyops"] = missing
        return
    rounds = max(1, -(-erasures // len(subjects)))
    order = subjects * rounds
    sessions = [privacyops_side.Session(c.url) for c in contenders]
    restorers = [Restorer(c.url, len(order), len(subjects)) for c in contenders]
    names = ", ".join(c.row["label"] for c in contenders)
    log(f"{contenders[0].row['db']} {names}: privacyops access x{repeat}, erasure x{len(order)}, interleaved")
    try:
        for session in sessions:
            session.timings.cold_access_s = session.access(access_subject)
        for _ in range(repeat):
            for session in sessions:
                session.timings.access_s.append(session.access(access_subject))
        for email in order:
            for session, restorer in zip(sessions, restorers, strict=True):
                after = restorer(email)
                session.timings.erasure_s.append(session.erasure(email))
                after()
        for contender, session, restorer in zip(contenders, sessions, restorers, strict=True):
            _record(contender, session.timings, restorer, subjects)
    finally:
        for session in sessions:
            session.close()
        for restorer in restorers:
            restorer.engine.dispose()


def _record(contender: Contender, timings: privacyops_side.Timings, restorer: Restorer,
            subjects: list[str]) -> None:
    row, checks = contender.row, contender.row["checks"]
    row["po_cold_access"] = timings.cold_access_s
    row["po_access"] = timings.access_s
    row["po_erasure"] = timings.erasure_s
    row["po_access_rows"] = timings.access_rows
    ok = timings.access_rows == contender.expected
    checks["privacyops access"] = "ok" if ok else f"rows {timings.access_rows} != {contender.expected}"
    verdict = truth.erasure_verdict(restorer.engine, subjects)
    checks["privacyops erasure"] = "; ".join(restorer.problems) or verdict
    if timings.errors:
        checks["privacyops run"] = "; ".join(sorted(set(timings.errors)))
