"""Tables of the demo application database (docs/demo-schema.md), on their own ``MetaData``.

These are the tables of a fictional LLM-observability SaaS, not privacyops' own store. Unique
constraints other than primary keys are declared as indexes so that the generator can build them
after the bulk load, which is much faster than maintaining them row by row.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

Text = sa.Text
When = sa.DateTime(timezone=True)
# Text that keys and indexes use: MySQL/MariaDB cannot index TEXT without a prefix length.
Key = sa.Text().with_variant(sa.String(255), "mysql", "mariadb")


def _id() -> sa.Column[str]:
    return sa.Column("id", Key, primary_key=True)


def _ref(name: str, target: str, *, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(name, Key, sa.ForeignKey(target), nullable=nullable)


users = sa.Table(
    "users",
    metadata,
    _id(),
    sa.Column("email", Key, nullable=False),
    sa.Column("name", Text),
    sa.Column("username", Text),
    sa.Column("password_hash", Text),
    sa.Column("image_url", Text),
    sa.Column("phone", Text),
    sa.Column("country", Text),
    sa.Column("email_verified_at", When),
    sa.Column("created_at", When),
    sa.Column("terminated_at", When),
    sa.Column("is_minor", sa.Boolean, nullable=False),
)

accounts = sa.Table(
    "accounts",
    metadata,
    _id(),
    _ref("user_id", "users.id", nullable=False),
    sa.Column("provider", Text, nullable=False),
    sa.Column("provider_account_id", Text, nullable=False),
    sa.Column("access_token", Text),
    sa.Column("refresh_token", Text),
    sa.Column("created_at", When),
)

sessions = sa.Table(
    "sessions",
    metadata,
    _id(),
    _ref("user_id", "users.id", nullable=False),
    sa.Column("session_token", Text, nullable=False),
    sa.Column("ip_address", Text),
    sa.Column("user_agent", Text),
    sa.Column("created_at", When),
    sa.Column("expires_at", When),
)

organizations = sa.Table(
    "organizations",
    metadata,
    _id(),
    sa.Column("name", Text, nullable=False),
    sa.Column("created_at", When),
)

organization_memberships = sa.Table(
    "organization_memberships",
    metadata,
    _id(),
    _ref("user_id", "users.id", nullable=False),
    _ref("org_id", "organizations.id", nullable=False),
    sa.Column("role", Text, nullable=False),
)

projects = sa.Table(
    "projects",
    metadata,
    _id(),
    _ref("org_id", "organizations.id", nullable=False),
    sa.Column("name", Text, nullable=False),
    sa.Column("created_at", When),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    _id(),
    _ref("project_id", "projects.id", nullable=False),
    _ref("created_by_user_id", "users.id"),
    sa.Column("public_key", Text, nullable=False),
    sa.Column("hashed_secret_key", Text, nullable=False),
    sa.Column("display_secret_key", Text),
    sa.Column("last_used_at", When),
)

invitations = sa.Table(
    "invitations",
    metadata,
    _id(),
    _ref("org_id", "organizations.id", nullable=False),
    sa.Column("email", Key, nullable=False),
    _ref("invited_by_user_id", "users.id"),
    sa.Column("role", Text, nullable=False),
    sa.Column("created_at", When),
)

billing_customers = sa.Table(
    "billing_customers",
    metadata,
    _id(),
    _ref("org_id", "organizations.id", nullable=False),
    _ref("user_id", "users.id"),
    sa.Column("stripe_customer_id", Text, nullable=False),
    sa.Column("billing_email", Key),
    sa.Column("billing_name", Text),
    sa.Column("billing_address", Text),
    sa.Column("card_brand", Text),
    sa.Column("card_last4", Text),
    sa.Column("created_at", When),
)

invoices = sa.Table(
    "invoices",
    metadata,
    _id(),
    _ref("billing_customer_id", "billing_customers.id", nullable=False),
    sa.Column("number", Text, nullable=False),
    sa.Column("amount_cents", sa.Integer, nullable=False),
    sa.Column("currency", Text, nullable=False),
    sa.Column("issued_at", When),
)

marketing_contacts = sa.Table(
    "marketing_contacts",
    metadata,
    _id(),
    sa.Column("email", Key, nullable=False),
    sa.Column("name", Text),
    sa.Column("company", Text),
    sa.Column("job_title", Text),
    sa.Column("source", Text),
    sa.Column("subscribed", sa.Boolean, nullable=False),
    sa.Column("hubspot_id", Text),
    sa.Column("created_at", When),
)

audit_logs = sa.Table(
    "audit_logs",
    metadata,
    _id(),
    _ref("user_id", "users.id"),
    sa.Column("org_id", Text),
    sa.Column("project_id", Text),
    sa.Column("ip_address", Text),
    sa.Column("action", Text, nullable=False),
    sa.Column("resource_type", Text),
    sa.Column("resource_id", Text),
    sa.Column("created_at", When),
)

traces = sa.Table(
    "traces",
    metadata,
    _id(),
    _ref("user_id", "users.id"),
    _ref("project_id", "projects.id"),
    sa.Column("session_id", Text),
    sa.Column("name", Text),
    sa.Column("input", Text),
    sa.Column("output", Text),
    sa.Column("metadata", Text),
    sa.Column("timestamp", When),
)

observations = sa.Table(
    "observations",
    metadata,
    _id(),
    _ref("trace_id", "traces.id", nullable=False),
    sa.Column("type", Text, nullable=False),
    sa.Column("name", Text),
    sa.Column("input", Text),
    sa.Column("output", Text),
    sa.Column("model", Text),
    sa.Column("start_time", When),
)

scores = sa.Table(
    "scores",
    metadata,
    _id(),
    _ref("trace_id", "traces.id", nullable=False),
    sa.Column("name", Text, nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("comment", Text),
)

# Built after the load: one unique index standing for ``users.email (unique)``, and an index on every
# column that the subject-request engine follows from an identity.
sa.Index("ux_users_email", users.c.email, unique=True)
sa.Index("ix_accounts_user_id", accounts.c.user_id)
sa.Index("ix_sessions_user_id", sessions.c.user_id)
sa.Index("ix_organization_memberships_user_id", organization_memberships.c.user_id)
sa.Index("ix_organization_memberships_org_id", organization_memberships.c.org_id)
sa.Index("ix_projects_org_id", projects.c.org_id)
sa.Index("ix_api_keys_created_by_user_id", api_keys.c.created_by_user_id)
sa.Index("ix_api_keys_project_id", api_keys.c.project_id)
sa.Index("ix_invitations_email", invitations.c.email)
sa.Index("ix_invitations_invited_by_user_id", invitations.c.invited_by_user_id)
sa.Index("ix_billing_customers_user_id", billing_customers.c.user_id)
sa.Index("ix_billing_customers_billing_email", billing_customers.c.billing_email)
sa.Index("ix_invoices_billing_customer_id", invoices.c.billing_customer_id)
sa.Index("ix_marketing_contacts_email", marketing_contacts.c.email)
sa.Index("ix_audit_logs_user_id", audit_logs.c.user_id)
sa.Index("ix_traces_user_id", traces.c.user_id)
sa.Index("ix_traces_project_id", traces.c.project_id)
sa.Index("ix_observations_trace_id", observations.c.trace_id)
sa.Index("ix_scores_trace_id", scores.c.trace_id)

# Parents before children: the order of creation and loading (reverse it to drop).
TABLES: tuple[sa.Table, ...] = tuple(metadata.sorted_tables)
TABLE_NAMES: tuple[str, ...] = tuple(table.name for table in TABLES)

SUBJECT_COUNT = 7
TRACES_PER_SUBJECT = 100


def subject_email(number: int) -> str:
    """Email of demo subject ``number`` (1..7), the identity used by the benchmarks."""
    return f"subject{number}@example.com"


def subject_user_id(number: int) -> str:
    """User id of demo subject ``number`` (1..7)."""
    return f"u_{number}"
