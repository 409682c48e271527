"""A small OpenID Connect provider for tests: discovery, authorize, token and JWKS on 127.0.0.1.

It signs in whoever ``identity`` says without asking (the test decides who), checks the client's
secret, the redirect URL and the PKCE verifier like a real provider, and signs ID tokens with an RSA
key made for the test run. ``mischief`` makes it misbehave in one way: "nonce" (a token for another
sign-in) or "key" (signed with a key it does not publish).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "privacyops-console"
CLIENT_SECRET = "test-client-secret-0123456789"


@dataclass
class OidcProvider:
    """The provider's state: its address, who signs in next, the codes it handed out."""

    issuer: str = ""
    redirect_uri: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    mischief: str = ""
    key: RSAKey = field(default_factory=lambda: _key("test-signing-key"))
    stranger: RSAKey = field(default_factory=lambda: _key("test-signing-key"))  # same kid, other key
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorize_queries: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> FastAPI:
        """Return the provider's HTTP application."""
        app = FastAPI()
        app.get("/.well-known/openid-configuration")(self._discovery)
        app.get("/authorize")(self._authorize)
        app.post("/token")(self._token)
        app.get("/jwks")(self._jwks)
        return app

    def _discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def _authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.authorize_queries.append(query)
        wanted = {"response_type": "code", "client_id": CLIENT_ID, "code_challenge_method": "S256"}
        if any(query.get(name) != value for name, value in wanted.items()):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if query.get("redirect_uri") != self.redirect_uri or "openid" not in query.get("scope", "").split():
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "identity": dict(self.identity)}
        back = urlencode({"code": code, "state": query.get("state", "")})
        return RedirectResponse(f"{self.redirect_uri}?{back}", status_code=302)

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        basic = request.headers.get("authorization", "").removeprefix("Basic ")
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if basic != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)  # a code works once
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant["redirect_uri"]
            or challenge != grant["code_challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": "another-sign-in" if self.mischief == "nonce" else grant.get("nonce", ""),
            **grant["identity"],
        }
        signer = self.stranger if self.mischief == "key" else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": signer.kid}, claims, signer)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )

    def _jwks(self) -> dict[str, Any]:
        return KeySet([self.key]).as_dict(private=False)

    def id_token(self, claims: dict[str, Any], *, signer: RSAKey | None = None, alg: str = "RS256") -> str:
        """Return an ID token for unit tests, signed with the published key unless told otherwise."""
        key = signer or self.key
        return jwt.encode({"alg": alg, "kid": key.kid}, claims, key)


def _key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, {"kid": kid, "use": "sig", "alg": "RS256"}, private=True)
