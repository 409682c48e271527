"""People's names without a model: a first-name gazetteer, capitalisation and the words around them.

Patterns of three kinds, all in the same Hyperscan pass as the structured recognizers:

- ``person-gazetteer``: a known first name followed by one or two capitalised words ("Maria Lopez",
  "John P. O'Brien"); the surname list raises the score.
- ``person-cue`` (strong), ``person-weak-cue`` and ``person-preposition-cue``: capitalised words right
  after a cue ("my name is", "Dear", "Hi", "Regards,", "Mr.", "Name:"; the first letter may be
  accented); after a strong cue any name-shaped words count, after a weak one ("Hi", "Thanks") a
  known first or last name or two name-shaped words, after "for", "with" or "by" only a known name.
  The lists of cue words are in ``person_words.py``.
- ``person-value``: a whole string of one to four capitalised words, kept only under a key that names
  a person (``"name"``, ``"author"``, ``"speaker"``...), as in chat traces and support records.

The lists are derived from the US Census name files (``scripts/pii_name_lists.py``), so they know
English-speaking countries' names best; cues and keys catch names the lists do not know.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path
from typing import ClassVar

from privacyops.pii.recognizers.base import NON_ASCII, Candidate, Detection, Pattern, Recognizer
from privacyops.pii.recognizers.person_words import (
    PREPOSITION_CUES,
    STOP_WORDS,
    STRONG_CUES,
    WEAK_CUES,
    street_name,
)

NAME_WORD = r"[A-Z][a-z'][A-Za-z'\-]{0,22}"
"""A capitalised word as the scan sees it; ``_NAME_SHAPE`` then keeps Smith, O'Brien, McDonald and
Smith-Jones but not JavaScript. Simple classes keep Hyperscan's compile time low."""
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_NAME_SHAPE = re.compile(
    rf"[{_UPPER}][{_LOWER}]{{0,2}}(?:'?[{_UPPER}])?[{_LOWER}]{{1,20}}(?:-[{_UPPER}][{_LOWER}]{{1,20}})?"
)
"""A name word in Latin letters, accents included: the scan reads ASCII, Python reads the rest."""
_INITIAL = r"(?: [A-Z]\.)?"


@functools.cache
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """Return the first names and last names the recognizer knows (title case)."""
    data = json.loads((Path(__file__).parent / "names.json").read_text(encoding="utf-8"))
    return frozenset(data["first"]), frozenset(data["last"])


_RUN_WORD = rf"[{_UPPER}][{_LOWER}'][{_UPPER}{_LOWER}'\-]{{0,22}}"
_NAME_RUN = re.compile(rf"{_RUN_WORD}(?: {_RUN_WORD}){{0,2}}(?![{_UPPER}{_LOWER}])")
_PARTICLES = (
    "van ", "von ", "de ", "der ", "den ", "del ", "della ", "la ", "le ", "du ", "di ", "da ", "dos ",
    "das ", "ter ", "ten ", "bin ", "al ", "el ",
)  # fmt: skip
"""Particles before a surname: a name followed by one of them is read on past it."""
_PARTICLE_TAIL = re.compile(
    rf"(?: (?:{'|'.join(word.strip() for word in _PARTICLES)})){{1,3}} "
    rf"[{_UPPER}][{_LOWER}'][{_UPPER}{_LOWER}'\-]{{0,22}}(?![{_UPPER}{_LOWER}])"
)
"""Particles before a surname, then the surname: " van den Henst", " de la Cruz"."""
_WORD_REST = re.compile(rf"[{_UPPER}{_LOWER}'\-]*(?: {_RUN_WORD})?")
"""The name after a cue: one to three capitalised words."""
_CUE_TAIL = (
    rf"(?: (?:Mr|Mrs|Ms|Mx|Dr|Prof)\.?)?[ \n]{{0,3}}(?P<v>(?:[A-Z]|{NON_ASCII})(?:[a-z']|{NON_ASCII}))"
)
"""After the cue, the name's first two letters, either maybe accented ("Élodie", "Bárbara")."""
STRONG_CUE = "person-cue"
PREPOSITION_CUE = "person-preposition-cue"
_NAME_KEY = re.compile(
    r"(?:^|[^a-z])(?:full ?name|first ?name|last ?name|given ?name|family ?name|surname|display ?name|"
    r"author|speaker|sender|recipient|customer|contact|patient|employee|person|owner|assignee|reporter|"
    r"cardholder|holder|signatory)(?:[^a-z]|$)"
)
_GENERIC_KEY = re.compile(r"(?:^|[^a-z])name(?:[^a-z]|$)")


