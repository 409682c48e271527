"""Manifests for the notice and report tests: the seed example, edited copies and a bare minimum."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

import yaml

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest import load, schema

Edit = Callable[[dict[str, Any]], None]

# Only what the schema requires: no subprocessors, cookies, social logins, retention rules or systems.
BARE = """\
controller:
  legal_name: Bare Example Ltd
  address: {street: 1 Quay Street, postal_code: D02, city: Dublin, country: Ireland}
  email: privacy@bare.example
notice:
  version: "7"
  last_updated: 2026-02-28
contacts:
  privacy_email: privacy@bare.example
regions:
  eea:
    name: European Economic Area
    law: GDPR
    basis_regime: gdpr
    rights: [access, erasure]
    deadline: {months: 1}
data_categories:
  user.contact.email: {name: Email addresses, ccpa: A}
purposes:
  account:
    name: Run user accounts
    categories: [user.contact.email]
    data_use: essential.service
    basis: {gdpr: contract}
minors: {minimum_age: 16}
"""


@functools.cache
def _seed_data() -> dict[str, Any]:
    return yaml.safe_load(LANGFUSE_MANIFEST.read_text(encoding="utf-8"))


def seed() -> schema.Manifest:
    """Return the Langfuse example manifest."""
    return load.load_manifest(LANGFUSE_MANIFEST)


def edited(*edits: Edit, base: str | None = None) -> schema.Manifest:
    """Return the seed (or the given YAML) after applying edits to its data, validated by the loader."""
    data = copy.deepcopy(_seed_data()) if base is None else yaml.safe_load(base)
    for edit in edits:
        edit(data)
    return load.load_text(yaml.safe_dump(data, sort_keys=False), "edited.yml")


def bare() -> schema.Manifest:
    """Return the minimal manifest."""
    return load.load_text(BARE, "bare.yml")


def add_category(key: str, name: str, letter: str, purpose: str) -> Edit:
    """Declare a category under a CCPA letter and let an existing purpose use it."""
    def edit(data: dict[str, Any]) -> None:
        data["data_categories"][key] = {"name": name, "ccpa": letter}
        data["purposes"][purpose]["categories"].append(key)
    return edit


def drop_category(key: str) -> Edit:
    """Remove a category everywhere it is declared or used."""
    def edit(data: dict[str, Any]) -> None:
        data["data_categories"].pop(key)
        for purpose in data["purposes"].values():
            purpose["categories"] = [c for c in purpose["categories"] if c != key]
        for sub in data.get("subprocessors", []):
            sub["categories"] = [c for c in sub.get("categories", []) if c != key]
        for login in data.get("social_logins", []):
            login["categories"] = [c for c in login["categories"] if c != key]
        for system in data.get("systems", {}).values():
            for table in system.get("tables", {}).values():
                for name, spec in list(table.get("fields", {}).items()):
                    used = [spec] if isinstance(spec, str) else []
                    if isinstance(spec, dict):
                        used = [spec.get("category")] + list(spec.get("categories") or [])
                    if key in used:
                        table["fields"][name] = None
        for rule in data.get("retention", {}).get("rules", []):
            rule["data"] = [d for d in rule["data"] if d != key]
    return edit
