"""Run an OpenDSR request inside the customer's project with the engine: access rows, or erase them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from privacyops.connectors.base import Connector
from privacyops.engine import plan as eplan
from privacyops.engine import run as erun
from privacyops.manifest.schema import Manifest
from privacyops.opendsr import matching, scope


class NothingToRun(ValueError):
    """The manifest declares no processor tables, so an OpenDSR request has no data to act on."""


@dataclass
class Outcome:
    """What a run did: rows per table (access), rows touched (erasure), and failures named by table."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    count: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def run(
    manifest: Manifest,
    connectors: Mapping[str, Connector],
    project_id: str,
    request_type: str,
    identities: list[matching.Wanted],
    key: bytes,
) -> Outcome:
    """Find the subject's rows in the project's processor tables; read them or erase them."""
    tables = scope.processor_tables(manifest)
    if not tables:
        raise NothingToRun()
    kinds = {item.kind: "" for item in identities} or {"user_id": ""}
    plan = scope.restrict_plan(eplan.build_plan(manifest, kinds, request_type), manifest, tables)
    scoped = scope.scoped_connectors(connectors, tables, project_id)
    values = matching.resolve(identities, plan, scoped)
    outcome = Outcome()
    for identity_set in matching.identity_sets(values):
        if plan.kind == "access":
            _access(plan, scoped, identity_set, outcome)
        else:
            _erase(plan, scoped, identity_set, key, outcome)
    return outcome


def _access(plan: eplan.Plan, connectors: Mapping[str, Connector], identities: dict[str, str],
            outcome: Outcome) -> None:
    result = erun.run_access(plan, connectors, identities)
    for table, rows in result.rows.items():
        kept = outcome.rows.setdefault(table, [])
        kept.extend(r for r in rows if r not in kept)
    outcome.count = sum(len(rows) for rows in outcome.rows.values())
    outcome.failures += [f"{s.table}: {s.reason}" for s in result.steps if s.status != "done"]


def _erase(plan: eplan.Plan, connectors: Mapping[str, Connector], identities: dict[str, str], key: bytes,
           outcome: Outcome) -> None:
    result = erun.run_erasure(plan, connectors, key, identities)
    outcome.count += sum(s.rows for s in result.steps if s.operation == "erase")
    outcome.failures += [f"{s.table}: {s.reason}" for s in result.failures()]
    outcome.failures += [
        f"{e.table}: {e.remaining} row(s) still match {e.finder}" for e in result.evidence if not e.ok
    ]
