"""Steps that timed out on a connected system: tried again with backoff before they fail for good.

A connector gives up on a system that does not answer in time (``ConnectorTimeout``; its message holds
``TIMED_OUT``, which the engine keeps in the step's reason). Such a step is released as pending and the
run is queued again after a doubling wait; after ``MAX_TRIES`` it fails like any other step, and the
privacy team is told. Meanwhile the run is ``retrying`` and ``/healthz`` lists the step.
"""

from __future__ import annotations

from privacyops.connectors.base import TIMED_OUT
from privacyops.execution.handlers import Outcome
from privacyops.execution.steps import StepState

RETRYING = "retrying"
MAX_TRIES = 7  # 2+4+8+16+32+60 s: a lock or a restart of about two minutes is ridden out
FIRST_WAIT = 2.0
LONGEST_WAIT = 60.0


def timed_out(outcome: Outcome) -> bool:
    """Tell whether a step failed because a system did not answer in time."""
    return outcome.state == StepState.FAILED and TIMED_OUT in (outcome.reason or "")


def should_retry(outcome: Outcome, tries: int) -> bool:
    """Tell whether a step that ended with ``outcome`` on try ``tries`` is to be tried again."""
    return timed_out(outcome) and tries < MAX_TRIES


def wait_after(tries: int) -> float:
    """Seconds to wait before the next try, doubling from ``FIRST_WAIT`` up to ``LONGEST_WAIT``."""
    return min(FIRST_WAIT * 2 ** max(tries - 1, 0), LONGEST_WAIT)


def note(reason: str, tries: int) -> str:
    """Return the reason a released step keeps while it waits: the timeout, the try, the next."""
    return f"{reason}; try {tries} of {MAX_TRIES}, next in {wait_after(tries):.0f} s"
