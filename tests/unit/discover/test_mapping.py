"""Entity types map to data categories; classification counts rows and keeps masked examples only."""

from __future__ import annotations

import json

import pytest

from privacyops.pii import discover
from privacyops.pii.discover_report import ENTITY_CATEGORIES, ColumnScan, Thresholds, category_for
from privacyops.pii.recognizers import ENTITIES

from .data import card_text, email, phone


@pytest.mark.parametrize(("entity", "category"), [
    ("EMAIL_ADDRESS", "user.contact.email"),
    ("PHONE_NUMBER", "user.contact.phone_number"),
    ("IP_ADDRESS", "user.device.ip_address"),
    ("CREDIT_CARD", "user.financial.credit_card"),
    ("IBAN_CODE", "user.financial.bank_account"),
    ("US_SSN", "user.government_id.national_identification_number"),
    ("NATIONAL_ID", "user.government_id.national_identification_number"),
    ("SECRET", "user.authorization.credentials"),
    ("URL_PII", "user"),
    ("SOMETHING_NEW", "user"),
])
def test_entity_to_category(entity: str, category: str) -> None:
    assert category_for(entity) == category


def test_every_engine_entity_has_a_category() -> None:
    assert set(ENTITIES) <= set(ENTITY_CATEGORIES)


@pytest.mark.parametrize(("value", "entity"), [
    ("person7.tester@example.net", "EMAIL_ADDRESS"),
    ("+44 20 7946 0123", "PHONE_NUMBER"),
    ("10.1.2.3", "IP_ADDRESS"),
    ("card 4111111111111111 please", "CREDIT_CARD"),
    ("DE89370400440532013000", "IBAN_CODE"),
    ("AKIAIOSFODNN7EXAMPLE", "SECRET"),
])
def test_classify_counts_the_entity(value: str, entity: str) -> None:
    scan = discover.classify(ColumnScan("t", "c", declared=False), [value, value + " ", "nothing here"])
    assert scan.sampled == 3
    assert scan.matched == 2
    assert scan.entities == {entity: 2}
    assert len(scan.examples) == 1 or scan.examples[0] != scan.examples[1]


def test_examples_are_masked_and_at_most_two() -> None:
    values = [email(i) for i in range(10)] + [phone(i) for i in range(10)]
    scan = discover.classify(ColumnScan("t", "contact", declared=False), values)
    assert scan.entities == {"EMAIL_ADDRESS": 10, "PHONE_NUMBER": 10}
    assert len(scan.examples) == 2
    dumped = json.dumps(scan.as_dict())
    for raw in values:
        assert raw not in dumped
    assert "person0.tester" not in dumped and "7946" not in dumped
    assert all("*" in example for example in scan.examples)


def test_embedded_matches_are_told_from_whole_values() -> None:
    scan = discover.classify(ColumnScan("t", "c", declared=False),
                             [card_text(i) for i in range(3)] + ["4111111111111111"])
    assert scan.entities == {"CREDIT_CARD": 4}
    assert scan.embedded == {"CREDIT_CARD": 3}


@pytest.mark.parametrize(("hits", "embedded", "sampled", "credible"), [
    (1, 1, 1, False),     # one row is never enough
    (2, 0, 100, False),   # two whole-value matches in a hundred: a coincidence (a Luhn-valid id)
    (2, 2, 100, True),    # inside free text, two are evidence
    (60, 0, 100, True),   # most of the column
    (50, 0, 100, True),
    (49, 0, 100, False),
])
def test_credibility(hits: int, embedded: int, sampled: int, credible: bool) -> None:
    scan = ColumnScan("t", "c", declared=False, sampled=sampled, matched=hits,
                      entities={"CREDIT_CARD": hits}, embedded={"CREDIT_CARD": embedded})
    assert scan.credible("CREDIT_CARD", Thresholds()) is credible


def test_empty_column_is_not_personal() -> None:
    scan = discover.classify(ColumnScan("t", "c", declared=False), [])
    assert (scan.sampled, scan.matched, scan.share, scan.examples) == (0, 0, 0.0, [])
