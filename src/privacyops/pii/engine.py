"""The detection engine: one combined scan, recognizer hooks on candidates, deterministic overlaps.

``Engine.analyze(text)`` returns the findings of one text; ``Engine.analyze_many(texts)`` scans many
texts (the string leaves of a JSON document, the lines of a log) in a single pass by joining them
with a separator no pattern crosses, which is what keeps the per-call overhead off the hot path.
This module is also the API the discovery scan calls: ``default_engine().analyze_many(values)``.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from privacyops.pii import scanner as scanning
from privacyops.pii.recognizers import Candidate, Detection, Pattern, Recognizer, default_recognizers
from privacyops.pii.scanner import Spans

log = logging.getLogger(__name__)

SEPARATOR = "\n\x00\n"
_new_tuple = tuple.__new__
DEFAULT_THRESHOLD = 0.5


class Finding(NamedTuple):
    """One detected piece of personal data: where it is, what it is and how sure the engine is."""

    start: int
    end: int
    entity: str
    score: float
    kind: str = ""
    recognizer: str = ""

    def value_in(self, text: str) -> str:
        return text[self.start : self.end]


ExtraAnalyzer = Callable[[str], list[Finding]]
"""A further detector (an NER model) called on every text after the pattern scan."""


class Engine:
    """Detect personal data with a set of recognizers; build once, call from any thread."""

    def __init__(
        self,
        recognizers: Sequence[Recognizer] | None = None,
        *,
        entities: Iterable[str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        backend: str = "auto",
        extra: Sequence[ExtraAnalyzer] = (),
    ) -> None:
        self.recognizers = list(recognizers) if recognizers is not None else default_recognizers()
        self.entities = frozenset(entities) if entities is not None else None
        if self.entities is not None:
            # Recognizers of entities nobody asked for add nothing but scan time.
            wanted = self.entities
            self.recognizers = [rec for rec in self.recognizers if wanted & {rec.ENTITY, *rec.ALSO_REPORTS}]
        self.threshold = threshold
        self.extra = list(extra)
        owned = [(index, pattern) for index, rec in enumerate(self.recognizers) for pattern in rec.PATTERNS]
        self.patterns = [self._gated(compiled) for compiled in scanning.compile_patterns(owned)]
        self.scanner = _cached_scanner(tuple(self.patterns), backend)
        self._gates = [compiled for compiled in self.patterns if compiled.gate]
        self._key_opens: dict[str, bool] = {}
        # Decided once per pattern instead of once per pattern and call.
        self._by_value = [
            _judges_by_value(self.recognizers[compiled.owner]) and not compiled.pattern.resume
            for compiled in self.patterns
        ]

    def _gated(self, compiled: scanning.CompiledPattern) -> scanning.CompiledPattern:
        if not compiled.pattern.gated or self.threshold <= compiled.pattern.ungated_score:
            return compiled
        owner = self.recognizers[compiled.owner]
        gate = scanning.gate_expression(owner.CONTEXT)
        return dataclasses.replace(compiled, gate=gate, gate_reach=owner.CONTEXT_WIDTH)

    @property
    def backend(self) -> str:
        return self.scanner.backend

    def analyze(self, text: str, *, context: str = "") -> list[Finding]:
        """Return the findings in ``text``, ordered by position, overlaps resolved."""
        return self.analyze_many([text], [context] if context else None)[0]

    def analyze_many(
        self, texts: Sequence[str], contexts: Sequence[str] | None = None
    ) -> list[list[Finding]]:
        """Return the findings of each text; one scan covers them all. ``contexts`` are key names."""
        if not texts:
            return []
        joined, starts = _join(texts)
        ceilings = [start + len(text) for start, text in zip(starts, texts, strict=True)]
        batch = _Batch(joined, starts, ceilings, contexts or None, [[] for _ in texts])
        for compiled, spans in self._scan(joined, starts, ceilings, contexts):
            recognizer = self.recognizers[compiled.owner]
            if self._by_value[compiled.index]:
                _collect_by_value(batch, compiled, recognizer, spans)
            else:
                _collect(batch, compiled, recognizer, spans)
        per_text = batch.found
        if self.extra:
            for index, text in enumerate(texts):
                for analyzer in self.extra:
                    per_text[index].extend(analyzer(text))
        return [self._finish(found) for found in per_text]

    def _scan(
        self, joined: str, starts: list[int], ceilings: list[int], contexts: Sequence[str] | None
    ) -> Iterable[tuple[scanning.CompiledPattern, scanning.Spans]]:
        """Scan once; add the gated patterns' matches in texts whose key name holds a context word.

        The Hyperscan gate only sees words in the text, so a value under a key such as "phone" is
        searched again for the gated patterns, with ``re`` over that value alone.
        """
        keyed = []
        if self._gates and contexts and self.scanner.backend == "hyperscan":
            keyed = [index for index, key in enumerate(contexts) if key and self._opens_gate(key)]
        if not keyed:
            return self.scanner.scan(joined)
        found = dict(self.scanner.scan(joined))
        for compiled in self._gates:
            group = compiled.pattern.group or 0
            extra = [
                match.span(group)
                for index in keyed
                # From the separator before the text: a pattern may take it as its leading character.
                for match in compiled.regex.finditer(joined, max(0, starts[index] - 1), ceilings[index])
            ]
            if extra:
                found[compiled] = sorted(set(found.get(compiled, [])) | set(extra))
        return found.items()

    def _opens_gate(self, key: str) -> bool:
        opens = self._key_opens.get(key)
        if opens is None:
            owners = {compiled.owner for compiled in self._gates}
            opens = any(self.recognizers[owner].context_signal(_KEY_PROBE, key) > 0 for owner in owners)
            if len(self._key_opens) < KEY_CACHE_SIZE:
                self._key_opens[key] = opens
        return opens

    def _finish(self, found: list[Finding]) -> list[Finding]:
        if not found:
            return found
        threshold = self.threshold
        if self.entities is None:
            kept = [f for f in found if f.score >= threshold]
        else:
            kept = [f for f in found if f.score >= threshold and f.entity in self.entities]
        return resolve_overlaps(kept) if len(kept) > 1 else kept


@dataclasses.dataclass(slots=True)
class _Batch:
    """Texts scanned together: the joined text, where each starts and ends, keys, findings so far."""

    joined: str
    starts: list[int]
    ceilings: list[int]
    contexts: Sequence[str] | None
    found: list[list[Finding]]

    def locate(self, start: int) -> tuple[int, int, int, int]:
        """Return the text holding ``start``: its index, start and end, and where the next one starts."""
        index = bisect.bisect_right(self.starts, start) - 1
        following = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.joined) + 1
        return index, self.starts[index], self.ceilings[index], following


def _collect(batch: _Batch, compiled: scanning.CompiledPattern, recognizer: Recognizer, spans: Spans) -> None:
    """Hand each span of one pattern to its recognizer and keep what it reports, per text."""
    joined, contexts = batch.joined, batch.contexts
    pattern, detect, entity, name = compiled.pattern, recognizer.detect, recognizer.ENTITY, recognizer.name
    # The spans come in text order, so the owning text only moves forward; look it up on a change.
    index, floor, ceiling, next_floor = -1, 1, 0, 0
    for start, end in spans:
        if not floor <= start < next_floor:
            index, floor, ceiling, next_floor = batch.locate(start)
        if start < 0 or start >= ceiling:
            continue
        candidate = Candidate(joined, start, end if end < ceiling else ceiling, pattern, floor, ceiling)
        context = contexts[index] if contexts else ""
        detections = detect(candidate, context)
        if not detections:
            if not pattern.resume:
                continue
            detections = _resume_inside(compiled, recognizer, candidate, context)
        out = batch.found[index]
        for found_start, found_end, score, kind, other in detections:
            if found_end > found_start:
                stop = found_end if found_end < ceiling else ceiling
                # tuple.__new__ skips the named tuple's Python-level constructor (hot path).
                finding = (found_start - floor, stop - floor, other or entity, score, kind, name)
                out.append(_new_tuple(Finding, finding))


def _judges_by_value(recognizer: Recognizer) -> bool:
    """Tell whether the recognizer decides from the matched value alone (the base ``detect``, no words)."""
    return type(recognizer).detect is Recognizer.detect and not recognizer.uses_context


def _collect_by_value(
    batch: _Batch, compiled: scanning.CompiledPattern, recognizer: Recognizer, spans: Spans
) -> None:
    """Do what ``_collect`` does for recognizers that judge the value alone (emails).

    The base ``detect`` is inlined, without a candidate or a detection object per match.
    """
    joined = batch.joined
    pattern, entity, name = compiled.pattern, recognizer.ENTITY, recognizer.name
    invalid, validate = recognizer.invalidate_result, recognizer.validate_result
    index, floor, ceiling, next_floor = -1, 1, 0, 0
    for start, end in spans:
        if not floor <= start < next_floor:
            index, floor, ceiling, next_floor = batch.locate(start)
        if start < 0 or start >= ceiling:
            continue
        stop = end if end < ceiling else ceiling
        value = joined[start:stop]
        if stop <= start or invalid(value):
            continue
        verdict = validate(value)
        if verdict is False:
            continue
        score = 1.0 if verdict else pattern.score
        finding = (start - floor, stop - floor, entity, score, pattern.kind, name)
        batch.found[index].append(_new_tuple(Finding, finding))


RESUME_TRIES = 4


def _resume_inside(
    compiled: scanning.CompiledPattern, recognizer: Recognizer, candidate: Candidate, context: str
) -> list[Detection]:
    """Search the pattern again from each of the next few gaps inside a rejected match."""
    text, end = candidate.text, candidate.end
    limit = min(candidate.ceiling, end + compiled.width + 2)
    position = candidate.start
    for _ in range(RESUME_TRIES):
        gap = _next_gap(text, position, end)
        if gap < 0:
            return []
        position = gap  # a pattern may take the gap as the character before its match
        match = compiled.regex.search(text, position, limit)
        if match is None or match.start() >= end:
            return []
        group = compiled.pattern.group
        start, stop = match.span(group) if group else match.span()
        retry = Candidate(
            text, start, min(stop, candidate.ceiling), compiled.pattern, candidate.floor, candidate.ceiling
        )
        found = recognizer.detect(retry, context)
        if found:
            return found
        position = start
    return []


def _next_gap(text: str, start: int, end: int) -> int:
    found = [at for at in (text.find(" ", start, end), text.find("-", start, end)) if at >= 0]
    return min(found) if found else -1


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep the best of overlapping findings: higher score, then longer, then earlier, then by name.

    Findings that overlap nothing pass as they are; each run of chained overlaps is settled on its
    own, which gives the same answer as settling all at once, since runs never touch each other.
    """
    by_position = sorted(findings)
    kept: list[Finding] = []
    run: list[Finding] = []
    reach = -1
    for finding in by_position:
        if run and finding.start >= reach:
            kept.extend(_settle(run) if len(run) > 1 else run)
            run = []
        run.append(finding)
        reach = finding.end if len(run) == 1 else max(reach, finding.end)
    if run:
        kept.extend(_settle(run) if len(run) > 1 else run)
    return kept


