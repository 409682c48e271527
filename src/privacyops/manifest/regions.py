"""Where the declared regions are, as ISO country codes, for judging transfers."""

from __future__ import annotations

from privacyops.manifest.schema import Manifest, Region

EEA_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})


def is_us(region: Region) -> bool:
    """Return whether a region is the United States or one of its states."""
    return any(c.upper() == "US" or c.upper().startswith("US-") for c in region.countries)


def countries_of(key: str, region: Region) -> set[str]:
    """Return the ISO country codes a region covers (US-CA counts as US); the EEA when it lists none."""
    found = {c.upper().split("-")[0] for c in region.countries}
    if not found and (key.lower() == "eea" or "european economic area" in region.name.lower()):
        found = set(EEA_COUNTRIES)
    return found


def covered_countries(manifest: Manifest) -> set[str]:
    """Return every country some declared region covers."""
    return {c for key, region in manifest.regions.items() for c in countries_of(key, region)}


def home_countries(manifest: Manifest) -> tuple[str, set[str]]:
    """Return the controller's home area in words and its countries (the EEA for an EEA controller).

    Empty when the controller states no country (neither `country` nor a two-letter address country).
    """
    country = (manifest.controller.country or "").upper()
    address = manifest.controller.address
    if not country and address is not None and len(address.country) == 2:
        country = address.country.upper()
    if not country:
        return "", set()
    if country in EEA_COUNTRIES:
        return "the EEA", set(EEA_COUNTRIES)
    return country, {country}
