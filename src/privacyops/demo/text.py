"""Free text for the demo: pools of people, contact details and LLM chat payloads, made once per seed.

Calling Faker per row would cost minutes at a million traces, so the generator draws from pools built
here: a few hundred fake people and a few thousand rendered chat payloads in the JSON shapes that LLM
APIs use. Payloads come in two kinds: complete strings, and (head, tail) pairs between which the
generator puts the trace owner's own email, so that a person's identity also appears inside their
free text. No value contains a tab, a newline or a carriage return (the PostgreSQL COPY writer relies
on it); newlines inside chat content are escaped by JSON.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass

import phonenumbers
from faker import Faker

LOCALES = ("en_US", "de_DE", "en_GB", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL")
OWNER_MARK = "@@OWNER-EMAIL@@"
MAIL_DOMAINS = ("gmail.com", "outlook.com", "proton.me", "web.de", "yahoo.co.uk", "gmx.net", "icloud.com")
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "claude-3-haiku", "mistral-large", "llama-3.1-70b")
TRACE_NAMES = (
    "chat-completion",
    "support-reply",
    "summarise-ticket",
    "rag-answer",
    "translate",
    "extract-contact",
    "draft-email",
    "classify-intent",
)
SYSTEM_PROMPTS = (
    "You are a helpful support assistant for an online shop. Answer briefly.",
    "You write polite business emails. Keep them under 120 words.",
    "You extract structured contact data and answer in JSON.",
    "You are a translation engine. Return only the translation.",
    "Answer questions using the provided documentation only.",
)
# User prompts; {name} {first} {email} {phone} {iban} {card} {ip} {company} are filled from the pools.
USER_PROMPTS = (
    "Write a short follow-up email to {name} ({email}) about the renewal of their contract.",
    "Summarise this ticket: {name} phoned from {phone}, the CSV export keeps failing since Monday.",
    "Translate into German: Hello {first}, your parcel arrives tomorrow; call {phone} if nobody is home.",
    "Draft a refund confirmation. The money goes to IBAN {iban}, account holder {name}.",
    "A customer paid with card {card} and was charged twice. How should support reply?",
    "Logins from {ip} were blocked. The workspace admin is {name} <{email}>. Explain what happened.",
    "Extract name, company, phone and email from: {name}, {company}, tel. {phone}, mail {email}",
    "Book a call with {name} next Tuesday at 10:00, her mobile is {phone}.",
    "What is a sensible chunk size for embedding long product manuals?",
    "Classify the intent of: 'I want to cancel my subscription but keep my data.'",
    "Rewrite this more politely: 'Send the invoice to {email} now, {first}.'",
    "Is this transfer suspicious? From {iban} to {name}, 9,800 EUR, requested from {ip}.",
)
OWNER_PROMPTS = (
    "Please send the summary to me at {own} when you are done.",
    "My account email is {own}; why did my last export fail?",
    "Reply to {own} with a list of the changes, and copy {name} ({email}).",
    "I am reachable at {own} or {phone}. Draft my out-of-office note.",
)
ASSISTANT_REPLIES = (
    "Here is a draft:\n\nDear {name},\nthank you for your message. We will get back to you shortly.",
    "Summary: {name} ({phone}) reports that exports fail. Suggested next step: check the job logs.",
    "Hallo {first}, Ihr Paket kommt morgen an. Rufen Sie {phone} an, falls niemand zu Hause ist.",
    "Done. The refund to {iban} has been confirmed for {name}.",
    "Apologise for the double charge on the card ending in {last4} and confirm the refund.",
    'Contact: {{"name": "{name}", "company": "{company}", "phone": "{phone}", "email": "{email}"}}',
    "Between 500 and 1,000 tokens with some overlap works well for manuals.",
    "Intent: cancellation with data retention request.",
    "I have scheduled the call with {name} and sent an invite to {email}.",
    "The request from {ip} looks unusual; I recommend a manual review.",
)
RETRIEVAL_QUERIES = (
    "refund policy for annual plans",
    "how to rotate api keys",
    "export traces as csv",
    "gdpr data deletion request",
    "invite a teammate to a project",
    "self-hosting requirements",
)
FEEDBACK_NOTES = (
    "Correct and concise.",
    "Missed the second question.",
    "Tone too formal.",
    "Hallucinated a feature.",
    "Good, but the greeting used the wrong name.",
    "Reviewed by {name}.",
)


@dataclass(frozen=True)
class Person:
    """A fake person: display name, ASCII first and last name, and contact details."""

    name: str
    first: str
    last: str
    phone: str
    country: str
    address: str


@dataclass(frozen=True)
class Pools:
    """Everything the generator draws free text and contact details from."""

    people: tuple[Person, ...]
    members: tuple[Person, ...]
    external_emails: tuple[str, ...]
    ibans: tuple[str, ...]
    cards: tuple[str, ...]
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]
    user_agents: tuple[str, ...]
    companies: tuple[str, ...]
    job_titles: tuple[str, ...]
    inputs: tuple[str, ...]
    owner_inputs: tuple[tuple[str, str], ...]
    outputs: tuple[str, ...]
    span_inputs: tuple[str, ...]
    span_outputs: tuple[str, ...]
    event_inputs: tuple[str, ...]
    score_comments: tuple[str, ...]


def clean(value: str) -> str:
    """Fold a Faker value onto one line (tabs and newlines would break the COPY format)."""
    return " ".join(value.replace("\r", " ").replace("\n", ", ").replace("\t", " ").split())


def ascii_word(value: str) -> str:
    """Lower-case ASCII letters of a name, for building email local parts."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalpha()) or "user"


