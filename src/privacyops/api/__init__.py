"""The HTTP service: the app factory, dependencies and one module per resource under ``routes``."""
