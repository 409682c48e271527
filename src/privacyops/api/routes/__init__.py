"""One module per resource; each exposing ``router`` is included by the app factory."""
