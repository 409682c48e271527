"""privacyops: keep the promises of a privacy notice in software."""

from __future__ import annotations

__version__ = "0.1.0"
