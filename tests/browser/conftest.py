"""Browser tier: its fixtures (``browser``, ``page``) come from ``tests/browser_fixtures.py``."""
