"""One combined pass over a text for every recognizer pattern: Hyperscan when it imports, else ``re``.

Both backends report exactly the matches of ``regex.finditer(text)`` for every pattern. The pure
Python backend runs each pattern (skipping those whose required literals are absent). The Hyperscan
backend compiles all patterns into one database, scans the text once, and runs ``re`` only inside
small windows around the reported match ends. Because every pattern has a bounded width ``L``, a
match ending at ``e`` starts in ``[e - L, e)``; merged windows therefore hold every match whole, no
match crosses a window's edge, and ``finditer`` from a window's start yields the same matches as a
scan of the whole text would. A test runs both backends over the benchmark corpus and compares.
"""

from __future__ import annotations

import bisect
import codecs
import re
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from privacyops.pii import scan_cache
from privacyops.pii.recognizers.base import Pattern

MAX_PATTERN_WIDTH = 20_000
_END_BITS = 40
"""Bits for a match end in an exact pattern's packed reports: texts up to a terabyte."""
_END_MASK = (1 << _END_BITS) - 1
_NON_ASCII = "\x1a"
_GROUP_NAME = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def _substitute_non_ascii(error: UnicodeError) -> tuple[str, int]:
    # One placeholder byte per non-ASCII character keeps byte offsets equal to character offsets.
    assert isinstance(error, UnicodeEncodeError)
    return _NON_ASCII * (error.end - error.start), error.end


codecs.register_error("privacyops-pii-ascii", _substitute_non_ascii)


class PatternError(ValueError):
    """A recognizer pattern is not usable by the combined scan."""


@dataclass(frozen=True)
class CompiledPattern:
    """A pattern ready to scan: its owner, its compiled ``re`` and its maximum match width."""

    index: int
    owner: int
    pattern: Pattern
    regex: re.Pattern[str]
    width: int
    lead_width: int = 0
    run_table: bytes | None = None
    """Maps the pattern's ``anchor_run`` characters to NUL, for finding where such a run starts."""
    gate: str = ""
    """For a gated pattern: the Hyperscan expression of the words that open it (``gate_expression``)."""
    gate_reach: int = 0
    """How far before a match such a word may start."""


def compile_patterns(owned: Sequence[tuple[int, Pattern]]) -> list[CompiledPattern]:
    """Compile ``(owner, pattern)`` pairs, checking each is bounded and cannot match empty text."""
    compiled = []
    for index, (owner, pattern) in enumerate(owned):
        try:
            regex = re.compile(pattern.regex, re.ASCII)
        except re.error as exc:
            raise PatternError(f"pattern {pattern.name!r} does not compile: {exc}") from exc
        low, high = _width(pattern.name, pattern.regex)
        if low < 1 or high > MAX_PATTERN_WIDTH:
            raise PatternError(
                f"pattern {pattern.name!r} matches {low}..{high} characters; give it bounded repeats "
                f"({{m,n}} instead of + and *) between 1 and {MAX_PATTERN_WIDTH}"
            )
        if pattern.from_start and (pattern.gated or pattern.exact):
            raise PatternError(
                f"pattern {pattern.name!r}: from_start is for plain patterns, not gated or exact"
            )
        if pattern.late_boundary:
            _check_late_boundary(pattern)
            high += 1  # a report may end one character after the match
        if pattern.group and pattern.group not in regex.groupindex:
            raise PatternError(f"pattern {pattern.name!r} has no group named {pattern.group!r}")
        lead_width = _width(pattern.name, pattern.lead)[1] if pattern.lead else 0
        run = pattern.anchor_run.encode("ascii")
        table = bytes.maketrans(run, b"\x00" * len(run)) if run else None
        compiled.append(CompiledPattern(index, owner, pattern, regex, int(high), lead_width, table))
    return compiled


def _check_late_boundary(pattern: Pattern) -> None:
    if not pattern.regex.endswith(r"\b") or pattern.exact or pattern.from_start:
        raise PatternError(
            f"pattern {pattern.name!r}: late_boundary needs a pattern ending in \\b, not exact or from_start"
        )


Spans = list[tuple[int, int]]
"""Where a pattern matched, in order: the span of its ``group`` (or of the whole match)."""
Marks = dict[tuple[int, bool], list[int]]
"""Ends of marks by (pattern index, whether a gate): leads and opening words, each list sorted."""


