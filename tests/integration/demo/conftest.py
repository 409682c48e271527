from __future__ import annotations

import pytest

from privacyops.demo import generate

SMALL = {"users": 40, "traces": 1400}


@pytest.fixture
def demo_db(db_url: str) -> tuple[str, generate.DemoSummary]:
    """A small demo database (40 users, 1,400 traces) private to the test."""
    return db_url, generate.build_demo(db_url, seed=11, **SMALL)
