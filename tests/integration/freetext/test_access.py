"""The access package gives the subject every value of her own and masks everyone else's (AC-2)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from privacyops.package import crypto
from privacyops.store.models.execution import ExecutionRun

from . import data
from .conftest import SECRET, Desk


def package_of(desk: Desk, request_id: str) -> dict[str, str]:
    with desk.sessions() as session:
        run = session.get(ExecutionRun, request_id)
        assert run is not None
        sealed = Path(run.outcome["package"]).read_bytes()
    with zipfile.ZipFile(io.BytesIO(crypto.open_sealed(sealed, SECRET))) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def records(files: dict[str, str], table: str) -> dict[str, dict[str, Any]]:
    document = json.loads(files["data.json"])
    return {r["fields"]["id"]["value"]: {name: f["value"] for name, f in r["fields"].items()}
            for r in document["records"] if r["table"] == table}


@pytest.fixture
def package(desk: Desk) -> dict[str, str]:
    request_id, report = desk.run("access")
    assert report.status == "completed", report
    return package_of(desk, request_id)


@pytest.mark.req("AC-2")
def test_own_values_in_own_rows_are_given_not_masked(package: dict[str, str]) -> None:
    (customer,) = records(package, "customers").values()
    assert {k: customer[k] for k in data.RENEE} == data.RENEE
    (member,) = records(package, "loyalty_accounts").values()
    assert {k: member[k] for k in data.RENEE_MEMBER} == data.RENEE_MEMBER
    assert "another person" not in json.dumps([customer, member])


@pytest.mark.req("AC-2")
def test_tickets_give_her_own_values_and_withhold_other_peoples(package: dict[str, str]) -> None:
    tickets = records(package, "tickets")
    assert set(tickets) == {"t_1", "t_2", "t_3"}
    body = tickets["t_1"]["body"]
    for own in ("Renée Åkesson", "renee_ak", "Storgatan 12", "070-123 45 67", data.RENEE["email"]):
        assert own in body
    for other in ("Bob Stone", data.BOB["email"], data.BOB["phone"], "Dana Whitfield"):
        assert other not in body
    assert body.count("[redacted: another person's name]") == 2
    assert "[redacted: another person's email address]" in body
    assert "[redacted: another person's phone number]" in body
    second = tickets["t_2"]["body"]
    assert "RENÉE" in second and "REF-7Q2K-9931" in second and "LOY-558201" in second
    assert "northern_renee" in second and "Bob Stone" not in second


@pytest.mark.req("AC-2")
def test_json_payloads_keep_her_values_and_lose_the_people_she_copies(package: dict[str, str]) -> None:
    tickets = records(package, "tickets")
    payload = json.loads(tickets["t_1"]["payload"])  # still a JSON document after masking
    assert payload["sender"] == {"name": "Renée Åkesson", "email": "Renee.Akesson@example.se",
                                 "phone": "+46701234567"}
    assert payload["account"] == {"username": "renee_ak", "referral": "REF-7Q2K-9931", "member": "LOY-558201"}
    (copied,) = payload["cc"]
    assert copied == {"name": "[redacted: another person's name]",
                      "email": "[redacted: another person's email address]",
                      "phone": "[redacted: another person's phone number]"}
    quoted = json.loads(tickets["t_2"]["payload"])["quoted"]
    assert quoted == "Dear Ms Åkesson, thank you for writing."


@pytest.mark.req("AC-2")
def test_referred_friends_are_masked_in_their_fields_and_in_every_file(package: dict[str, str]) -> None:
    (referral,) = records(package, "referrals").values()
    assert referral["referrer_id"] == data.RENEE["id"]
    assert referral["referred_name"] == "[redacted: another person's name]"
    assert referral["referred_email"] == "[redacted: another person's email address]"
    assert referral["referred_phone"] == "[redacted: another person's phone number]"
    everything = "\n".join(package.values())
    unescaped = everything + json.loads(json.dumps(everything))
    for person in (data.BOB, data.DANA):
        for value in person.values():
            assert value not in unescaped and json.dumps(value)[1:-1] not in everything
    redactions = json.loads(package["data.json"])["redactions"]
    assert redactions["another person's name"] >= 4
    assert redactions["another person's phone number"] >= 3
