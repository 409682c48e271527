"""The YAML declaration of an HTTP/SaaS connector: endpoints, auth, pagination and retries, validated."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import ConfigDict, Field, field_validator, model_validator

from privacyops.manifest import source

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
CREDENTIALS_IN_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@]*@", re.IGNORECASE)
CHANGES = "changes"
SECRET_KEYS = ("token", "password", "value", "secret", "api_key", "key")
_ENV_KEY = {"token": "token_env", "password": "password_env", "secret": "token_env"}
UNION_TAGS = ("bearer", "basic", "api_key", "cursor", "page", "link")


class HttpSpecError(ValueError):
    """The HTTP connector declaration is invalid; the message names the file, line and key."""


class _Model(pydantic.BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _env_name(value: str) -> str:
    if not ENV_NAME.match(value):
        raise ValueError(f"{value!r} is not an environment variable name; write e.g. CRM_API_TOKEN")
    return value


def _refuse_inline_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        for key in SECRET_KEYS:
            if key in value:
                raise ValueError(f"`{key}` would put a secret in the file; put it in an environment "
                                 f"variable and name the variable in `{_ENV_KEY.get(key, 'value_env')}`")
    return value


class _AuthModel(_Model):
    @model_validator(mode="before")
    @classmethod
    def _inline(cls, value: Any) -> Any:
        return _refuse_inline_secrets(value)


class BearerAuth(_AuthModel):
    """`Authorization: Bearer <token>`, the token read from the named environment variable."""

    type: Literal["bearer"]
    token_env: str

    @field_validator("token_env")
    @classmethod
    def _name(cls, value: str) -> str:
        return _env_name(value)


class BasicAuth(_AuthModel):
    """HTTP basic auth; the user name may be written out, the password only named by its variable."""

    type: Literal["basic"]
    username: str | None = None
    username_env: str | None = None
    password_env: str

    @field_validator("username_env", "password_env")
    @classmethod
    def _names(cls, value: str | None) -> str | None:
        return None if value is None else _env_name(value)

    @model_validator(mode="after")
    def _one_username(self) -> BasicAuth:
        if (self.username is None) == (self.username_env is None):
            raise ValueError("give exactly one of username or username_env")
        return self


class ApiKeyAuth(_AuthModel):
    """An API key sent in a header, read from the named environment variable."""

    type: Literal["api_key"]
    header: str = "X-API-Key"
    value_env: str

    @field_validator("value_env")
    @classmethod
    def _name(cls, value: str) -> str:
        return _env_name(value)


Auth = Annotated[BearerAuth | BasicAuth | ApiKeyAuth, Field(discriminator="type")]


class CursorPages(_Model):
    """Send the cursor found at `next` (a dot path in the response) as query parameter `param`."""

    type: Literal["cursor"]
    param: str
    next: str


class NumberedPages(_Model):
    """Count pages in query parameter `param` from `start`; stop at a short or empty page."""

    type: Literal["page"]
    param: str = "page"
    start: int = 1
    size_param: str | None = None
    size: int | None = Field(default=None, gt=0)


class LinkPages(_Model):
    """Follow the `Link: <...>; rel="next"` response header (RFC 8288)."""

    type: Literal["link"]


Pagination = Annotated[CursorPages | NumberedPages | LinkPages, Field(discriminator="type")]


class Endpoint(_Model):
    """One HTTP call: method, path and query templates and, for writes, a JSON body template."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    query: dict[str, str] = Field(default_factory=dict)
    body: Any = None
    gone_statuses: tuple[int, ...] = (404, 410)

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        if "://" in value:
            raise ValueError("write the path only (e.g. /v3/contacts/{id}); the host belongs in base_url")
        return value if value.startswith("/") else "/" + value

    def placeholders(self) -> set[str]:
        """Return every `{name}` the path, query and body templates use."""
        names = set(PLACEHOLDER.findall(self.path))
        for template in self.query.values():
            names |= set(PLACEHOLDER.findall(template))
        return names | _body_placeholders(self.body)


