"""One typed settings object, read from ``PRIVACYOPS_*`` environment variables.

Nothing reads the environment at import time: the CLI and the app factory build a
``Settings`` and pass it down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path(".privacyops")


class Settings(BaseSettings):
    """Runtime configuration; every field maps to ``PRIVACYOPS_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="PRIVACYOPS_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_HOME}/privacyops.db",
        description="Store database (SQLite by default; postgresql+psycopg://... in production).",
    )
    queue_url: str | None = Field(
        default=None,
        description="Job queue; unset: SQLite beside the store; a postgresql:// URL: Postgres.",
    )
    manifest: Path = Field(
        default=Path("privacy.yml"), description="Path to the privacy manifest (YAML)."
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP service binds to.")
    port: int = Field(default=8000, description="Port the HTTP service binds to.")
    home: Path = Field(default=DEFAULT_HOME, description="Folder for local state (SQLite files, exports).")
    secret_key: str | None = Field(
        default=None,
        description="Key for signing links and tokens; generated into PRIVACYOPS_HOME when unset.",
    )
    admin_token: str | None = Field(
        default=None,
        description="Bootstrap admin API token; generated into PRIVACYOPS_HOME when unset.",
    )
    worker_in_process: bool = Field(
        default=True, description="Run a job consumer inside the server process."
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for outgoing mail.")
    smtp_port: int = Field(default=25, description="SMTP port for outgoing mail.")
    mail_from: str = Field(default="privacy@localhost", description="Sender address of outgoing mail.")
    public_url: str = Field(default="http://127.0.0.1:8000", description="Public base URL for links in mail.")
    log_level: str = Field(default="info", description="Log level.")


def env_var(field: str) -> str:
    """Name of the environment variable behind a settings field."""
    return f"PRIVACYOPS_{field.upper()}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (CLI flags) winning."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**clean)  # type: ignore[arg-type]
