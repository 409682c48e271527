"""Data points matched against the example manifest's application database, held in the memory connector."""

from __future__ import annotations

import pytest

from privacyops.connectors.memory import MemoryConnector
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Manifest
from privacyops.requests import errors
from privacyops.requests.intake import Identity
from privacyops.requests.points import ManifestPointLookup, normalise

EMAIL = Identity("email", "ada@example.com")


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest(LANGFUSE_MANIFEST)


def app_db(manifest: Manifest) -> MemoryConnector:
    empty: dict[str, list[dict[str, object]]] = {name: [] for name in manifest.systems["app_db"].tables}
    return MemoryConnector(
        empty
        | {
            "users": [
                {"id": "u1", "email": "ada@example.com", "name": "Ada Lovelace", "phone": "+49 151 12345678",
                 "country": "DE", "password_hash": "pbkdf2$secret", "is_minor": False},
                {"id": "u2", "email": "bob@example.com", "name": "Bob Other", "phone": "+44 20 7946 0000",
                 "country": "GB", "password_hash": "x", "is_minor": False},
            ],
            "billing_customers": [
                {"id": "bc1", "org_id": "o1", "user_id": "u1", "stripe_customer_id": "cus_1",
                 "billing_address": "Hauptstr. 1, 01067 Dresden", "card_last4": "4242"},
                {"id": "bc2", "org_id": "o2", "user_id": "u2", "stripe_customer_id": "cus_2",
                 "billing_address": "1 Main St", "card_last4": "1111"},
            ],
            "invoices": [
                {"id": "i1", "billing_customer_id": "bc1", "number": "INV-1", "amount_cents": 4900},
                {"id": "i2", "billing_customer_id": "bc1", "number": "INV-2", "amount_cents": 12000},
                {"id": "i3", "billing_customer_id": "bc2", "number": "INV-3", "amount_cents": 777},
            ],
        }
    )


def lookup(manifest: Manifest, connector: MemoryConnector | None = None) -> ManifestPointLookup:
    return ManifestPointLookup(manifest, connectors={"app_db": connector or app_db(manifest)})


def test_points_on_the_person_and_two_references_away_match(manifest: Manifest) -> None:
    found = lookup(manifest).match(
        [EMAIL], {"phone": "+4915112345678", "invoices.amount_cents": "12000", "card_last4": "4242"}
    )
    assert found.found_by == ("email",)
    assert found.matched == ("phone", "invoices.amount_cents", "card_last4")
    assert found.unmatched == ()


def test_another_persons_details_do_not_match(manifest: Manifest) -> None:
    found = lookup(manifest).match(
        [EMAIL],
        {"phone": "+44 20 7946 0000", "amount_cents": "777", "card_last4": "1111", "users.name": "Bob Other"},
    )
    assert found.matched == ()
    assert set(found.unmatched) == {"phone", "amount_cents", "card_last4", "users.name"}


def test_a_person_not_on_record_matches_nothing(manifest: Manifest) -> None:
    found = lookup(manifest).match([Identity("email", "nobody@example.com")], {"phone": "+4915112345678"})
    assert not found.found
    assert found.matched == ()


def test_the_user_id_finds_the_person_too(manifest: Manifest) -> None:
    found = lookup(manifest).match([Identity("user_id", "u1")], {"name": "  ada   LOVELACE "})
    assert found.found_by == ("user_id",)
    assert found.matched == ("name",)


@pytest.mark.parametrize("name", ["password_hash", "email", "users.email", "id", "nonsense"])
def test_secrets_identities_and_unknown_fields_are_not_points(manifest: Manifest, name: str) -> None:
    with pytest.raises(errors.RequestRuleError) as caught:
        lookup(manifest).match([EMAIL], {name: "anything"})
    assert caught.value.field == f"data_points.{name}"
    assert "phone" in caught.value.message  # the message lists the points that can be given


def test_point_names_list_fields_and_qualified_names(manifest: Manifest) -> None:
    names = lookup(manifest).point_names()
    assert {"phone", "users.phone", "amount_cents", "invoices.amount_cents"} <= set(names)
    assert "password_hash" not in names and "users.email" not in names


def test_an_unconnected_system_refuses_with_what_to_set(manifest: Manifest) -> None:
    points = ManifestPointLookup(manifest, environ={})
    with pytest.raises(errors.VerificationRefused) as caught:
        points.match([EMAIL], {"phone": "+4915112345678"})
    assert caught.value.field == "data_points"
    assert "APP_DATABASE_URL" in caught.value.message


def test_a_failing_store_refuses_instead_of_crashing(manifest: Manifest) -> None:
    broken = MemoryConnector({})  # the tables are missing
    with pytest.raises(errors.VerificationRefused) as caught:
        lookup(manifest, broken).match([EMAIL], {"phone": "+4915112345678"})
    assert caught.value.field == "data_points"


@pytest.mark.parametrize(
    ("offered", "held", "phone", "same"),
    [
        ("+49 151 12345678", "+4915112345678", True, True),
        ("+49 (151) 123-456-78", "+4915112345678", True, True),
        ("12.50", "12.5", False, True),
        ("4900", "4900", False, True),
        ("4900", "4901", False, False),
        ("01067", "1067", False, False),
        ("10115 Berlin", "10115berlin", False, True),
        ("Ada", "Adam", False, False),
    ],
)
def test_normalise_ignores_formatting_not_content(offered: str, held: str, phone: bool, same: bool) -> None:
    assert (normalise(offered, phone=phone) == normalise(held, phone=phone)) is same


def test_only_tables_on_the_way_to_the_points_are_read(manifest: Manifest) -> None:
    store = app_db(manifest)
    lookup(manifest, store).match([EMAIL], {"invoices.amount_cents": "4900"})
    assert {table for _op, table in store.calls} == {"users", "billing_customers", "invoices"}
