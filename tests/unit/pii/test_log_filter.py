from __future__ import annotations

import io
import logging

from privacyops.pii.logging import PiiLogFilter


def test_records_are_masked_before_handlers_format_them() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s user=%(user)s"))
    handler.addFilter(PiiLogFilter())
    logger = logging.getLogger("test.pii.filter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "login from %s by %s", "203.0.113.7", "jane@example.com", extra={"user": "x@example.org"}
        )
        try:
            raise ValueError("bad card 4111 1111 1111 1111")
        except ValueError:
            logger.exception("failed", extra={"user": "-"})
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "login from <IP_ADDRESS> by <EMAIL_ADDRESS> user=<EMAIL_ADDRESS>" in output
    assert "4111" not in output and "<CREDIT_CARD>" in output
    assert "jane@example.com" not in output and "203.0.113.7" not in output
