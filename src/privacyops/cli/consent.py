"""``privacyops consent``: a subject's consent and receipts, decisions, and the ledger's export."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from privacyops.cli import options
from privacyops.cli.db import DbOption

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from privacyops.consent.subjects import Subject
    from privacyops.manifest.schema import Manifest

SubjectOption = typer.Option(
    ...,
    "--subject",
    "-s",
    help="An identity as kind:value, e.g. email:ada@example.com "
    "(repeat for more identities of the same person).",
)


@contextmanager
def ledger_session(
    database: str | None, manifest: Path | None, home: Path | None, identities: list[str] | None = None
) -> Iterator[tuple[Session, Manifest, Subject | None]]:
    """Open a session with the manifest and (when given) the subject; exit 1 naming a broken rule."""
    from privacyops.consent import service, subjects
    from privacyops.consent.errors import ConsentRuleError
    from privacyops.manifest import load
    from privacyops.store import db

    settings = options.store_settings(
        database_url=database, home=home, **({"manifest": manifest} if manifest else {})
    )
    try:
        loaded = load.load_manifest(Path(settings.manifest))
    except load.ManifestError as exc:
        raise options.fail(f"the manifest does not load: {exc}") from None
    engine = db.engine_for(settings)
    try:
        with db.session_factory(engine)() as session:
            try:
                subject = None
                if identities:
                    subject = subjects.parse(service.identity_key(settings), identities)
                yield session, loaded, subject
            except ConsentRuleError as exc:
                session.rollback()
                raise options.fail(f"{exc.field}: {exc.message}") from None
            session.commit()
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Consent receipts, decisions and opt-outs.", no_args_is_help=True)
    app.add_typer(group, name="consent")

    @group.command("lookup")
    def lookup(
        subject: list[str] = SubjectOption,
        database: str | None = DbOption,
        manifest: Path | None = options.ManifestOption,
        home: Path | None = options.HomeOption,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Show a subject's decision for every consent purpose and their receipts, newest first."""
        from privacyops.consent import decide, ledger
        from privacyops.consent import purposes as cpurposes

        with ledger_session(database, manifest, home, subject) as (session, loaded, who):
            assert who is not None
            names = [p.name for p in cpurposes.catalog(loaded).consent_purposes()]
            found = decide.can_process_many(session, who, names, manifest=loaded)
            receipts = ledger.history(session, who)
        if as_json:
            typer.echo(
                json.dumps(
                    {"decisions": [d.as_dict() for d in found], "receipts": [_receipt(r) for r in receipts]},
                    indent=2,
                )
            )
            return
        for d in found:
            typer.echo(f"{'allow' if d.allowed else 'deny ':<5}  {d.purpose:<32} {d.code:<14} {d.reason}")
        typer.echo(f"\n{len(receipts)} receipt(s)")
        for r in receipts:
            typer.echo(
                f"{r.recorded_at:%Y-%m-%d %H:%M}  {r.receipt_id}  {r.purpose:<32} "
                f"{'granted' if r.granted else 'withdrawn':<9} {r.method}/{r.channel}  "
                f"notice {r.notice_version}"
            )

    @group.command("decide")
    def decide_command(
        purpose: str = typer.Argument(..., help="A purpose of the manifest, or cookies.<category>."),
        subject: list[str] = SubjectOption,
        database: str | None = DbOption,
        manifest: Path | None = options.ManifestOption,
        home: Path | None = options.HomeOption,
    ) -> None:
        """Say whether the purpose may use the subject's data, and why; exits 3 when denied."""
        from privacyops.consent import decide

        with ledger_session(database, manifest, home, subject) as (session, loaded, who):
            assert who is not None
            found = decide.can_process(session, who, purpose, manifest=loaded)
        typer.echo(json.dumps(found.as_dict(), indent=2))
        if not found.allowed:
            raise typer.Exit(3)

    @group.command("export")
    def export(
        database: str | None = DbOption,
        manifest: Path | None = options.ManifestOption,
        home: Path | None = options.HomeOption,
    ) -> None:
        """Print every receipt as one JSON line, oldest first (subjects as keyed hashes only)."""
        import sqlalchemy as sa

        from privacyops.store.models.consent import ConsentReceipt

        with ledger_session(database, manifest, home) as (session, _loaded, _who):
            query = sa.select(ConsentReceipt).order_by(ConsentReceipt.id).execution_options(yield_per=1000)
            for row in session.execute(query).scalars():
                typer.echo(json.dumps({"subject_key": row.subject_key, **_receipt(row)}))

    @group.command("suppression")
    def suppression(
        list_name: str = typer.Option("", "--list", help="A mailing list; default: all marketing."),
        database: str | None = DbOption,
        manifest: Path | None = options.ManifestOption,
        home: Path | None = options.HomeOption,
    ) -> None:
        """Print, as CSV for an email tool, every known address that must not get marketing mail, and why."""
        _addresses(database, manifest, home, list_name, allowed=False)

    @group.command("marketing-export")
    def marketing_export(
        list_name: str = typer.Option("", "--list", help="A mailing list; default: all."),
        database: str | None = DbOption,
        manifest: Path | None = options.ManifestOption,
        home: Path | None = options.HomeOption,
    ) -> None:
        """Print, as CSV, the addresses that may be sent marketing mail now (unsubscribed ones left out)."""
        _addresses(database, manifest, home, list_name, allowed=True)

    @group.command("rebuild-states")
    def rebuild(
        database: str | None = DbOption,
        manifest: Path | None = options.ManifestOption,
        home: Path | None = options.HomeOption,
    ) -> None:
        """Derive every subject's current state again from the receipts (after a restore)."""
        from privacyops.audit import chain
        from privacyops.consent import ledger

        with ledger_session(database, manifest, home) as (session, _loaded, _who):
            count = ledger.rebuild_states(session)
            chain.append(
                session,
                actor=f"cli:{getpass.getuser()}",
                action="consent.states_rebuilt",
                entity="consent_state",
                entity_id="*",
                data={"states": count},
            )
        typer.echo(f"rebuilt {count} state(s) from the receipts")


def _addresses(
    database: str | None, manifest: Path | None, home: Path | None, list_name: str, *, allowed: bool
) -> None:
    import csv
    import sys

    from privacyops.consent import marketing

    writer = csv.writer(sys.stdout)
    writer.writerow(["email", "reason"])
    with ledger_session(database, manifest, home) as (session, loaded, _who):
        for contact in marketing.contacts(session, loaded, list_name):
            if contact.decision.allowed == allowed:
                writer.writerow([contact.address, contact.decision.code])


def _receipt(row: Any) -> dict[str, object]:
    return {
        "receipt_id": row.receipt_id,
        "kind": row.kind,
        "purpose": row.purpose,
        "scope": row.scope,
        "granted": row.granted,
        "notice_version": row.notice_version,
        "notice_hash": row.notice_hash,
        "method": row.method,
        "channel": row.channel,
        "regime": row.regime,
        "signal": row.signal,
        "recorded_at": row.recorded_at.isoformat(),
    }
