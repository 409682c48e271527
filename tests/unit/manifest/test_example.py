"""The Langfuse example manifest: complete, loadable, and its lint finds the notice's contradictions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.lint import has_errors, lint
from privacyops.manifest.load import load_manifest, load_text
from privacyops.manifest.schema import Manifest

DEMO_SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "demo-schema.md"
NV4 = {"sensitive-claim-contradicted", "sold-shared-claim-contradicted", "ccpa-category-understated",
       "minors-guardian-contradiction"}
SUBPROCESSORS = {
    "advertising_marketing_lead_generation": {"HubSpot", "Loops", "Resend", "cal.com", "Google Workspace"},
    "third_party_account_connection": {"Google Authentication", "GitHub", "AzureAD"},
    "cloud_computing": {"Vercel", "Google Cloud Platform", "AWS", "Clickhouse Cloud", "Cloudflare"},
    "communicate_and_chat": {"Slack", "Plain.com", "Pylon", "Inkeep", "GitHub"},
    "invoice_and_billing": {"Stripe"},
    "product_metrics": {"PostHog"},
    "recruiting": {"Ashby"},
    "internal_use": {"Linear", "Google Workspace"},
    "application_monitoring": {"Sentry", "Datadog"},
}


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest(LANGFUSE_MANIFEST)


@pytest.mark.req("NV-4", "CN-2")
def test_lint_reports_the_four_nv4_contradictions_as_warnings(manifest):
    findings = lint(manifest, today=dt.date(2026, 11, 26))
    by_code = {f.code: f for f in findings}
    assert set(by_code) >= NV4
    assert all(by_code[code].level == "warning" and by_code[code].line > 0 for code in NV4)
    assert "E" in by_code["ccpa-category-understated"].message
    assert "withdrawal-tied-to-account-deletion" in by_code
    assert not has_errors(findings)


@pytest.mark.parametrize(("today", "code", "level"), [
    (dt.date(2027, 2, 26), "notice-review-due", "warning"),
    (dt.date(2027, 3, 26), "notice-stale", "error"),
])
@pytest.mark.req("NV-1")
def test_notice_age_alerts(manifest, today, code, level):
    found = [f for f in lint(manifest, today=today) if f.code == code]
    assert [f.level for f in found] == [level]


def test_subprocessors_under_their_service_category(manifest):
    groups = manifest.subprocessors_by_service()
    assert {k: {s.name for s in v} for k, v in groups.items()} == SUBPROCESSORS
    legal = {s.legal_entity for s in manifest.subprocessors}
    assert {"Posthog, Inc.", "Functional Software, Inc. d/b/a Sentry", "Datadog, Inc."} <= legal


def test_seed_facts(manifest):
    assert manifest.controller.legal_name == "Langfuse GmbH"
    assert manifest.controller.address.city == "Berlin"
    assert manifest.controller.representative_eea is not None
    assert manifest.controller.representative_eea.phone
    assert manifest.notice.last_updated == dt.date(2026, 3, 26)
    assert manifest.contacts.privacy_email == "legal@langfuse.com"
    assert len(manifest.canada_exceptions) == 11
    assert {s.name for s in manifest.social_logins} == {"Google", "GitHub", "AzureAD"}
    assert manifest.minors.minimum_age == 18 and manifest.minors.guardian_consent_allowed
    assert not manifest.signals.dnt.honoured and manifest.signals.gpc.honoured
    assert manifest.retention.rules[0].period == "P1M"
    assert manifest.retention.rules[0].trigger == "account_terminated"
    assert manifest.retention.backups.isolated_until_deletion
    assert manifest.automated_decisions == ()
    stated = {k: ("YES" if v else "NO") for k, v in manifest.notice.ccpa_table.items()}
    assert "".join(stated[k][0] for k in "ABCDEFGHIJK") == "YNYNNYYYYNY"
    assert manifest.notice.ccpa_disclosures.business_purpose == ("A", "K")
    assert manifest.business_transfers.applies


def test_region_deadlines(manifest):
    regions = manifest.regions
    assert (regions["eea"].deadline.months, regions["eea"].extension.months) == (1, 2)
    assert (regions["uk"].deadline.months, regions["uk"].extension.months) == (1, 2)
    assert regions["ch"].deadline.days == 30
    assert (regions["ca"].deadline.days, regions["ca"].extension.days) == (30, 30)
    assert (regions["us-ca"].deadline.days, regions["us-ca"].extension.days) == (45, 45)
    assert regions["us-ca"].deadline_for("opt_out_sale_share").business_days == 15


def test_seed_data_items_are_declared(manifest):
    for key in ["user.name", "user.contact.email", "user.account.username", "user.authorization.password",
                "user.privacy_preferences", "user.contact.address", "user.financial.credit_card",
                "user.contact.phone_number", "user.device.ip_address", "user.device",
                "user.behavior.log_and_usage", "user.location.precise", "user.location.imprecise",
                "user.content.llm_payload"]:
        assert key in manifest.data_categories
    bases = {k: p.basis.gdpr for k, p in manifest.purposes.items()}
    assert {"contract", "legitimate_interests", "consent", "vital_interests", "legal_obligation"} <= set(
        bases.values())


def demo_schema_tables() -> dict[str, set[str]]:
    tables: dict[str, set[str]] = {}
    for line in DEMO_SCHEMA.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("table", "") or set(cells[0]) <= {"-"}:
            continue
        # Drop notes in parentheses, such as "(unique)" or "(JSON text, may hold ...)".
        plain = re.sub(r"\([^)]*\)", "", cells[1])
        columns = {part.split()[0] for part in plain.split(",") if part.strip()}
        tables[cells[0]] = columns
    return tables


def test_app_db_declares_every_table_and_column_of_the_demo_schema(manifest):
    declared = {name: set(t.fields) for name, t in manifest.systems["app_db"].tables.items()}
    assert declared == demo_schema_tables()


def test_app_db_erasure_details(manifest):
    tables = manifest.systems["app_db"].tables
    assert tables["invoices"].erase == "keep" and tables["invoices"].hold.name == "tax"
    assert tables["users"].fields["password_hash"].disclose == "existence_only"
    assert tables["api_keys"].fields["hashed_secret_key"].disclose == "existence_only"
    assert tables["accounts"].fields["access_token"].disclose == "existence_only"
    assert tables["traces"].identity["email"] == "metadata->user.email"
    assert tables["users"].identity == {"email": "email", "user_id": "id"}
    assert "user.content.llm_payload" in tables["observations"].categories()


def test_the_example_in_the_reference_loads_and_lints_clean():
    text = (DEMO_SCHEMA.parent / "manifest.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    manifest = load_text(block, "docs/manifest.md")
    assert lint(manifest, today=dt.date(2026, 11, 26)) == []
