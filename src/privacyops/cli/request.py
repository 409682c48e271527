"""``privacyops request``: file, list, show and decide subject requests from scripts.

Every command works on the store directly (``--db``/``PRIVACYOPS_DATABASE_URL``); messages go to the
outbox and are sent by the server's worker, or at once with ``privacyops request send-outbox``.
Bad input exits 1 with the field and the rule; the request is left unchanged.
"""

from __future__ import annotations

import getpass
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from privacyops.cli import options
from privacyops.cli.db import DbOption
from privacyops.envnames import env_var

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from privacyops.settings import Settings

ManifestOption = typer.Option(None, "--manifest", envvar=env_var("manifest"), help="Privacy manifest.")
HomeOption = typer.Option(None, "--home", envvar=env_var("home"), help="Folder for local state (secret key).")
JsonOption = typer.Option(False, "--json", help="Print JSON.")
fail = options.fail


def actor() -> str:
    """Name the operator in the audit log."""
    return f"cli:{getpass.getuser()}"


@contextmanager
def workflow(database: str | None, manifest: Path | None, home: Path | None) -> Iterator[tuple[Session, Any]]:
    """Open a session and the workflow context; commit on success, exit 1 on a broken rule."""
    from privacyops.requests import context, errors
    from privacyops.store import db

    settings = options.store_settings(database_url=database, manifest=manifest, home=home)
    engine = db.engine_for(settings)
    try:
        ctx = context.context_from(settings, _manifest_or_none(settings))
        with db.session_factory(engine)() as session:
            try:
                yield session, ctx
            except errors.RequestRuleError as exc:
                session.rollback()
                raise fail(f"{exc.field}: {exc.message}") from None
            session.commit()
    finally:
        engine.dispose()


def _manifest_or_none(settings: Settings) -> Any:
    from privacyops.manifest import load as manifest_load

    path = Path(settings.manifest)
    if not path.exists():
        return None
    try:
        return manifest_load.load_manifest(path)
    except manifest_load.ManifestError as exc:
        typer.secho(f"warning: manifest not loaded ({exc}); using neutral names", err=True, fg="yellow")
        return None


def _print_detail(session: Session, request: Any, as_json: bool) -> None:
    from privacyops.requests import schemas as views

    detail = views.detail(session, request, reveal=True)
    if as_json:
        typer.echo(detail.model_dump_json(indent=2))
        return
    due = detail.response_due.isoformat() if detail.response_due else "no statutory date"
    typer.echo(
        f"{detail.id}  {detail.type}  {detail.state}  received {detail.received_at:%Y-%m-%d}  due {due}"
    )


