"""The request form offers only the rights the manifest declares where the person lives; the denial
mail names a data-protection authority only when the manifest declares one."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from privacyops.requests import notify


def _types(page: str) -> list[str]:
    select = page.split('<select name="type" id="type" required>', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([a-z_]+)"', select)


def test_the_form_offers_the_rights_of_the_chosen_region(client: TestClient) -> None:
    everywhere = _types(client.get("/privacy/request").text)
    california = _types(client.get("/privacy/request", params={"region": "us-ca"}).text)
    europe = _types(client.get("/privacy/request", params={"region": "eu"}).text)
    assert "opt_out_sale_share" in california and "limit_sensitive" in california
    assert "restriction" not in california and "objection" not in california
    assert "opt_out_sale_share" not in europe and "restriction" in europe and "objection" in europe
    assert set(california) | set(europe) <= set(everywhere)

    refused = client.post(
        "/privacy/request", data={"type": "restriction", "email": "ada@example.com", "region": "us-ca"}
    )
    assert refused.status_code == 422 and 'data-field="type"' in refused.text
    assert "not one of the rights we offer where you live" in refused.text


def test_the_denial_names_an_authority_only_when_one_is_declared() -> None:
    base = {
        "controller": "Example Ltd",
        "privacy_inbox": "privacy@example.com",
        "request_id": "r1",
        "type_summary": "see your data",
        "denial_summary": "",
        "reason": "we could not verify you",
        "status_url": "https://example.com/r1",
    }
    bare = notify.compose("denial", {**base, "authorities": []})
    assert "authority" not in bare.text and "authority" not in bare.html
    assert "If you disagree, tell us why." in bare.text
    named = notify.compose("denial", {**base, "authorities": [{"name": "CNIL", "url": "https://cnil.fr"}]})
    assert "complain to a data protection authority" in named.text and "CNIL (https://cnil.fr)" in named.text
    assert '<a href="https://cnil.fr">CNIL</a>' in named.html
