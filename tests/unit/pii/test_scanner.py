from __future__ import annotations

import random

import pytest

from privacyops.pii import scanner
from privacyops.pii.engine import Engine
from privacyops.pii.recognizers import Pattern

SAMPLES = [
    "mail jane@doe.org or +1 415-555-0132; card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00",
    "ip 203.0.113.7 and fe80::1ff:fe23:4567:890a, ssn 536-22-8145, DNI 12345678Z, BSN: 111222333",
    "AKIAIOSFODNN7EXAMPLE postgres://u:p4ssw0rd@h/db https://x.io/a?email=a%40b.c token=Zx8fK2pQ9mVt7LrW3nYb",
    "ünïcödé jäné@dö.org → jane@example.com 🙂 +49 30 1234567 — 192.168.0.1",
    # Patterns confirmed from their lead (keyword, scheme, "eyJ"): several leads close together.
    'Authorization: Bearer Zx8fK2pQ9mVt7LrW3nYbQ1 api_key="kq7Hs9Lm2Pz8Xw4T" token: token=tok_9fK2pQ9mVt7',
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX3ZhbHVl https://a.io/?u=1&email=j%40d.io",
    "password=Hunter2Hunter2 pwd = s3cr3tV4lue mysql://root:Pa55word@db:3306/x passwort ist Geheim123",
]


def _noise(seed: int) -> str:
    rng = random.Random(seed)
    alphabet = "abcXYZ0123456789 .-:@/+_=\n\"'é"
    pieces = [rng.choice(SAMPLES) if rng.random() < 0.3 else "".join(rng.choice(alphabet) for _ in range(80))]
    for _ in range(40):
        pieces.append(
            rng.choice(SAMPLES) if rng.random() < 0.3 else "".join(rng.choice(alphabet) for _ in range(80))
        )
    return " ".join(pieces)


@pytest.mark.parametrize("seed", range(12))
def test_hyperscan_and_re_backends_find_the_same(seed: int) -> None:
    text = _noise(seed)
    fast, plain = Engine(backend="hyperscan"), Engine(backend="re")
    assert fast.backend == "hyperscan" and plain.backend == "re"
    assert fast.analyze(text) == plain.analyze(text)
    raw_fast = {(c.index, span) for c, spans in fast.scanner.scan(text) for span in spans}
    raw_plain = {(c.index, span) for c, spans in plain.scanner.scan(text) for span in spans}
    gated = {c.index for c in fast.patterns if c.gate}
    # Gated patterns reach Python from Hyperscan only after a context word; all others exactly alike.
    assert {hit for hit in raw_fast if hit[0] not in gated} == {h for h in raw_plain if h[0] not in gated}
    assert {hit for hit in raw_fast if hit[0] in gated} <= raw_plain
    assert raw_fast


def test_backends_agree_when_windows_are_many() -> None:
    text = " ".join(["4111 1111 1111 1111 203.0.113.7"] * 5000)
    fast, plain = Engine(backend="hyperscan"), Engine(backend="re")
    assert fast.analyze(text) == plain.analyze(text)


@pytest.mark.parametrize(
    ("regex", "problem"),
    [(r"a+", "bounded"), (r"a?", "bounded"), (r"(a", "does not compile")],
)
def test_unbounded_or_broken_patterns_are_refused(regex: str, problem: str) -> None:
    with pytest.raises(scanner.PatternError, match=problem):
        scanner.compile_patterns([(0, Pattern("p", regex, 0.5))])


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scan backend"):
        scanner.build_scanner([], "fastest")


_CUE_WORDS = (
    "Hi", "Dear", "Mr.", "Dr.", "Maria", "Lopez", "my", "name", "is", "Thanks,", "for", "with", "by", "John",
    "Smith", "Regards,", "Hello", "Bo", "Al", "Ann", "O'Neil", ",", ".", "\n", '"author":', '"', "Name:",
    "Hallo", "Frau", "Ms", "Élodie", "Ángel", "Bárbara", "Grüßen", "Mit", "freundlichen", "12", "Paseo", "de",
    "Borgo", "Travesía", "Straße", "Flat", "04,",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_patterns_confirmed_from_their_start_find_what_re_finds(seed: int) -> None:
    """Cue words before names, packed and overlapping, accents: windows from Hyperscan's starts miss none."""
    rng = random.Random(seed)
    texts = [" ".join(rng.choice(_CUE_WORDS) for _ in range(rng.randint(2, 40))) for _ in range(300)]
    fast, plain = Engine(backend="hyperscan"), Engine(backend="re")
    assert any(compiled.pattern.from_start for compiled in fast.patterns)
    for text in [*texts, "\n".join(texts)]:
        ours = {(c.index, tuple(spans)) for c, spans in fast.scanner.scan(text) if not c.gate}
        theirs = {(c.index, tuple(spans)) for c, spans in plain.scanner.scan(text) if not c.gate}
        assert ours == theirs, text
    assert fast.analyze_many(texts) == plain.analyze_many(texts)


_SHORT_PIECES = (
    "451 5986", "9472-7916", "123.4567", "Phone:", "tel", "call", ",", ", ", "-", ".", "/", "\n", "x", "ab",
    "4111 1111 1111 1111", "12345", "+1 415 555 0132", "(0)", "_", "é", "",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_patterns_with_a_late_boundary_find_what_re_finds(seed: int) -> None:
    """Hyperscan reads a trailing boundary as the character after it; the spans stay exactly re's."""
    rng = random.Random(seed)
    texts = ["".join(rng.choice(_SHORT_PIECES) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    # At threshold 0 no pattern is gated, so every pattern's spans must be exactly re's.
    fast, plain = Engine(backend="hyperscan", threshold=0.0), Engine(backend="re", threshold=0.0)
    late = {c.index for c in fast.patterns if c.pattern.late_boundary}
    assert late
    found_late = False
    for text in [*texts, "".join(texts)]:
        ours = {(c.index, tuple(spans)) for c, spans in fast.scanner.scan(text)}
        theirs = {(c.index, tuple(spans)) for c, spans in plain.scanner.scan(text)}
        assert ours == theirs, text
        found_late = found_late or any(index in late for index, _ in ours)
    assert found_late
    assert fast.analyze_many(texts) == plain.analyze_many(texts)


def test_a_late_boundary_needs_a_pattern_ending_in_one() -> None:
    with pytest.raises(scanner.PatternError, match="late_boundary"):
        scanner.compile_patterns([(0, Pattern("p", r"\d{3}-\d{4}", 0.5, late_boundary=True))])