def _pairs(items: list[str], option: str) -> dict[str, str]:
    """Read NAME=VALUE options; an error names the option and shows the form expected."""
    from privacyops.requests import errors

    found: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise errors.RequestRuleError(f"write FIELD=CORRECT_VALUE, e.g. name=Ada King (got {name!r}=...)",
                                          field=option)
        found[name.strip()] = value
    return found


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="File, list and decide subject requests.", no_args_is_help=True)
    app.add_typer(group, name="request")

    @group.command("submit")
    def submit(
        type_: str = typer.Option(..., "--type", help="access, erasure, rectification, portability, ..."),
        identity: list[str] = typer.Option(..., "--identity", help="kind=value, e.g. email=a@example.com"),
        region: list[str] | None = typer.Option(None, "--region", help="eu, uk, ch, ca, us-ca (repeatable)"),
        verified: bool = typer.Option(False, "--verified", help="You verified the subject yourself."),
        channel: str = typer.Option("cli", help="How it came in: cli, ticket, chat, phone, postal, email."),
        received_at: datetime | None = typer.Option(None, "--received-at", help="Original time, with zone."),
        details: str | None = typer.Option(None, help="Free text kept with the request."),
        lookback: str | None = typer.Option(
            None, "--lookback",
            help="Access: the period asked for: all, 12m, extended or a date (YYYY-MM-DD).",
        ),
        corrections: list[str] = typer.Option(
            [], "--set", help="Rectification: FIELD=CORRECT_VALUE, e.g. name='Ada King' (repeatable)."
        ),
        as_json: bool = JsonOption,
        database: str | None = DbOption,
        manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """File a request; an open one of the same subject and type is linked instead of duplicated."""
        from privacyops.requests import intake
        from privacyops.requests import service as rservice

        with workflow(database, manifest, home) as (session, ctx):
            identities = [intake.parse_identity_option(text) for text in identity]
            submission = intake.build_submission(
                request_type=type_,
                identities=identities,
                regions=region or [ctx.default_region],
                channel=channel,
                received_at=received_at,
                details=details,
                verified=verified,
                lookback=lookback,
                corrections=_pairs(corrections, "--set"),
            )
            result = rservice.submit(session, ctx, submission, actor=actor())
            if not result.created:
                typer.secho(f"linked to the open request {result.request.id}", err=True)
            _print_detail(session, result.request, as_json)

    @group.command("list")
    def list_requests(
        state: str | None = typer.Option(None, help="Only requests in this state."),
        type_: str | None = typer.Option(None, "--type", help="Only requests of this type."),
        limit: int = typer.Option(100, help="At most this many, newest first."),
        as_json: bool = JsonOption,
        database: str | None = DbOption,
        manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """List requests, newest first."""
        import json

        from privacyops.requests import schemas as views

        with workflow(database, manifest, home) as (session, _ctx):
            rows = views.find_requests(session, state=state, request_type=type_, limit=limit)
            if as_json:
                typer.echo(json.dumps([views.summary(r).model_dump(mode="json") for r in rows], indent=2))
                return
            for row in rows:
                due = row.response_due.isoformat() if row.response_due else "-"
                typer.echo(f"{row.id}  {row.request_type:<20} {row.state:<22} {row.channel:<9} due {due}")

    @group.command("show")
    def show(
        request_id: str = typer.Argument(..., help="The request id."),
        as_json: bool = JsonOption,
        database: str | None = DbOption,
        manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """Show a request with its identities, due dates and history."""
        from privacyops.requests import records

        with workflow(database, manifest, home) as (session, _ctx):
            _print_detail(session, records.get_request(session, request_id), as_json)

    def decision(name: str, help_text: str, step: str, **arguments: Any) -> None:
        # ``step`` is "module.function" below privacyops.requests, imported when the command runs.
        module_name, _, function_name = step.partition(".")

        def command(
            request_id: str = typer.Argument(..., help="The request id."),
            reason: str | None = typer.Option(
                None, help="Why (kept in the audit log, sent where it applies)."
            ),
            code: str | None = typer.Option(
                None, help="Denial code: unverifiable, manifestly_unfounded, ..."
            ),
            new_due: str | None = typer.Option(None, "--new-due", help="New due date (Switzerland)."),
            partial: bool = typer.Option(False, help="Only part of the request was carried out."),
            as_json: bool = JsonOption,
            database: str | None = DbOption,
            manifest: Path | None = ManifestOption,
            home: Path | None = HomeOption,
        ) -> None:
            module = importlib.import_module(f"privacyops.requests.{module_name}")
            with workflow(database, manifest, home) as (session, ctx):
                values = {"reason": reason, "code": code, "new_due": new_due, "partial": partial}
                run_step = getattr(module, function_name)
                request = run_step(session, ctx, request_id, **_arguments(arguments, values))
                _print_detail(session, request, as_json)

        command.__doc__ = help_text
        group.command(name)(command)

    decision("approve", "Approve a verified request: start the work.", "decisions.approve", note="reason")
    decision(
        "deny",
        "Deny with --code and --reason; the subject is told how to complain.",
        "decisions.deny",
        code="code",
        reason="reason",
    )
    decision(
        "extend",
        "Extend the due date once, within the first period, with --reason.",
        "decisions.extend",
        reason="reason",
        new_due="new_due",
    )
    decision("cancel", "Cancel with --reason.", "decisions.cancel", reason="reason")
    decision(
        "verify",
        "Record that the subject was verified another way (--reason).",
        "verify.mark_verified",
        reason="reason",
    )
    decision(
        "complete",
        "Record the request as carried out (--partial, --reason as a note).",
        "decisions.complete",
        partial="partial",
        note="reason",
    )

    @group.command("send-outbox")
    def send_outbox(database: str | None = DbOption) -> None:
        """Send the waiting messages now through PRIVACYOPS_SMTP_HOST:PRIVACYOPS_SMTP_PORT."""
        from privacyops.requests import mailer, outbox
        from privacyops.store import db

        settings = options.store_settings(database_url=database)
        engine = db.engine_for(settings)
        try:
            report = outbox.dispatch_pending(
                db.session_factory(engine), mailer.outgoing_mailer(settings), settings.mail_from
            )
        finally:
            engine.dispose()
        typer.echo(f"sent {report.sent}, failed {report.failed}")
        if report.unreachable:
            raise fail(f"mail server {report.unreachable} unreachable; the messages wait in the outbox "
                       "(check PRIVACYOPS_SMTP_HOST and PRIVACYOPS_SMTP_PORT)")
        if report.failed:
            raise typer.Exit(1)


def _arguments(options: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    """Map CLI values onto a step's keyword arguments, with the actor and parsed dates."""
    arguments: dict[str, Any] = {"actor": actor()}
    for keyword, source in options.items():
        value = values[source]
        if keyword == "new_due" and value is not None:
            value = _date(value)
        if keyword in ("reason", "code") and value is None:
            value = ""
        arguments[keyword] = value
    return arguments


def _date(text: str) -> date:
    from privacyops.requests import errors

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise errors.RequestRuleError("write the date as YYYY-MM-DD", field="new_due") from None
