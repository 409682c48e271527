"""The declarative shape of a recognizer: patterns, context words and checksum hooks.

A recognizer names one entity type, lists its ``PATTERNS`` (bounded regular expressions written in
the subset that Python's ``re`` and Hyperscan read the same way: no lookarounds, no backreferences,
no ``.``, ASCII classes) and its ``CONTEXT`` words. The engine finds candidates for every pattern of
every recognizer in one combined scan and then calls the hooks on candidates only:
``invalidate_result`` drops a candidate, ``validate_result`` confirms it (a checksum: score 1.0),
rejects it (``False``) or leaves the pattern's score (``None``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

WS = r"[ \t\r\n\f\v]"
"""Whitespace class spelled out, because ``\\s`` differs slightly between regex engines."""

NON_ASCII = r"[^\x00-\x19\x1b-\x7f]"
"""A character outside ASCII (an accented letter): the scan sees its placeholder byte ``\\x1a``, ``re``
the character itself, so both read a pattern holding this class alike."""

WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(frozen=True)
class Pattern:
    """One regular expression of a recognizer, with the score a bare match earns.

    ``group`` names a capture group whose span is reported instead of the whole match (the password
    of ``user:password@host``). ``requires`` lists literal strings of which at least one must occur in
    a text for the pattern to match; the pure-Python scanner uses it to skip patterns cheaply.
    ``kind`` refines the entity (``aws_access_key_id`` for a ``SECRET``).
    """

    name: str
    regex: str
    score: float
    group: str | None = None
    requires: tuple[str, ...] = ()
    kind: str = ""
    anchor: str = ""
    """A character every match contains, none after ``anchor_reach`` characters from the match start
    (``@`` of an email: the local part is at most 64 long and the domain has none). It lets the scan
    start confirming a match just before the anchor instead of a whole pattern width back."""
    anchor_reach: int = 0
    anchor_run: str = ""
    """The characters that fill a match from its start up to the anchor (an email's local part): the
    window then starts where the run of such characters before the anchor starts."""
    exact: bool = False
    """Each match ends where no other match of the pattern could, and none overlap: Hyperscan's
    leftmost start and end of a report are then the match itself, so the scan skips the search
    for it (``re`` still reads the group). Delimited shapes such as dotted quads qualify."""
    gated: bool = False
    """Counts only after one of the recognizer's ``CONTEXT`` words (within ``CONTEXT_WIDTH``
    characters before, or in the key name), which ``detect`` checks. The Hyperscan scan also reports
    where such words end and confirms only matches with one close before them, so bare digit runs
    without a word never reach Python.
    Matches of a gated pattern must not overlap one another (true of delimited digit runs)."""
    ungated_score: float = 0.0
    """What a gated pattern's match scores at most without such a word (0: it is not reported). The
    engine applies the gate only when its threshold is above this."""
    lead: str = ""
    """A bounded expression every match begins with (its keyword or scheme). The Hyperscan scan reports
    where leads end, so a wide pattern is confirmed from just before the first lead near a reported
    end instead of a whole pattern width back. Unused by the pure-Python scanner."""
    from_start: bool = False
    """Hyperscan reports where each match starts too (the leftmost start for its end), and ``re``
    confirms from there instead of searching a window a whole pattern width wide: for patterns
    that begin with a long alternation (cue words), which ``re`` tries at every position. Not with
    ``gated`` or ``exact``."""
    late_boundary: bool = False
    """The pattern ends in ``\\b`` right after a word character. Hyperscan runs such a trailing boundary
    slowly after some shapes (a twelfth of the whole pass, for local phone numbers), so the scan
    looks for the character after the match instead (not a word character, or the end of the text):
    its reports may end one character late, and windows are one character wider. ``re`` still
    confirms every match with the pattern as written. Not with ``exact`` or ``from_start``."""
    resume: bool = False
    """When a match is rejected, look for another match starting inside it: a greedy pattern may have
    run from a neighbouring number into the real value ("+44 20 7946 0958 4111 1111 1111 1111")."""


@dataclass(slots=True)
class Candidate:
    """A pattern match handed to a recognizer's hooks."""

    text: str
    start: int
    end: int
    pattern: Pattern
    floor: int = 0
    """Where the candidate's own piece of text begins (texts scanned together are joined)."""
    ceiling: int = -1
    """Where that piece ends; -1 for the end of ``text``."""

    @property
    def value(self) -> str:
        return self.text[self.start : self.end]

    def _top(self) -> int:
        return len(self.text) if self.ceiling < 0 else self.ceiling

    def before(self, width: int) -> str:
        return self.text[max(self.floor, self.start - width) : self.start]

    def after(self, width: int) -> str:
        return self.text[self.end : min(self._top(), self.end + width)]

    def char_before(self) -> str:
        return self.text[self.start - 1] if self.start > self.floor else ""

    def char_after(self) -> str:
        return self.text[self.end] if self.end < self._top() else ""


class Detection(NamedTuple):
    """What a recognizer reports for one candidate: a span, a score, the kind, maybe another entity."""

    start: int
    end: int
    score: float
    kind: str = ""
    entity: str = ""


