"""Records of processing (RK-2): one activity per purpose, every field filled, three export formats."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import Any

import pytest

from privacyops.reports import ropa

from .manifests import bare, edited, seed


@pytest.mark.req("RK-2")
def test_one_activity_per_purpose_in_order() -> None:
    manifest = seed()
    activities = ropa.records_of_processing(manifest)
    assert [a.id for a in activities] == list(manifest.purposes)


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(ropa.Activity)])
@pytest.mark.req("RK-2")
def test_every_field_of_every_seed_activity_is_non_empty(field: str) -> None:
    for activity in ropa.records_of_processing(seed()):
        value = getattr(activity, field)
        assert value, f"{activity.id}.{field} is empty"
        if isinstance(value, tuple):
            assert all(item.strip() for item in value), f"{activity.id}.{field} has a blank entry"


@pytest.mark.req("RK-2")
def test_seed_activities_report_no_missing_fields() -> None:
    assert all(a.missing_fields() == [] for a in ropa.records_of_processing(seed()))


@pytest.mark.req("RK-2")
def test_missing_security_measures_are_reported_not_invented() -> None:
    def no_security(d: dict[str, Any]) -> None:
        d["security_measures"] = []

    activities = ropa.records_of_processing(edited(no_security))
    assert all(a.security_measures == () for a in activities)
    assert all("security_measures" in a.missing_fields() for a in activities)


def test_bare_manifest_names_what_it_lacks() -> None:
    (activity,) = ropa.records_of_processing(bare())
    missing = activity.missing_fields()
    assert {"representative", "recipients", "data_subjects", "retention", "security_measures"} <= set(missing)
    assert activity.transfers == ()  # no recipients declared: a gap, not "no transfer"
    assert activity.dpo == ropa.NO_DPO
    assert activity.legal_basis == ("GDPR: Performance of a contract (Art. 6(1)(b))",)


@pytest.mark.req("RK-2")
def test_a_purpose_naming_no_subjects_is_a_gap_not_every_group() -> None:
    def unnamed(d: dict[str, Any]) -> None:
        d["purposes"]["marketing_communications"].pop("subjects")

    activities = {a.id: a for a in ropa.records_of_processing(edited(unnamed))}
    assert activities["marketing_communications"].data_subjects == ()
    assert "data_subjects" in activities["marketing_communications"].missing_fields()
    assert activities["recruiting"].data_subjects == ("People who apply for a job with us",)


def test_content_of_the_marketing_activity() -> None:
    activities = {a.id: a for a in ropa.records_of_processing(seed())}
    marketing = next(a for a in activities.values() if "GDPR: Consent (Art. 6(1)(a))" in a.legal_basis)
    assert any(line.startswith("PIPEDA: Express consent") for line in marketing.legal_basis)
    assert marketing.controller.startswith("Langfuse GmbH, Oranienburger Str. 91")
    assert "EEA representative: Langfuse GmbH" in marketing.representative
    assert "Email addresses (user.contact.email)" in marketing.categories


@pytest.mark.req("RK-2")
def test_transfers_list_recipients_outside_the_eea_with_their_safeguard() -> None:
    activities = ropa.records_of_processing(seed())
    lines = [line for a in activities for line in a.transfers]
    assert "Stripe: IE, adequacy decision" not in lines  # Ireland is inside the EEA
    assert any(line.startswith("Ashby: US, standard contractual clauses") for line in lines)
    assert not any(line.startswith("PostHog") for line in lines)  # hosted in Germany


def test_canadian_exception_is_cited() -> None:
    lines = [line for a in ropa.records_of_processing(seed()) for line in a.legal_basis]
    assert any(line.startswith("PIPEDA: No consent needed (PIPEDA s. 7(") for line in lines)


@pytest.mark.req("RK-2")
def test_retention_and_erasure_limits_come_from_rules_holds_and_backups() -> None:
    orders = next(a for a in ropa.records_of_processing(seed()) if "Stripe" in " ".join(a.recipients)
                  and any("tax" in limit for limit in a.erasure_limits))
    assert any("1 month after the account is closed" in r for r in orders.retention)
    assert any("10 years" in limit for limit in orders.erasure_limits)
    assert any("Backups" in limit for limit in orders.erasure_limits)


def test_json_export_round_trips() -> None:
    activities = ropa.records_of_processing(seed())
    data = json.loads(ropa.to_json(activities))
    assert len(data) == len(activities)
    assert data[0]["id"] == activities[0].id
    assert data[0]["security_measures"] == list(activities[0].security_measures)


def test_csv_export_has_a_header_and_one_row_per_activity() -> None:
    activities = ropa.records_of_processing(seed())
    rows = list(csv.reader(io.StringIO(ropa.to_csv(activities))))
    assert rows[0] == list(ropa.FIELD_TITLES.values())
    assert len(rows) == len(activities) + 1
    assert all(len(row) == len(rows[0]) and all(row) for row in rows[1:])


def test_markdown_export_has_a_section_and_full_table_per_activity() -> None:
    activities = ropa.records_of_processing(seed())
    text = ropa.to_markdown(activities)
    assert text.startswith("# Records of processing activities")
    for activity in activities:
        assert f"## {activity.id}\n" in text
    assert text.count("| Security measures |") == len(activities)


def _activities(manifest: Any) -> dict[str, ropa.Activity]:
    return {a.id: a for a in ropa.records_of_processing(manifest)}


@pytest.mark.req("RK-2")
def test_recipients_are_the_ones_linked_to_the_purpose() -> None:
    activities = _activities(seed())
    assert activities["recruiting"].recipients == ("Ashby (Recruiting, US)",)
    assert not any("Ashby" in r for r in activities["marketing_communications"].recipients)
    assert activities["vital_interests"].recipients == (
        "None: no recipient receives personal data for this purpose",)
    assert activities["vital_interests"].transfers == ("None: no recipient, so no transfer",)


@pytest.mark.req("RK-2")
def test_controller_representative_and_dpo_have_their_own_rows() -> None:
    def with_dpo(d: dict[str, Any]) -> None:
        d["controller"]["dpo"] = {"name": "Dana Officer", "email": "dpo@langfuse.com"}

    activity = _activities(edited(with_dpo))["support"]
    assert activity.dpo == "Data protection officer: Dana Officer (dpo@langfuse.com)"
    assert "Dana" not in activity.representative and "Data protection officer" not in activity.representative
    assert activity.representative.startswith("EEA representative: Langfuse GmbH")
    assert activity.controller == \
        "Langfuse GmbH, Oranienburger Str. 91, 10178 Berlin, Germany, legal@langfuse.com"


@pytest.mark.req("RK-2")
def test_a_representative_known_only_by_how_to_reach_them() -> None:
    from privacyops.examples import CORPUS
    from privacyops.manifest import load

    activity = _activities(load.load_manifest(CORPUS["posthog"]))["recruiting"]
    assert activity.representative == ("EEA representative: not named (privacy@posthog.com); "
                                       "UK representative: not named (privacy@posthog.com)")


@pytest.mark.req("RK-2")
def test_transfers_are_judged_from_the_controllers_country_per_recipient() -> None:
    from privacyops.examples import CORPUS
    from privacyops.manifest import load

    posthog = _activities(load.load_manifest(CORPUS["posthog"]))
    # PostHog's policy names no provider's country: the record says so per recipient instead of assuming.
    assert posthog["recruiting"].transfers == (
        "Ashby: country not declared",
        "Job sites you apply through, such as LinkedIn: country not declared",
    )
    assert not any("EEA" in line for a in posthog.values() for line in a.transfers)

    def all_at_home(d: dict[str, Any]) -> None:
        d["controller"]["country"] = "US"
        for s in d["subprocessors"]:
            s["country"] = "US"

    at_home = _activities(edited(all_at_home))["recruiting"].transfers
    assert at_home == ("None: every recipient of this purpose is in US",)
    langfuse = _activities(seed())
    assert langfuse["marketing_effectiveness"].transfers == ("HubSpot: US, EU-US Data Privacy Framework",)
    assert langfuse["orders"].transfers == ("None: every recipient of this purpose is in the EEA",)

    def no_safeguard(d: dict[str, Any]) -> None:
        ashby = next(s for s in d["subprocessors"] if s["name"] == "Ashby")
        ashby.pop("transfer")

    assert _activities(edited(no_safeguard))["recruiting"].transfers == ("Ashby: US, NO SAFEGUARD DECLARED",)
