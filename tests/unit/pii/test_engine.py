from __future__ import annotations

import random

import pytest

from privacyops.pii.engine import SEPARATOR, Engine, Finding, _settle, default_engine, resolve_overlaps


@pytest.mark.parametrize(
    ("findings", "kept"),
    [
        ([Finding(0, 10, "A", 0.9), Finding(5, 15, "B", 0.8)], [Finding(0, 10, "A", 0.9)]),
        ([Finding(0, 10, "A", 0.8), Finding(2, 20, "B", 0.8)], [Finding(2, 20, "B", 0.8)]),
        ([Finding(0, 5, "B", 0.8), Finding(0, 5, "A", 0.8)], [Finding(0, 5, "A", 0.8)]),
        (
            [Finding(0, 5, "A", 0.8), Finding(5, 9, "B", 0.8)],
            [Finding(0, 5, "A", 0.8), Finding(5, 9, "B", 0.8)],
        ),
    ],
)
def test_overlaps_are_resolved_deterministically(findings: list[Finding], kept: list[Finding]) -> None:
    assert resolve_overlaps(findings) == kept
    assert resolve_overlaps(list(reversed(findings))) == kept


def test_settling_runs_apart_gives_the_same_as_settling_everything_at_once() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        findings = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randint(0, 60)
            findings.append(
                Finding(start, start + rng.randint(1, 15), rng.choice("ABC"), rng.choice([0.5, 0.9, 1.0]))
            )
        assert resolve_overlaps(findings) == _settle(findings)


def test_analyze_many_maps_offsets_back_to_each_text() -> None:
    texts = ["a@example.com", "", "phone +44 20 7946 0958 and b@example.org"]
    results = default_engine().analyze_many(texts)
    assert [[f.value_in(t) for f in found] for t, found in zip(texts, results, strict=True)] == [
        ["a@example.com"],
        [],
        ["+44 20 7946 0958", "b@example.org"],
    ]


def test_matches_never_cross_the_separator() -> None:
    texts = ["4111 1111", "1111 1111"]
    assert default_engine().analyze_many(texts) == [[], []]
    assert SEPARATOR not in "".join(texts)


def test_entities_and_threshold_filter() -> None:
    text = "jane@example.com 203.0.113.7"
    only_ip = Engine(entities=["IP_ADDRESS"])
    assert [f.entity for f in only_ip.analyze(text)] == ["IP_ADDRESS"]
    assert Engine(threshold=1.01).analyze(text) == []


def test_key_names_serve_as_context() -> None:
    engine = default_engine()
    assert engine.analyze("111222333") == []
    assert [f.entity for f in engine.analyze("111222333", context="bsn")] == ["NATIONAL_ID"]


def test_extra_analyzers_add_findings() -> None:
    def names(text: str) -> list[Finding]:
        at = text.find("Ada")
        return [Finding(at, at + 3, "PERSON", 0.8)] if at >= 0 else []

    engine = Engine(extra=[names])
    assert [f.entity for f in engine.analyze("Ada wrote to ada@example.com")] == ["PERSON", "EMAIL_ADDRESS"]


def test_values_packed_together_are_all_found() -> None:
    text = "+44 20 7946 0958 +44 20 7946 0958 4111 1111 1111 1111 DE89 3704 0044 0532 0130 00 end"
    found = [(f.entity, f.value_in(text)) for f in default_engine().analyze(text)]
    assert found == [
        ("PHONE_NUMBER", "+44 20 7946 0958"),
        ("PHONE_NUMBER", "+44 20 7946 0958"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    ]
    assert Engine(backend="re").analyze(text) == default_engine().analyze(text)


@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_gated_digit_runs_are_found_after_a_word_or_under_a_telling_key(backend: str) -> None:
    engine = Engine(backend=backend)
    texts = ["4155550132", "call me: 4155550132", "4155550132", "111222333", "ticket 4155550132"]
    keys = ["phone", "", "note", "bsn", ""]
    results = engine.analyze_many(texts, keys)
    found = [[(f.entity, f.value_in(t)) for f in hits] for t, hits in zip(texts, results, strict=True)]
    assert found == [
        [("PHONE_NUMBER", "4155550132")],
        [("PHONE_NUMBER", "4155550132")],
        [],
        [("NATIONAL_ID", "111222333")],
        [],
    ]


def test_a_gate_applies_only_where_the_threshold_hides_ungated_matches() -> None:
    text = "ref 536228145 and ssn 536228146"
    default = [(f.entity, f.value_in(text)) for f in Engine(backend="hyperscan").analyze(text)]
    assert default == [("US_SSN", "536228146")]
    low = Engine(backend="hyperscan", threshold=0.1)
    assert [f.value_in(text) for f in low.analyze(text) if f.entity == "US_SSN"] == ["536228145", "536228146"]
