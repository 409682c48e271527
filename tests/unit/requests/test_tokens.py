from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from privacyops.requests import errors, tokens
from privacyops.requests.types import RequestType

KEY = b"host-application-shared-key-0001"
NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)


def token(age: timedelta) -> str:
    return tokens.sign_host_token(KEY, user_id="u-42", email="ada@example.com", issued_at=NOW - age)


def verify(
    tok: str,
    request_type: RequestType = RequestType.ACCESS,
    step_up_window: timedelta = tokens.DEFAULT_STEP_UP_WINDOW,
) -> tokens.HostIdentity:
    return tokens.verify_host_token(
        tok, KEY, request_type=request_type, now=NOW, step_up_window=step_up_window
    )


def test_fresh_token_identifies_the_account_holder() -> None:
    identity = verify(token(timedelta(minutes=1)), RequestType.ERASURE)
    assert identity.user_id == "u-42" and identity.email == "ada@example.com"
    assert identity.issued_at == NOW - timedelta(minutes=1)
    assert identity.expires_at == identity.issued_at + tokens.DEFAULT_MAX_AGE


@pytest.mark.parametrize(
    "request_type",
    [RequestType.ERASURE, RequestType.RECTIFICATION, RequestType.ACCESS, RequestType.ACCOUNT_DELETION],
)
@pytest.mark.req("INT-3")
def test_int3_token_older_than_the_step_up_window_is_refused_for_disclosure_deletion_correction(
    request_type: RequestType,
) -> None:
    with pytest.raises(errors.TokenRefused) as caught:
        verify(token(timedelta(minutes=20)), request_type)
    assert caught.value.field == "token"
    assert "sign in again" in str(caught.value) and "15 minutes" in str(caught.value)


@pytest.mark.req("INT-3")
def test_int3_same_old_token_is_fine_for_an_opt_out() -> None:
    assert verify(token(timedelta(minutes=20)), RequestType.MARKETING_OPT_OUT).user_id == "u-42"


@pytest.mark.req("INT-3")
def test_int3_step_up_window_is_configurable() -> None:
    assert verify(token(timedelta(minutes=20)), RequestType.ERASURE, step_up_window=timedelta(hours=1))
    with pytest.raises(errors.TokenRefused):
        verify(token(timedelta(minutes=3)), RequestType.ERASURE, step_up_window=timedelta(minutes=2))


def test_token_beyond_max_age_is_refused_for_any_request() -> None:
    with pytest.raises(errors.TokenRefused, match="too old"):
        verify(token(timedelta(days=2)), RequestType.OPT_OUT_SALE_SHARE)


def test_token_from_the_future_is_refused() -> None:
    with pytest.raises(errors.TokenRefused, match="future"):
        verify(token(-timedelta(minutes=10)))


def _forge(header: dict[str, object], claims: dict[str, object], signature: str = "") -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}.{signature}"


CLAIMS: dict[str, object] = {"sub": "u-1", "iat": int(NOW.timestamp())}


@pytest.mark.parametrize(
    ("tok", "phrase"),
    [
        ("not-a-token", "compact JWT"),
        (_forge({"alg": "none", "typ": "JWT"}, CLAIMS), "HS256"),
        (_forge({"alg": "HS256", "typ": "JWT"}, CLAIMS, "AAAA"), "signature"),
        ("a.b.c", "base64url"),
        ("bm90anNvbg.e30.AAAA", "JSON"),
        ("WzFd.e30.AAAA", "JSON object"),
    ],
)
def test_malformed_or_forged_tokens_are_refused(tok: str, phrase: str) -> None:
    with pytest.raises(errors.TokenRefused, match=phrase):
        verify(tok)


def test_token_signed_with_another_key_is_refused() -> None:
    other_key = b"another-key-of-sufficient-size!!"
    other = tokens.sign_host_token(other_key, user_id="u-42", email=None, issued_at=NOW)
    with pytest.raises(errors.TokenRefused, match="signature"):
        verify(other)


def test_tampered_claims_break_the_signature() -> None:
    header, _, signature = token(timedelta(minutes=1)).split(".")
    claims = base64.urlsafe_b64encode(json.dumps({"sub": "u-1", "iat": int(NOW.timestamp())}).encode())
    with pytest.raises(errors.TokenRefused, match="signature"):
        verify(f"{header}.{claims.rstrip(b'=').decode()}.{signature}")


def test_expired_token_is_refused_even_when_recent() -> None:
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"sub": "u-1", "iat": int(NOW.timestamp()) - 60, "exp": int(NOW.timestamp()) - 1}
    unsigned = _forge(header, claims)[:-1]
    sig = hmac.new(KEY, unsigned.encode(), hashlib.sha256).digest()
    tok = unsigned + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()
    with pytest.raises(errors.TokenRefused, match="expired"):
        verify(tok)


@pytest.mark.req("INT-7")
def test_host_identity_is_purged_after_its_ttl() -> None:
    identity = verify(token(timedelta(minutes=1)))
    assert not identity.purge_due(NOW)
    assert identity.purge_due(identity.expires_at)
