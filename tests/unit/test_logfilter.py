"""Log hygiene: tokens, request ids in links, credential query values and emails become placeholders."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
import uvicorn.logging

from privacyops import logfilter

PACKAGE_TOKEN = "eyJwIjoiYWJjIiwiZSI6MTc2NTAwMDAwMH0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
REQUEST_ID = "0f3a9c2e7b1d4e6fa8c0b2d4e6f8a0c2"
UUID = "6b3c1f7e-3a1b-4b9e-9d1e-2f3a4b5c6d7e"
ACCESS_FORMAT = '%(client_addr)s - "%(request_line)s" %(status_code)s'


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /api/v1/packages/{PACKAGE_TOKEN}", "GET /api/v1/packages/[token]"),
        (f"/api/v1/packages/{PACKAGE_TOKEN}?dl=1", "/api/v1/packages/[token]?dl=1"),
        (f"/privacy/requests/{REQUEST_ID}", "/privacy/requests/[id]"),
        (f"/privacy/requests/{REQUEST_ID}/verify", "/privacy/requests/[id]/verify"),
        (f"/api/v1/requests/{REQUEST_ID}/status", "/api/v1/requests/[id]/status"),
        ("/api/v1/pii/x/ingestion-mask?token=s3cr3t", "/api/v1/pii/x/ingestion-mask?token=[redacted]"),
        ("/x?a=1&access_token=abc&code=123456&b=2", "/x?a=1&access_token=[redacted]&code=[redacted]&b=2"),
        ("/x?API_KEY=abc#frag", "/x?API_KEY=[redacted]#frag"),
        ("/x?email=ada%40example.com", "/x?email=[redacted]"),
        ("mail to ada.lovelace@example.com failed", "mail to [email] failed"),
        ("/x/ada%40example.com/y", "/x/[email]/y"),
        ("/verify/Zx9_kq2M3nP4rS5tU6vW7xY8zA1bC2dE3fG4hI5j", "/verify/[secret]"),
        # ordinary lines stay as they are
        ("/api/v1/requests?state=verified&limit=50", "/api/v1/requests?state=verified&limit=50"),
        (f"/opendsr/v1/requests/{UUID}", f"/opendsr/v1/requests/{UUID}"),
        ("/static/privacy-center.css", "/static/privacy-center.css"),
        ("outbox message 12 sent (verification)", "outbox message 12 sent (verification)"),
    ],
)
def test_scrub(line: str, expected: str) -> None:
    assert logfilter.scrub(line) == expected
    assert logfilter.scrub(expected) == expected  # running twice changes nothing


@pytest.fixture
def access_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """uvicorn's access logger with its own formatter and the filter on the handler, as served."""
    stream = io.StringIO()
    logger = logging.getLogger("uvicorn.access")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(uvicorn.logging.AccessFormatter(ACCESS_FORMAT))
    handler.addFilter(logfilter.SecretLogFilter())
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_access_log_line_keeps_its_shape_with_a_placeholder(
    access_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = access_log
    path = f"/api/v1/packages/{PACKAGE_TOKEN}"
    logger.info('%s - "%s %s HTTP/%s" %d', "203.0.113.77:5000", "GET", path, "1.1", 200)
    assert stream.getvalue().strip() == '203.0.113.0 - "GET /api/v1/packages/[token] HTTP/1.1" 200 OK'


@pytest.mark.parametrize(
    ("client", "network"),
    [
        ("203.0.113.77:5000", "203.0.113.0"),
        ("[2001:db8:1:2::5]:443", "2001:db8:1::"),
        ("2001:db8:1:2::5", "2001:db8:1::"),
        ("/run/privacyops.sock", "[client]"),
        ("127.0.0.1:41234", "127.0.0.1"),
        ("[::1]:41234", "::1"),
    ],
)
def test_the_client_address_is_cut_to_its_network(client: str, network: str) -> None:
    assert logfilter.truncate_client(client) == network


def test_logging_config_filters_every_handler_and_has_a_root_handler() -> None:
    config = logfilter.logging_config("warning")
    assert all(handler["filters"] == ["secrets"] for handler in config["handlers"].values())
    assert config["root"] == {"handlers": ["default"], "level": "WARNING"}
    assert config["loggers"]["huey"] == {"level": "WARNING"}
    assert "huey" not in logfilter.logging_config("info", quiet_queue=False)["loggers"]


def test_filter_scrubs_arguments_and_exception_text() -> None:
    args = ("ada@example.com",)
    record = logging.LogRecord("privacyops.x", logging.ERROR, __file__, 1, "to %s", args, None)
    try:
        raise ValueError(f"bad link /privacy/requests/{REQUEST_ID}")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert logfilter.SecretLogFilter().filter(record) is True
    assert record.getMessage() == "to [email]"
    assert record.exc_text is not None and REQUEST_ID not in record.exc_text and "[id]" in record.exc_text


def test_install_adds_the_filter_once(monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("uvicorn.access")
    monkeypatch.setattr(logger, "filters", [])
    logfilter.install()
    logfilter.install()
    assert sum(isinstance(f, logfilter.SecretLogFilter) for f in logger.filters) == 1


def test_a_request_id_in_a_query_value_is_hidden() -> None:
    line = '"GET /api/v1/audit/events?entity=request&entity_id=0123456789abcdef0123456789abcdef HTTP/1.1"'
    assert logfilter.scrub(line) == '"GET /api/v1/audit/events?entity=request&entity_id=[id] HTTP/1.1"'
