from __future__ import annotations

from datetime import UTC, datetime

import pytest

from privacyops.requests import errors, states
from privacyops.requests.states import RequestState as S

# The intended machine, written out independently of the module's table.
EXPECTED_MOVES = {
    (S.RECEIVED, S.AWAITING_AGENT_PROOF),
    (S.RECEIVED, S.AWAITING_VERIFICATION),
    (S.RECEIVED, S.VERIFIED),
    (S.RECEIVED, S.FORWARDED_TO_CONTROLLER),
    (S.RECEIVED, S.DENIED),
    (S.RECEIVED, S.CANCELLED),
    (S.RECEIVED, S.DEEMED_REFUSAL),
    (S.AWAITING_AGENT_PROOF, S.AWAITING_VERIFICATION),
    (S.AWAITING_AGENT_PROOF, S.VERIFIED),
    (S.AWAITING_AGENT_PROOF, S.DENIED),
    (S.AWAITING_AGENT_PROOF, S.CANCELLED),
    (S.AWAITING_AGENT_PROOF, S.DEEMED_REFUSAL),
    (S.AWAITING_VERIFICATION, S.VERIFIED),
    (S.AWAITING_VERIFICATION, S.FORWARDED_TO_CONTROLLER),
    (S.AWAITING_VERIFICATION, S.DENIED),
    (S.AWAITING_VERIFICATION, S.CANCELLED),
    (S.AWAITING_VERIFICATION, S.DEEMED_REFUSAL),
    (S.VERIFIED, S.AWAITING_APPROVAL),
    (S.VERIFIED, S.IN_PROGRESS),
    (S.VERIFIED, S.FORWARDED_TO_CONTROLLER),
    (S.VERIFIED, S.DENIED),
    (S.VERIFIED, S.CANCELLED),
    (S.VERIFIED, S.DEEMED_REFUSAL),
    (S.AWAITING_APPROVAL, S.IN_PROGRESS),
    (S.AWAITING_APPROVAL, S.DENIED),
    (S.AWAITING_APPROVAL, S.CANCELLED),
    (S.AWAITING_APPROVAL, S.DEEMED_REFUSAL),
    (S.AWAITING_APPROVAL, S.FORWARDED_TO_CONTROLLER),
    (S.IN_PROGRESS, S.FORWARDED_TO_CONTROLLER),
    (S.IN_PROGRESS, S.COMPLETED),
    (S.IN_PROGRESS, S.PARTIALLY_COMPLETED),
    (S.IN_PROGRESS, S.DENIED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.IN_PROGRESS, S.DEEMED_REFUSAL),
    (S.DEEMED_REFUSAL, S.IN_PROGRESS),
    (S.DEEMED_REFUSAL, S.COMPLETED),
    (S.DEEMED_REFUSAL, S.PARTIALLY_COMPLETED),
    (S.DEEMED_REFUSAL, S.DENIED),
}
ALL_PAIRS = [(a, b) for a in S for b in S]
AT = datetime(2025, 3, 3, 12, tzinfo=UTC)


@pytest.mark.parametrize(("source", "target"), sorted(EXPECTED_MOVES))
def test_every_allowed_move_is_recorded(source: S, target: S) -> None:
    move = states.transition(source, target, actor="user:7", reason="checked", at=AT)
    recorded = (move.source, move.target, move.actor, move.reason, move.at)
    assert recorded == (source, target, "user:7", "checked", AT)


@pytest.mark.parametrize(("source", "target"), [p for p in ALL_PAIRS if p not in EXPECTED_MOVES])
def test_every_other_move_is_refused_naming_the_target(source: S, target: S) -> None:
    with pytest.raises(errors.IllegalTransition) as caught:
        states.transition(source, target, actor="system", reason="try")
    assert caught.value.field == "target"
    assert str(target) in str(caught.value)


@pytest.mark.parametrize(
    ("source", "target", "phrase"),
    [
        (S.COMPLETED, S.IN_PROGRESS, "final state"),
        (S.CANCELLED, S.VERIFIED, "final state"),
        (S.RECEIVED, S.COMPLETED, "allowed next states"),
        (S.AWAITING_VERIFICATION, S.IN_PROGRESS, "allowed next states"),
        (S.VERIFIED, S.COMPLETED, "allowed next states"),
    ],
)
def test_refusals_explain_themselves(source: S, target: S, phrase: str) -> None:
    with pytest.raises(errors.IllegalTransition, match=phrase):
        states.transition(source, target, actor="system", reason="x")


def test_terminal_states() -> None:
    assert {s for s in S if states.is_terminal(s)} == {
        S.COMPLETED, S.PARTIALLY_COMPLETED, S.DENIED, S.FORWARDED_TO_CONTROLLER, S.CANCELLED
    }
    assert not states.is_terminal(S.DEEMED_REFUSAL)


@pytest.mark.parametrize(
    "target", [S.DENIED, S.PARTIALLY_COMPLETED, S.CANCELLED, S.DEEMED_REFUSAL, S.FORWARDED_TO_CONTROLLER]
)
def test_moves_that_need_a_reason_refuse_without_one(target: S) -> None:
    source = S.IN_PROGRESS if target is S.PARTIALLY_COMPLETED else S.VERIFIED
    with pytest.raises(errors.IllegalTransition) as caught:
        states.transition(source, target, actor="user:1", reason=" ")
    assert caught.value.field == "reason"


def test_a_move_without_an_actor_is_refused() -> None:
    with pytest.raises(errors.IllegalTransition) as caught:
        states.transition(S.RECEIVED, S.VERIFIED, actor="")
    assert caught.value.field == "actor"


def test_states_given_as_strings_are_accepted_and_unknown_ones_named() -> None:
    assert states.transition("verified", "in_progress", actor="system").target is S.IN_PROGRESS
    with pytest.raises(errors.IllegalTransition) as caught:
        states.transition("verified", "done", actor="system")
    assert caught.value.field == "target"
    with pytest.raises(errors.IllegalTransition) as caught:
        states.transition("limbo", "verified", actor="system")
    assert caught.value.field == "state"


@pytest.mark.req("INT-6")
def test_int6_agent_request_without_proof_waits_in_awaiting_agent_proof() -> None:
    state = states.initial_state(needs_verification=True, via_agent=True, agent_proof=False)
    assert state is S.AWAITING_AGENT_PROOF
    assert states.transition(S.RECEIVED, state, actor="system").target is S.AWAITING_AGENT_PROOF
    # An opt-out needs no verification, but an agent still needs the subject's signed permission.
    assert states.initial_state(needs_verification=False, via_agent=True) is S.AWAITING_AGENT_PROOF
    assert states.initial_state(needs_verification=True, via_agent=True, agent_proof=True) is (
        S.AWAITING_VERIFICATION
    )


@pytest.mark.parametrize(
    ("needs_verification", "expected"), [(True, S.AWAITING_VERIFICATION), (False, S.VERIFIED)]
)
def test_initial_state_for_the_subject_themself(needs_verification: bool, expected: S) -> None:
    assert states.initial_state(needs_verification=needs_verification) is expected