def _width(name: str, regex: str) -> tuple[int, int]:
    try:
        low, high = re._parser.parse(regex, re.ASCII).getwidth()  # type: ignore[attr-defined]
    except re.error as exc:
        raise PatternError(f"pattern {name!r} does not compile: {exc}") from exc
    return int(low), int(high)


class Scanner(Protocol):
    """Finds every match of every compiled pattern in a text."""

    backend: str

    def scan(self, text: str) -> Iterator[tuple[CompiledPattern, Spans]]:
        """Yield each pattern that matched with its spans, in text order, once per pattern."""
        ...


def _all_spans(compiled: CompiledPattern, text: str) -> Spans:
    group = compiled.pattern.group or 0
    return [match.span(group) for match in compiled.regex.finditer(text)]


class ReScanner:
    """Pure-Python backend: ``finditer`` per pattern, skipping patterns whose literals are absent."""

    backend = "re"

    def __init__(self, patterns: Sequence[CompiledPattern]) -> None:
        self.patterns = list(patterns)

    def scan(self, text: str) -> Iterator[tuple[CompiledPattern, Spans]]:
        lowered: str | None = None
        for compiled in self.patterns:
            required = compiled.pattern.requires
            if required:
                if lowered is None:
                    lowered = text.lower()
                if not any(literal in lowered for literal in required):
                    continue
            spans = _all_spans(compiled, text)
            if spans:
                yield compiled, spans


class HyperscanScanner:
    """Hyperscan backend: one database for all patterns, ``re`` confirms inside windows."""

    backend = "hyperscan"

    def __init__(self, patterns: Sequence[CompiledPattern]) -> None:
        import hyperscan

        self.patterns = list(patterns)
        # One scratch space per thread: scans of different threads then never wait for each other.
        self._local = threading.local()
        expressions = [_scan_expression(compiled.pattern) for compiled in self.patterns]
        # Marks (a pattern's lead, or the words that open a gated pattern) get the ids after the
        # patterns: the scan reports where they end, and windows are narrowed or skipped with them.
        # Patterns with the same opening words (one recognizer's gated patterns) share one mark, so
        # each word in the text is reported once rather than once per pattern.
        marks: dict[bytes, list[tuple[int, bool]]] = {}
        for c in self.patterns:
            if c.pattern.lead:
                marks.setdefault(_for_hyperscan(c.pattern.lead), []).append((c.index, False))
        for c in self.patterns:
            if c.gate:
                marks.setdefault(_for_hyperscan(c.gate), []).append((c.index, True))
        self._marks = [tuple(keys) for keys in marks.values()]
        expressions += list(marks)
        # Exact patterns ask for the start of each match too, so no window is needed.
        flags = [hyperscan.HS_FLAG_SOM_LEFTMOST if c.pattern.exact or c.pattern.from_start else 0
                 for c in self.patterns]  # fmt: skip
        flags += [0] * len(self._marks)
        key = scan_cache.database_key(expressions, flags, str(getattr(hyperscan, "__version__", "")))
        self._database = scan_cache.load_or_build(key, lambda: _compile(expressions, flags), _load)

    def ends(self, text: str) -> tuple[dict[int, list[int]], Marks]:
        """Run the database once: per pattern, the ends it reported in order; and the mark ends.

        Entries of exact and ``from_start`` patterns carry Hyperscan's leftmost start too:
        ``start << 40 | end``.
        """
        data = text.encode("ascii", "privacyops-pii-ascii")
        # A list only for ids that report: a short text need not allocate one per pattern.
        reports: defaultdict[int, list[int]] = defaultdict(list)

        def on_match(pattern_id: int, start: int, end: int, _flags: int, _context: Any) -> None:
            reports[pattern_id].append(start << _END_BITS | end)

        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._scratch()
        self._database.scan(data, match_event_handler=on_match, scratch=scratch)
        count = len(self.patterns)
        ends: dict[int, list[int]] = {}
        marks: Marks = {}  # only the marks that were found: most texts have few
        for pattern_id, found in reports.items():
            found.sort()  # Hyperscan reports by end offset already: this only guards the order
            if pattern_id < count:
                ends[pattern_id] = found
            else:
                for mark in self._marks[pattern_id - count]:
                    marks[mark] = found
        return ends, marks

    def _scratch(self) -> Any:
        import hyperscan

        return hyperscan.Scratch(self._database)

    def scan(self, text: str) -> Iterator[tuple[CompiledPattern, Spans]]:
        ends, marks = self.ends(text)
        size = len(text)
        for pattern_id, windows in _windows_by_pattern(ends, self.patterns, text, marks):
            compiled = self.patterns[pattern_id]
            if compiled.pattern.exact:
                spans = _exact_spans(compiled, text, windows, size)
            elif len(windows) * WINDOW_COST > size and not compiled.pattern.from_start:
                # Many windows cost more in call overhead than one pass of ``re`` over everything.
                spans = _all_spans(compiled, text)
            else:
                spans = _spans_in_windows(compiled, text, windows, size)
            if spans:
                yield compiled, spans