def international_phone(raw: str, region: str, rng: random.Random) -> str:
    """Format a Faker phone number in international notation (E.164 or spaced) when it parses."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        return f"+{rng.choice((1, 44, 49, 33))} {rng.randint(200, 999)} {rng.randint(1000000, 9999999)}"
    number.extension = None
    style = (
        phonenumbers.PhoneNumberFormat.E164
        if rng.random() < 0.3
        else (phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    )
    return phonenumbers.format_number(number, style)


def make_people(fake: Faker, rng: random.Random, count: int) -> tuple[Person, ...]:
    people = []
    for index in range(count):
        locale = LOCALES[index % len(LOCALES)]
        local = fake[locale]
        first, last = clean(local.first_name()), clean(local.last_name())
        region = locale.split("_")[1]
        people.append(
            Person(
                name=f"{first} {last}",
                first=first,
                last=last,
                phone=international_phone(local.phone_number(), region, rng),
                country=region,
                address=clean(local.address()),
            )
        )
    return tuple(people)


def email_for(person: Person, number: int, domain: str) -> str:
    """Return an email address for ``person``; ``number`` keeps it unique."""
    return f"{ascii_word(person.first)}.{ascii_word(person.last)}{number}@{domain}"


def chat_input(system: str, user: str, shape: int) -> str:
    """Serialise a prompt in one of the request shapes of common LLM APIs."""
    if shape == 0:
        body: object = {
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]
        }
    elif shape == 1:
        body = {"messages": [{"role": "user", "content": user}]}
    elif shape == 2:
        body = {"system": system, "messages": [{"role": "user", "content": [{"type": "text", "text": user}]}]}
    else:
        body = {
            "messages": [
                {"role": "user", "content": "Hi, I need help with a task."},
                {"role": "assistant", "content": "Sure, what do you need?"},
                {"role": "user", "content": user},
            ]
        }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def chat_output(text: str, shape: int) -> str:
    """Serialise a completion in one of the response shapes of common LLM APIs."""
    if shape == 0:
        body: object = {"role": "assistant", "content": text}
    elif shape == 1:
        body = {
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ]
        }
    elif shape == 2:
        body = {"content": [{"type": "text", "text": text}], "stop_reason": "end_turn"}
    else:
        body = {"completion": text}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class _Filler:
    """Fills the placeholders of a template with details of random pool entries."""

    def __init__(
        self,
        rng: random.Random,
        people: tuple[Person, ...],
        emails: tuple[str, ...],
        ibans: tuple[str, ...],
        cards: tuple[str, ...],
        ips: tuple[str, ...],
        companies: tuple[str, ...],
    ) -> None:
        self.rng, self.people, self.emails = rng, people, emails
        self.ibans, self.cards, self.ips, self.companies = ibans, cards, ips, companies

    def fill(self, template: str, **extra: str) -> str:
        rng = self.rng
        person = rng.choice(self.people)
        card = rng.choice(self.cards)
        values = {
            "name": person.name,
            "first": person.first,
            "phone": person.phone,
            "email": rng.choice(self.emails),
            "iban": rng.choice(self.ibans),
            "card": card,
            "last4": card[-4:],
            "ip": rng.choice(self.ips),
            "company": rng.choice(self.companies),
        }
        values.update(extra)
        return template.format(**values)


def build_pools(seed: int, *, people: int = 400, payloads: int = 3000) -> Pools:
    """Build the pools for ``seed``; the same seed always gives the same pools."""
    rng = random.Random(seed)
    fake = Faker(list(LOCALES))
    fake.seed_instance(seed)
    crowd = make_people(fake, rng, people)
    # Users are drawn from their own pool, so that a user's name never shows up in someone else's text.
    crowd_names = {person.name for person in crowd}
    members = tuple(p for p in make_people(fake, rng, people + 50) if p.name not in crowd_names)
    emails = tuple(email_for(p, i, MAIL_DOMAINS[i % len(MAIL_DOMAINS)]) for i, p in enumerate(crowd))
    ibans = tuple(fake[LOCALES[i % len(LOCALES)]].iban() for i in range(64))
    cards = tuple(fake.credit_card_number(card_type=("visa", "mastercard", "amex")[i % 3]) for i in range(64))
    ipv4 = tuple(fake.ipv4_public() for _ in range(256))
    ipv6 = tuple(fake.ipv6() for _ in range(64))
    user_agents = tuple(clean(fake.user_agent()) for _ in range(48))
    companies = tuple(clean(fake.company()) for _ in range(200))
    job_titles = tuple(clean(fake.job()) for _ in range(100))
    filler = _Filler(rng, crowd, emails, ibans, cards, ipv4 + ipv6, companies)

    def prompt() -> str:
        return chat_input(rng.choice(SYSTEM_PROMPTS), filler.fill(rng.choice(USER_PROMPTS)), rng.randrange(4))

    def owner_prompt() -> tuple[str, str]:
        text = filler.fill(rng.choice(OWNER_PROMPTS), own=OWNER_MARK)
        head, tail = chat_input(rng.choice(SYSTEM_PROMPTS), text, rng.randrange(4)).split(OWNER_MARK)
        return head, tail

    inputs = tuple(prompt() for _ in range(payloads))
    owner_inputs = tuple(owner_prompt() for _ in range(payloads // 4))
    outputs = tuple(
        chat_output(filler.fill(rng.choice(ASSISTANT_REPLIES)), rng.randrange(4)) for _ in range(payloads)
    )
    span_inputs = tuple(
        json.dumps({"query": rng.choice(RETRIEVAL_QUERIES), "top_k": rng.choice((3, 5, 8))})
        for _ in range(64)
    )
    span_outputs = tuple(
        json.dumps(
            {"documents": [f"doc_{rng.randrange(10000)}" for _ in range(3)], "latency_ms": rng.randrange(900)}
        )
        for _ in range(64)
    )
    event_inputs = tuple(
        json.dumps(
            {"check": "moderation", "text": filler.fill("Contact {name} on {phone}.")}, ensure_ascii=False
        )
        for _ in range(256)
    )
    score_comments = tuple(filler.fill(rng.choice(FEEDBACK_NOTES)) for _ in range(128))
    return Pools(
        people=crowd,
        members=members,
        external_emails=emails,
        ibans=ibans,
        cards=cards,
        ipv4=ipv4,
        ipv6=ipv6,
        user_agents=user_agents,
        companies=companies,
        job_titles=job_titles,
        inputs=inputs,
        owner_inputs=owner_inputs,
        outputs=outputs,
        span_inputs=span_inputs,
        span_outputs=span_outputs,
        event_inputs=event_inputs,
        score_comments=score_comments,
    )