def _settle(findings: list[Finding]) -> list[Finding]:
    ordered = sorted(findings, key=lambda f: (-f.score, f.start - f.end, f.start, f.entity, f.kind))
    starts: list[int] = []
    kept: list[Finding] = []
    for finding in ordered:
        position = bisect.bisect_left(starts, finding.start)
        if position > 0 and kept[position - 1].end > finding.start:
            continue
        if position < len(kept) and kept[position].start < finding.end:
            continue
        starts.insert(position, finding.start)
        kept.insert(position, finding)
    return kept


def _join(texts: Sequence[str]) -> tuple[str, list[int]]:
    starts = []
    position = 0
    for text in texts:
        starts.append(position)
        position += len(text) + len(SEPARATOR)
    return SEPARATOR.join(texts), starts


_SCANNERS: dict[tuple[tuple[tuple[str, str], ...], str], scanning.Scanner] = {}
_SCANNERS_LOCK = threading.Lock()


KEY_CACHE_SIZE = 4096
"""Key names remembered per engine for whether they hold a context word of a gated pattern."""


_KEY_PROBE = Candidate("", 0, 0, Pattern("key-probe", "x", 0.0))
"""An empty candidate: asking a recognizer about it reads the key name alone."""


def _cached_scanner(patterns: tuple[scanning.CompiledPattern, ...], backend: str) -> scanning.Scanner:
    # Compiling the Hyperscan database is the slow part of building an engine; share it.
    key = (tuple((compiled.pattern.regex, compiled.gate) for compiled in patterns), backend)
    with _SCANNERS_LOCK:
        found = _SCANNERS.get(key)
        if found is None or list(getattr(found, "patterns", [])) != list(patterns):
            found = scanning.build_scanner(patterns, backend)
            _SCANNERS[key] = found
        return found


@functools.lru_cache(maxsize=4)
def default_engine(backend: str = "auto") -> Engine:
    """Return the shared engine with every built-in recognizer and the default threshold."""
    return Engine(backend=backend)


def warm_up() -> threading.Thread:
    """Build the shared default engine on a background thread, off any request's path.

    Workers call this when they start, so that their first masking or access package does not wait
    for the scan database (loaded from the cache folder, or compiled and stored there).
    """

    def build() -> None:
        try:
            default_engine().analyze("warm up")
        except Exception:  # the first real call builds it again and reports the failure there
            log.exception("the PII engine could not be built in advance")

    thread = threading.Thread(target=build, name="pii-warm-up", daemon=True)
    thread.start()
    return thread
