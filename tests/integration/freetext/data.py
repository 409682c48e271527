"""The help desk database of the free-text tests: its schema, its rows and the values of each person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

MANIFEST = Path(__file__).with_name("privacy.yml")
SYSTEM = "helpdesk"

# The subject: every value that identifies her, as her own rows hold them.
RENEE = {
    "id": "c_1", "email": "renee.akesson@example.se", "full_name": "Renée Åkesson", "username": "renee_ak",
    "phone": "+46 70 123 45 67", "referral_code": "REF-7Q2K-9931", "street_address": "Storgatan 12",
}
RENEE_MEMBER = {"member_number": "LOY-558201", "nickname": "northern_renee"}
# Her name word by word, and her phone as she writes it in tickets: erasure must remove these too.
RENEE_PARTS = ("Renée", "Åkesson")
RENEE_PHONE_DIGITS = "701234567"  # the national number, without country code or trunk zero

# Other people: a customer of his own, whom she referred, and a colleague she copies on a ticket.
BOB = {"id": "c_2", "email": "bob.stone@example.org", "full_name": "Bob Stone", "username": "bstone",
       "phone": "+44 20 7946 0123", "referral_code": "REF-BOB-4410", "street_address": "1 Mill Lane"}
DANA = {"full_name": "Dana Whitfield", "email": "dana.whitfield@example.net", "phone": "+1 415 555 0134"}

metadata = sa.MetaData()
customers = sa.Table(
    "customers", metadata,
    sa.Column("id", sa.String(20), primary_key=True),
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("full_name", sa.Text), sa.Column("username", sa.Text), sa.Column("phone", sa.Text),
    sa.Column("referral_code", sa.Text), sa.Column("street_address", sa.Text),
    sa.Column("created_at", sa.Text),
)
loyalty_accounts = sa.Table(
    "loyalty_accounts", metadata,
    sa.Column("id", sa.String(20), primary_key=True),
    sa.Column("email", sa.Text, index=True), sa.Column("member_number", sa.Text),
    sa.Column("nickname", sa.Text),
)
referrals = sa.Table(
    "referrals", metadata,
    sa.Column("id", sa.String(20), primary_key=True),
    sa.Column("referrer_id", sa.String(20), sa.ForeignKey("customers.id"), index=True),
    sa.Column("referred_name", sa.Text), sa.Column("referred_email", sa.Text),
    sa.Column("referred_phone", sa.Text),
)
tickets = sa.Table(
    "tickets", metadata,
    sa.Column("id", sa.String(20), primary_key=True),
    sa.Column("customer_id", sa.String(20), sa.ForeignKey("customers.id"), index=True),
    sa.Column("subject", sa.Text), sa.Column("body", sa.Text), sa.Column("payload", sa.Text),
    sa.Column("status", sa.Text),
)


def _customer(person: dict[str, str]) -> dict[str, Any]:
    return {**person, "created_at": "2025-03-01T10:00:00"}


def _payload(**document: Any) -> str:
    # JSON as most applications write it: non-ASCII letters escaped (Ren\u00e9e).
    return json.dumps(document)


def rows() -> dict[sa.Table, list[dict[str, Any]]]:
    """Return every row of the help desk, table by table, parents first."""
    return {
        customers: [_customer(RENEE), _customer(BOB)],
        loyalty_accounts: [
            {"id": "l_1", "email": RENEE["email"], **RENEE_MEMBER},
            {"id": "l_2", "email": BOB["email"], "member_number": "LOY-100077", "nickname": "bobby"},
        ],
        referrals: [{"id": "r_1", "referrer_id": "c_1", "referred_name": BOB["full_name"],
                     "referred_email": BOB["email"], "referred_phone": BOB["phone"]}],
        tickets: [
            {"id": "t_1", "customer_id": "c_1", "status": "open",
             "subject": "Parcel for Renée Åkesson never arrived",
             "body": ("Hi, this is Renée Åkesson (renee_ak). My parcel never reached Storgatan 12. "
                      "Call me on 070-123 45 67 or write to renee.akesson@example.se. My friend "
                      "Bob Stone (bob.stone@example.org, +44 20 7946 0123) waits for his too; "
                      "please copy Dana Whitfield."),
             "payload": _payload(
                 channel="web",
                 sender={"name": "Renée Åkesson", "email": "Renee.Akesson@example.se",
                         "phone": "+46701234567"},
                 cc=[{"name": "Dana Whitfield", "email": DANA["email"], "phone": DANA["phone"]}],
                 account={"username": "renee_ak", "referral": "REF-7Q2K-9931", "member": "LOY-558201"},
             )},
            {"id": "t_2", "customer_id": "c_1", "status": "closed",
             "subject": "Referral code",
             "body": ("RENÉE again: my code REF-7Q2K-9931 gave no discount, neither for me nor for "
                      "Bob Stone. Member LOY-558201, username northern_renee in the app."),
             "payload": _payload(channel="email", sender={"email": "renee.akesson@example.se"},
                                 quoted="Dear Ms Åkesson, thank you for writing."),
             },
            {"id": "t_3", "customer_id": "c_1", "status": "closed", "subject": "Opening hours",
             "body": "When are you open on Sundays?", "payload": None},
            {"id": "t_4", "customer_id": "c_2", "status": "open", "subject": "Discount",
             "body": "Bob Stone here, call +44 20 7946 0123 about my discount.",
             "payload": _payload(sender={"name": "Bob Stone", "email": BOB["email"]})},
        ],
    }


def build(url: str) -> None:
    """Create the help desk's tables in an empty database and fill them."""
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            for table, table_rows in rows().items():
                conn.execute(table.insert(), table_rows)
    finally:
        engine.dispose()


def lock_ticket_bodies(url: str) -> None:
    """Make the database keep every ticket body as it is, whatever an UPDATE sets (a locked column)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(
                    "CREATE FUNCTION keep_body() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN NEW.body := OLD.body; RETURN NEW; END $$")
                conn.exec_driver_sql("CREATE TRIGGER tickets_body_locked BEFORE UPDATE ON tickets "
                                     "FOR EACH ROW EXECUTE FUNCTION keep_body()")
            else:
                conn.exec_driver_sql("CREATE TRIGGER tickets_body_locked AFTER UPDATE OF body ON tickets "
                                     "BEGIN UPDATE tickets SET body = OLD.body WHERE id = OLD.id; END")
    finally:
        engine.dispose()


def all_text(url: str) -> dict[tuple[str, str, str], str]:
    """Read every text value of every table: (table, row id, column) -> text."""
    engine = sa.create_engine(url)
    found: dict[tuple[str, str, str], str] = {}
    try:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in conn.execute(sa.select(table)):
                    values = dict(row._mapping)
                    found.update({(table.name, str(values["id"]), column): value
                                  for column, value in values.items() if isinstance(value, str)})
    finally:
        engine.dispose()
    return found
