"""Checks independent of every contender: the generator's ground truth and a scan after erasures."""

from __future__ import annotations

import sqlalchemy as sa

# gen.sql gives subject<k>@example.com the user id u_<k>; these are its rows, table by table.
SUBJECT_ROWS = {
    "users": "SELECT count(*) FROM users WHERE id = :uid",
    "accounts": "SELECT count(*) FROM accounts WHERE user_id = :uid",
    "organization_memberships": "SELECT count(*) FROM organization_memberships WHERE user_id = :uid",
    "traces": "SELECT count(*) FROM traces WHERE user_id = :uid",
    "observations": "SELECT count(*) FROM observations WHERE trace_id IN "
                    "(SELECT id FROM traces WHERE user_id = :uid)",
    "scores": "SELECT count(*) FROM scores WHERE trace_id IN (SELECT id FROM traces WHERE user_id = :uid)",
}
# Rows whose personal fields are all gone, per table: after erasures they must be exactly the erased
# subjects' rows, so nothing was missed and nobody else's rows were touched.
CLEARED = {
    "users": "SELECT id FROM users WHERE email IS NULL AND name IS NULL",
    "accounts": "SELECT user_id FROM accounts WHERE provider_account_id IS NULL",
    "traces": "SELECT user_id FROM traces WHERE name IS NULL AND input IS NULL AND output IS NULL",
    "observations": "SELECT t.user_id FROM observations o JOIN traces t ON t.id = o.trace_id "
                    "WHERE o.input IS NULL AND o.output IS NULL",
    "scores": "SELECT t.user_id FROM scores s JOIN traces t ON t.id = s.trace_id WHERE s.comment IS NULL",
}
# Rows still carrying any personal field of a subject.
LEFT = {
    "users": "SELECT count(*) FROM users WHERE (id = :uid AND (email IS NOT NULL OR name IS NOT NULL)) "
             "OR email = :email",
    "accounts": "SELECT count(*) FROM accounts WHERE user_id = :uid AND provider_account_id IS NOT NULL",
    "traces": "SELECT count(*) FROM traces WHERE user_id = :uid "
              "AND (name IS NOT NULL OR input IS NOT NULL OR output IS NOT NULL)",
    "observations": "SELECT count(*) FROM observations WHERE trace_id IN (SELECT id FROM traces WHERE "
                    "user_id = :uid) AND (input IS NOT NULL OR output IS NOT NULL)",
    "scores": "SELECT count(*) FROM scores WHERE trace_id IN (SELECT id FROM traces WHERE user_id = :uid) "
              "AND comment IS NOT NULL",
}


def user_id(email: str) -> str:
    """Return gen.sql's user id of subject<k>@example.com."""
    number = email.split("@", 1)[0].removeprefix("subject")
    return f"u_{int(number)}"


def subject_rows(engine: sa.Engine, email: str) -> dict[str, int]:
    """Count the subject's rows in each table (the ground truth an access must return)."""
    with engine.connect() as conn:
        return {t: int(conn.execute(sa.text(q), {"uid": user_id(email)}).scalar_one())
                for t, q in SUBJECT_ROWS.items()}


def leftovers(engine: sa.Engine, email: str) -> dict[str, int]:
    """Count the rows that still hold personal data of the subject (all zero after an erasure)."""
    params = {"uid": user_id(email), "email": email}
    with engine.connect() as conn:
        return {t: int(conn.execute(sa.text(q), params).scalar_one()) for t, q in LEFT.items()}


def cleared_owners(engine: sa.Engine) -> dict[str, set[str]]:
    """Return, per table, the owners (user ids) of rows whose personal fields are all null."""
    with engine.connect() as conn:
        return {t: {str(r[0]) for r in conn.execute(sa.text(q))} for t, q in CLEARED.items()}


def erasure_verdict(engine: sa.Engine, erased: list[str]) -> str:
    """Say whether the erased subjects have nothing left and no other row lost its personal fields."""
    problems: list[str] = []
    for email in erased:
        left = {t: n for t, n in leftovers(engine, email).items() if n}
        if left:
            problems.append(f"{user_id(email)} keeps rows in {sorted(left)}")
    expected = {user_id(e) for e in erased}
    for table, owners in cleared_owners(engine).items():
        others = owners - expected
        if others:
            problems.append(f"{table}: rows of {len(others)} other users were cleared")
    return "ok" if not problems else "; ".join(problems)


# The subject's rows, table by table, in full: taken before an erasure and written back after it, so the
# same subjects can be erased again and the erasure timed more often than there are subjects.
SNAPSHOT = {
    "users": "SELECT * FROM users WHERE id = :uid",
    "accounts": "SELECT * FROM accounts WHERE user_id = :uid",
    "organization_memberships": "SELECT * FROM organization_memberships WHERE user_id = :uid",
    "traces": "SELECT * FROM traces WHERE user_id = :uid",
    "observations": "SELECT * FROM observations WHERE trace_id IN "
                    "(SELECT id FROM traces WHERE user_id = :uid)",
    "scores": "SELECT * FROM scores WHERE trace_id IN (SELECT id FROM traces WHERE user_id = :uid)",
}
Snapshot = dict[str, list[dict[str, object]]]


def snapshot(engine: sa.Engine, email: str) -> Snapshot:
    """Read every row of the subject in full."""
    with engine.connect() as conn:
        params = {"uid": user_id(email)}
        return {t: [dict(r._mapping) for r in conn.execute(sa.text(q + " ORDER BY id"), params)]
                for t, q in SNAPSHOT.items()}


def restore(engine: sa.Engine, saved: Snapshot) -> None:
    """Write the saved rows back by primary key (an erasure here keeps rows and nulls fields)."""
    with engine.begin() as conn:
        for table, rows in saved.items():
            if not rows:
                continue
            columns = [c for c in rows[0] if c != "id"]
            assignments = ", ".join(f'"{c}" = :{c}' for c in columns)
            conn.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"), rows)
