"""Alembic environment of the store (configured in code by ``privacyops.store.db``)."""
