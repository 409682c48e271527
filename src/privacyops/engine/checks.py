"""Checks before a step runs: the connector must reach every declared field it reads or erases (ER-6)."""

from __future__ import annotations

from collections.abc import Mapping

from privacyops.connectors import base
from privacyops.connectors.base import Connector, ConnectorError, split_locator
from privacyops.engine.collect import connector_for
from privacyops.engine.plan import Step, TablePlan

UPDATING_ACTIONS = frozenset({"null", "detach", "pseudonymise", "redact"})
NULLING_ACTIONS = frozenset({"null", "detach"})


class StepRefused(Exception):
    """The connector cannot do what this step needs; the reason names the table and field."""


def check_read(table: TablePlan, connectors: Mapping[str, Connector]) -> Connector:
    """Return the connector if it can read every declared field of the table, else raise StepRefused."""
    try:
        connector = connector_for(table, connectors)
    except ConnectorError as exc:
        raise StepRefused(str(exc)) from None
    capabilities = connector.capabilities()
    if base.READ not in capabilities:
        raise StepRefused(f"the {table.system} connector cannot read {table.table}")
    in_json = any(split_locator(f)[1] for finder in table.finders for f in finder.fields)
    if in_json and base.JSON_PATHS not in capabilities:
        raise StepRefused(f"the {table.system} connector cannot look inside JSON, which {table.table} needs")
    shape = connector.inspect(table.table)
    if shape is None:
        raise StepRefused(f"table {table.table} is declared but does not exist in {table.system}")
    missing = [f for f in table.fetch_fields() if f not in shape.columns]
    if missing:
        raise StepRefused(f"{table.table}.{missing[0]} is declared but is not a column in {table.system}")
    return connector


def check_erase(table: TablePlan, step: Step, connectors: Mapping[str, Connector]) -> Connector:
    """Return the connector if it can carry out this erasure step, else raise StepRefused."""
    connector = check_read(table, connectors)
    capabilities = connector.capabilities()
    shape = connector.inspect(table.table)
    assert shape is not None  # check_read saw it
    if step.operation == "detach":
        needed, nulled = base.UPDATE, list(step.edge.child_fields if step.edge else ())
    elif table.row_action == "delete":
        needed, nulled = base.DELETE, []
    else:
        changing = [a for a in table.field_actions if a.action in UPDATING_ACTIONS]
        needed = base.UPDATE if changing else base.READ
        nulled = [a.field for a in changing if a.action in NULLING_ACTIONS]
    if needed not in capabilities:
        raise StepRefused(f"the {table.system} connector cannot {needed} rows of {table.table}, "
                          f"which the manifest's erasure strategy needs")
    for column in nulled:
        if not shape.columns[column].nullable:
            raise StepRefused(f"{table.table}.{column} cannot be erased: the column is NOT NULL, so it "
                              "cannot be set to NULL; declare another strategy (e.g. erase: pseudonymise)")
    return connector


def missing_indexes(table: TablePlan, connectors: Mapping[str, Connector]) -> list[str]:
    """Name every finder of the table that the data store cannot answer from an index."""
    try:
        shape = connector_for(table, connectors).inspect(table.table)
    except ConnectorError:
        return []
    if shape is None:
        return []
    notes = []
    for finder in table.finders:
        columns = [split_locator(f) for f in finder.fields]
        if any(path for _, path in columns):
            notes.append(f"{table.id}: {', '.join(finder.fields)} is looked up inside JSON text; "
                         "an expression index would avoid scanning the table")
        elif not shape.is_indexed([c for c, _ in columns]):
            columns_text = ", ".join(finder.fields)
            notes.append(f"{table.id}: no index on ({columns_text}); finding rows scans the table")
    return notes
