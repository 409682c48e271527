"""Connectors: one small interface, taking plain values, to every place that holds personal data."""
