"""Which period an access answer covers (AC-5): what was asked for, or the default of the laws that apply.

GDPR, UK GDPR, the Swiss FADP and PIPEDA give a right to everything held, so their requests cover all of
it. The CCPA (and the US state laws modelled on it) reaches back twelve months by default and to
1 January 2022 on request. A request under several laws gets the widest of their defaults. What the
subject asked for when filing (``flags["lookback"]``) comes before the default, and what an operator
names when carrying the request out (``--lookback``) comes before both.
"""

from __future__ import annotations

from collections.abc import Iterable

from privacyops.package import lookback
from privacyops.requests import errors
from privacyops.requests.regimes import Regime, RegimeCatalog
from privacyops.store.models.requests import SubjectRequest

FLAG = "lookback"
# A wider default wins when several laws apply: each law's right must be met in full.
_WIDTH = {"12_months": 0, "since": 1, "extended": 2, "all": 3}


def parse(text: str, *, field: str = "lookback", reason: str = "") -> lookback.Choice:
    """Read a lookback as a person writes it; a bad one is a rule error naming the field."""
    try:
        return lookback.parse(text, reason=reason)
    except lookback.LookbackError as exc:
        raise errors.RequestRuleError(str(exc), field=field) from None


def default_for(regimes: Iterable[Regime]) -> lookback.Choice:
    """Return the widest default lookback of the laws that apply, saying which law sets it."""
    found = list(regimes)
    if not found:
        return lookback.Choice("all", reason="No law limits the period, so the package covers all we hold.")
    chosen = max(found, key=lambda r: _WIDTH[lookback.parse(r.access_lookback).mode])
    choice = lookback.parse(chosen.access_lookback)
    names = [r.name for r in found if lookback.parse(r.access_lookback).mode == choice.mode]
    plural = len(names) > 1
    if choice.mode == "all":
        reason = (f"{_join(names)} {'give' if plural else 'gives'} you a right to all the personal data we "
                  "hold, however old, so this package covers everything.")
    else:
        reason = (f"{_join(names)} {'cover' if plural else 'covers'} the twelve months before the request "
                  "unless you ask for more; you may ask for everything collected since 1 January 2022.")
    return lookback.Choice(choice.mode, choice.since, reason)


def choose(request: SubjectRequest, catalog: RegimeCatalog, asked: str | None = None) -> lookback.Choice:
    """Return the lookback of a request: the operator's, else the one asked for at filing, else the law's."""
    if asked:
        return parse(asked, reason="This period was chosen when your request was carried out.")
    stored = (request.flags or {}).get(FLAG)
    if stored:
        return parse(str(stored), reason="You asked for this period when you made your request.")
    return default_for(catalog.regimes_for(request.regions or []))


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