def _compile(expressions: list[bytes], flags: list[int]) -> tuple[Any, bytes]:
    """Compile one block-mode database; return it with its serialised bytes for the cache."""
    import hyperscan

    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(expressions=expressions, ids=list(range(len(expressions))),
                         elements=len(expressions), flags=flags)  # fmt: skip
    except hyperscan.error as exc:
        raise PatternError(f"Hyperscan cannot compile the recognizer patterns: {exc}") from exc
    return database, hyperscan.dumpb(database)


def _load(data: bytes) -> Any:
    import hyperscan

    return hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)


def _spans_in_windows(compiled: CompiledPattern, text: str, windows: Spans, size: int) -> Spans:
    """Confirm the matches inside each window with ``re``: this loop is the hot path of the scan.

    Matches starting before a window's ``end`` are no wider than ``width``, so searching only up to
    ``end + width`` cannot change them; anything starting at or after ``end`` belongs to a later
    window. Every match in a window ends by ``end`` (the last end reported), so one ending there is
    the window's last.
    """
    search = compiled.regex.search
    width = compiled.width
    group = compiled.pattern.group or 0
    spans: Spans = []
    append = spans.append
    reach = width + 2
    last_stop = 0
    for start, end in windows:
        limit = end + reach
        if limit > size:
            limit = size
        # ``finditer`` never starts a match before the previous one ended.
        position = start if start > last_stop else last_stop
        while position < end:
            hit = search(text, position, limit)
            if hit is None or hit.start() >= end:
                break
            append(hit.span(group))
            stop = last_stop = hit.end()
            if stop >= end:
                break
            position = stop
    return spans


def _exact_spans(compiled: CompiledPattern, text: str, pairs: Spans, size: int) -> Spans:
    """Spans of an exact pattern: ``re`` matches at each start Hyperscan gave, to read the group.

    Should ``re`` disagree at some start (it never does for a pattern declared exact), that pair is
    confirmed as a window instead, so the result is still exactly ``re``'s.
    """
    match = compiled.regex.match
    group = compiled.pattern.group or 0
    spans: Spans = []
    for start, end in pairs:
        hit = match(text, start)
        if hit is not None and hit.end() == end:
            spans.append(hit.span(group))
        else:
            spans.extend(_spans_in_windows(compiled, text, [(max(0, end - compiled.width), end)], size))
    return sorted(set(spans))


WINDOW_COST = 100
"""Characters of plain ``re`` scanning that cost about as much as confirming one window.

Measured on the benchmark corpus: a window costs about 1.5 microseconds, a pass of ``re`` 10 to 70
nanoseconds a character depending on the pattern; only short texts with many matches of one
pattern are read whole."""


