"""Ground truth of the demo database, by plain SQL written from the generator's rules.

Nothing here uses the manifest or the subject-request engine, so that the engine can be checked
against it: ``ground_truth`` lists which rows belong to a user, ``identity_matches`` scans every text
column for a value (the independent "is anything left?" check after an erasure), and ``checksums``
fingerprints each table (to show that other people's rows did not change).
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from privacyops.demo import schema

# Each query returns the ids of one table's rows that belong to the user; :user is the user id and
# :email that user's email. Organisations and projects belong to everyone in them, hence to nobody.
OWNERSHIP_QUERIES: dict[str, str] = {
    "users": "SELECT id FROM users WHERE id = :user",
    "accounts": "SELECT id FROM accounts WHERE user_id = :user",
    "sessions": "SELECT id FROM sessions WHERE user_id = :user",
    "organization_memberships": "SELECT id FROM organization_memberships WHERE user_id = :user",
    "api_keys": "SELECT id FROM api_keys WHERE created_by_user_id = :user",
    "invitations": "SELECT id FROM invitations WHERE invited_by_user_id = :user OR email = :email",
    "billing_customers": "SELECT id FROM billing_customers WHERE user_id = :user OR billing_email = :email",
    "invoices": (
        "SELECT id FROM invoices WHERE billing_customer_id IN "
        "(SELECT id FROM billing_customers WHERE user_id = :user OR billing_email = :email)"
    ),
    "marketing_contacts": "SELECT id FROM marketing_contacts WHERE email = :email",
    "audit_logs": "SELECT id FROM audit_logs WHERE user_id = :user",
    "traces": "SELECT id FROM traces WHERE user_id = :user",
    "observations": (
        "SELECT id FROM observations WHERE trace_id IN (SELECT id FROM traces WHERE user_id = :user)"
    ),
    "scores": "SELECT id FROM scores WHERE trace_id IN (SELECT id FROM traces WHERE user_id = :user)",
}


class UnknownDemoUser(LookupError):
    """No user with this id in the demo database."""


def ground_truth(url: str, user_id: str) -> dict[str, set[str]]:
    """Return, per table, the primary keys of every row that belongs to ``user_id``."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT email FROM users WHERE id = :user")
            email = conn.execute(query, {"user": user_id}).scalar()
            if email is None:
                raise UnknownDemoUser(f"no user {user_id!r} in the demo database")
            params = {"user": user_id, "email": email}
            return {
                table: {str(row[0]) for row in conn.execute(sa.text(query), params)}
                for table, query in OWNERSHIP_QUERIES.items()
            }
    finally:
        engine.dispose()


def text_columns(table: sa.Table) -> list[str]:
    return [column.name for column in table.columns if isinstance(column.type, sa.Text)]


def identity_matches(url: str, values: list[str]) -> dict[str, set[str]]:
    """Return, per table, the ids of rows where any text column contains any of ``values``.

    A plain substring scan of every text column, independent of how the engine finds rows; tables
    without a match are left out, so an empty result means nothing is left.
    """
    found: dict[str, set[str]] = {}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            for table in schema.TABLES:
                conditions = [
                    table.c[name].contains(value, autoescape=True)
                    for name in text_columns(table)
                    for value in values
                ]
                ids = {str(row[0]) for row in conn.execute(sa.select(table.c.id).where(sa.or_(*conditions)))}
                if ids:
                    found[table.name] = ids
    finally:
        engine.dispose()
    return found


def user_id_matches(url: str, user_id: str) -> dict[str, int]:
    """Count rows per table whose user id column (any column pointing at users.id) equals `user_id`."""
    found: dict[str, int] = {}
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        for table in schema.TABLES:
            columns = [c for c in table.columns
                       if (table is schema.users and c.name == "id")
                       or any(fk.column is schema.users.c.id for fk in c.foreign_keys)]
            for column in columns:
                count = conn.execute(sa.select(sa.func.count()).where(column == user_id)).scalar_one()
                if count:
                    found[f"{table.name}.{column.name}"] = count
    engine.dispose()
    return found


def checksums(url: str, *, exclude: dict[str, set[str]] | None = None) -> dict[str, str]:
    """Return a SHA-256 per table over its rows in id order, leaving out the rows named in ``exclude``.

    Values are rendered as text, so two databases of the same kind built with the same seed agree.
    """
    exclude = exclude or {}
    sums: dict[str, str] = {}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            for table in schema.TABLES:
                digest = hashlib.sha256()
                skip = exclude.get(table.name, set())
                for row in conn.execute(sa.select(table).order_by(table.c.id)).yield_per(10_000):
                    if row[0] in skip:
                        continue
                    digest.update(repr(tuple(row)).encode())
                sums[table.name] = digest.hexdigest()
    finally:
        engine.dispose()
    return sums
