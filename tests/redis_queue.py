"""A private Redis database for a test, on the server named by ``PRIVACYOPS_TEST_REDIS_URL``.

``scripts/redis.sh`` starts that server with many numbered databases; each test claims one (a key in
database 0 marks it taken, so test runs side by side never share one) and empties it before and after.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import pytest

CLAIM_SECONDS = 3600  # a claim left by a killed run frees itself after this long


@pytest.fixture
def redis_url() -> Iterator[str]:
    """URL of an empty Redis database private to this test."""
    import redis

    base = os.environ.get("PRIVACYOPS_TEST_REDIS_URL")
    if not base:
        pytest.fail("the Redis queue tests need PRIVACYOPS_TEST_REDIS_URL: eval \"$(bash scripts/redis.sh)\"")
    admin = redis.Redis.from_url(f"{base}/0")
    count = int(admin.config_get("databases")["databases"])
    candidates = random.sample(range(1, count), k=min(50, count - 1))
    index = next((n for n in candidates if admin.set(f"privacyops-test-claim:{n}", 1, nx=True,
                                                     ex=CLAIM_SECONDS)), None)
    if index is None:
        pytest.fail(f"no free Redis database on {base}: restart it with scripts/redis.sh")
    url = f"{base}/{index}"
    own = redis.Redis.from_url(url)
    own.flushdb()
    try:
        yield url
    finally:
        own.flushdb()
        own.close()
        admin.delete(f"privacyops-test-claim:{index}")
        admin.close()


def blocked_in_brpop(url: str) -> int:
    """How many clients of the Redis database at ``url`` wait in BRPOP right now: idle queue workers."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        index = int(url.rsplit("/", 1)[1])
        clients = client.client_list()
        return sum(1 for c in clients if int(c.get("db", -1)) == index and c.get("cmd") == "brpop")
    finally:
        client.close()
