"""``privacyops worker``: run a job consumer outside the server."""

from __future__ import annotations

from pathlib import Path

import typer

from privacyops.cli import options
from privacyops.envnames import env_var


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        workers: int = typer.Option(2, "--workers", min=1, help="Worker threads in this process."),
        database: str | None = typer.Option(None, "--db", envvar=env_var("database_url"), help="Store URL."),
        queue: str | None = typer.Option(None, envvar=env_var("queue_url"), help="Job queue URL."),
        home: Path | None = typer.Option(None, envvar=env_var("home"), help="Folder for local state."),
    ) -> None:
        """Run background jobs until stopped (Ctrl-C or SIGTERM finishes the running task first)."""
        import logging.config

        from privacyops import jobs, logfilter

        settings = options.store_settings(database_url=database, queue_url=queue, home=home)
        try:
            job_queue = jobs.build_queue(settings)
        except jobs.QueueConfigError as exc:
            typer.secho(f"error: {exc}", err=True, fg="red")
            raise typer.Exit(1) from None
        typer.echo(f"worker: {workers} thread(s), tasks: {', '.join(job_queue.task_names)}")
        # Work a killed worker held is handed out again now, not at the next periodic sweep.
        job_queue.enqueue("recover_abandoned_work")
        # The same scrubbed logging as the server: a task's log line names no token or person.
        logging.config.dictConfig(logfilter.logging_config(settings.log_level, quiet_queue=False))
        job_queue.run_worker(workers)
