"""Log hygiene: download tokens, secret links and email addresses never reach a log line.

A package download link (``/api/v1/packages/<token>``) is a bearer credential to a person's data, and a
request's id is the key to its public page; uvicorn's access log would print both with every call.
``SecretLogFilter`` rewrites each record before any handler formats it: the secret path segments,
the values of query parameters named like credentials (``?token=``, ``?code=``, ``?key=``...), long
random path segments and email addresses become placeholders, and the client's address is cut to its
network, while the line itself (method, path, status) stays. ``logging_config`` is the dictConfig
``privacyops serve`` and ``privacyops worker`` use; ``install`` adds the filter to a logging set up
by someone else (an app served in process).
"""

from __future__ import annotations

import copy
import ipaddress
import logging
import re
from typing import Any

import uvicorn.config

TOKEN = "[token]"
REQUEST_ID = "[id]"
REDACTED = "[redacted]"
EMAIL = "[email]"
SECRET = "[secret]"
CLIENT = "[client]"
# Query parameters whose value is a credential or a person's identity (``?subject=``), by name fragment.
_CREDENTIAL_NAMES = r"token|code|secret|key|sig|signature|password|passwd|auth|otp|email|session|subject"
_SEGMENT = r"[^/?#\s\"']+"
_CHAR = r"[\w~%.-]"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(/api/v1/packages/){_SEGMENT}"), rf"\g<1>{TOKEN}"),
    (re.compile(r"(/(?:api/v1|privacy)/requests/)[0-9a-fA-F]{32}(?![0-9a-fA-F])"), rf"\g<1>{REQUEST_ID}"),
    # A request id anywhere else (a query value such as ?entity_id=, a message): 32 hex digits alone.
    (re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32}(?![0-9A-Za-z])"), REQUEST_ID),
    (
        re.compile(rf"([?&;][\w.~-]*(?:{_CREDENTIAL_NAMES})[\w.~-]*=)[^&#\s\"']*", re.IGNORECASE),
        rf"\g<1>{REDACTED}",
    ),
    (re.compile(r"[^\s/?&=#\"'<>()\[\]:;,]+(?:@|%40)[^\s/?&=#\"'<>()\[\]:;,@]+\.[A-Za-z]{2,}"), EMAIL),
    # A long random segment (a link token of a route not listed above): letters and digits, 32 or more;
    # a UUID is a record's name (an OpenDSR request), not a credential.
    (re.compile(rf"(?<=/)(?!{_UUID}(?!{_CHAR}))(?={_CHAR}*\d)(?={_CHAR}*[A-Za-z]){_CHAR}{{32,}}"), SECRET),
)
_QUIET_LOGGERS = {"httpx": "WARNING", "httpcore": "WARNING", "alembic": "WARNING"}


def scrub(text: str) -> str:
    """Return ``text`` with secret path segments, credential query values and email addresses replaced."""
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return text


def _scrub_value(value: Any) -> Any:
    return scrub(value) if isinstance(value, str) else value


def truncate_client(address: str) -> str:
    """Return a client address ("host:port") cut to its network: IPv4 to /24, IPv6 to /48, no port.

    A full address is personal data; the network still tells an operator where a flood comes from.
    Anything that is not an IP address (a socket path, a name) becomes a placeholder.
    """
    if address.startswith("["):  # "[v6]:port"
        host = address[1:].split("]", 1)[0]
    elif address.count(":") == 1:  # "v4:port"
        host = address.split(":", 1)[0]
    else:  # a bare address
        host = address
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return CLIENT
    if ip.is_loopback:  # the machine itself (a health check, a local proxy): no one's address
        return str(ip)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


class SecretLogFilter(logging.Filter):
    """Scrub the message, its arguments and the exception text of every record; never drops one.

    The arguments are scrubbed one by one rather than merged into the message, because formatters
    such as uvicorn's access formatter read them (client, method, path, version, status).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub_value(value) for value in record.args)
            if record.name == "uvicorn.access" and record.args and isinstance(record.args[0], str):
                # uvicorn's access arguments start with the client's "host:port".
                record.args = (truncate_client(record.args[0]), *record.args[1:])
        elif isinstance(record.args, dict):
            record.args = {key: _scrub_value(value) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def logging_config(level: str = "info", *, quiet_queue: bool = True) -> dict[str, Any]:
    """Return uvicorn's logging configuration with the filter on every handler and a root handler.

    The root handler carries our own loggers' lines (and huey's) through the same filter; without one
    they would reach Python's last-resort handler, which no filter sees. ``quiet_queue`` keeps the
    in-process job consumer's routine lines (a sweep every minute) out of the server's output.
    """
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"secrets": {"()": SecretLogFilter}}
    for handler in config["handlers"].values():
        handler["filters"] = ["secrets"]
    config["root"] = {"handlers": ["default"], "level": level.upper()}
    quiet = {**_QUIET_LOGGERS, **({"huey": "WARNING"} if quiet_queue else {})}
    for name, quiet_level in quiet.items():
        config["loggers"][name] = {"level": quiet_level}
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        config["loggers"][name]["level"] = level.upper()
    return config


def install() -> None:
    """Add the filter, once, to uvicorn's loggers and to their handlers and the root logger's."""
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if not any(isinstance(existing, SecretLogFilter) for existing in target.filters):
                target.addFilter(SecretLogFilter())
