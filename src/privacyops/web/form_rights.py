"""Which request types the privacy-center form offers: the rights the manifest declares per region.

A region of the form (a regime code such as ``eu`` or ``us-ca``) is offered when a manifest region
falls under the same regime; a request type is offered there when that region lists a right the type
exercises. Without a loaded manifest the form offers every type, as the API accepts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from privacyops.manifest.schema import Manifest
from privacyops.requests import errors
from privacyops.requests import types as rtypes
from privacyops.requests.context import ServiceContext

_T = rtypes.RequestType
# The manifest rights (GDPR words and CCPA words) each request type exercises.
RIGHTS_OF_TYPE: dict[rtypes.RequestType, frozenset[str]] = {
    _T.ACCESS: frozenset({"access", "know"}),
    _T.PORTABILITY: frozenset({"portability", "know"}),
    _T.ERASURE: frozenset({"erasure", "delete"}),
    _T.ACCOUNT_DELETION: frozenset({"erasure", "delete"}),
    _T.RECTIFICATION: frozenset({"rectification", "correct"}),
    _T.RESTRICTION: frozenset({"restriction"}),
    _T.LIFT_RESTRICTION: frozenset({"restriction"}),
    _T.OBJECTION: frozenset({"objection"}),
    _T.WITHDRAW_CONSENT: frozenset({"withdraw_consent"}),
    _T.MARKETING_OPT_OUT: frozenset({"objection", "withdraw_consent", "opt_out_sale_share"}),
    _T.OPT_OUT_SALE_SHARE: frozenset({"opt_out_sale_share"}),
    _T.LIMIT_SENSITIVE: frozenset({"limit_sensitive"}),
}


def declared_rights(ctx: ServiceContext, manifest: Manifest, region: str) -> set[str] | None:
    """Return the rights the manifest declares for a form region, or None when it declares none there."""
    try:
        wanted = set(ctx.catalog.regimes_for([region]))
    except errors.RequestRuleError:
        return None
    rights: set[str] | None = None
    for code, declared in manifest.regions.items():
        try:
            regime = ctx.catalog.regimes_for([code])[0]
        except errors.RequestRuleError:
            continue
        if regime in wanted:
            rights = (rights or set()) | set(declared.rights)
    return rights


def offered_types(
    ctx: ServiceContext, manifest: Manifest | None, region: str | None
) -> list[rtypes.RequestType]:
    """Return the request types to offer for ``region`` (for any declared region when it is None)."""
    if manifest is None:
        return list(rtypes.RequestType)
    if region:
        rights = declared_rights(ctx, manifest, region) or set()
    else:
        rights = {r for declared in manifest.regions.values() for r in declared.rights}
    return [kind for kind, exercised in RIGHTS_OF_TYPE.items() if exercised & rights]


def offered_regions(
    ctx: ServiceContext, manifest: Manifest | None, choices: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Return the form's region choices the manifest declares rights for."""
    if manifest is None:
        return list(choices)
    return [(code, name) for code, name in choices if declared_rights(ctx, manifest, code)]


def check_offered(ctx: ServiceContext, manifest: Manifest | None, kind: str, region: str) -> None:
    """Refuse a request type the manifest does not declare as a right where the person lives (field: type)."""
    offered = offered_types(ctx, manifest, region)
    if manifest is None or any(kind == t.value for t in offered):
        return
    names = ", ".join(rtypes.info(t).summary for t in offered) or "none"
    raise errors.RequestRuleError(
        f"this request is not one of the rights we offer where you live; there you can ask to: {names}",
        field="type",
    )
