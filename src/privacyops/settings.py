"""One typed settings object, read from ``PRIVACYOPS_*`` environment variables.

Nothing reads the environment at import time: the CLI and the app factory build a
``Settings`` and pass it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from privacyops import home as home_folder
from privacyops.envnames import env_var as env_var

DEFAULT_HOME = home_folder.DEFAULT_HOME
STORE_FILE = "privacyops.db"
# Kept in step with privacyops.requests.types.RequestType; checked there by a test.
REQUEST_TYPE_NAMES = (
    "access", "portability", "erasure", "rectification", "restriction", "lift_restriction", "objection",
    "withdraw_consent", "marketing_opt_out", "opt_out_sale_share", "limit_sensitive", "account_deletion",
)


class Settings(BaseSettings):
    """Runtime configuration; every field maps to ``PRIVACYOPS_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="PRIVACYOPS_", extra="ignore")

    database_url: str = Field(
        default="",
        description=f"Store database (default: SQLite {STORE_FILE} in the home folder; "
        "postgresql+psycopg://... in production).",
    )
    queue_url: str | None = Field(
        default=None,
        description="Job queue; unset: SQLite beside the store; a postgresql:// URL: Postgres; "
        "redis://: Redis.",
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
    langfuse_callback_token: str | None = Field(
        default=None,
        description=(
            "Shared token the Langfuse ingestion masking callback must carry (?token= in the callback "
            "URL, or Authorization: Bearer); unset, the callback is open: keep it on a private network."
        ),
    )
    worker_in_process: bool = Field(
        default=True, description="Run a job consumer inside the server process."
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for outgoing mail.")
    smtp_port: int = Field(default=25, description="SMTP port for outgoing mail.")
    smtp_username: str | None = Field(default=None, description="SMTP login name; unset: no login.")
    smtp_password: str | None = Field(default=None, description="SMTP password (with smtp_username).")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS.")
    mail_from: str = Field(default="privacy@localhost", description="Sender address of outgoing mail.")
    public_url: str = Field(
        default="", description="Public base URL for links in mail (default: http://HOST:PORT)."
    )
    demo_mode: bool = Field(
        default=False,
        description="Demo only, never in production: keep outgoing mail in the home folder's mailbox, "
        "shown at /dev/mail, instead of sending it.",
    )
    log_level: str = Field(default="info", description="Log level.")
    host_token_key: str | None = Field(
        default=None,
        description="Key shared with the host application to sign account-holder tokens (HS256); "
        "generated into PRIVACYOPS_HOME when unset.",
    )
    step_up_minutes: int = Field(
        default=15, ge=1, description="A token older than this cannot disclose, erase or correct."
    )
    approval_required: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("erasure", "account_deletion"),
        description="Comma list of request types a person approves before the work starts.",
    )
    default_region: str = Field(
        default="eu", description="Region assumed when a request does not say where the subject lives."
    )
    package_link_days: int = Field(
        default=7, ge=1, description="Days a signed download link of an access package stays valid."
    )
    verify_max_codes: int = Field(
        default=5, ge=1, description="Codes sent for one request over its life, the first included."
    )
    verify_max_failures: int = Field(
        default=10, ge=1, description="Wrong codes for one request, over all its codes, before it locks."
    )
    rate_limit_window_seconds: int = Field(
        default=3600, ge=1, description="Length of the window the public rate limits count in."
    )
    rate_limit_intake_per_address: int = Field(
        default=60, ge=0, description="Requests filed per client address per window (0: no limit)."
    )
    rate_limit_intake_per_identity: int = Field(
        default=10, ge=0, description="Requests filed per subject identity per window (0: no limit)."
    )
    rate_limit_verify_per_address: int = Field(
        default=60, ge=0, description="Codes entered per client address per window (0: no limit)."
    )
    rate_limit_verify_per_identity: int = Field(
        default=30, ge=0, description="Codes entered per subject per window (0: no limit)."
    )
    rate_limit_resend_per_address: int = Field(
        default=20, ge=0, description="New codes asked per client address per window (0: no limit)."
    )
    rate_limit_resend_per_identity: int = Field(
        default=10, ge=0, description="New codes asked per subject per window (0: no limit)."
    )
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1, description="Largest request body accepted (bytes); larger answers 413."
    )
    max_bulk_body_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1,
        description="Largest body for PII masking, the Langfuse callback and email imports (bytes).",
    )
    evidence_max_bytes: int = Field(
        default=1_000_000,
        ge=1,
        description="Largest evidence file (a recipient's confirmation) a reviewer may upload (bytes); "
        "keep it under PRIVACYOPS_MAX_BODY_BYTES, which caps the whole upload.",
    )
    console_idle_minutes: int = Field(
        default=30, ge=1, description="Admin console: minutes without a request before a session ends."
    )
    console_session_minutes: int = Field(
        default=480, ge=1, description="Admin console: minutes after sign-in a session ends in any case."
    )
    console_sign_in_attempts: int = Field(
        default=5, ge=1, description="Admin console: sign-in attempts per user name before sign-in pauses."
    )
    console_sign_in_attempts_per_address: int = Field(
        default=30,
        ge=0,
        description="Admin console: sign-in attempts per client address before it pauses (0: no limit).",
    )
    console_lockout_minutes: int = Field(
        default=15,
        ge=1,
        description="Admin console: the window attempts count in; a paused sign-in waits at least this.",
    )
    console_oidc_issuer: str = Field(
        default="",
        description="Admin console single sign-on: the OpenID Connect issuer URL (unset: passwords only).",
    )
    console_oidc_client_id: str = Field(default="", description="Single sign-on: this console's client id.")
    console_oidc_client_secret: str = Field(
        default="", description="Single sign-on: the client secret the provider issued."
    )
    console_oidc_name: str = Field(
        default="single sign-on", description="Single sign-on: the provider's name on the sign-in page."
    )
    console_oidc_roles: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Single sign-on: comma list of MATCH=ROLE, MATCH an email (ann@example.com), a domain "
        "(@example.com) or a group (group:privacy); the highest role matched wins, no match: no access.",
    )
    console_oidc_groups_claim: str = Field(
        default="groups", description="Single sign-on: the ID token claim that lists the person's groups."
    )
    scheduled_off: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Comma list of scheduled tasks the worker does not run on its own (e.g. "
        "retention_sweep when sweeps run from an outside scheduler with `privacyops retention run`).",
    )
    cache_dir: Path | None = Field(
        default=None,
        description="Folder for rebuildable caches (the compiled PII scan database, no personal data); "
        "unset: $XDG_CACHE_HOME/privacyops, else ~/.cache/privacyops.",
    )

    @field_validator("approval_required", mode="before")
    @classmethod
    def _type_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple | set | frozenset):
            names = tuple(str(part).strip().lower() for part in value if str(part).strip())
            unknown = [name for name in names if name not in REQUEST_TYPE_NAMES]
            if unknown:
                raise ValueError(
                    f"unknown request type(s) {', '.join(unknown)}; use a comma list of: "
                    + ", ".join(REQUEST_TYPE_NAMES)
                )
            return names
        return value

    @field_validator("console_oidc_roles", mode="before")
    @classmethod
    def _role_rules(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            for rule in value:
                match, _, role = str(rule).rpartition("=")
                if not match.strip() or role.strip() not in ("viewer", "reviewer", "admin"):
                    raise ValueError(
                        f"rule {rule!r}: write MATCH=ROLE, MATCH an email, @domain or group:NAME and "
                        "ROLE one of viewer, reviewer, admin"
                    )
            return tuple(str(rule).strip() for rule in value)
        return value

    @field_validator("scheduled_off", mode="before")
    @classmethod
    def _name_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("default_region", mode="before")
    @classmethod
    def _region_code(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _derived_defaults(self) -> Settings:
        # The store follows the home folder, and links follow the address actually served, unless set.
        if not self.database_url:
            self.database_url = f"sqlite:///{Path(self.home).expanduser() / STORE_FILE}"
        if not self.public_url:
            self.public_url = f"http://{_link_host(self.host)}:{self.port}"
        return self


def _link_host(host: str) -> str:
    """Return a host a browser can open: a wildcard bind address becomes the loopback address."""
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def load_settings(**overrides: object) -> Settings:
    """Build settings: CLI flags (``overrides``) win over the environment, which wins over the home.

    The home folder's ``settings.env`` (see :mod:`privacyops.home`) comes last, before the defaults;
    the system URLs it names are exported to the environment where not set already.
    """
    clean = {key: value for key, value in overrides.items() if value is not None}
    home = home_folder.home_of(clean)
    home_folder.export_system_urls(home_folder.read_settings_file(home))
    path = home_folder.settings_file(home)
    if path.is_file():
        return Settings(_env_file=path, **clean)  # type: ignore[arg-type]
    return Settings(**clean)  # type: ignore[arg-type]
