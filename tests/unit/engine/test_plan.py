from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from privacyops.engine.plan import PlanError, build_plan
from privacyops.manifest.schema import Manifest

MakeManifest = Callable[..., Manifest]

SHOP: dict[str, Any] = {
    "users": {"identity": {"email": "email", "user_id": "id"},
              "fields": {"id": "user.unique_id", "email": "user.contact.email",
                         "password": {"category": "user.authorization.password",
                                      "disclose": "existence_only"}}},
    "orders": {"references": {"user_id": "users.id"}, "fields": {"id": None, "user_id": "user.unique_id"}},
    "order_lines": {"primary_key": ["order_id", "line_no"], "references": {"order_id": "orders.id"},
                    "fields": {"order_id": None, "line_no": None, "note": "user.content"}},
    "groups": {"fields": {"id": None, "name": None}, "erase": "none"},
    "memberships": {"references": {"user_id": "users.id", "group_id": "groups.id"},
                    "fields": {"id": None, "user_id": "user.unique_id", "group_id": None}},
    "newsletter": {"identity": {"email": "email"}, "fields": {"id": None, "email": "user.contact.email"}},
}


def test_access_order_puts_parents_first(manifest_with: MakeManifest) -> None:
    plan = build_plan(manifest_with(SHOP), {"email": "a@example.com"}, "access")
    order = [t.table for t in plan.tables]
    assert order.index("users") < order.index("orders") < order.index("order_lines")
    assert order.index("users") < order.index("memberships")
    assert [s.table for s in plan.steps] == [t.id for t in plan.tables]
    assert "app.groups" in plan.unreached and "groups" not in order


def test_erasure_order_puts_children_first(manifest_with: MakeManifest) -> None:
    plan = build_plan(manifest_with(SHOP), {"email": "a@example.com"}, "erasure")
    order = [s.table.split(".")[1] for s in plan.steps]
    assert order.index("order_lines") < order.index("orders") < order.index("users")
    assert order.index("memberships") < order.index("users")


def test_plan_is_deterministic(manifest_with: MakeManifest) -> None:
    first = build_plan(manifest_with(SHOP), {"email": "a@example.com"}, "erasure")
    second = build_plan(manifest_with(SHOP), {"email": "b@example.com"}, "erasure")
    assert first == second
    assert first.render() == second.render()


def test_user_id_is_learned_from_the_email(manifest_with: MakeManifest) -> None:
    plan = build_plan(manifest_with(SHOP), {"email": "a@example.com"}, "access")
    assert plan.identity_kinds == ("email", "user_id")
    users = plan.table("app.users")
    assert {f.identity for f in users.finders} == {"email", "user_id"}


def test_composite_reference_finder(manifest_with: MakeManifest) -> None:
    tables = dict(SHOP)
    tables["line_notes"] = {
        "references": [{"fields": ["order_id", "line_no"],
                        "to": ["order_lines.order_id", "order_lines.line_no"]}],
        "fields": {"id": None, "order_id": None, "line_no": None, "text": "user.content"}}
    plan = build_plan(manifest_with(tables), {"email": "a@example.com"}, "erasure")
    (finder,) = plan.table("app.line_notes").finders
    assert finder.fields == ("order_id", "line_no")
    assert finder.parent == "app.order_lines" and finder.parent_fields == ("order_id", "line_no")
    order = [s.table for s in plan.steps]
    assert order.index("app.line_notes") < order.index("app.order_lines")


def test_self_reference_becomes_a_detach_step_before_the_delete(manifest_with: MakeManifest) -> None:
    tables = {"users": {"identity": {"email": "email"}, "references": {"referred_by": "users.id"},
                        "fields": {"id": None, "email": "user.contact.email", "referred_by": None}}}
    plan = build_plan(manifest_with(tables), {"email": "a@example.com"}, "erasure")
    assert [(s.operation, s.table) for s in plan.steps] == [("detach", "app.users"), ("erase", "app.users")]
    assert plan.table("app.users").finders[0].identity == "email"  # the self link finds nobody else


def test_kept_rows_cut_links_to_deleted_rows(manifest_with: MakeManifest) -> None:
    tables = dict(SHOP)
    tables["orders"] = {"references": {"user_id": "users.id"}, "erase": "keep",
                        "hold": {"name": "tax", "reason": "bookkeeping", "period": "P10Y"},
                        "fields": {"id": None, "user_id": "user.unique_id", "total": "user.financial"}}
    plan = build_plan(manifest_with(tables), {"email": "a@example.com"}, "erasure")
    orders = plan.table("app.orders")
    actions = {a.field: a.action for a in orders.field_actions}
    assert actions == {"id": "none", "user_id": "detach", "total": "keep"}
    assert orders.row_action == "keep" and orders.hold is not None
    # order_lines point at orders with a plain key; orders survive, so order_lines may be deleted
    assert plan.table("app.order_lines").row_action == "delete"


def test_structural_link_from_kept_child_keeps_the_parent(manifest_with: MakeManifest) -> None:
    tables = {
        "customers": {"identity": {"email": "email"}, "fields": {"id": None, "email": "user.contact.email"}},
        "invoices": {"references": {"customer_id": "customers.id"}, "erase": "keep",
                     "hold": {"name": "tax", "reason": "bookkeeping", "period": "P10Y"},
                     "fields": {"id": None, "customer_id": None, "amount": "user.financial"}},
    }
    plan = build_plan(manifest_with(tables), {"email": "a@example.com"}, "erasure")
    customers = plan.table("app.customers")
    assert customers.row_action == "keep"
    assert "invoices" in customers.notes[0]
    assert {a.field: a.action for a in customers.field_actions}["email"] == "null"


def test_json_identity_finder(manifest_with: MakeManifest) -> None:
    tables = {"events": {"identity": {"email": "payload->user.email"},
                         "fields": {"id": None, "payload": "user"}}}
    plan = build_plan(manifest_with(tables), {"email": "a@example.com"}, "access")
    assert plan.table("app.events").finders[0].fields == ("payload->user.email",)


def test_cross_system_reference(manifest_with: MakeManifest) -> None:
    crm = {"contacts": {"references": [{"fields": ["app_user"], "to": ["app.users.id"]}],
                        "fields": {"id": None, "app_user": "user.unique_id"}}}
    plan = build_plan(manifest_with(SHOP, crm=crm), {"email": "a@example.com"}, "erasure")
    contacts = plan.table("crm.contacts")
    assert contacts.system == "crm" and contacts.finders[0].parent == "app.users"
    order = [s.table for s in plan.steps]
    assert order.index("crm.contacts") < order.index("app.users")


def test_render_names_kinds_not_values(manifest_with: MakeManifest) -> None:
    plan = build_plan(manifest_with(SHOP), {"email": "someone@example.com"}, "erasure")
    text = plan.render()
    assert "someone@example.com" not in text
    assert "app.order_lines" in text and "delete rows" in text and "password" in text


@pytest.mark.parametrize(("identities", "request_type", "message"), [
    ({}, "access", "at least one identity"),
    ({"email": "a@example.com"}, "rectification", "not 'rectification'"),
])
def test_bad_requests_are_refused(manifest_with: MakeManifest, identities: dict[str, str],
                                  request_type: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        build_plan(manifest_with(SHOP), identities, request_type)
