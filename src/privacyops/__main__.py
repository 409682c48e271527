"""``python -m privacyops`` runs the CLI."""

from __future__ import annotations

from privacyops.cli.main import run

run()
