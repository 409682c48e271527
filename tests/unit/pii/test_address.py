from __future__ import annotations

import pytest

from tests.unit.pii.helpers import found

CASES = [
    ("Please ship to 221B Baker Street, London NW1 6XE today", ["221B Baker Street, London NW1 6XE"]),
    ("1600 Amphitheatre Pkwy, Mountain View, CA 94043", ["1600 Amphitheatre Pkwy, Mountain View, CA 94043"]),
    ("I live at 742 Evergreen Terrace.", ["742 Evergreen Terrace."]),
    ("send it to 55 Oak Lane Apt. 4B please", ["55 Oak Lane Apt. 4B"]),
    ("Wohnhaft in Hauptstrasse 12, 10115 Berlin", ["Hauptstrasse 12, 10115 Berlin"]),
    ("J'habite au 12 rue de la Paix, 75002 Paris", ["12 rue de la Paix, 75002 Paris"]),
    ("Spedite a Via Roma 15, 00184 Roma", ["Via Roma 15, 00184 Roma"]),
    # Numbers and capitalised words that are not addresses.
    ("It takes a 3 Way Handshake", []),
    ("We shipped 20 Items Street-side", []),
    ("upgrade to v2 Main Street edition", []),
    ("chapter 12 covers the Grand Canyon", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_address(text: str, expected: list[str]) -> None:
    assert found(text, "STREET_ADDRESS") == expected
