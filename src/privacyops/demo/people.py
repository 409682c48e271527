"""Rows of the people-level demo tables: users and everything attached to accounts and organisations.

Who owns what, for ``users`` users and ``orgs = max(7, users // 4)`` organisations:

- user ``u_n`` belongs first to organisation ``org_((n-1) % orgs + 1)``; users ``u_1`` .. ``u_orgs``
  own their organisation (so every subject owns one), the others are admins, members or viewers;
  subjects and every third user also join a second organisation;
- each organisation has two projects and one billing customer (its owner) with invoices;
- owners and admins each created one API key; subjects send two invitations and receive one at their
  email from a non-subject; subjects have one marketing contact under their email, and about 40% of
  the other users have one too, next to contacts who never signed up;
- subjects have 2 social-login accounts, 3 sessions and 5 audit-log entries; other users 1-2, 0-3, 1-4.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from privacyops.demo import schema, text
from privacyops.demo.writers import Row

COMPANY_DOMAINS = (
    "acme-labs.io",
    "northwind.dev",
    "brightloop.ai",
    "fjordsoft.de",
    "kitepoint.co.uk",
    "mailbox.org",
    "quillstack.com",
    "tessellate.fr",
)
PROVIDERS = ("google", "github", "azure-ad")
MEMBER_ROLES = ("ADMIN", "MEMBER", "MEMBER", "VIEWER")
CARD_BRANDS = ("visa", "mastercard", "amex")
AUDIT_ACTIONS = (
    ("api_key.create", "api_key"),
    ("project.update", "project"),
    ("trace.delete", "trace"),
    ("member.invite", "invitation"),
    ("prompt.create", "prompt"),
    ("login", "session"),
)
MARKETING_SOURCES = ("webinar", "newsletter", "pricing-page", "conference", "docs-signup")
EPOCH = datetime(2023, 6, 1)
TERMINATED_LONG_AGO = "2025-01-31 12:00:00"


@dataclass
class Cast:
    """The people-level rows plus per-user lookups the trace generator needs (index = user number)."""

    emails: list[str]
    projects: list[str]
    tables: dict[str, list[Row]] = field(default_factory=dict)


def when(rng: random.Random, days: int = 580, after: datetime = EPOCH) -> str:
    """Return a random moment within ``days`` after ``after``, as text both databases read as a timestamp."""
    moment = after + timedelta(seconds=rng.randrange(days * 86_400))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def token(rng: random.Random, bits: int = 128) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def unique_phone(phone: str, number: int) -> str:
    """Give user ``number`` a phone number of their own, keeping the country prefix of ``phone``."""
    chars = list(phone)
    digits = list(f"{number % 100_000:05d}")
    for position in range(len(chars) - 1, 0, -1):
        if not digits:
            break
        if chars[position].isdigit():
            chars[position] = digits.pop()
    return "".join(chars)


class CastMaker:
    def __init__(self, pools: text.Pools, users: int, seed: int) -> None:
        self.pools, self.users = pools, users
        self.orgs = max(schema.SUBJECT_COUNT, users // 4)
        self.rng = random.Random(seed * 7919 + 1)
        self.persons = [pools.members[0]] + [self.rng.choice(pools.members) for _ in range(users)]
        self.emails = [""] + [self.email(n) for n in range(1, users + 1)]
        self.primary = [0] + [(n - 1) % self.orgs + 1 for n in range(1, users + 1)]
        self.roles = [""] + [
            "OWNER" if n <= self.orgs else self.rng.choice(MEMBER_ROLES) for n in range(1, users + 1)
        ]

    def email(self, n: int) -> str:
        if n <= schema.SUBJECT_COUNT:
            return schema.subject_email(n)
        person = self.persons[n]
        domain = COMPANY_DOMAINS[n % len(COMPANY_DOMAINS)]
        return f"{text.ascii_word(person.first)}.{text.ascii_word(person.last)}.{n}@{domain}"

    def is_subject(self, n: int) -> bool:
        return n <= schema.SUBJECT_COUNT

    def non_subject(self) -> int:
        return self.rng.randint(schema.SUBJECT_COUNT + 1, self.users)

    def terminated(self, n: int, drawn: str | None) -> str | None:
        # The last user always ended their account long ago: a new demo shows a retention sweep due.
        return TERMINATED_LONG_AGO if n == self.users else drawn

    def users_rows(self) -> list[Row]:
        rows: list[Row] = []
        rng = self.rng
        for n in range(1, self.users + 1):
            person, created = self.persons[n], when(rng, 400)
            subject = self.is_subject(n)
            rows.append(
                (
                    f"u_{n}",
                    self.emails[n],
                    person.name,
                    f"{text.ascii_word(person.first)}{n}",
                    "$2b$12$" + hashlib.sha256(f"{n}:{rng.random()}".encode()).hexdigest()[:53],
                    f"https://avatars.example-cdn.com/{token(rng, 64)}.png"
                    if subject or rng.random() < 0.6
                    else None,
                    unique_phone(person.phone, n),
                    person.country,
                    created if subject or rng.random() < 0.9 else None,
                    created,
                    self.terminated(n, None if subject or rng.random() >= 0.02
                                    else when(rng, 200, datetime(2024, 12, 1))),
                    (not subject) and rng.random() < 0.01,
                )
            )
        return rows

    def accounts_rows(self) -> list[Row]:
        rows: list[Row] = []
        rng = self.rng
        for n in range(1, self.users + 1):
            providers = PROVIDERS[:2] if self.is_subject(n) else rng.sample(PROVIDERS, rng.randint(1, 2))
            for provider in providers:
                rows.append(
                    (
                        f"a_{len(rows) + 1}",
                        f"u_{n}",
                        provider,
                        str(rng.randrange(10**11, 10**12)),
                        "ya29." + token(rng, 160),
                        "1//" + token(rng, 128),
                        when(rng, 400),
                    )
                )
        return rows

    def sessions_rows(self) -> list[Row]:
        rows: list[Row] = []
        rng, ips, agents = self.rng, self.pools.ipv4, self.pools.user_agents
        for n in range(1, self.users + 1):
            for _ in range(3 if self.is_subject(n) else rng.randint(0, 3)):
                created = when(rng, 560)
                expires = (datetime.fromisoformat(created) + timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")
                rows.append(
                    (
                        f"sess_{len(rows) + 1}",
                        f"u_{n}",
                        token(rng, 192),
                        rng.choice(ips),
                        rng.choice(agents),
                        created,
                        expires,
                    )
                )
        return rows

    def organization_rows(self) -> list[Row]:
        return [
            (f"org_{o}", self.rng.choice(self.pools.companies), when(self.rng, 300))
            for o in range(1, self.orgs + 1)
        ]

    def membership_rows(self) -> list[Row]:
        rows: list[Row] = []
        rng = self.rng
        for n in range(1, self.users + 1):
            rows.append((f"m_{len(rows) + 1}", f"u_{n}", f"org_{self.primary[n]}", self.roles[n]))
            if self.is_subject(n) or n % 3 == 0:
                other = (self.primary[n] + rng.randrange(self.orgs - 1)) % self.orgs + 1
                rows.append(
                    (f"m_{len(rows) + 1}", f"u_{n}", f"org_{other}", rng.choice(("MEMBER", "VIEWER")))
                )
        return rows

    def project_rows(self) -> list[Row]:
        rows: list[Row] = []
        for o in range(1, self.orgs + 1):
            rows.append((f"p_{2 * o - 1}", f"org_{o}", "production", when(self.rng, 300)))
            rows.append((f"p_{2 * o}", f"org_{o}", "staging", when(self.rng, 300)))
        return rows

    def api_key_rows(self) -> list[Row]:
        rows: list[Row] = []
        rng = self.rng
        for n in range(1, self.users + 1):
            if self.roles[n] in ("OWNER", "ADMIN"):
                secret = token(rng, 128)
                rows.append(
                    (
                        f"k_{len(rows) + 1}",
                        f"p_{2 * self.primary[n] - 1}",
                        f"u_{n}",
                        "pk-lf-" + token(rng, 64),
                        hashlib.sha256(secret.encode()).hexdigest(),
                        "sk-lf-..." + secret[-4:],
                        when(rng, 560),
                    )
                )
        return rows

    def invitation_rows(self) -> list[Row]:
        rows: list[Row] = []
        rng, outsiders = self.rng, self.pools.external_emails
        for n in range(1, self.users + 1):
            sent = 2 if self.is_subject(n) else (1 if n % 5 == 0 else 0)
            for _ in range(sent):
                rows.append(
                    (
                        f"inv_{len(rows) + 1}",
                        f"org_{self.primary[n]}",
                        rng.choice(outsiders),
                        f"u_{n}",
                        rng.choice(("MEMBER", "VIEWER")),
                        when(rng, 560),
                    )
                )
        for n in range(1, schema.SUBJECT_COUNT + 1):
            inviter = self.non_subject()
            rows.append(
                (
                    f"inv_{len(rows) + 1}",
                    f"org_{self.primary[inviter]}",
                    self.emails[n],
                    f"u_{inviter}",
                    "MEMBER",
                    when(rng, 560),
                )
            )
        return rows

    def billing_rows(self) -> tuple[list[Row], list[Row]]:
        rng = self.rng
        customers: list[Row] = []
        invoices: list[Row] = []
        for o in range(1, self.orgs + 1):
            owner = o  # user u_o owns organisation org_o
            person = self.persons[owner]
            own_email = self.is_subject(owner) or rng.random() < 0.7
            email = (
                self.emails[owner] if own_email else f"billing@{COMPANY_DOMAINS[o % len(COMPANY_DOMAINS)]}"
            )
            customers.append(
                (
                    f"bc_{o}",
                    f"org_{o}",
                    f"u_{owner}",
                    "cus_" + token(rng, 56),
                    email,
                    person.name,
                    person.address,
                    rng.choice(CARD_BRANDS),
                    f"{rng.randrange(10_000):04d}",
                    when(rng, 300),
                )
            )
            for _ in range(6 if self.is_subject(owner) else rng.randint(1, 8)):
                seq = len(invoices) + 1
                invoices.append(
                    (
                        f"in_{seq}",
                        f"bc_{o}",
                        f"INV-{2024 + seq % 2}-{seq:06d}",
                        rng.choice((2900, 5900, 19900, 49900)),
                        rng.choice(("EUR", "USD")),
                        when(rng, 560),
                    )
                )
        return customers, invoices

    def marketing_rows(self) -> list[Row]:
        rows: list[Row] = []
        rng, pools = self.rng, self.pools
        signed_up = [n for n in range(1, self.users + 1) if self.is_subject(n) or rng.random() < 0.4]
        contacts = [(self.emails[n], self.persons[n].name) for n in signed_up]
        for index in range(min(self.users // 2, len(pools.external_emails))):
            contacts.append((pools.external_emails[index], pools.people[index].name))
        for email, name in contacts:
            rows.append(
                (
                    f"mc_{len(rows) + 1}",
                    email,
                    name,
                    rng.choice(pools.companies),
                    rng.choice(pools.job_titles),
                    rng.choice(MARKETING_SOURCES),
                    rng.random() < 0.7,
                    str(rng.randrange(10**9, 10**10)),
                    when(rng, 560),
                )
            )
        return rows

    def audit_rows(self) -> list[Row]:
        rows: list[Row] = []
        rng = self.rng
        for n in range(1, self.users + 1):
            for _ in range(5 if self.is_subject(n) else rng.randint(1, 4)):
                action, kind = rng.choice(AUDIT_ACTIONS)
                org = self.primary[n]
                rows.append(
                    (
                        f"al_{len(rows) + 1}",
                        f"u_{n}",
                        f"org_{org}",
                        f"p_{2 * org - 1}",
                        rng.choice(self.pools.ipv4),
                        action,
                        kind,
                        f"{kind}_{token(rng, 32)}",
                        when(rng, 560),
                    )
                )
        return rows


def make_cast(pools: text.Pools, *, users: int, seed: int) -> Cast:
    """Make the people-level rows for ``users`` users, in the order the tables must be loaded."""
    maker = CastMaker(pools, users, seed)
    customers, invoices = maker.billing_rows()
    projects = [""] + [f"p_{2 * maker.primary[n] - 1}" for n in range(1, users + 1)]
    tables = {
        "users": maker.users_rows(),
        "accounts": maker.accounts_rows(),
        "sessions": maker.sessions_rows(),
        "organizations": maker.organization_rows(),
        "organization_memberships": maker.membership_rows(),
        "projects": maker.project_rows(),
        "api_keys": maker.api_key_rows(),
        "invitations": maker.invitation_rows(),
        "billing_customers": customers,
        "invoices": invoices,
        "marketing_contacts": maker.marketing_rows(),
        "audit_logs": maker.audit_rows(),
    }
    return Cast(emails=maker.emails, projects=projects, tables=tables)
