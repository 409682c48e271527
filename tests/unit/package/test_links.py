from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from privacyops.package import links

KEY = b"link signing secret"
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
EXPIRES = NOW + dt.timedelta(days=7)


@pytest.mark.req("AC-3")
def test_a_fresh_link_grants_its_package_until_it_expires() -> None:
    token = links.sign_link("pkg_42", EXPIRES, KEY)
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token)
    grant = links.verify_link(token, KEY, NOW)
    assert grant == links.LinkGrant("pkg_42", EXPIRES)
    assert links.verify_link(token, KEY, EXPIRES - dt.timedelta(seconds=1)).package_id == "pkg_42"


@pytest.mark.parametrize("later", [dt.timedelta(0), dt.timedelta(seconds=1), dt.timedelta(days=30)])
@pytest.mark.req("AC-3")
def test_the_link_expires(later: dt.timedelta) -> None:
    token = links.sign_link("pkg_42", EXPIRES, KEY)
    with pytest.raises(links.LinkRefused, match="expired at 2025-06-08") as refused:
        links.verify_link(token, KEY, EXPIRES + later)
    assert refused.value.reason == "expired"


def _payload(token: str) -> str:
    return token.split(".")[0]


@pytest.mark.req("AC-3")
def test_an_altered_link_is_refused_even_when_its_expiry_is_still_ahead() -> None:
    token = links.sign_link("pkg_42", EXPIRES, KEY)
    other = links.sign_link("pkg_43", EXPIRES + dt.timedelta(days=300), KEY)
    spliced = f"{_payload(other)}.{token.split('.')[1]}"
    forged_payload = base64.urlsafe_b64encode(b'{"p":"pkg_1","e":4102444800}').rstrip(b"=").decode()
    flipped = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (spliced, f"{forged_payload}.{token.split('.')[1]}", flipped):
        with pytest.raises(links.LinkRefused) as refused:
            links.verify_link(bad, KEY, NOW)
        assert refused.value.reason == "altered"
    with pytest.raises(links.LinkRefused, match="another key"):
        links.verify_link(token, b"other key", NOW)


@pytest.mark.parametrize("token", ["", "nodot", "a.b.c", "!!!.???", ".sig"])
def test_malformed_tokens_say_so(token: str) -> None:
    with pytest.raises(links.LinkRefused) as refused:
        links.verify_link(token, KEY, NOW)
    assert refused.value.reason in ("malformed", "altered")


def test_moments_must_carry_a_timezone_and_a_package_id_is_needed() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        links.sign_link("pkg", dt.datetime(2025, 1, 1), KEY)
    with pytest.raises(ValueError, match="id of the package"):
        links.sign_link("", EXPIRES, KEY)
