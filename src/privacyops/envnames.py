"""Names of the ``PRIVACYOPS_*`` environment variables, importable without loading the settings model.

The CLI names these variables in every option's help; importing pydantic for that alone would slow
``privacyops --help``.
"""

from __future__ import annotations

PREFIX = "PRIVACYOPS_"


def env_var(field: str) -> str:
    """Name of the environment variable behind a settings field."""
    return f"{PREFIX}{field.upper()}"
