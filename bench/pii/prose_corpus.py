"""Labelled chat, support and log text with people's names, street addresses and phone numbers.

usage: python bench/pii/prose_corpus.py [--records 3000] [--seed 11] [-o bench/.work/prose.jsonl]
Lines: ``{"id", "source": "LANG:KIND", "text", "spans": [[start, end, ENTITY]]}``. Names and addresses
come from Faker in several locales (English-speaking ones for the English set, then German, French,
Spanish, Italian and Dutch with templates in those languages); phone numbers in the shapes people
type them (local numbers after a cue word, dotted and dashed groups, "-Fax" suffixes, "+46 (0)...").
Sentences with capitalised words that are not names (products, teams, places, weekdays) are mixed in
unlabelled. Use one seed for tuning and another, never looked at while tuning, as the held-out set.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from faker import Faker

ENGLISH = ("en_US", "en_GB", "en_AU", "en_CA", "en_IE", "en_IN", "en_NZ")
OTHER = ("de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")

# {name}: a full name; {first}, {last}: its parts; {addr}: a street address; {phone}: a number.
EN_TEMPLATES = (
    "Hi, my name is {name} and I can't log in to my account since yesterday.",
    "Hello {first}, thanks for reaching out. Could you confirm the address on file?",
    "Please update my shipping address to {addr}. Thanks!",
    "{name} called about order #{order}; call back on {phone}.",
    "Customer {name} reported that the CSV export fails on large projects.",
    "Thanks,\n{name}",
    "Best regards,\n{name}\nSenior Account Manager",
    "I live at {addr} and the parcel never arrived.",
    "Can you send the invoice to {name} at {addr}?",
    "Meeting notes: {name} and {name2} agreed to ship the release on Friday.",
    "Assigned to {name}. Priority: high. Component: Billing API.",
    'level=info msg="password reset requested" user="{name}" ip=10.2.{n}.{n2}',
    '{{"author": "{name}", "message": "Looks good to me, merging."}}',
    '{{"role": "user", "name": "{name}", "content": "where is my refund?"}}',
    "From: {name}\nSubject: Re: delivery to {addr}",
    "Dear {title} {last},\nyour appointment is confirmed.",
    "Patient {name}, seen on 2024-03-02; follow-up with Dr. {last2}.",
    "Ask for {first} at the front desk, phone: {phone}.",
    "Phone: {phone}",
    "You can reach me at {phone} after 5pm.",
    "Fax {phone}",
    "Our office moved to {addr}; the new number is {phone}.",
    "{name} ({phone}) asked us to delete all of her data.",
    "Signed by {name} on behalf of the tenant at {addr}.",
)
EN_NEGATIVES = (
    "The Deploy Pipeline failed on Monday after the Kubernetes upgrade.",
    "Open Settings > Privacy Center and click Export Data.",
    "We moved from Google Cloud Storage to Amazon Web Services last March.",
    "Meet us in New York or San Francisco next week for the Product Summit.",
    "The Grand Canyon trail is closed until further notice.",
    "Visual Studio Code crashed while the Language Server was indexing.",
    "Release Candidate Build 7 is ready for the Quality Assurance Team.",
    "Happy New Year from the Customer Success Team!",
    "Version 4 adds Single Sign On and Role Based Access Control.",
    "Error: Connection Refused while calling Payment Gateway.",
    "Call the Help Desk if the Virtual Private Network drops again.",
    "Order 88314 ships from Distribution Center West on Thursday.",
    "See chapter 12 Main Street Economics in the reading list.",
    "The Red Cross and Doctors Without Borders sent supplies.",
    "Build 2024.11.3 fixed the Memory Leak in the Report Builder.",
    "Grant Access to the Admin Panel only to the Security Team.",
)
OTHER_TEMPLATES = {
    "de": (
        "Hallo, mein Name ist {name} und ich komme nicht in mein Konto.",
        "Bitte ändern Sie meine Lieferadresse auf {addr}.",
        "Mit freundlichen Grüßen\n{name}",
        "Kunde {name} hat angerufen, Rückruf unter {phone}.",
        "Sehr geehrte Frau {last}, Ihr Termin ist bestätigt.",
        '{{"author": "{name}", "message": "Danke!"}}',
        "Telefon: {phone}",
    ),
    "fr": (
        "Bonjour, je m'appelle {name} et je n'arrive plus à me connecter.",
        "Merci de livrer au {addr}.",
        "Cordialement,\n{name}",
        "Le client {name} a appelé, rappeler au {phone}.",
        "Madame {last}, votre rendez-vous est confirmé.",
        '{{"author": "{name}", "message": "Merci !"}}',
        "Tél : {phone}",
    ),
    "es": (
        "Hola, me llamo {name} y no puedo entrar en mi cuenta.",
        "Por favor envíen el pedido a {addr}.",
        "Saludos,\n{name}",
        "El cliente {name} llamó, devolver la llamada al {phone}.",
        '{{"author": "{name}", "message": "¡Gracias!"}}',
        "Teléfono: {phone}",
    ),
    "it": (
        "Ciao, mi chiamo {name} e non riesco ad accedere.",
        "Spedite il pacco a {addr}, grazie.",
        "Cordiali saluti,\n{name}",
        "Il cliente {name} ha chiamato, richiamare al {phone}.",
        '{{"author": "{name}", "message": "Grazie!"}}',
        "Tel: {phone}",
    ),
    "nl": (
        "Hallo, mijn naam is {name} en ik kan niet inloggen.",
        "Stuur het pakket naar {addr}.",
        "Met vriendelijke groet,\n{name}",
        "Klant {name} belde, terugbellen op {phone}.",
        '{{"author": "{name}", "message": "Bedankt!"}}',
        "Telefoon: {phone}",
    ),
}
TITLES = ("Mr.", "Mrs.", "Ms.", "Dr.")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def written_phone(rng: random.Random, fake: Faker) -> str:
    """A phone number in one of the shapes people type."""
    shape = rng.randrange(9)
    if shape == 0:
        return f"{rng.randint(200, 999)} {_digits(rng, 4)}"  # a local number after a cue word
    if shape == 1:
        return f"{rng.randint(200, 999)}-{_digits(rng, 4)}"
    if shape == 2:
        return f"9{_digits(rng, 3)} {_digits(rng, 4)}"  # Singapore-style eight digits
    if shape == 3:
        return "0" + str(rng.randint(1, 7)) + "." + ".".join(_digits(rng, 2) for _ in range(4))  # France
    if shape == 4:
        return "-".join([str(rng.randint(20, 99))] + [_digits(rng, 2) for _ in range(3)])  # Denmark
    if shape == 5:
        return f"+46 (0){rng.randint(70, 76)} {_digits(rng, 3)} {_digits(rng, 2)} {_digits(rng, 2)}"
    if shape == 6:
        return f"+1 {rng.randint(201, 989)}-{rng.randint(200, 999)}-{_digits(rng, 4)}"
    return str(fake.phone_number())


def street_address(fake: Faker, rng: random.Random, lang: str) -> str:
    """A street address as people write it in a sentence: street, sometimes town and postcode."""
    street = str(fake.street_address()).replace("\n", ", ")
    if rng.random() < 0.5:
        return street
    if lang == "en" and fake.locales[0] in ("en_US", "en_CA", "en_AU"):
        state = fake.state_abbr() if hasattr(fake, "state_abbr") else ""
        return f"{street}, {fake.city()}, {state} {fake.postcode()}".replace(",  ", ", ")
    if lang == "en":
        return f"{street}, {fake.city()} {fake.postcode()}"
    return f"{street}, {fake.postcode()} {fake.city()}"


class _Builder:
    """Text assembled piece by piece, recording the span of every labelled value."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.spans: list[list[int | str]] = []

    def add(self, piece: str, entity: str = "") -> None:
        if entity:
            self.spans.append([self.size, self.size + len(piece), entity])
        self.parts.append(piece)
        self.size += len(piece)


