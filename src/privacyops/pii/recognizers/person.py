"""People's names without a model: a first-name gazetteer, capitalisation and the words around them.

Three patterns, all in the same Hyperscan pass as the structured recognizers:

- ``person-gazetteer``: a known first name followed by one or two capitalised words ("Maria Lopez",
  "John P. O'Brien"); the surname list raises the score.
- ``person-cue``: capitalised words right after a cue ("my name is", "Dear", "Hi", "Regards,", "Mr.",
  "Name:"); weak cues ("Hi", "Thanks") need a known first or last name, strong ones do not.
- ``person-value``: a whole string of one to four capitalised words, kept only under a key that names
  a person (``"name"``, ``"author"``, ``"speaker"``...), as in chat traces and support records.

The lists are derived from the US Census name files (``scripts/pii_name_lists.py``), so they know
English-speaking countries' names best; cues and keys catch names the lists do not know.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import ClassVar

from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer

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


def word_set(words: str) -> frozenset[str]:
    """Return the words of a space-separated list as a set."""
    return frozenset(words.split())


STOP_WORDS = word_set(
    """The A An And Or But If Then This That These Those There Here Where When What Which Who Why How
    I We You He She It They Our Your My Their His Her Its Is Are Was Were Be Been Am Do Does Did Not No
    Yes Ok Okay Please Thanks Thank Hi Hello Hey Dear Best Regards Kind Cheers Team All Everyone Sir
    Madam Customer Client User Users Admin Support Service Services Sales Billing Account Manager
    Agent Assistant System Bot Error Warning Info Debug Request Response Server Client Api Http Json
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December Today Tomorrow Yesterday Street Avenue Road Lane
    Drive Court Place Boulevard Suite Apt Inc Ltd Llc Corp Company Group Bank University Hospital
    College School City County State North South East West New Old Great United Kingdom States America
    Google Microsoft Amazon Apple Github Slack Stripe Openai Linux Windows Mac Python Java Order Invoice
    Ticket Case Issue Project Report Update Note Notes Meeting Call Phone Email Address Name Mr Mrs Ms
    Dr Prof Miss Will Can Could Would Should Must May Might Shall From To For With About Via On In At
    By Of Hotel Airport Station Park Center Centre Office Department Dept Unit Floor Room Building
    Access Panel Data Security Cloud Storage Web Network Success Quality Release Product Language
    Studio Flat Apartment"""
)
"""Capitalised words that are rarely part of a name in support and log text."""

_STRONG = (
    r"[Mm]y name is|[Mm]y name's|[Nn]ame is|NAME:|[Nn]ame:|[Ff]ull name:|[Ss]igned by|[Ss]igned:|"
    r"Mr\.?|Mrs\.?|Ms\.?|Mx\.?|Dr\.?|Prof\.?|Miss|[Pp]atient:|[Cc]ustomer:|[Cc]ontact:|[Ff]rom:|[Tt]o:|"
    r"[Aa]uthor:|[Ss]peaker:|[Aa]gent:|[Cc]ardholder:|[Aa]ccount holder:|[Bb]ill to:|[Ss]hip to:|"
    r"[Rr]egards,|[Tt]hanks,|[Tt]hank you,|[Ss]incerely,|[Cc]heers,|[Bb]est,|[Cc]ordialement,|[Ss]aluti,|"
    r"[Ss]aludos,|[Aa]tentamente,|[Gg]roet,|[Gg]roeten,|"
    r"mein Name ist|je m'appelle|me llamo|mi chiamo|mijn naam is|[Hh]err|[Ff]rau|[Mm]adame|[Mm]onsieur|"
    r"Mme\.?|Sra\.|Sr\.|[Ss]ignora|[Ss]ignor|[Mm]evrouw|[Mm]eneer|"
    r"\"(?:author|name|full_name|fullName|speaker|sender|customer|customer_name|user_name|display_name)"
    r"\": ?\""
)
_WEAK = (
    r"[Dd]ear|[Hh]i|[Hh]ello|[Hh]ey|[Tt]hanks|[Tt]hank you|[Rr]egards|[Cc]heers|[Bb]est|"
    r"[Ss]incerely|I am|I'm|[Tt]his is|[Cc]all me|[Ss]poke (?:to|with)|[Aa]sk for|[Cc]ustomer|"
    r"[Cc]ontact|[Pp]atient|[Cc]lient|[Ee]mployee|[Mm]anager|[Cc]olleague|[Ff]riend|[Hh]usband|[Ww]ife|"
    r"[Ss]on|[Dd]aughter|[Mm]other|[Ff]ather|[Bb]rother|[Ss]ister|[Nn]amed|[Cc]alled|[Ff]or|[Ww]ith|[Bb]y|"
    r"[Kk]unde|[Cc]liente|[Kk]lant|[Hh]allo|[Bb]onjour|[Hh]ola|[Cc]iao"
)
_STREET_BEFORE = ("rue", "avenue", "boulevard", "calle", "via", "viale", "piazza", "paseo", "camino", "rua")
"""Street words written before a street's name ("avenue Joseph Normand")."""
_RUN_WORD = rf"[{_UPPER}][{_LOWER}'][{_UPPER}{_LOWER}'\-]{{0,22}}"
_NAME_RUN = re.compile(rf"{_RUN_WORD}(?: {_RUN_WORD}){{0,2}}(?![{_UPPER}{_LOWER}])")
_WORD_REST = re.compile(rf"[{_UPPER}{_LOWER}'\-]*(?: {_RUN_WORD})?")
"""The name after a cue: one to three capitalised words."""
_CUE_TAIL = r"(?: (?:Mr|Mrs|Ms|Mx|Dr|Prof)\.?)?[ \n]{0,3}(?P<v>[A-Z][a-z'])"
STRONG_CUE = "person-cue"
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
        ),
        # Only the first letters of the name: name words after 60 cue words made Hyperscan's automaton
        # three times slower; ``detect`` reads the rest of the name. Strong and weak cues are two
        # patterns, so that ``detect`` knows which one it has without reading the words again.
        Pattern(
            STRONG_CUE,
            rf"(?:^|[^A-Za-z])(?:{_STRONG}){_CUE_TAIL}",
            0.6,
            group="v",
            kind="cue",
            resume=True,
            from_start=True,
        ),
        Pattern(
            "person-weak-cue",
            rf"(?:^|[^A-Za-z])(?:{_WEAK}){_CUE_TAIL}",
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
        known = keep[0] in self._first or keep[-1] in self._last
        if candidate.pattern.name == STRONG_CUE:
            score = 0.85 if known else 0.65
        elif known:
            score = 0.75
        elif len(keep) >= 2:
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
                if len(keep) >= 2 and not _street_name(candidate, offset, keep):
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


def _street_name(candidate: Candidate, offset: int, words: list[str]) -> bool:
    """Tell whether a name is a street's ("61 Lydia Alley", "avenue Joseph Normand")."""
    if words[-1] in STREET_WORDS:
        return True
    at = candidate.start + offset
    return _street_before(candidate.text, max(candidate.floor, at - 16), at)


def _street_before(text: str, low: int, at: int) -> bool:
    """Tell whether a house number or a street word ends right before ``at`` (up to 3 of " ,/" between).

    String tests rather than a regular expression searched backwards: this runs for most names.
    """
    before = text[low:at]
    core = before.rstrip(" ,/")
    if not core or len(before) - len(core) > 3:
        return False
    if core[-1].isdecimal():
        return True
    for word in _STREET_BEFORE:
        if core.endswith(word):
            begins = low + len(core) - len(word)
            return begins == 0 or not (text[begins - 1].isalnum() or text[begins - 1] == "_")
    return False


STREET_WORDS = word_set(
    """Street St Avenue Ave Road Rd Lane Ln Drive Dr Court Ct Place Pl Boulevard Blvd Way Alley Terrace
    Crescent Close Grove Groves Gardens Square Hill Hills Park Parkway Row Walk Mews Cliff Forks Mill
    Landing Ridge Ridgeway Underpass Roads Corner Key Part Marg Nagar Ganj Heights View Views Village
    Ville Trail Crossing Circle Loop Lake Lakes Point Port Harbor Haven Meadow Meadows"""
)
"""The last word of street names that begin with a first name."""


def _word_end(candidate: Candidate, end: int) -> int:
    """Carry a name on past the scan's ASCII end: "Gonz" of "González" becomes the whole word.

    A last word cut at an accented letter would otherwise leave its tail ("ález") unmasked.
    """
    top = candidate.ceiling if candidate.ceiling >= 0 else len(candidate.text)
    if end >= top or candidate.text[end].isascii():
        return end
    rest = _WORD_REST.match(candidate.text, end, top)
    return rest.end() if rest is not None else end
