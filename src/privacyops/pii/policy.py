"""Masking policies: which entities, which operator, which keys, per project, read from the manifest.

The manifest may carry a ``pii`` section (any mapping; unknown keys are errors naming the field)::

    pii:
      default: {operator: placeholder}
      projects:
        proj-123: {operator: pseudonym, operators: {EMAIL_ADDRESS: mask}, skip_keys: [model, role]}
        proj-456: {off: [PERSON, STREET_ADDRESS]}   # the name tier switched off for one project

``policies_from_manifest`` reads it from a loaded manifest whatever its shape (pydantic model,
mapping, or nothing), and ``PolicySet.for_project`` picks the project's policy or the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from privacyops.pii.recognizers import ENTITIES

OperatorName = Literal["redact", "placeholder", "mask", "pseudonym", "encrypt", "drop"]


class PolicyError(ValueError):
    """The manifest's ``pii`` section is not a valid masking policy."""


class MaskPolicy(BaseModel):
    """How one tenant's payloads are masked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    operator: OperatorName = Field("placeholder", description="Operator for every entity not listed below.")
    operators: dict[str, OperatorName] = Field(default_factory=dict, description="Operator per entity type.")
    entities: list[str] | None = Field(None, description="Entity types to look for; all when unset.")
    off: list[str] = Field(
        default_factory=list, description="Entity types not looked for (a switch per entity: [PERSON])."
    )
    threshold: float = Field(0.5, ge=0.0, le=1.0, description="Lowest score that counts as a finding.")
    skip_keys: list[str] | None = Field(None, description="JSON keys left alone; a built-in list when unset.")
    include_keys: list[str] = Field(default_factory=list, description="If set, only these keys are scanned.")
    secret_keys: str | None = Field(None, description="Regex of key names whose values are masked whole.")
    max_depth: int = Field(200, ge=1, description="Deepest JSON nesting scanned; deeper parts are replaced.")
    on_limit: Literal["redact", "error"] = Field("redact", description="Past a limit: replace, or refuse.")
    fail: Literal["closed", "open"] = Field(
        "closed", description="On an internal error: closed replaces the payload, open passes it through."
    )

    @field_validator("entities", "off")
    @classmethod
    def _known_entities(cls, value: list[str] | None) -> list[str] | None:
        unknown = [name for name in value or () if name not in ENTITIES]
        if unknown:
            raise ValueError(f"unknown entity type {', '.join(unknown)}; use one of {', '.join(ENTITIES)}")
        return value

    def wanted_entities(self) -> list[str] | None:
        """Return the entity types to look for (``None``: every one the engine knows)."""
        if not self.off:
            return self.entities
        return [name for name in self.entities or ENTITIES if name not in self.off]


class PolicySet(BaseModel):
    """The default policy and the per-project ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: MaskPolicy = Field(default_factory=MaskPolicy)
    projects: dict[str, MaskPolicy] = Field(default_factory=dict)

    def for_project(self, project_id: str | None) -> MaskPolicy:
        if project_id and project_id in self.projects:
            return self.projects[project_id]
        return self.default


def policies_from_manifest(manifest: Any) -> PolicySet:
    """Read the ``pii`` section of a loaded manifest; an absent section gives the defaults."""
    section = _section(manifest)
    if section is None:
        return PolicySet()
    try:
        return PolicySet.model_validate(section)
    except ValidationError as exc:
        problems = "; ".join(
            f"pii.{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise PolicyError(f"the manifest's pii section is not valid: {problems}") from exc


def load_policy_file(path: Path) -> PolicySet:
    """Read a policy set from a YAML file shaped like the manifest's ``pii`` section."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot read the masking policies: {exc}") from exc
    return policies_from_manifest({"pii": data})


def _section(manifest: Any) -> Any:
    if manifest is None:
        return None
    if isinstance(manifest, Mapping):
        return manifest.get("pii")
    value = getattr(manifest, "pii", None)
    if value is None:
        extra = getattr(manifest, "model_extra", None) or {}
        value = extra.get("pii")
    dump = getattr(value, "model_dump", None)
    return dump() if callable(dump) else value
