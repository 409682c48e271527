"""How data is kept and protected, minors, browser signals, automated decisions and free-text sections."""

from __future__ import annotations

from typing import Literal

from pydantic import Field as PydanticField
from pydantic import field_validator, model_validator

from privacyops.manifest.types import (
    OPEN_ENDED_TRIGGERS,
    IdentityKind,
    Model,
    RetentionAction,
    RetentionTrigger,
    check_iso_duration,
)

SweepAction = Literal["delete", "null", "pseudonymise"]


class Sweep(Model):
    """How a retention rule is enforced on a table of a connected SQL system (docs/retention.md).

    The period runs from the timestamp column `since`; `where` adds an SQL condition of the table's own.
    With `subject`, every row of the people whose `since` has expired is erased everywhere the manifest
    declares, with the tables' erasure strategies; without it, `action` applies to the table's rows.
    """

    system: str
    table: str
    since: str
    where: str | None = None
    subject: IdentityKind | None = None
    action: SweepAction = "delete"
    fields: tuple[str, ...] = ()
    batch_size: int = PydanticField(default=500, ge=1, le=10_000)

    @model_validator(mode="after")
    def _fields_for_action(self) -> Sweep:
        if self.subject is not None and (self.fields or self.action != "delete"):
            raise ValueError("a sweep by subject erases with the tables' own strategies; "
                             "remove action and fields, or remove subject")
        if self.action != "delete" and not self.fields:
            raise ValueError(f"action {self.action} needs fields: the columns to change")
        if self.action == "delete" and self.fields:
            raise ValueError("action delete removes whole rows; remove fields or choose null/pseudonymise")
        return self


class RetentionRule(Model):
    """How long some data is kept after a trigger, and what happens then.

    `account_active`, `as_needed` (with a `reason`) and `indefinite` state no period.
    """

    name: str
    data: tuple[str, ...]
    trigger: RetentionTrigger
    period: str | None = None
    action: RetentionAction = "erase"
    subjects: tuple[str, ...] = ()
    reason: str | None = None
    description: str | None = None
    sweep: Sweep | None = None

    @field_validator("period")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        return None if value is None else check_iso_duration(value)

    @model_validator(mode="after")
    def _period_matches_trigger(self) -> RetentionRule:
        if self.trigger in OPEN_ENDED_TRIGGERS and self.period is not None:
            raise ValueError(f"trigger {self.trigger} keeps data without a fixed period; remove period")
        if self.trigger not in OPEN_ENDED_TRIGGERS and self.period is None:
            raise ValueError(f"trigger {self.trigger} needs a period, e.g. period: P1M")
        if self.trigger == "as_needed" and not self.reason:
            raise ValueError("trigger as_needed needs reason: what the data is needed for")
        if self.sweep is not None and self.period is None:
            raise ValueError("a sweep needs a period: remove sweep or give the rule a trigger with a period")
        return self


class BackupPolicy(Model):
    """What happens to data in backups that cannot be erased at once."""

    isolated_until_deletion: bool = True
    overwritten_after_days: int | None = None
    erasures_reapplied_on_restore: bool | None = None


class Retention(Model):
    """Retention rules and the backup policy."""

    rules: tuple[RetentionRule, ...] = ()
    backups: BackupPolicy = BackupPolicy()


class Minors(Model):
    """The minimum age and what the notice says about minors; statements left out are not made."""

    minimum_age: int
    minimum_age_by_country: dict[str, int] = PydanticField(default_factory=dict)
    knowingly_collects: bool | None = None
    markets_to_minors: bool | None = None
    guardian_consent_allowed: bool = False
    contact_email: str | None = None


class SignalPolicy(Model):
    """Whether a browser privacy signal is honoured."""

    honoured: bool
    note: str | None = None


class Signals(Model):
    """Do-Not-Track and Global Privacy Control; the notice states only the signals declared here."""

    dnt: SignalPolicy = SignalPolicy(honoured=False)
    gpc: SignalPolicy = SignalPolicy(honoured=False)


class AutomatedDecision(Model):
    """An automated decision; one with legal or similarly significant effect needs a human-review route."""

    name: str
    description: str
    legal_effect: bool = False
    human_review: str | None = None

    @model_validator(mode="after")
    def _review_route(self) -> AutomatedDecision:
        if self.legal_effect and not self.human_review:
            raise ValueError("a decision with legal effect needs human_review: how a person can ask a human")
        return self


class FreeText(Model):
    """A section of the notice in the company's own words, for what no other key models."""

    title: str
    text: str
    before: Literal["updates", "contact"] = "contact"