def render(template: str, values: dict[str, tuple[str, str]]) -> tuple[str, list[list[int | str]]]:
    """Fill a template; ``values`` maps a slot to (text, entity or "")."""
    builder = _Builder()
    rest = template.replace("{{", "\x02").replace("}}", "\x03")
    while rest:
        at = rest.find("{")
        if at < 0:
            builder.add(rest)
            break
        builder.add(rest[:at])
        close = rest.index("}", at)
        text, entity = values[rest[at + 1 : close]]
        builder.add(text, entity)
        rest = rest[close + 1 :]
    text = "".join(builder.parts).replace("\x02", "{").replace("\x03", "}")
    return text, builder.spans


def record(rng: random.Random, fakers: dict[str, Faker], index: int) -> dict:
    """One labelled text: two thirds English, the rest in the other languages."""
    english = rng.random() < 0.7
    locale = rng.choice(ENGLISH if english else OTHER)
    lang = "en" if english else locale[:2]
    fake = fakers[locale]
    if english and rng.random() < 0.2:
        text = rng.choice(EN_NEGATIVES)
        return {"id": index, "source": f"{lang}:negative", "text": text, "spans": []}
    template = rng.choice(EN_TEMPLATES if english else OTHER_TEMPLATES[lang])
    first, last = str(fake.first_name()), str(fake.last_name())
    values = {
        "name": (f"{first} {last}", "PERSON"),
        "first": (first, "PERSON"),
        "last": (last, "PERSON"),
        "name2": (f"{fake.first_name()} {fake.last_name()}", "PERSON"),
        "last2": (str(fake.last_name()), "PERSON"),
        "title": (rng.choice(TITLES), ""),
        "addr": (street_address(fake, rng, lang), "STREET_ADDRESS"),
        "phone": (written_phone(rng, fake), "PHONE_NUMBER"),
        "order": (str(rng.randint(10000, 99999)), ""),
        "n": (str(rng.randint(0, 255)), ""),
        "n2": (str(rng.randint(1, 254)), ""),
    }
    text, spans = render(template, values)
    return {"id": index, "source": f"{lang}:{'log' if '=' in template or '{{' in template else 'chat'}",
            "text": text, "spans": spans}  # fmt: skip


def build(records: int, seed: int) -> list[dict]:
    """The labelled set for ``seed``."""
    rng = random.Random(seed)
    fakers = {}
    for locale in ENGLISH + OTHER:
        fake = Faker(locale)
        fake.seed_instance(seed)
        fakers[locale] = fake
    return [record(rng, fakers, index) for index in range(records)]


def main() -> None:
    """Write the labelled set."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("-o", "--output", type=Path, default=Path("bench/.work/prose.jsonl"))
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as handle:
        for item in build(args.records, args.seed):
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