class Lookup(Endpoint):
    """A read endpoint answering for the fields in `by`; `records` is the dot path to the list of records."""

    method: Literal["GET", "POST"] = "GET"
    by: tuple[str, ...]
    records: str = ""
    pagination: Pagination | None = None
    max_pages: int = Field(default=1000, gt=0)

    @field_validator("by", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Resource(_Model):
    """A kind of record the service holds (a "table"): its fields and the endpoints that reach it."""

    key: tuple[str, ...] = ("id",)
    fields: dict[str, str] = Field(default_factory=dict)
    access: tuple[Lookup, ...] = ()
    erase: Endpoint | None = None
    correct: Endpoint | None = None

    @field_validator("key", mode="before")
    @classmethod
    def _key_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("fields", mode="before")
    @classmethod
    def _field_list(cls, value: Any) -> Any:
        # `fields: [id, email]` is short for fields found at the same name in each record.
        if isinstance(value, list):
            return {name: name for name in value}
        if isinstance(value, dict):
            return {name: (name if path is None else path) for name, path in value.items()}
        return value

    @model_validator(mode="after")
    def _known_names(self) -> Resource:
        known = set(self.fields) | set(self.key)
        for index, lookup in enumerate(self.access):
            _check_names(f"access[{index}]", lookup.placeholders(), set(lookup.by))
            _check_names(f"access[{index}].by", set(lookup.by), known)
        if self.erase is not None:
            _check_names("erase", self.erase.placeholders(), known)
        if self.correct is not None:
            _check_names("correct", self.correct.placeholders(), known | {CHANGES})
            if self.correct.method not in ("PATCH", "PUT", "POST"):
                raise ValueError("correct: method must be PATCH, PUT or POST")
        return self

    def path_of(self, name: str) -> str:
        """Return the dot path inside a record where field `name` is found."""
        return self.fields.get(name, name)


class Retries(_Model):
    """Retry on 429 and 5xx (and on lost connections), waiting `backoff` * 2^n seconds or `Retry-After`."""

    attempts: int = Field(default=4, ge=1, le=20)
    backoff: float = Field(default=0.5, ge=0)
    max_wait: float = Field(default=60.0, ge=0)


class HttpSpec(_Model):
    """The whole declaration: where the service is, how to authenticate, and its resources."""

    base_url: str | None = None
    auth: Auth | None = None
    timeout: float = Field(default=30.0, gt=0)
    retries: Retries = Field(default_factory=Retries)
    idempotency_header: str | None = "Idempotency-Key"
    headers: dict[str, str] = Field(default_factory=dict)
    tables: dict[str, Resource]

    @field_validator("base_url")
    @classmethod
    def _no_credentials(cls, value: str | None) -> str | None:
        if value is not None and CREDENTIALS_IN_URL.match(value):
            raise ValueError("the URL holds credentials; declare them under auth instead")
        return value

    @field_validator("headers")
    @classmethod
    def _no_auth_header(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.lower() in ("authorization", "cookie", "x-api-key"):
                raise ValueError(f"header {name} would put a secret in the file; declare it under auth")
        return value


def _body_placeholders(body: Any) -> set[str]:
    if isinstance(body, str):
        return set(PLACEHOLDER.findall(body))
    if isinstance(body, dict):
        return {n for v in body.values() for n in _body_placeholders(v)} | {
            n for k in body for n in _body_placeholders(k)}
    if isinstance(body, list):
        return {n for v in body for n in _body_placeholders(v)}
    return set()


def _check_names(where: str, used: set[str], known: set[str]) -> None:
    unknown = sorted(used - known)
    if unknown:
        raise ValueError(f"{where} uses {', '.join('{' + u + '}' for u in unknown)}, which is not one of "
                         f"{', '.join(sorted(known)) or 'nothing'}; declare it under fields (or key / by)")


def parse_spec(text: str, file: str = "<http connector>") -> HttpSpec:
    """Read a declaration from YAML text; raise HttpSpecError naming file, line and key on any problem."""
    try:
        data, where = source.parse(text, file)
    except source.YamlProblem as exc:
        raise HttpSpecError(str(exc.finding)) from None
    try:
        return HttpSpec.model_validate(data)
    except pydantic.ValidationError as exc:
        raise HttpSpecError(_describe(exc, where)) from None


def load_spec(path: str | Path) -> HttpSpec:
    """Read a declaration from a YAML file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise HttpSpecError(f"{file}: cannot read the HTTP connector declaration ({exc.strerror})") from None
    return parse_spec(text, str(file))


def _describe(exc: pydantic.ValidationError, where: source.SourceMap) -> str:
    lines = []
    for error in exc.errors():
        path = _without_union_tags(tuple(error["loc"]))
        _, line, column = where.locate(path)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{where.file}:{line}:{column}: {source.dotted(path) or '(top)'}: {message}")
    return "\n".join(lines)


def _without_union_tags(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # pydantic puts the chosen member of a tagged union (`auth.bearer...`) into the location; drop it.
    kept: list[str | int] = []
    for index, part in enumerate(loc):
        if index and loc[index - 1] in ("auth", "pagination") and part in UNION_TAGS:
            continue
        kept.append(part)
    return tuple(kept)
