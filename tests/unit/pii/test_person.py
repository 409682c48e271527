from __future__ import annotations

import pytest

from privacyops.pii.engine import default_engine
from tests.unit.pii.helpers import found

CASES = [
    ("Hi, my name is Maria Lopez and I need help", ["Maria Lopez"]),
    ("Thanks,\nJohn Smith", ["John Smith"]),
    ("Dear Mrs. Zamora,\nyour appointment is confirmed.", ["Zamora"]),
    ("follow-up with Dr. Mani.", ["Mani"]),
    ("I spoke with Jennifer yesterday", ["Jennifer"]),
    ("Customer Rohan Lyne reported a bug", ["Rohan Lyne"]),  # unknown names after a cue word
    ("customer Sarah O'Connor called", ["Sarah O'Connor"]),
    ("Meeting notes: Robert Higgins and Sandra Smart agreed.", ["Robert Higgins", "Sandra Smart"]),
    ('{"author": "Amleto Favata", "message": "Grazie!"}', ["Amleto Favata"]),
    ("Hallo, mein Name ist Dimitri Hänel", ["Dimitri Hänel"]),  # accented letters after the scan's ASCII
    ("Hola, me llamo José García y", ["José García"]),
    ("Maria González called", ["Maria González"]),
    ("Sehr geehrte Frau Haase, Ihr Termin", ["Haase"]),
    # A first letter outside ASCII after a cue word.
    ("my name is Élodie Durand", ["Élodie Durand"]),
    ("Me llamo Ángel.", ["Ángel"]),
    ("Hola Ángel, ¿qué tal?", ["Ángel"]),  # "Angel" is a known first name, accents aside
    ("Saludos, Bárbara Arnaiz", ["Bárbara Arnaiz"]),
    ("Dear Ólafur Arnalds,", ["Ólafur Arnalds"]),
    ("Mit freundlichen Grüßen Utz Sölzer", ["Utz Sölzer"]),
    # Particles belong to the surname.
    ("Met vriendelijke groet, Tristan van Luinenburg", ["Tristan van Luinenburg"]),
    ("Hola, me llamo Maria de la Cruz y", ["Maria de la Cruz"]),
    ('level=info msg="reset" user="Tanvi Sastry" ip=10.2.91.7', ["Tanvi Sastry"]),
    # Capitalised words that are not names.
    ("Hi Team, the Deploy Pipeline failed", []),
    ("Grant Access to the Admin Panel", []),
    ("May The Force be with you", []),
    ("We moved from Google Cloud Storage to Amazon Web Services.", []),
    ("Signed by Sally Barber at 61 Lydia Alley.", ["Sally Barber"]),  # the street is not a person
    ("Merci de livrer au 451, boulevard Antoine Bertin.", []),
    ("error in JavaScript Runtime", []),
    # Capitalised words after cue words: prepositions need a known name.
    ("I work with Acme Systems every day", []),
    ("Sorted by Default Settings", []),
    ("Thanks for the Quick Start guide", []),
    ("Hi Everyone, the Release Notes are out", []),
    ("Dear Valued Customer,", []),
    ("see you at the “Design Review” tomorrow", []),
    ("Contact: Sales Department", []),
    ("We spoke with Customer Success about Billing", []),
    ("sent with Éclair Systems", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_person(text: str, expected: list[str]) -> None:
    assert found(text, "PERSON") == expected


def test_a_value_under_a_name_key_is_a_person() -> None:
    engine = default_engine()
    texts = ["Ngozi Okafor", "Production Cluster", "Alice", "Alice"]
    keys = ["author", "name", "name", "environment"]
    found_in = [[f.entity for f in found] for found in engine.analyze_many(texts, keys)]
    assert found_in == [["PERSON"], [], ["PERSON"], []]


def test_the_name_tier_can_be_left_out() -> None:
    from privacyops.pii.engine import Engine

    engine = Engine(entities=["EMAIL_ADDRESS"])
    assert {rec.ENTITY for rec in engine.recognizers} == {"EMAIL_ADDRESS"}
    assert engine.analyze("Hi, my name is Maria Lopez") == []


def test_masking_hides_names_and_addresses_by_default() -> None:
    from privacyops.pii.masking import mask_document, mask_text

    text = "Thanks,\nJohn Smith\n221B Baker Street, London NW1 6XE"
    assert mask_text(text) == "Thanks,\n<PERSON>\n<STREET_ADDRESS>"
    document = {"messages": [{"role": "user", "name": "Ngozi Okafor", "content": "my name is Ngozi Okafor"}]}
    masked = mask_document(document)
    assert "Okafor" not in str(masked)
    assert masked["messages"][0]["role"] == "user"
