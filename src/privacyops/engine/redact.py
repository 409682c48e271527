"""Redaction of free text on erasure: the subject's identity values and every span the PII engine finds.

The engine reads the affected rows once, computes each row's redacted text here in Python, and hands
the connector one set-based change (old text -> new text) for the batch. The subject's identifying
values (identities and the names, phones, usernames ... of their own rows, found as
:mod:`privacyops.engine.values` describes) become ``[redacted]``; other personal data (emails, phones,
cards, IBANs, IPs, ids, secrets) becomes a typed placeholder such as ``<PHONE_NUMBER>``. Without the
PII engine only the subject's values are replaced, and ``pii_available()`` says so for the step's
outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from privacyops.connectors.base import Change, MapValues, ReplaceText, Row
from privacyops.engine.values import ValueMatcher

Span = tuple[int, int, str]  # start, end, replacement
Analyzer = Callable[[Sequence[str]], list[list[Span]]]

IDENTITY_ONLY_NOTE = ("free text redacted for the subject's own identifying values only: the PII engine "
                      "is not available, so other personal data in it (other people's emails, cards) stays")


def _pii_analyzer() -> Analyzer | None:
    try:
        from privacyops.pii import engine as pii_engine
    except ImportError:  # the engine is an optional part; fall back to identity values
        return None
    detector = pii_engine.default_engine()

    def analyze(texts: Sequence[str]) -> list[list[Span]]:
        return [[(f.start, f.end, f"<{f.entity}>") for f in found] for found in detector.analyze_many(texts)]

    return analyze


_analyzer: Analyzer | None = None
_loaded = False


def default_analyzer() -> Analyzer | None:
    """Return the PII engine's span finder, or None when the engine cannot be imported."""
    global _analyzer, _loaded
    if not _loaded:
        _analyzer, _loaded = _pii_analyzer(), True
    return _analyzer


def pii_available() -> bool:
    """Return whether redaction also covers what the PII engine finds (not only identity values)."""
    return default_analyzer() is not None


Needles = ValueMatcher | Iterable[str]


def matcher_of(needles: Needles) -> ValueMatcher:
    """Return the matcher of the subject's values; plain strings are looked for as written."""
    if isinstance(needles, ValueMatcher):
        return needles
    return ValueMatcher(("value", n) for n in needles if n)


def identity_spans(text: str, needles: Needles, replacement: str) -> list[Span]:
    """Return every occurrence of each of the subject's values in ``text``."""
    return [(start, end, replacement) for start, end, _ in matcher_of(needles).spans(text)]


def apply_spans(text: str, first: list[Span], second: list[Span]) -> str:
    """Replace the spans in ``text``; where spans overlap they merge and ``first`` names the result."""
    ordered = sorted([(s, e, r, 0) for s, e, r in first] + [(s, e, r, 1) for s, e, r in second],
                     key=lambda span: (span[0], span[3], -span[1]))
    merged: list[list[Any]] = []
    for start, end, replacement, rank in ordered:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if rank < last[3]:
                last[2], last[3] = replacement, rank
            continue
        merged.append([start, end, replacement, rank])
    out: list[str] = []
    cursor = 0
    for start, end, replacement, _ in merged:
        out.append(text[cursor:start])
        out.append(replacement)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def redact_texts(texts: Sequence[str], needles: Needles, replacement: str,
                 analyzer: Analyzer | None = None) -> list[str]:
    """Return each text with the subject's values and (with an analyzer) found personal data replaced."""
    matcher = matcher_of(needles)
    found = analyzer(texts) if analyzer is not None and texts else [[] for _ in texts]
    return [apply_spans(text, identity_spans(text, matcher, replacement), spans)
            for text, spans in zip(texts, found, strict=True)]


def redact_change(field: str, rows: Sequence[Row], needles: Needles, replacement: str,
                  analyzer: Analyzer | None = None, *, use_pii: bool = True) -> Change | None:
    """Return the change that redacts ``field`` in these rows, or None when no row's text changes.

    When the rows were read without the field, the change replaces the values as written in place.
    """
    matcher = matcher_of(needles)
    if not any(field in row for row in rows):
        return ReplaceText(tuple(matcher.literals), replacement)
    if use_pii and analyzer is None:
        analyzer = default_analyzer()
    texts = sorted({value for row in rows if isinstance(value := row.get(field), str) and value})
    redacted = redact_texts(texts, matcher, replacement, analyzer)
    mapping = tuple((old, new) for old, new in zip(texts, redacted, strict=True) if old != new)
    return MapValues(mapping) if mapping else None
