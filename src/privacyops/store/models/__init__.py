"""All models; importing this package registers every table on ``Base.metadata``.

A new aggregate is one new module here plus one import line below (Alembic's autogenerate reads
``Base.metadata`` after importing this package).
"""

from __future__ import annotations

from privacyops.store.models.agents import RequestAgent
from privacyops.store.models.audit import AuditEvent, AuditHead
from privacyops.store.models.consent import ConsentContact, ConsentReceipt, ConsentState
from privacyops.store.models.console import ConsoleSession, ConsoleUser
from privacyops.store.models.disclosures import Disclosure
from privacyops.store.models.discovery import DiscoveryScan
from privacyops.store.models.evidence import EvidenceFile
from privacyops.store.models.execution import (
    ExecutionRun,
    ExecutionStep,
    ProcessingRestriction,
    RecipientTask,
)
from privacyops.store.models.keys import StoreKey
from privacyops.store.models.limits import RateLimitWindow
from privacyops.store.models.notice import ChangeSubscription, NoticeNotification, NoticeVersion
from privacyops.store.models.opendsr import (
    OpendsrCallback,
    OpendsrClient,
    OpendsrRequest,
    RequestForward,
)
from privacyops.store.models.outbox import OutboxMessage
from privacyops.store.models.requests import (
    ErasureSuppression,
    RequestIdentity,
    RequestTransition,
    SubjectRequest,
    VerificationChallenge,
)
from privacyops.store.models.retention import BackupRestore, RetentionHold, RetentionRun, Tombstone
from privacyops.store.models.tokens import ApiToken

__all__ = [
    "ApiToken", "AuditEvent", "AuditHead", "ConsoleSession", "ConsoleUser", "ErasureSuppression",
    "ExecutionRun", "ExecutionStep",
    "NoticeNotification", "NoticeVersion", "OpendsrCallback", "OpendsrClient", "OpendsrRequest",
    "OutboxMessage", "ChangeSubscription", "Disclosure",
    "RequestForward", "ProcessingRestriction", "RateLimitWindow", "RecipientTask",
    "RequestIdentity", "RequestTransition", "StoreKey", "SubjectRequest", "VerificationChallenge",
]
__all__ += ["BackupRestore", "RetentionHold", "RetentionRun", "Tombstone"]
__all__ += ["ConsentContact", "ConsentReceipt", "ConsentState"]
__all__ += ["DiscoveryScan", "EvidenceFile", "RequestAgent"]
