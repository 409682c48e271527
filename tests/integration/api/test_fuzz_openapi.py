"""Fuzz the served OpenAPI with schemathesis: every operation, every check, valid and invalid input.

The app is the real one from ``create_app`` on a real store (``--db``) with the example manifest, called
in process through its ASGI interface with the admin token. A failing check is fixed in the schema or
the code. The one allowance: the intake operations may refuse schema-valid input with 422 when it
breaks a rule JSON Schema cannot state (``RULES_BEYOND_THE_SCHEMA``).
"""

from __future__ import annotations

from collections import Counter
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from privacyops.api.app import create_app
from privacyops.demo.generate import build_demo
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db

ADMIN_TOKEN = "po_fuzz_admin_token_0123456789"
EXAMPLES_PER_OPERATION = 40
MIN_CASES = 1000
# Every built-in check but the response-time one, which needs a limit and measures the machine.
ALL_CHECKS = (
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_schema_conformance", "response_headers_conformance", "positive_data_acceptance",
    "negative_data_rejection", "use_after_free", "ensure_resource_availability",
    "missing_required_header", "ignored_auth", "object_level_authorization", "unsupported_method",
    "allow_header_conformance",
)

# Intake takes rules a JSON schema cannot state: a received time not in the future, an identity kind
# the regions accept, scope and corrects only on the request types they belong to, data points named
# after fields the manifest declares. Consent takes identity kinds, purposes and cookie categories the
# manifest names and the notice version in force; disclosures and holds name recipients, tables and
# categories the manifest declares, and days that exist. Recipient tasks closed together share a
# recipient or a request; an evidence file's first bytes match its name. Valid-looking input that breaks
# one answers 422 naming the field.
RULES_BEYOND_THE_SCHEMA = (
    ("POST", "/api/v1/requests"), ("POST", "/api/v1/requests/import/eml"),
    ("POST", "/api/v1/requests/import/inbound-email"), ("POST", "/api/v1/requests/import/ticket"),
    ("GET", "/api/v1/decisions"), ("POST", "/api/v1/decisions"), ("GET", "/api/v1/consent/lookup"),
    ("POST", "/api/v1/consent/receipts"), ("POST", "/api/v1/consent/receipts/batch"),
    ("POST", "/api/v1/consent/preference-links"), ("POST", "/api/v1/consent/sign-up-attestations"),
    ("POST", "/api/v1/consent/minors"), ("POST", "/consent/choices"),
    ("POST", "/privacy/preferences/{token}"), ("POST", "/api/v1/disclosures"),
    ("GET", "/api/v1/disclosures"), ("POST", "/api/v1/retention/holds"),
    ("POST", "/api/v1/recipient-tasks/close"),
    ("POST", "/api/v1/requests/{request_id}/tasks/{task_id}/evidence"),
)
# A health check whose answer is 503 by design while it has something to report (ER-4: overdue data).
ALERTING_HEALTH_CHECKS = ("/healthz/retention",)
ACCEPTED_WITH_RULES = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]

pytestmark = pytest.mark.slow


@st.composite
def _emails(draw: st.DrawFn) -> bytes:
    """Draw an RFC 5322 message as a mail client sends it: sender, subject, date and a text body."""
    local = draw(st.from_regex(r"[a-z][a-z0-9.]{0,15}", fullmatch=True))
    subject = draw(st.text(st.characters(codec="utf-8", exclude_categories=["C"]), max_size=60))
    body = draw(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400))
    message = EmailMessage()
    message["From"] = f"{local}@example.com"
    message["To"] = "privacy@langfuse.example"
    message["Subject"] = subject
    message["Date"] = "Mon, 03 Mar 2025 10:00:00 +0000"
    message.set_content(body)
    return bytes(message)


schemathesis.openapi.media_type("message/rfc822", _emails())


@pytest.fixture
def fuzz_app(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """The app on the store of the run's database (``--db``), with the example manifest and its systems."""
    db.upgrade(db_url)
    demo_url = f"sqlite:///{tmp_path / 'demo.db'}"
    build_demo(demo_url, users=8, traces=700, seed=3)  # what the example manifest's systems read
    monkeypatch.setenv("APP_DATABASE_URL", demo_url)
    settings_ = Settings(
        database_url=db_url,
        home=tmp_path / "home",
        manifest=LANGFUSE_MANIFEST,
        admin_token=ADMIN_TOKEN,
        worker_in_process=False,  # nothing is sent or run: the API is what is fuzzed
    )
    return create_app(settings_)


def _fuzz(operation: Any, mode: GenerationMode, sent: Counter[str]) -> str | None:
    """Send generated cases to one operation; return the first failure, or None."""
    label = f"{operation.label} ({mode.value})"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,  # the same cases on every run: a failure in CI reproduces locally
        database=None,
        phases=[Phase.explicit, Phase.generate],  # report the first failing case as found
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        sent[label] += 1
        case.call_and_validate()

    try:
        run()
    except Unsatisfiable:  # nothing to break: e.g. invalid input for an operation that takes none
        return None
    except (Exception, BaseExceptionGroup) as exc:  # a check failure comes with its curl line
        return f"{label}: {exc}"
    return None


def test_every_operation_passes_every_check(fuzz_app: FastAPI) -> None:
    # The admin token goes where the schema declares the bearer scheme, so a case without it is a
    # real test of the 401 (a fixed header would put it back into every case).
    config = SchemathesisConfig.from_dict({
        "auth": {"openapi": {"HTTPBearer": {"bearer": ADMIN_TOKEN}}},
        # PostgreSQL cannot store NUL in text, so the API answers 422 for it (test_api_edges proves it);
        # valid input is drawn without it, as the API's error documentation says.
        "generation": {"allow-x00": False},
        "operations": [
            # By name ("GET /path"): one operation each, not every operation of the method.
            *({"include-name": f"{method} {path}",
               "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_WITH_RULES}}}
              for method, path in RULES_BEYOND_THE_SCHEMA),
            *({"include-name": f"GET {path}",
               "checks": {"not_a_server_error": {"enabled": False},
                          "positive_data_acceptance": {"expected-statuses": ["2xx", "503"]}}}
              for path in ALERTING_HEALTH_CHECKS),
        ],
    })
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app, config=config)
    checks = schema.config.checks_config_for()
    assert all(getattr(checks, name).enabled for name in ALL_CHECKS)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    sent: Counter[str] = Counter()
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _fuzz(operation, mode, sent)) is not None
    ]
    assert not failures, "\n\n".join(failures)
    assert sum(sent.values()) >= MIN_CASES, dict(sent)
