"""Consent lookup: a subject's decision for every consent purpose and their receipts, newest first."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from privacyops.api import deps
from privacyops.consent import decide, ledger, service
from privacyops.consent import purposes as cpurposes
from privacyops.consent.errors import ConsentRuleError
from privacyops.console import framework

router = framework.page_router()
framework.add_nav("Consent", "console_consent", order=40)


@router.get("/consent", response_class=HTMLResponse)
def console_consent(
    request: Request,
    staff: framework.Viewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    manifest: deps.ManifestDep,
    subject: str = "",
) -> HTMLResponse:
    """Look a subject up by one identity (kind:value) and show their consent state and receipts."""
    context: dict[str, object] = {
        "title": "Consent",
        "subject": subject,
        "decisions": [],
        "receipts": [],
        "problem": None,
    }
    if subject.strip():
        try:
            who = service.subject_of(services, [subject.strip()])
        except ConsentRuleError as exc:
            context["problem"] = f"{exc.field}: {exc.message}"
            return framework.render(request, staff, "consent.html", context, status_code=422)
        names = [p.name for p in cpurposes.catalog(manifest).consent_purposes()]
        context["decisions"] = decide.can_process_many(session, who, names, manifest=manifest)
        context["receipts"] = ledger.history(session, who)
    return framework.render(request, staff, "consent.html", context)