def _windows_by_pattern(
    reports: dict[int, list[int]],
    patterns: Sequence[CompiledPattern],
    text: str,
    marks: Marks | None = None,
) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """Turn each pattern's reported ends into merged windows.

    A window for an end ``e`` is ``[e - width, e]``, narrowed two ways. With an anchor: from
    ``anchor_reach`` before the last anchor in that range (the last anchor inside any match ending at
    ``e`` is the last one in the range, and the match starts at most ``anchor_reach`` before it). With
    a lead: from ``lead_width`` before the first lead ending in that range (a match ending at ``e``
    starts in the range with its lead, so that lead ends no earlier than the first one found, and at
    most ``lead_width`` after the match starts). An anchor with an ``anchor_run`` narrows further, to
    where that run before the anchor starts. A gated pattern's end gets no window at all when no
    opening word ends within ``gate_reach`` before the range. An exact pattern's reports are its
    matches: they pass as (start, end) pairs.
    """
    for pattern_id in sorted(reports):
        ends = reports[pattern_id]
        compiled = patterns[pattern_id]
        if compiled.pattern.exact:
            # Hyperscan gave each match whole: its (start, end) pairs are the windows.
            yield pattern_id, [(key >> _END_BITS, key & _END_MASK) for key in ends]
            continue
        if compiled.pattern.from_start:
            yield pattern_id, _windows_from_starts(ends)
            continue
        width, anchor, reach = compiled.width, compiled.pattern.anchor, compiled.pattern.anchor_reach
        lead_ends = marks.get((pattern_id, False)) if marks else None
        # A gated pattern with no opening word found has no window at all.
        gate_ends = marks.get((pattern_id, True), []) if marks is not None and compiled.gate else None
        windows: list[tuple[int, int]] = []
        start, stop = -1, -1
        for end in ends:
            low = end - width if end > width else 0
            if gate_ends is not None:
                # A gated match needs an opening word ending at most ``gate_reach`` before it starts.
                first = bisect.bisect_left(gate_ends, low - compiled.gate_reach)
                if first == len(gate_ends) or gate_ends[first] > end:
                    continue
            if anchor:
                at = text.rfind(anchor, low, end)
                near = at - reach
                if compiled.run_table is not None and near < at:
                    near = _run_start(text, near if near > 0 else 0, at, compiled.run_table)
                if near > low:
                    low = near
            elif lead_ends:
                first = bisect.bisect_left(lead_ends, low)
                if first < len(lead_ends) and lead_ends[first] <= end:
                    near = lead_ends[first] - compiled.lead_width
                    if near > low:
                        low = near
            if start >= 0 and low <= stop:
                stop = end
                continue
            if start >= 0:
                windows.append((start, stop))
            start, stop = low, end
        if start >= 0:
            windows.append((start, stop))
            yield pattern_id, windows


def _windows_from_starts(keys: list[int]) -> list[tuple[int, int]]:
    """Merge ``[leftmost start, end]`` of every report into disjoint windows, in text order.

    Every match ending at ``e`` starts at or after the leftmost start Hyperscan gave for ``e``, so
    each match lies whole inside one window, as ``_spans_in_windows`` requires.
    """
    windows: list[tuple[int, int]] = []
    start, stop = -1, -1
    for key in keys:  # packed as start << 40 | end: sorted by start
        low, end = key >> _END_BITS, key & _END_MASK
        if start >= 0 and low <= stop:
            if end > stop:
                stop = end
            continue
        if start >= 0:
            windows.append((start, stop))
        start, stop = low, end
    if start >= 0:
        windows.append((start, stop))
    return windows


def _run_start(text: str, low: int, at: int, table: bytes) -> int:
    """Where the run of ``table``'s characters that ends at ``at`` starts (no earlier than ``low``)."""
    # Run characters become NUL; what is left after stripping the trailing NULs ends before the run.
    piece = text[low:at].encode("ascii", "privacyops-pii-ascii").translate(table)
    return low + len(piece.rstrip(b"\x00"))


def gate_expression(words: Sequence[str]) -> str:
    """Return the Hyperscan expression of ``words`` that open a gated pattern.

    Any case, starting a word of the text (not after a letter), as the recognizer reads its context
    words. Non-ASCII letters stand for the placeholder the scan feeds Hyperscan instead of them.
    """
    if not words:
        raise PatternError("a gated pattern needs context words")
    alternatives = "|".join(
        "".join("\\x1a" if not ch.isascii() else re.escape(ch) for ch in word.lower())
        for word in sorted(words, key=len, reverse=True)
    )
    return rf"(?:^|[^A-Za-z])(?i:{alternatives})"


_LATE_BOUNDARY = r"(?:[^0-9A-Za-z_]|$)"
"""What a trailing ``\\b`` after a word character becomes for Hyperscan (``Pattern.late_boundary``)."""


def _scan_expression(pattern: Pattern) -> bytes:
    if pattern.late_boundary:
        return _for_hyperscan(pattern.regex[: -len(r"\b")] + _LATE_BOUNDARY)
    return _for_hyperscan(pattern.regex)


def _for_hyperscan(regex: str) -> bytes:
    return _GROUP_NAME.sub("(", regex).encode("ascii")


def hyperscan_available() -> bool:
    """Tell whether the ``hyperscan`` wheel imports on this machine."""
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def build_scanner(patterns: Sequence[CompiledPattern], backend: str = "auto") -> Scanner:
    """Return the Hyperscan scanner when asked for or available (``auto``), else the ``re`` one."""
    if backend not in {"auto", "hyperscan", "re"}:
        raise ValueError(f"unknown scan backend {backend!r}; use auto, hyperscan or re")
    if backend == "re" or (backend == "auto" and not hyperscan_available()):
        return ReScanner(patterns)
    return HyperscanScanner(patterns)
