"""The message a reviewer sends a recipient (Art. 19 GDPR): what to do, for whom, for which data."""

from __future__ import annotations

from privacyops.manifest.schema import Manifest
from privacyops.store.models.execution import RecipientTask

VERBS = {"erase": "erase", "rectify": "correct", "restrict": "restrict the processing of"}


def compose(
    task: RecipientTask, manifest: Manifest | None, identities: list[tuple[str, str | None]], controller: str
) -> str:
    """Return the text to send; the identities are the subject's as the request holds them."""
    entity = _legal_entity(task, manifest)
    verb = VERBS.get(task.action, task.action)
    who = "\n".join(f"  {kind}: {value}" for kind, value in identities if value) or "  (see the request)"
    categories = "\n".join(f"  - {category}" for category in task.categories)
    return (
        f"To: {entity} ({task.recipient})\n"
        f"Subject: Data subject request {task.request_id}: please {verb} personal data\n\n"
        f"{controller} received a data subject request and, as our processor or recipient for "
        f"{task.service.replace('_', ' ')}, we ask you to {verb} the personal data you hold about this "
        f"person (Art. 19 GDPR and our data processing agreement):\n{who}\n\n"
        f"Categories concerned:\n{categories}\n\n"
        f"Please confirm when done, or tell us why it cannot be done, quoting the reference "
        f"{task.request_id}.\n"
    )


def _legal_entity(task: RecipientTask, manifest: Manifest | None) -> str:
    if manifest is None:
        return task.recipient
    for processor in manifest.subprocessors:
        if processor.name == task.recipient and processor.service == task.service:
            return processor.legal_entity or processor.name
    return task.recipient
