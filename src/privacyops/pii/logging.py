"""A ``logging.Filter`` that masks personal data in log records before any handler sees them."""

from __future__ import annotations

import logging

from privacyops.pii.masking import PolicyMasker


class PiiLogFilter(logging.Filter):
    """Mask the formatted message, exception text and string ``extra`` fields of every record.

    Attach it to handlers (``handler.addFilter(PiiLogFilter())``) so records from every logger,
    including third-party ones, are masked; it never drops a record.
    """

    def __init__(self, masker: PolicyMasker | None = None, *, extra_fields: bool = True) -> None:
        super().__init__()
        self.masker = masker or PolicyMasker()
        self.extra_fields = extra_fields

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = self.masker.text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.masker.text(record.exc_text)
        if record.stack_info:
            record.stack_info = self.masker.text(record.stack_info)
        if self.extra_fields:
            for name, value in list(vars(record).items()):
                if name not in _STANDARD and isinstance(value, str):
                    setattr(record, name, self.masker.text(value))
        return True


_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
