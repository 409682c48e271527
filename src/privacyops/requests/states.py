"""The life of a request as a state machine; every move names who made it and, where it matters, why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from privacyops.requests import errors


class RequestState(StrEnum):
    RECEIVED = "received"
    AWAITING_AGENT_PROOF = "awaiting_agent_proof"
    AWAITING_VERIFICATION = "awaiting_verification"
    VERIFIED = "verified"
    AWAITING_APPROVAL = "awaiting_approval"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    DENIED = "denied"
    FORWARDED_TO_CONTROLLER = "forwarded_to_controller"
    CANCELLED = "cancelled"
    DEEMED_REFUSAL = "deemed_refusal"


S = RequestState
TERMINAL: frozenset[RequestState] = frozenset(
    {S.COMPLETED, S.PARTIALLY_COMPLETED, S.DENIED, S.FORWARDED_TO_CONTROLLER, S.CANCELLED}
)
# Any open request may be denied, cancelled, or become a deemed refusal when its Canadian clock runs out.
_ANY_OPEN = frozenset({S.DENIED, S.CANCELLED, S.DEEMED_REFUSAL})
ALLOWED: Mapping[RequestState, frozenset[RequestState]] = {
    S.RECEIVED: _ANY_OPEN
    | {S.AWAITING_AGENT_PROOF, S.AWAITING_VERIFICATION, S.VERIFIED, S.FORWARDED_TO_CONTROLLER},
    S.AWAITING_AGENT_PROOF: _ANY_OPEN | {S.AWAITING_VERIFICATION, S.VERIFIED},
    S.AWAITING_VERIFICATION: _ANY_OPEN | {S.VERIFIED, S.FORWARDED_TO_CONTROLLER},
    S.VERIFIED: _ANY_OPEN | {S.AWAITING_APPROVAL, S.IN_PROGRESS, S.FORWARDED_TO_CONTROLLER},
    # Forwarding stays possible until the first step runs: only then is it known that every row found
    # belongs to a customer (PC-1), and the run checks that before it starts.
    S.AWAITING_APPROVAL: _ANY_OPEN | {S.IN_PROGRESS, S.FORWARDED_TO_CONTROLLER},
    S.IN_PROGRESS: _ANY_OPEN | {S.COMPLETED, S.PARTIALLY_COMPLETED, S.FORWARDED_TO_CONTROLLER},
    # A deemed refusal is a legal consequence, not the end of the work: a late answer is still owed.
    S.DEEMED_REFUSAL: frozenset({S.IN_PROGRESS, S.COMPLETED, S.PARTIALLY_COMPLETED, S.DENIED}),
    **{state: frozenset() for state in TERMINAL},
}
# These moves must say why: the subject is told, and the reason is kept in the audit log.
NEEDS_REASON: frozenset[RequestState] = frozenset(
    {S.DENIED, S.PARTIALLY_COMPLETED, S.CANCELLED, S.DEEMED_REFUSAL, S.FORWARDED_TO_CONTROLLER}
)


@dataclass(frozen=True)
class Transition:
    """One recorded move: from where to where, who made it, when and why."""

    source: RequestState
    target: RequestState
    actor: str
    reason: str | None
    at: datetime | None = None


def is_terminal(state: RequestState) -> bool:
    """Tell whether no further move is possible from ``state``."""
    return state in TERMINAL


def can_transition(current: RequestState, target: RequestState) -> bool:
    """Tell whether the machine allows moving from ``current`` to ``target``."""
    return target in ALLOWED[current]


def transition(
    current: RequestState | str,
    target: RequestState | str,
    *,
    actor: str,
    reason: str | None = None,
    at: datetime | None = None,
) -> Transition:
    """Return the move from ``current`` to ``target``, or raise an error saying why it is not allowed."""
    source = _state(current, "state")
    goal = _state(target, "target")
    if not actor.strip():
        raise errors.IllegalTransition(
            "every move names its actor (a user, 'system' or 'subject')", field="actor"
        )
    if not can_transition(source, goal):
        raise errors.IllegalTransition(_refusal(source, goal), field="target")
    if goal in NEEDS_REASON and not (reason and reason.strip()):
        raise errors.IllegalTransition(f"moving to {goal} needs a reason; give one", field="reason")
    return Transition(source, goal, actor, reason.strip() if reason else None, at)


def initial_state(
    *, needs_verification: bool, via_agent: bool = False, agent_proof: bool = False
) -> RequestState:
    """Return where a new request goes after ``received`` (INT-6: an agent without proof waits for it)."""
    if via_agent and not agent_proof:
        return S.AWAITING_AGENT_PROOF
    return S.AWAITING_VERIFICATION if needs_verification else S.VERIFIED


def _refusal(source: RequestState, goal: RequestState) -> str:
    if is_terminal(source):
        return f"the request is {source}, a final state; it cannot move to {goal}"
    allowed = ", ".join(sorted(ALLOWED[source]))
    return f"a request in {source} cannot move to {goal}; allowed next states: {allowed}"


def _state(value: RequestState | str, field: str) -> RequestState:
    try:
        return RequestState(value)
    except ValueError:
        known = ", ".join(s.value for s in RequestState)
        raise errors.IllegalTransition(f"unknown state {value!r}; use one of: {known}", field=field) from None
