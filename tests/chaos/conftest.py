"""The chaos tier: real processes on PostgreSQL, killed and restarted; ``--chaos-trials N`` sets the count.

Only collected with ``--db postgres`` (``tests/conftest.py`` leaves the folder out on SQLite): the trials
need workers in several processes sharing one store and queue, which is what PostgreSQL is for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.chaos.deployment import Deployment, processor_manifest
from tests.chaos.receivers import CountingMailbox, WebhookReceiver
from tests.conftest import _create_pg_database, _drop_pg_database


@dataclass
class Side:
    """A deployment with its own mail server, webhook endpoint, store and application database."""

    deployment: Deployment
    mailbox: CountingMailbox
    webhooks: WebhookReceiver
    store_url: str
    app_url: str


@pytest.fixture(scope="module")
def chaos_sides(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest) -> Iterator[tuple[Side, Side]]:
    """The deployment under test (2 API processes, 2 workers) and a crash-free reference (1 process)."""
    folder = tmp_path_factory.mktemp("chaos")
    manifest = processor_manifest(folder)
    trials = int(request.config.getoption("--chaos-trials"))
    users = max(200, 4 * trials + 40)
    databases: list[str] = []
    sides: list[Side] = []
    controllers = []
    try:
        for name in ("tested", "reference"):
            store_name, store_url = _create_pg_database(pg_admin_url)
            app_name, app_url = _create_pg_database(pg_admin_url)
            databases += [store_name, app_name]
            mailbox, webhooks = CountingMailbox(), WebhookReceiver()
            controllers.append(mailbox.start())
            deployment = Deployment.prepare(name, folder / name, store_url=store_url, app_url=app_url,
                                            smtp_port=mailbox.port, manifest=manifest, users=users)
            sides.append(Side(deployment, mailbox, webhooks, store_url, app_url))
        sides[0].deployment.start(serves=2, workers=2)
        sides[1].deployment.start(serves=1, workers=0, in_process=True)
        yield sides[0], sides[1]
    finally:
        for side in sides:
            side.deployment.stop()
            side.webhooks.stop()
        for controller in controllers:
            controller.stop()
        for name in databases:
            _drop_pg_database(pg_admin_url, name)
