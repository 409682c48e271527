"""Street addresses by their structure: house number, street words, a street type, then maybe more.

English-speaking countries write "221B Baker Street, London NW1 6XE" or "1600 Amphitheatre Pkwy,
Mountain View, CA 94043": a house number, capitalised words, one of the USPS street suffixes (full or
abbreviated), then an optional unit, town, state and postcode. German, Dutch and Nordic addresses put
the number after a compound street name ("Hauptstrasse 12", "Keizersgracht 123"); French, Spanish,
Italian and Portuguese ones after a street word ("12 rue de la Paix", "Calle Mayor 5"). Only ASCII
spellings are matched (``Strasse``, not ``Straße``): the scan reads non-ASCII letters as placeholders.
"""

from __future__ import annotations

import re
from typing import ClassVar

from privacyops.pii.recognizers.base import NON_ASCII, Candidate, Detection, Pattern, Recognizer
from privacyops.pii.recognizers.person import NAME_WORD
from privacyops.pii.recognizers.person_words import word_set

# USPS Publication 28 street suffixes, the common full and abbreviated spellings.
_SUFFIXES = word_set(
    "Alley Aly Annex Arcade Avenue Ave Av Bayou Beach Bend Bluff Bluffs Bottom Boulevard Blvd Branch "
    "Bridge Brook Brooks Burg Burgs Bypass Camp Canyon Cape Causeway Center Ctr Centers Circle Cir "
    "Circles Cliff Cliffs Close Club Common Commons Corner Corners Course Court Ct Courts Cove Coves "
    "Creek Crescent Cres Crest Crossing Crossroad Curve Dale Dam Divide Drive Dr Drives Estate Estates "
    "Expressway Expy Extension Ext Falls Ferry Field Fields Flat Flats Ford Fords Forest Forge Forges "
    "Fork Forks Fort Freeway Fwy Garden Gardens Gateway Glen Glens Green Greens Grove Groves Harbor "
    "Harbors Haven Heights Hts Highway Hwy Hill Hills Hollow Inlet Island Islands Isle Junction "
    "Junctions Key Keys Knoll Knolls Lake Lakes Land Landing Lane Ln Light Lights Loaf Lock Locks "
    "Lodge Loop Mall Manor Manors Meadow Meadows Mews Mill Mills Mission Motorway Mount Mountain "
    "Mountains Neck Orchard Oval Overpass Park Parks Parkway Pkwy Parkways Pass Passage Path Pike Pine "
    "Pines Place Pl Plain Plains Plaza Plz Point Points Port Ports Prairie Radial Ramp Ranch Rapid "
    "Rapids Rest Ridge Ridges River Road Rd Roads Route Row Rue Run Shoal Shoals Shore Shores Skyway "
    "Spring Springs Spur Spurs Square Sq Squares Station Stravenue Stream Street St Streets Summit "
    "Terrace Ter Throughway Trace Track Trafficway Trail Trl Trailer Tunnel Turnpike Underpass Union "
    "Unions Valley Valleys Via Viaduct View Views Village Villages Ville Vista Walk Walks Wall Way "
    "Ways Well Wells Wharf Wynd Yard "
    # Australian, New Zealand and British streets; Indian ones ("Raja Marg", "Bhat Nagar", "Sarna Ganj").
    "Concourse Cross Ridgeway Parade Esplanade Quay Rise Promenade Vale Approach Circuit Marg Nagar Ganj "
    "Zila Chowk Pathway"
)
_SUFFIX = "(?:" + "|".join(sorted(_SUFFIXES, key=lambda word: (-len(word), word))) + r")(?:\.|\b)"
"""A street type, whole ("Pl" of "Plan" is none) and maybe abbreviated with a dot."""
_UNIT = (
    r"(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|No)\.? ?#?[0-9A-Za-z][0-9A-Za-z\-]{0,5})?"
)
_POSTCODE = r"(?:\d{6}|\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z0-9]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{4})"
"""US ZIP, British, Canadian, four-digit (Australian, European) and six-digit (Indian PIN) codes."""
_TOWN_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{1,24}(?:[ \-][A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{1,24}){0,2}"
"""A town's name ("Göttingen" too: the tails are read by ``re`` alone, never by the scan)."""
_ENGLISH_TAIL = re.compile(
    rf"{_UNIT}(?:,?[ \n]{_TOWN_WORD}(?:,? [A-Z]{{2,3}}\b)?(?:(?:,? |-){_POSTCODE}\b)?|,? {_POSTCODE}\b)?"
)
"""What may follow the street: a unit, then a town with its state or postcode (read in Python)."""
_EUROPEAN_UNIT = (
    r"(?:,? (?:Piano|Appartamento|Interno|Scala|Puerta|Piso|Planta|Apto?\.?|Bajo) ?\d{1,3}[A-Za-z]?)?"
)
_EUROPEAN_TAIL = re.compile(
    rf"{_EUROPEAN_UNIT}(?:,? (?:[A-Z]{{1,2}}-)?(?:\d{{4}}(?: ?[A-Z]{{2}})?|\d{{5}}) {_TOWN_WORD}\b)?"
)
"""A unit, then the postcode ("7032 MP" in the Netherlands) and town."""
_ACCENTED = NON_ASCII
_STREET_WORD = (
    r"[^\x00-\x19\x1b-\x40\x5b-\x7f][^\x00-\x19\x1b-\x26\x28-\x2c\x2e-\x40\x5b-\x60\x7b-\x7f]{1,23}"
)
"""A capitalised word of a street's name, accented letters included ("Visitación Pallarès"): an
upper-case or non-ASCII letter, then letters, apostrophes and hyphens."""
_HOUSE = r"\d{1,5}[A-Za-z]?(?:/\d{1,5}[A-Za-z]?)?"
"""A house number, maybe with the flat's number before a slash ("16/30 Lin Roads")."""
_STREET_NAME = rf"(?: (?:{NAME_WORD}|[NSEW]\.?|\d{{1,3}}(?:st|nd|rd|th))){{1,3}} {_SUFFIX}"
_ENGLISH = rf"\b(?:{_HOUSE}|\d{{1,3}},|\d{{1,5}}/\d{{1,5}},){_STREET_NAME}"
"""Number first; a comma after a short house number as Indian addresses write it ("43, Raja Marg")."""
_UNIT_FIRST = (
    rf"\b(?:Flat|Apt|Apartment|Unit|Suite|Studio)\.? ?#?\d{{1,4}}[A-Za-z]?,?(?: {_HOUSE})?{_STREET_NAME}"
)
"""The flat before the street: "Flat 04, Kayleigh Avenue", "Apt 3B, 12 Elm Street"."""
_COMPOUND = (
    rf"(?:strasse|stra{_ACCENTED}e|str\.|weg|gasse|allee|platz|ring|damm|ufer|straat|laan|gracht|plein|kade|"
    r"singel|baan|dreef|steeg|boulevard|vej|gade|veien|gata|gatan|vagen|tie|katu)"
)
_NUMBER_AFTER = rf"\b[A-Z][a-z]{{1,24}}{_COMPOUND} \d{{1,4}}[a-z]?\b"
_ROMANCE_WORD = (
    r"(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Cc]hemin|[Ii]mpasse|[Vv]ia|[Vv]iale|[Pp]iazza|[Cc]alle|[Aa]venida|"
    r"[Pp]laza|[Rr]ua|[Pp]ra[cz]a|[Cc]orso|"
    # Spanish and Italian street words beside calle and via; accented letters as the scan sees them.
    rf"Paseo|Cuesta|Ronda|Traves(?:i|{_ACCENTED})a|Camino|Pasaje|Glorieta|Rambla|Alameda|Ca(?:n|{_ACCENTED})ada|"
    rf"Callej(?:o|{_ACCENTED})n|Borgo|Vicolo|Largo|Stretto|Contrada|Strada|Vico)"
)
_LINKS = r"(?: (?:de|du|des|la|le|les|del|della|dei|di|da|do|dos|das|el|l'|d')){0,3}"
_NUMBER_FIRST = rf"\b\d{{1,4}}(?:bis|ter)?,? {_ROMANCE_WORD}{_LINKS}(?: {_STREET_WORD}){{1,3}}"
_WORD_FIRST = rf"\b{_ROMANCE_WORD}{_LINKS}(?: {_STREET_WORD}){{1,3}},? (?:n\. ?|No\.? ?)?\d{{1,4}}\b"


class AddressRecognizer(Recognizer):
    """Street addresses: see the module's docstring."""

    ENTITY: ClassVar[str] = "STREET_ADDRESS"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern("address-english", _ENGLISH, 0.7, kind="en"),
        Pattern("address-unit-first", _UNIT_FIRST, 0.7, kind="unit-first"),
        Pattern("address-number-after", _NUMBER_AFTER, 0.7, kind="number-after"),
        Pattern("address-number-first", _NUMBER_FIRST, 0.7, kind="number-first"),
        Pattern("address-word-first", _WORD_FIRST, 0.6, kind="word-first"),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = (
        "address", "adresse", "direccion", "indirizzo", "live at", "lives at", "ship to", "deliver",
        "delivery", "shipping", "billing", "located at", "moved to", "residence", "home", "street",
    )  # fmt: skip
    NEGATIVE_CONTEXT: ClassVar[tuple[str, ...]] = ("version", "step", "chapter", "section", "page")

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        value = candidate.value
        if candidate.char_before() in "-./#:" and candidate.char_before():
            return []  # a part of a longer token: "v2 Main Street" is not a house number
        words = value.split()
        english = candidate.pattern.kind in _ENGLISH_KINDS
        if candidate.pattern.kind == "en" and len(words) <= 3 and words[1] in _COMMON_STARTS:
            return []  # "3 Way Handshake", "5 Star Hotel": a number and a word, not a street
        # The scan finds the street; the town and postcode after it are read here, within the text.
        top = candidate.ceiling if candidate.ceiling >= 0 else len(candidate.text)
        tail = (_ENGLISH_TAIL if english else _EUROPEAN_TAIL).match(candidate.text, candidate.end, top)
        end = tail.end() if tail is not None and tail.end() > candidate.end else candidate.end
        score = candidate.pattern.score + (0.15 if end > candidate.end else 0.0)
        score = self.apply_signal(score, self.context_signal(candidate, context))
        return [Detection(candidate.start, end, score, candidate.pattern.kind)]


_ENGLISH_KINDS = frozenset({"en", "unit-first"})
_COMMON_STARTS = word_set(
    "The A An And Or Of In On At To For By With From Is Are Was Were Be Times Days Weeks Months Years "
    "Hours Minutes Items Users Steps"
)
