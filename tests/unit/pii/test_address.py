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
    # Spanish street words besides "Calle", accents as written.
    ("Vivo en Paseo de la Castellana 120, 28046 Madrid", ["Paseo de la Castellana 120, 28046 Madrid"]),
    ("Cuesta de Santo Domingo 3, 28013 Madrid", ["Cuesta de Santo Domingo 3, 28013 Madrid"]),
    ("envíelo a Ronda de Valencia 8, 28012 Madrid", ["Ronda de Valencia 8, 28012 Madrid"]),
    ("Travesía del Mar 5, 03001 Alicante", ["Travesía del Mar 5, 03001 Alicante"]),
    ("Cuesta Visitación Pallarès 10, 40214 Lugo", ["Cuesta Visitación Pallarès 10, 40214 Lugo"]),
    # Italian Borgo, Vicolo, Largo, with the number after a comma and the floor.
    ("Borgo Pinti 12, 50121 Firenze", ["Borgo Pinti 12, 50121 Firenze"]),
    ("abito in Vicolo del Moro 7, 00153 Roma", ["Vicolo del Moro 7, 00153 Roma"]),
    ("Largo Argentina 4, 00186 Roma", ["Largo Argentina 4, 00186 Roma"]),
    ("Vicolo Telemaco, 47 Piano 0, 28861 Mercenasco", ["Vicolo Telemaco, 47 Piano 0, 28861 Mercenasco"]),
    # Indian addresses: a comma after the house number, Marg, Nagar, Road, six-digit PIN codes.
    ("Deliver to 43, Raja Marg, Satna 510490 please", ["43, Raja Marg, Satna 510490"]),
    ("14, Gandhi Nagar, Pune 411001", ["14, Gandhi Nagar, Pune 411001"]),
    ("He lives at 45 Station Road, Bangalore 560001", ["45 Station Road, Bangalore 560001"]),
    ("send it to 26/605, Bedi Marg, Srinagar 674308", ["26/605, Bedi Marg, Srinagar 674308"]),
    # The flat before the street.
    ("Flat 04, Lakeview Avenue", ["Flat 04, Lakeview Avenue"]),
    ("my address is Apt 3B, 12 Elm Street, Springfield", ["Apt 3B, 12 Elm Street, Springfield"]),
    ("Studio 40b, Hayley Cliff, Stanleyberg E7 0FP", ["Studio 40b, Hayley Cliff, Stanleyberg E7 0FP"]),
    ("16/30 Lin Roads, South Jacobshire, SA 2502", ["16/30 Lin Roads, South Jacobshire, SA 2502"]),
    ("Bitte an Hertrampfstraße 34, 37899 Göttingen", ["Hertrampfstraße 34, 37899 Göttingen"]),
    # Numbers and capitalised words that are not addresses.
    ("It takes a 3 Way Handshake", []),
    ("We shipped 20 Items Street-side", []),
    ("upgrade to v2 Main Street edition", []),
    ("chapter 12 covers the Grand Canyon", []),
    # Street words in ordinary prose.
    ("Turn left at the Main Street sign and walk to the Park Avenue entrance", []),
    ("We drove down Ocean Drive last summer", []),
    ("He walked along the Paseo with friends", []),
    ("Largo Winch is a comic, Strada Nuova was busy", []),
    ("the Camino de Santiago route takes weeks", []),
    ("Apt 4B, Lesson Plan", []),
    ("Room 5, Conference Centre", []),
    ("In 2019, Apple Park opened", []),
    ("we need 3 Lane Changes and 12 Main Features", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_address(text: str, expected: list[str]) -> None:
    assert found(text, "STREET_ADDRESS") == expected