@dataclass
class Recognizer:
    """Base class: subclasses set the class attributes and, where useful, override the hooks."""

    ENTITY: ClassVar[str] = ""
    PATTERNS: ClassVar[tuple[Pattern, ...]] = ()
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    NEGATIVE_CONTEXT: ClassVar[tuple[str, ...]] = ()
    ALSO_REPORTS: ClassVar[tuple[str, ...]] = ()
    """Other entities ``detect`` may report besides ``ENTITY``."""
    CONTEXT_BOOST: ClassVar[float] = 0.35
    CONTEXT_PENALTY: ClassVar[float] = 0.4
    CONTEXT_WIDTH: ClassVar[int] = 48

    name: str = ""
    _context: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _negative: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _uses_context: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = type(self).__name__
        self._context = _last_word_finder(self.CONTEXT)
        self._negative = _last_word_finder(self.NEGATIVE_CONTEXT)
        self._uses_context = self._context is not None or self._negative is not None

    # -- hooks -------------------------------------------------------------------------------------
    def invalidate_result(self, value: str) -> bool:
        """Return True when the matched value is certainly not this entity."""
        return False

    def validate_result(self, value: str) -> bool | None:
        """Return True for a checksum that holds, False for one that fails, None when there is none."""
        return None

    @property
    def uses_context(self) -> bool:
        """Tell whether the recognizer has context words (positive or negative)."""
        return self._uses_context

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        """Turn one candidate into detections (none, or usually one); ``context`` is extra text before.

        The engine inlines this method for recognizers without context words that keep it.
        """
        value = candidate.value
        if self.invalidate_result(value):
            return []
        verdict = self.validate_result(value)
        if verdict is False:
            return []
        score = 1.0 if verdict else candidate.pattern.score
        if score < 1.0 and self._uses_context:
            score = self.apply_signal(score, self.context_signal(candidate, context))
        return [Detection(candidate.start, candidate.end, score, candidate.pattern.kind)]

    # -- context -----------------------------------------------------------------------------------
    def adjust_for_context(self, score: float, candidate: Candidate, context: str = "") -> float:
        """Raise the score when a context word precedes the match, lower it for a negative one."""
        if score >= 1.0 or (self._context is None and self._negative is None):
            return score
        return self.apply_signal(score, self.context_signal(candidate, context))

    def apply_signal(self, score: float, signal: int) -> float:
        """Apply a ``context_signal`` to a score (a checksum's 1.0 stays as it is)."""
        if score >= 1.0 or signal == 0:
            return score
        if signal < 0:
            return max(0.0, score - self.CONTEXT_PENALTY)
        return min(1.0, score + self.CONTEXT_BOOST)

    def context_signal(self, candidate: Candidate, context: str = "") -> int:
        """Return 1 when a context word precedes the match, -1 when a negative word is nearer, else 0.

        A negative word counts only close by on the same line; a positive one anywhere in the window
        (``context``, the key name of a structured value, counts as text before the window). A word
        counts where it starts a word of the text: "telephone" holds "phone" but not as a word, even
        when the window happens to begin inside it.
        """
        # Inlined window and word searches: this runs for most candidates of most recognizers.
        text, start, floor = candidate.text, candidate.start, candidate.floor
        low = start - self.CONTEXT_WIDTH
        if low < floor:
            low = floor
        before = text[low:start].lower()
        window = _BLOCK + before if low > floor and text[low - 1] in _LETTERS else before
        if context:
            window = _key_words(context[-self.CONTEXT_WIDTH :]) + "\n" + window
        positive = -1
        if self._context is not None:
            found = self._context.match(window)
            if found is not None:
                positive = found.start(1)
        if self._negative is not None:
            near = before[-NEGATIVE_WIDTH:].rpartition("\n")[2]
            at = start - len(near)
            if at > floor and text[at - 1] in _LETTERS:
                near = _BLOCK + near
            found = self._negative.match(near)
            # Distances from the match decide which word is nearer.
            if found is not None and (positive < 0 or len(near) - found.start(1) < len(window) - positive):
                return -1
        return 1 if positive >= 0 else 0


_BLOCK = "\x01"
"""Put before a window that begins right after a letter, so no word counts as starting there."""


_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _last_word_finder(words: tuple[str, ...]) -> re.Pattern[str] | None:
    # Greedy ".*" makes one search land on the last occurrence of any word that is a whole word:
    # "call" counts in "call me" and "calls", never in "callbacks". Key names glue words to a few
    # endings ("phonenumber", "telefonnummer"), which count too.
    if not words:
        return None
    body = "|".join(re.escape(word.lower()) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?s).*(?<![a-z\x01])({body})(?:{WORD_ENDINGS})?(?![a-z])")


WORD_ENDINGS = "s|es|number|numbers|nummer|nr|no"
"""Endings a context word may carry and still count as that word."""

_CAMEL = re.compile(r"([a-z])([A-Z])")


def _key_words(key: str) -> str:
    """Lower-case a key name with its camel-case words apart ("mobilePhone" reads as "mobile phone")."""
    return _CAMEL.sub(r"\1 \2", key).lower()


NEGATIVE_WIDTH = 24
