"""Console pages: each module exposes ``router`` (from ``framework.page_router()``) and adds its nav entry."""
