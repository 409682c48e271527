"""National identity and tax numbers whose check digits ``python-stdnum`` can verify.

Numbers with a distinctive shape (a Spanish DNI with its letter, an Italian fiscal code, a Brazilian
CPF with dots) count on their own once the checksum holds. Plain runs of 9 to 11 digits pass some
checksum far too often by chance, so they count only after a context word such as "BSN" or "PESEL".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from stdnum.at import vnr
from stdnum.be import nn
from stdnum.br import cpf
from stdnum.de import idnr
from stdnum.dk import cpr
from stdnum.es import dni, nie
from stdnum.fi import hetu
from stdnum.fr import nir
from stdnum.gb import nhs
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.pl import pesel
from stdnum.se import personnummer
from stdnum.us import itin

from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer

Check = Callable[[str], bool]

SHAPED: dict[str, Check] = {
    "es.dni": dni.is_valid,
    "es.nie": nie.is_valid,
    "it.codicefiscale": codicefiscale.is_valid,
    "br.cpf": cpf.is_valid,
    "se.personnummer": personnummer.is_valid,
    "fi.hetu": hetu.is_valid,
    "us.itin": itin.is_valid,
    "in.pan": pan.is_valid,
    "fr.nir": nir.is_valid,
    "in.aadhaar": aadhaar.is_valid,
}
DIGIT_RUNS: dict[str, Check] = {
    "nl.bsn": bsn.is_valid,
    "pl.pesel": pesel.is_valid,
    "no.fodselsnummer": fodselsnummer.is_valid,
    "be.nn": nn.is_valid,
    "de.idnr": idnr.is_valid,
    "dk.cpr": cpr.is_valid,
    "at.vnr": vnr.is_valid,
    "gb.nhs": nhs.is_valid,
    "br.cpf": cpf.is_valid,
    "fr.nir": nir.is_valid,
    "in.aadhaar": aadhaar.is_valid,
}


class NationalIdRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "NATIONAL_ID"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern("es-dni", r"\b\d{8}-?[A-Z]\b", 0.9, kind="es.dni"),
        Pattern("es-nie", r"\b[XYZ]-?\d{7}-?[A-Z]\b", 0.9, kind="es.nie"),
        Pattern("it-cf", r"\b[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]\b", 0.95, kind="it.codicefiscale"),
        Pattern("br-cpf", r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b", 0.95, kind="br.cpf"),
        Pattern("se-pnr", r"\b(?:\d{2})?\d{6}[-+]\d{4}\b", 0.8, kind="se.personnummer"),
        Pattern("fi-hetu", r"\b\d{6}[-+ABCDEFUVWXY]\d{3}[0-9A-Y]\b", 0.95, kind="fi.hetu"),
        Pattern("us-itin", r"\b9\d{2}-[5-9]\d-\d{4}\b", 0.85, kind="us.itin"),
        Pattern("in-pan", r"\b[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]\b", 0.85, kind="in.pan"),
        Pattern(
            "fr-nir", r"\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b", 0.85, kind="fr.nir"
        ),
        Pattern("in-aadhaar", r"\b[2-9]\d{3} \d{4} \d{4}\b", 0.6, kind="in.aadhaar"),
        Pattern("digits", r"\b\d{9,15}\b", 0.3, kind="digits", gated=True),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = (
        "bsn", "burgerservicenummer", "pesel", "fodselsnummer", "fødselsnummer", "personnummer",
        "steuer", "idnr", "identifikationsnummer", "tax id", "tin", "nhs", "cpr", "rijksregister",
        "national number", "national id", "id number", "identity", "insee", "nir", "sozialversicherung",
        "svnr", "versicherungsnummer", "aadhaar", "aadhar", "uid", "cpf", "dni", "nie", "codice fiscale",
        "personal number", "henkilötunnus", "hetu", "social security", "passport", "identificatie",
    )  # fmt: skip
    CONTEXT_BOOST: ClassVar[float] = 0.45
    NEGATIVE_CONTEXT: ClassVar[tuple[str, ...]] = ("order", "invoice", "phone", "tel", "tracking", "call")

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        kind = candidate.pattern.kind
        value = candidate.value
        if kind == "digits":
            signal = self.context_signal(candidate, context)
            if signal <= 0:
                return []  # checksums of plain digit runs pass by chance: ask for a context word first
            kind = next((name for name, check in DIGIT_RUNS.items() if _safe(check, value)), "")
            if not kind:
                return []
            score = self.apply_signal(candidate.pattern.score, signal)
        elif not _safe(SHAPED[kind], value):
            return []
        else:
            score = self.adjust_for_context(candidate.pattern.score, candidate, context)
        return [Detection(candidate.start, candidate.end, score, kind)]


def _safe(check: Check, value: str) -> bool:
    try:
        return bool(check(value))
    except Exception:  # a validator rejecting odd input by raising is a "no"
        return False
