"""OpenID Connect single sign-on for the console: authorization code flow with PKCE, state and nonce.

Authlib builds the authorization request and redeems the code; the ID token's signature is checked
against the provider's published keys (JWKS) with ``joserfc``, then its issuer, audience, expiry and
nonce. What the browser must carry between the two legs (state, nonce, PKCE verifier, where to go
next) travels in a short-lived cookie signed with the deployment's secret key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import is_secure_transport
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from privacyops.settings import Settings

CALLBACK_PATH = "/admin/sso/callback"
FLOW_COOKIE = "po_console_sso"
FLOW_SECONDS = 600  # a person has ten minutes at the provider before the sign-in must start again
SCOPE = "openid email profile"
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
DISCOVERY_SECONDS = 300
HTTP_TIMEOUT = 10.0


class SsoRefused(Exception):
    """Single sign-on did not give a console session; ``reason`` is a fixed word for the audit log."""

    def __init__(self, reason: str, message: str, *, user_id: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.user_id = user_id


@dataclass(frozen=True)
class Provider:
    """The configured identity provider and this console's registration with it."""

    issuer: str
    client_id: str
    client_secret: str
    name: str
    rules: tuple[str, ...]
    groups_claim: str
    redirect_uri: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Provider | None:
        """Return the provider ``PRIVACYOPS_CONSOLE_OIDC_*`` configure, or None when unset."""
        if not settings.console_oidc_issuer or not settings.console_oidc_client_id:
            return None
        return cls(
            issuer=settings.console_oidc_issuer.rstrip("/"),
            client_id=settings.console_oidc_client_id,
            client_secret=settings.console_oidc_client_secret,
            name=settings.console_oidc_name,
            rules=settings.console_oidc_roles,
            groups_claim=settings.console_oidc_groups_claim,
            redirect_uri=settings.public_url.rstrip("/") + CALLBACK_PATH,
        )

    def client(self) -> OAuth2Session:
        """Return an Authlib client for one sign-in (PKCE with S256)."""
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=SCOPE,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
        )


@dataclass(frozen=True)
class Flow:
    """What the browser carries between leaving for the provider and coming back."""

    state: str
    nonce: str
    verifier: str
    next_path: str


# --- the provider's published metadata --------------------------------------------------------------

_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


def metadata(provider: Provider) -> dict[str, Any]:
    """Return the provider's discovery document (kept for a few minutes), checked against the issuer."""
    cached = _discovered.get(provider.issuer)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    if not is_secure_transport(provider.issuer):
        raise SsoRefused("config", "the single sign-on issuer must be an https:// address")
    document = _get_json(provider.issuer + "/.well-known/openid-configuration")
    if str(document.get("issuer", "")).rstrip("/") != provider.issuer:
        raise SsoRefused("config", "the provider's discovery document names another issuer")
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(field), str):
            raise SsoRefused("config", f"the provider's discovery document has no {field}")
    _discovered[provider.issuer] = (time.monotonic() + DISCOVERY_SECONDS, document)
    return document


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = httpx.get(url, timeout=HTTP_TIMEOUT, follow_redirects=False)
        answer.raise_for_status()
        document = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoRefused("provider", f"the identity provider did not answer ({type(exc).__name__})") from None
    if not isinstance(document, dict):
        raise SsoRefused("provider", "the identity provider answered something other than a JSON object")
    return document


# --- the two legs -----------------------------------------------------------------------------------


def start(provider: Provider, next_path: str) -> tuple[str, Flow]:
    """Return the provider's authorization URL and the flow the browser keeps meanwhile."""
    flow = Flow(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),
        next_path=next_path,
    )
    url, _state = provider.client().create_authorization_url(
        metadata(provider)["authorization_endpoint"],
        state=flow.state,
        code_verifier=flow.verifier,
        nonce=flow.nonce,
    )
    return url, flow


def finish(provider: Provider, flow: Flow, *, code: str, state: str) -> dict[str, Any]:
    """Redeem the code (with the PKCE verifier) and return the ID token's checked claims."""
    if not state or not hmac.compare_digest(state.encode(), flow.state.encode()):
        raise SsoRefused("state", "the answer from the provider does not belong to this sign-in")
    document = metadata(provider)
    try:
        token = provider.client().fetch_token(
            document["token_endpoint"],
            code=code,
            code_verifier=flow.verifier,
            grant_type="authorization_code",
            timeout=HTTP_TIMEOUT,
        )
    except Exception as exc:  # the provider refused the code, or could not be reached
        raise SsoRefused("token", f"the provider did not accept the sign-in ({type(exc).__name__})") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SsoRefused("token", "the provider's answer has no ID token; is the 'openid' scope allowed?")
    return check_id_token(id_token, _get_json(document["jwks_uri"]), provider, flow.nonce)


def check_id_token(id_token: str, jwks: dict[str, Any], provider: Provider, nonce: str) -> dict[str, Any]:
    """Return the claims of an ID token signed by one of ``jwks`` and meant for this sign-in."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        decoded = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": provider.issuer},
            sub={"essential": True},
            aud={"essential": True, "value": provider.client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(decoded.claims)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SsoRefused("id_token", f"the ID token was not accepted ({type(exc).__name__})") from None
    claims = dict(decoded.claims)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SsoRefused("id_token", "the ID token was issued to another client")
    return claims


# --- the flow cookie --------------------------------------------------------------------------------


def seal_flow(flow: Flow, key: bytes, *, now: float | None = None) -> str:
    """Return the cookie value that carries ``flow``: JSON with its time, signed with ``key``."""
    body = {
        "s": flow.state,
        "n": flow.nonce,
        "v": flow.verifier,
        "p": flow.next_path,
        "t": now or time.time(),
    }
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).decode()
    return f"{payload}.{_mac(payload, key)}"


def open_flow(value: str, key: bytes, *, now: float | None = None) -> Flow:
    """Return the flow of a cookie this deployment signed less than ten minutes ago."""
    payload, _, mac = value.partition(".")
    if not payload or not hmac.compare_digest(mac.encode(), _mac(payload, key).encode()):
        raise SsoRefused("state", "this sign-in was not started in this browser; start it again")
    body = json.loads(base64.urlsafe_b64decode(payload.encode()))
    if (now or time.time()) - float(body["t"]) > FLOW_SECONDS:
        raise SsoRefused("state", "the sign-in took longer than ten minutes; start it again")
    return Flow(state=body["s"], nonce=body["n"], verifier=body["v"], next_path=body["p"])


def _mac(payload: str, key: bytes) -> str:
    return hmac.new(key, b"console-sso:" + payload.encode(), hashlib.sha256).hexdigest()
