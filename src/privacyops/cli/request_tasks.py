"""``privacyops request tasks|close-task``: the recipients told to act on a request, and their answers.

A request that reached data held by subprocessors completes only once each recipient's task is closed:
done, with what the recipient confirmed, or impossible, with why. Closing the last one lets the next run
of the request (``request run ID``, or the worker's reconciler) complete it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer

from privacyops.cli import request as request_cli
from privacyops.cli.db import DbOption
from privacyops.cli.options import store_settings
from privacyops.cli.request_run import HomeOption, ManifestOption, QueueOption, _enqueue, _fail, request_group


def register(app: typer.Typer) -> None:
    group = request_group(app)

    @group.command("tasks")
    def tasks(
        request_id: str = typer.Argument(..., help="The request's id."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        database: str | None = DbOption,
    ) -> None:
        """List the recipient tasks of a request: recipient, action, state."""
        from privacyops.execution import fanout
        from privacyops.store import db

        settings = store_settings(database_url=database)
        engine = db.engine_for(settings)
        try:
            with db.session_factory(engine)() as session:
                rows = fanout.tasks_of(session, request_id)
                if as_json:
                    typer.echo(json.dumps([_as_dict(t) for t in rows], indent=2))
                    return
                for task in rows:
                    line = f"{task.id:>6}  {task.state:<10} {task.action:<8} {task.recipient}"
                    typer.echo(f"{line} ({task.service})")
                if not rows:
                    typer.echo("no recipient tasks")
        finally:
            engine.dispose()

    @group.command("close-task")
    def close_task(
        request_id: str = typer.Argument(..., help="The request's id."),
        task_id: int | None = typer.Argument(None, help="The task's id (see `request tasks`); or --all."),
        every: bool = typer.Option(False, "--all", help="Close every open task of the request."),
        impossible: bool = typer.Option(False, "--impossible", help="The recipient cannot act (say why)."),
        evidence: str = typer.Option(..., "--evidence", help="What the recipient confirmed, or why not."),
        database: str | None = DbOption,
        manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
        queue: str | None = QueueOption,
    ) -> None:
        """Close a recipient task (or --all) as done, or --impossible, with --evidence."""
        from privacyops.execution import fanout
        from privacyops.store import db

        if (task_id is None) == (not every):
            raise _fail("name one task id, or --all")
        settings = store_settings(database_url=database, manifest=manifest, home=home, queue_url=queue)
        engine = db.engine_for(settings, sqlite_immediate=True)
        state = fanout.TaskState.IMPOSSIBLE if impossible else fanout.TaskState.DONE
        try:
            with db.session_factory(engine).begin() as session:
                rows = fanout.tasks_of(session, request_id)
                chosen = [t for t in rows if every and t.state not in fanout.TERMINAL or t.id == task_id]
                if task_id is not None and not chosen:
                    raise _fail(f"task_id: request {request_id} has no task {task_id}")
                actor = request_cli.actor()
                for task in chosen:
                    fanout.close_task(session, task.id, state=state.value, actor=actor, evidence=evidence,
                                      now=datetime.now(UTC))
                done = fanout.all_terminal(rows)
        except fanout.TaskRuleError as exc:
            raise _fail(f"evidence: {exc}") from None
        finally:
            engine.dispose()
        typer.echo(f"closed {len(chosen)} task(s) as {state.value}")
        if done and rows:
            _enqueue(settings, request_id)
            typer.echo(f"request {request_id}: every task is closed; queued to complete")


def _as_dict(task: object) -> dict[str, object]:
    keys = ("id", "recipient", "service", "action", "categories", "state", "evidence", "reason")
    return {key: getattr(task, key) for key in keys}
