"""Public pages: the layout shell, ``/privacy``, ``/.well-known/gpc.json`` and static files.

Every module of this package that exposes ``router`` is included by the app factory.
"""
