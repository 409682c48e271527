"""The words the name recognizer reads around names: cues before them, words that end them, streets.

Kept apart from ``person.py`` so that the lists can grow without the recognizer's logic being lost
among them. Cue expressions are written for both backends of the scan (``NON_ASCII`` stands for an
accented letter, which the Hyperscan pass sees as a placeholder byte).
"""

from __future__ import annotations

import re

from privacyops.pii.recognizers.base import NON_ASCII, Candidate


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

_GRUESSE = rf"Gr(?:ue|{NON_ASCII})(?:ss|{NON_ASCII})e"
"""German "Grüße" as the scan sees it, or spelt without umlaut and sharp s."""
STRONG_CUES = (
    r"[Mm]y name is|[Mm]y name's|[Nn]ame is|NAME:|[Nn]ame:|[Ff]ull name:|[Ss]igned by|[Ss]igned:|"
    r"Mr\.?|Mrs\.?|Ms\.?|Mx\.?|Dr\.?|Prof\.?|Miss|[Pp]atient:|[Cc]ustomer:|[Cc]ontact:|[Ff]rom:|[Tt]o:|"
    r"[Aa]uthor:|[Ss]peaker:|[Aa]gent:|[Cc]ardholder:|[Aa]ccount holder:|[Bb]ill to:|[Ss]hip to:|"
    r"[Rr]egards,|[Tt]hanks,|[Tt]hank you,|[Ss]incerely,|[Cc]heers,|[Bb]est,|[Cc]ordialement,|[Ss]aluti,|"
    r"[Ss]aludos,|[Aa]tentamente,|[Gg]roet,|[Gg]roeten,|"
    rf"[Mm]it freundlichen {_GRUESSE}n|[Vv]iele {_GRUESSE}|"
    r"(?:user|username|user_name|author|customer)=\"|"
    r"[Mm]ein Name ist|[Jj]e m'appelle|[Mm]e llamo|[Mm]i chiamo|[Mm]ijn naam is|"
    r"[Hh]err|[Ff]rau|[Mm]adame|[Mm]onsieur|"
    r"Mme\.?|Sra\.|Sr\.|[Ss]ignora|[Ss]ignor|[Mm]evrouw|[Mm]eneer|"
    r"\"(?:author|name|full_name|fullName|speaker|sender|customer|customer_name|user_name|display_name)"
    r"\": ?\""
)
WEAK_CUES = (
    r"[Dd]ear|[Hh]i|[Hh]ello|[Hh]ey|[Tt]hanks|[Tt]hank you|[Rr]egards|[Cc]heers|[Bb]est|"
    r"[Ss]incerely|I am|I'm|[Tt]his is|[Cc]all me|[Ss]poke (?:to|with)|[Aa]sk for|[Cc]ustomer|"
    r"[Cc]ontact|[Pp]atient|[Cc]lient|[Ee]mployee|[Mm]anager|[Cc]olleague|[Ff]riend|[Hh]usband|[Ww]ife|"
    r"[Ss]on|[Dd]aughter|[Mm]other|[Ff]ather|[Bb]rother|[Ss]ister|[Nn]amed|[Cc]alled|[Aa]ssigned to|"
    r"[Kk]unde|[Cc]liente|[Kk]lant|[Hh]allo|[Bb]onjour|[Hh]ola|[Cc]iao"
)
PREPOSITION_CUES = r"[Ff]or|[Ww]ith|[Bb]y"
"""The weakest cues: "with Acme Systems", "by Default Settings" are common; they count for known names."""
_STREET_BEFORE = (
    "rue", "avenue", "boulevard", "calle", "via", "viale", "piazza", "paseo", "camino", "rua",
    "Calle", "Via", "Viale", "Piazza", "Paseo", "Camino", "Cuesta", "Ronda", "Travesia", "Travesía", "Pasaje",
    "Rambla", "Alameda", "Borgo", "Vicolo", "Largo", "Stretto", "Contrada", "Strada", "Avenida", "Plaza",
)  # fmt: skip
"""Street words written before a street's name ("avenue Joseph Normand", "Cuesta de Santo Domingo")."""
_LINK_WORDS = ("de", "del", "la", "della", "di", "da", "do", "dos", "das", "el")
_BEFORE_REVERSED = re.compile(
    r"[ ,/]{0,3}(?:\d|(?:(?:"
    + "|".join(word[::-1] for word in _LINK_WORDS)
    + r") ){0,2}(?:"
    + "|".join(sorted((word[::-1] for word in _STREET_BEFORE), key=lambda word: (-len(word), word)))
    + r")(?!\w))"
)
"""What ``street_before`` looks for, read backwards: a house number or a street word, maybe two link
words ("Paseo de la"), then up to three of " ,/". Reversed, one anchored match finds it."""


def street_name(candidate: Candidate, offset: int, words: list[str]) -> bool:
    """Tell whether a name is a street's ("61 Lydia Alley", "avenue Joseph Normand")."""
    if words[-1] in STREET_WORDS:
        return True
    at = candidate.start + offset
    return street_before(candidate.text, max(candidate.floor, at - 16), at)


def street_before(text: str, low: int, at: int) -> bool:
    """Tell whether a house number or a street word ends right before ``at`` (up to 3 of " ,/" between)."""
    return _BEFORE_REVERSED.match(text[low:at][::-1]) is not None


STREET_WORDS = word_set(
    """Street St Avenue Ave Road Rd Lane Ln Drive Dr Court Ct Place Pl Boulevard Blvd Way Alley Terrace
    Crescent Close Grove Groves Gardens Square Hill Hills Park Parkway Row Walk Mews Cliff Forks Mill
    Landing Ridge Ridgeway Underpass Roads Corner Key Part Marg Nagar Ganj Heights View Views Village
    Ville Trail Crossing Circle Loop Lake Lakes Point Port Harbor Haven Meadow Meadows"""
)
"""The last word of street names that begin with a first name."""
