"""The plan as text, for `privacyops request plan ID`: what is found, read or erased, in which order."""

from __future__ import annotations

from privacyops.engine.plan import Plan, Step, TablePlan


def plan_text(plan: Plan) -> str:
    """Return the whole plan as readable text; identity kinds are named, their values never shown."""
    kinds = ", ".join(plan.identity_kinds)
    lines = [f"{plan.kind} plan ({plan.request_type}) for a subject known by: {kinds}",
             "", "Find the subject's rows (in this order):"]
    for number, table in enumerate(plan.tables, 1):
        lines += _table_lines(number, table)
    if plan.kind == "erasure":
        lines += ["", "Erase (children before parents, one transaction per step):"]
        lines += [_step_line(step, plan.table(step.table)) for step in plan.steps]
    if plan.unreached:
        lines += ["", "Not linked to the subject (left alone): " + ", ".join(plan.unreached)]
    lines += list(plan.notes)
    return "\n".join(lines) + "\n"


def _table_lines(number: int, table: TablePlan) -> list[str]:
    lines = [f"  {number}. {table.id}"]
    lines += [f"       where {finder.describe()}" for finder in table.finders]
    if table.existence_only:
        lines.append(f"       stated, not disclosed: {', '.join(table.existence_only)}")
    if table.identifying and any(f.identity for f in table.finders):
        # Values of these fields in rows an identity finds are the subject's own: redacted from free text.
        named = ", ".join(f"{name} ({kind})" for name, kind in table.identifying.items())
        lines.append(f"       the subject's own identifying values: {named}")
    lines += [f"       note: {note}" for note in table.notes]
    return lines


def _step_line(step: Step, table: TablePlan) -> str:
    head = f"  {step.number}. {table.id}: "
    if step.operation == "detach" and step.edge is not None:
        columns = ", ".join(step.edge.child_fields)
        return head + f"set {columns} to NULL in other rows that point at the subject's rows"
    if table.row_action == "delete":
        return head + "delete rows"
    parts = [f"{a.field} {a.action}" + (f" ({a.reason})" if a.reason else "")
             for a in table.field_actions if a.action != "none"]
    hold = f" under hold {table.hold.name}" if table.hold else ""
    return head + f"keep rows{hold}; " + ("; ".join(parts) if parts else "no field changes")
