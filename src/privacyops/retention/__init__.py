"""Retention enforcement: manifest rules, sweeps, legal holds, the tombstone ledger (docs/retention.md)."""
