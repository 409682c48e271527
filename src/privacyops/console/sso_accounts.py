"""Who a single sign-on identity is in the console: its role from the rules, its console user.

The rules (``PRIVACYOPS_CONSOLE_OIDC_ROLES``) map an email address, an email domain or a group to a
role; the highest role any rule gives wins, and no match gives no access. A person's first sign-in
creates a console user without a password, linked to the provider's identity by a keyed hash of its
issuer and subject; later sign-ins find that user again and take the role the rules give then. A user
disabled in the console stays refused whatever the provider says.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.audit import chain
from privacyops.console import users
from privacyops.console.sso import SsoRefused
from privacyops.store.models.console import ConsoleUser

_NOT_IN_HANDLE = re.compile(r"[^a-z0-9._-]+")


def role_for(rules: tuple[str, ...], claims: dict[str, Any], groups_claim: str) -> str | None:
    """Return the highest role the rules give these claims, or None (no access)."""
    email = ""
    if isinstance(claims.get("email"), str) and claims.get("email_verified") is not False:
        email = (
            claims["email"].strip().lower()
        )  # an address the provider says it has not verified counts for nothing
    raw_groups = claims.get(groups_claim)
    groups = {str(group).strip().lower() for group in raw_groups} if isinstance(raw_groups, list) else set()
    best: str | None = None
    for rule in rules:
        match, _, role = rule.rpartition("=")
        match = match.strip().lower()
        if _matches(match, email, groups) and (best is None or deps.ROLE_RANK[role] > deps.ROLE_RANK[best]):
            best = role
    return best


def _matches(match: str, email: str, groups: set[str]) -> bool:
    if match.startswith("group:"):
        return match.removeprefix("group:") in groups
    if match.startswith("@"):
        return bool(email) and email.endswith(match)
    return bool(email) and email == match


def subject_key(issuer: str, subject: str, key: bytes) -> str:
    """Return the stored reference to a provider identity (a keyed hash: the subject is not kept)."""
    return hmac.new(key, f"oidc:{issuer}\n{subject}".encode(), hashlib.sha256).hexdigest()


def handle_for(claims: dict[str, Any]) -> str:
    """Return the console user name for a new identity: the email's local part, as a handle."""
    source = claims.get("email") or claims.get("preferred_username") or ""
    local = str(source).split("@", 1)[0].strip().lower()
    handle = _NOT_IN_HANDLE.sub("-", local).strip("-._")[:64]
    if not users.USERNAME.fullmatch(handle):
        raise SsoRefused("no_name", "the provider gave no email address or user name to name this person by")
    return handle


def sign_in(
    session: Session, *, issuer: str, claims: dict[str, Any], role: str | None, key: bytes
) -> ConsoleUser:
    """Return the console user of a signed-in identity, creating it the first time (caller commits)."""
    linked = session.execute(
        sa.select(ConsoleUser).where(ConsoleUser.sso_subject == subject_key(issuer, claims["sub"], key))
    ).scalar_one_or_none()
    if linked is not None and linked.disabled_at is not None:
        raise SsoRefused("disabled", "this console account is disabled", user_id=linked.id)
    if role is None:
        raise SsoRefused(
            "no_role",
            "your account at the identity provider is not given a console role",
            user_id=linked.id if linked else None,
        )
    if linked is not None:
        if linked.role != role:
            _audit_role(session, linked, role)
        return linked
    return _create(session, issuer=issuer, claims=claims, role=role, key=key)


def _create(session: Session, *, issuer: str, claims: dict[str, Any], role: str, key: bytes) -> ConsoleUser:
    handle = handle_for(claims)
    taken = users.find(session, handle)
    if taken is not None:
        raise SsoRefused(
            "name_taken",
            f"a console user named {handle!r} already exists without single sign-on; an admin renames or "
            "disables it first",
            user_id=taken.id,
        )
    user = ConsoleUser(
        username=handle, password_hash="", role=role, sso_subject=subject_key(issuer, claims["sub"], key)
    )
    session.add(user)
    session.flush()
    chain.append(
        session,
        actor=users.actor_name(handle),
        action="console.user_added",
        entity="console_user",
        entity_id=str(user.id),
        data={"username": handle, "role": role, "via": "single sign-on"},
    )
    return user


def _audit_role(session: Session, user: ConsoleUser, role: str) -> None:
    chain.append(
        session,
        actor=users.actor_name(user.username),
        action="console.role_changed",
        entity="console_user",
        entity_id=str(user.id),
        data={"from": user.role, "to": role, "via": "single sign-on"},
    )
    user.role = role
