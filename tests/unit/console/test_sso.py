"""Single sign-on's pure parts: the role rules, the ID token checks and the signed flow cookie."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from privacyops.console import sso, sso_accounts
from privacyops.settings import Settings
from tests.oidc_provider import CLIENT_ID, OidcProvider

ISSUER = "https://id.example"
RULES = ("@corp.example=viewer", "group:privacy-leads=admin", "rita@partner.example=reviewer")


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        ({"email": "Ann@Corp.Example"}, "viewer"),
        ({"email": "ann@corp.example", "groups": ["Privacy-Leads"]}, "admin"),  # the highest rule wins
        ({"email": "rita@partner.example"}, "reviewer"),
        ({"email": "rob@partner.example"}, None),  # another person of the same domain: no rule
        ({"email": "eve@evil-corp.example"}, None),  # a domain is matched after its @ only
        ({"email": "ann@corp.example", "email_verified": False}, None),  # unverified: counts for nothing
        ({"email": "ann@corp.example", "email_verified": False, "groups": ["privacy-leads"]}, "admin"),
        ({"groups": "privacy-leads"}, None),  # a claim that is not a list is no group
        ({}, None),
    ],
)
def test_rules_give_the_highest_matching_role_and_no_match_no_access(
    claims: dict[str, Any], role: str | None
) -> None:
    assert sso_accounts.role_for(RULES, claims, "groups") == role


def test_a_wrong_rule_in_the_settings_names_the_form_to_use() -> None:
    with pytest.raises(ValueError, match="write MATCH=ROLE"):
        Settings(console_oidc_roles="@corp.example=owner")


def test_handles_come_from_the_address_and_never_are_one() -> None:
    assert sso_accounts.handle_for({"email": "Ann.Lee+x@corp.example"}) == "ann.lee-x"
    assert sso_accounts.handle_for({"preferred_username": "bo"}) == "bo"
    with pytest.raises(sso.SsoRefused) as refused:
        sso_accounts.handle_for({"sub": "only-a-subject"})
    assert refused.value.reason == "no_name"


@pytest.fixture(scope="module")
def idp() -> OidcProvider:
    return OidcProvider(issuer=ISSUER)


@pytest.fixture
def provider() -> sso.Provider:
    return sso.Provider(
        ISSUER, CLIENT_ID, "secret", "Corp ID", RULES, "groups", "https://po/admin/sso/callback"
    )


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "ann-1", "iat": now, "exp": now + 300, "nonce": "n-1"}
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def test_a_token_signed_by_the_published_key_for_this_sign_in_is_accepted(
    idp: OidcProvider, provider: sso.Provider
) -> None:
    jwks = idp._jwks()
    claims = sso.check_id_token(idp.id_token(_claims(email="ann@corp.example")), jwks, provider, "n-1")
    assert claims["sub"] == "ann-1" and claims["email"] == "ann@corp.example"


@pytest.mark.parametrize(
    "changes",
    [
        {"nonce": "another-sign-in"},
        {"nonce": None},
        {"iss": "https://other.example"},
        {"aud": "another-client"},
        {"aud": [CLIENT_ID, "another-client"], "azp": "another-client"},
        {"exp": int(time.time()) - 3600},
        {"sub": None},
    ],
)
def test_a_token_for_another_sign_in_issuer_client_or_time_is_refused(
    idp: OidcProvider, provider: sso.Provider, changes: dict[str, Any]
) -> None:
    with pytest.raises(sso.SsoRefused) as refused:
        sso.check_id_token(idp.id_token(_claims(**changes)), idp._jwks(), provider, "n-1")
    assert refused.value.reason == "id_token"


def test_a_token_not_signed_by_the_providers_keys_is_refused(
    idp: OidcProvider, provider: sso.Provider
) -> None:
    forged = idp.id_token(_claims(), signer=idp.stranger)  # the same key id, another key
    with pytest.raises(sso.SsoRefused):
        sso.check_id_token(forged, idp._jwks(), provider, "n-1")
    # A symmetric token keyed with something public is not taken either (no HS256, no "none").
    shared = OctKey.import_key("a-secret-anyone-could-guess-0123")
    hs = jwt.encode({"alg": "HS256", "kid": "test-signing-key"}, _claims(), shared)
    with pytest.raises(sso.SsoRefused):
        sso.check_id_token(hs, {"keys": [*idp._jwks()["keys"], shared.as_dict()]}, provider, "n-1")


def test_the_flow_cookie_is_signed_and_expires() -> None:
    flow = sso.Flow(state="s", nonce="n", verifier="v", next_path="/admin/requests")
    key = b"k" * 32
    sealed = sso.seal_flow(flow, key)
    assert sso.open_flow(sealed, key) == flow
    payload, _, mac = sealed.partition(".")
    flipped = mac[:-1] + ("1" if mac[-1] == "0" else "0")
    for tampered in (f"{payload}x.{mac}", f"{payload}.{flipped}", ""):
        with pytest.raises(sso.SsoRefused):
            sso.open_flow(tampered, key)
    with pytest.raises(sso.SsoRefused):
        sso.open_flow(sealed, b"j" * 32)
    with pytest.raises(sso.SsoRefused, match="ten minutes"):
        sso.open_flow(sealed, key, now=time.time() + sso.FLOW_SECONDS + 1)


def test_the_provider_is_configured_only_with_an_issuer_and_a_client() -> None:
    assert sso.Provider.from_settings(Settings()) is None
    configured = Settings(
        console_oidc_issuer="https://id.example/", console_oidc_client_id="c", public_url="https://po.example"
    )
    provider = sso.Provider.from_settings(configured)
    assert provider is not None and provider.issuer == "https://id.example"
    assert provider.redirect_uri == "https://po.example/admin/sso/callback"