def _patterns() -> tuple[Pattern, ...]:
    return (
        # Runs of capitalised words are rare enough in traces and logs (about one per kB) to be
        # looked up in the first-name list in Python; a 5,000-name alternation would take Hyperscan
        # seconds to compile.
        Pattern(
            "person-gazetteer",
            rf"\b(?P<v>{NAME_WORD}{_INITIAL}(?: {NAME_WORD}){_INITIAL}(?: {NAME_WORD}){{0,2}})\b",
            0.6,
            group="v",
            kind="gazetteer",
            # ``re`` retried a run of capitalised words at each of its letters: from Hyperscan's
            # start it confirms the run once (3 µs less per short text, 15% more Hyperscan time).
            from_start=True,
        ),
        # Only the first letters of the name: name words after 60 cue words made Hyperscan's automaton
        # three times slower; ``detect`` reads the rest of the name. Strong cues, weak ones and
        # prepositions are three patterns, so that ``detect`` knows which it has without reading again.
        Pattern(
            STRONG_CUE,
            rf"(?:^|[^A-Za-z])(?:{STRONG_CUES}){_CUE_TAIL}",
            0.6,
            group="v",
            kind="cue",
            resume=True,
            from_start=True,
        ),
        Pattern(
            "person-weak-cue",
            rf"(?:^|[^A-Za-z])(?:{WEAK_CUES}){_CUE_TAIL}",
            0.6,
            group="v",
            kind="cue",
            resume=True,
            from_start=True,
        ),
        Pattern(
            PREPOSITION_CUE,
            rf"(?:^|[^A-Za-z])(?:{PREPOSITION_CUES}){_CUE_TAIL}",
            0.6,
            group="v",
            kind="cue",
            resume=True,
            from_start=True,
        ),
        Pattern(
            "person-value",
            rf"(?:^|\x00\n)(?P<v>{NAME_WORD}(?: {NAME_WORD}){{0,3}})(?:\n\x00|\n?$)",
            0.5,
            group="v",
            kind="value",
        ),
    )


class PersonRecognizer(Recognizer):
    """People's names: see the module's docstring."""

    ENTITY: ClassVar[str] = "PERSON"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = _patterns()
    CONTEXT: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        self._first, self._last = name_lists()

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        kind = candidate.pattern.kind
        if kind == "cue":
            top = candidate.ceiling if candidate.ceiling >= 0 else len(candidate.text)
            run = _NAME_RUN.match(candidate.text, candidate.start, top)
            if run is None:
                return []
            candidate = Candidate(candidate.text, candidate.start, run.end(), candidate.pattern,
                                  candidate.floor, candidate.ceiling)  # fmt: skip
        words = candidate.value.split(" ")
        if kind == "value":
            return self._value(candidate, words, context)
        if kind == "gazetteer":
            return self._gazetteer(candidate, words)
        keep = _trim(words)
        if not keep:
            return []
        known = _listed(keep[0], self._first) or _listed(keep[-1], self._last)
        if candidate.pattern.name == STRONG_CUE:
            score = 0.85 if known else 0.65
        elif known:
            score = 0.75
        elif len(keep) >= 2 and candidate.pattern.name != PREPOSITION_CUE:
            score = 0.55  # "Customer Rohan Lyne": two name-shaped words after a cue
        else:
            return []
        end = candidate.start + len(" ".join(keep))
        return [Detection(candidate.start, _word_end(candidate, end), score, kind)]

    def _gazetteer(self, candidate: Candidate, words: list[str]) -> list[Detection]:
        """Find a known first name and one more name word or two in a run of capitalised words."""
        offset = 0
        for index, word in enumerate(words):
            if word in self._first:
                keep = _trim(words[index:])
                if len(keep) >= 2 and not street_name(candidate, offset, keep):
                    start = candidate.start + offset
                    score = 0.85 if keep[-1] in self._last else 0.6
                    end = _word_end(candidate, start + len(" ".join(keep)))
                    return [Detection(start, end, score, "gazetteer")]
            offset += len(word) + 1
        return []

    def _value(self, candidate: Candidate, words: list[str], context: str) -> list[Detection]:
        if not context or any(word in STOP_WORDS for word in words):
            return []
        key = context.lower()
        if _NAME_KEY.search(key):
            score = 0.85
        elif _GENERIC_KEY.search(key) and (words[0] in self._first or words[-1] in self._last):
            score = 0.8
        else:
            return []
        return [Detection(candidate.start, candidate.end, score, "value")]


@functools.lru_cache(maxsize=8192)
def _name_shaped(word: str) -> bool:
    # Names repeat: remembering the answer is cheaper than matching the word again.
    return _NAME_SHAPE.fullmatch(word) is not None


def _listed(word: str, names: frozenset[str]) -> bool:
    """Tell whether a name is listed, its accents aside ("Ángel" is "Angel", "Jérôme" "Jerome")."""
    return word in names or not word.isascii() and _folded(word) in names


def _folded(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")


def _trim(words: list[str]) -> list[str]:
    """Drop trailing words that are not names ("John Smith Thanks" is "John Smith")."""
    keep = []
    for word in words:
        if len(word) == 2 and word[1] == "." or _name_shaped(word):
            keep.append(word)
        else:
            break  # "Maria GitHub" ends at Maria
    while keep and (keep[-1] in STOP_WORDS or len(keep[-1]) == 2 and keep[-1][1] == "."):
        keep.pop()
    return keep if keep and keep[0] not in STOP_WORDS else []


def _word_end(candidate: Candidate, end: int) -> int:
    """Carry a name on past the scan's ASCII end: "Gonz" of "González" becomes the whole word.

    A last word cut at an accented letter would otherwise leave its tail ("ález") unmasked. A
    surname with a particle ("Tristan van Luinenburg", "Maria de la Cruz") is carried on too.
    """
    top = candidate.ceiling if candidate.ceiling >= 0 else len(candidate.text)
    if end >= top:
        return end
    text = candidate.text
    if not text[end].isascii():
        rest = _WORD_REST.match(text, end, top)
        end = rest.end() if rest is not None else end
    if end < top and text.startswith(_PARTICLES, end + 1):
        particle = _PARTICLE_TAIL.match(text, end, top)
        if particle is not None:
            end = particle.end()
    return end
