"""``privacyops request run|plan|export``: carry out a verified request, show its plan, export its data.

These commands join the ``request`` group of ``cli/request.py`` (registered before this module, as
modules register in alphabetical order); if that group is missing they create it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from privacyops.cli.db import DbOption, describe
from privacyops.cli.options import HomeOption, ManifestOption, QueueOption, lazy, store_settings

# The engine, the store and the manifest load when a command runs, not when `--help` lists it.
if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from privacyops.engine import plan as engine_plan
    from privacyops.engine import run as engine_run
    from privacyops.execution import env as execution_env
    from privacyops.execution import export, runner
    from privacyops.execution.env import ExecutionEnv
    from privacyops.manifest import load as manifest_load
    from privacyops.requests import context, errors, period, records
    from privacyops.settings import Settings
    from privacyops.store import db
    from privacyops.store.models import execution as execution_models
else:
    engine_plan, engine_run = lazy("privacyops.engine.plan"), lazy("privacyops.engine.run")
    execution_env = lazy("privacyops.execution.env")
    export, runner = lazy("privacyops.execution.export"), lazy("privacyops.execution.runner")
    manifest_load = lazy("privacyops.manifest.load")
    context, errors = lazy("privacyops.requests.context"), lazy("privacyops.requests.errors")
    period, records = lazy("privacyops.requests.period"), lazy("privacyops.requests.records")
    db, execution_models = lazy("privacyops.store.db"), lazy("privacyops.store.models.execution")

LookbackOption = typer.Option(
    None, "--lookback",
    help="Period of an access package: all, 12m, extended (back to 2022-01-01) or a date (YYYY-MM-DD); "
         "default: the one asked for in the request, else the laws of its regions (GDPR: all, CCPA: 12m).",
)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


def request_group(app: typer.Typer) -> typer.Typer:
    """Return the ``request`` command group of the app, creating it when no other module did."""
    for info in app.registered_groups:
        if info.name == "request" and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help="Subject requests.", no_args_is_help=True)
    app.add_typer(group, name="request")
    return group


def _env(settings: Settings) -> ExecutionEnv:
    try:
        manifest = manifest_load.load_manifest(Path(settings.manifest))
    except manifest_load.ManifestError as exc:
        raise _fail(f"the manifest does not load: {exc}") from None
    connectors, problems = execution_env.connectors_for(manifest)
    for system, problem in problems.items():
        typer.secho(f"warning: {system}: {problem}", err=True, fg="yellow")
    return execution_env.ExecutionEnv(manifest=manifest, service=context.context_from(settings, manifest),
                        connectors=connectors, problems=problems, home=Path(settings.home))


def _sessions(settings: Settings) -> sessionmaker[Session]:
    return db.session_factory(db.engine_for(settings, sqlite_immediate=True))


def _corrections(values: list[str]) -> dict[str, str]:
    found = {}
    for item in values:
        category, sep, value = item.partition("=")
        if not sep or not category.strip() or not value.strip():
            raise _fail("--set takes CATEGORY=NEW_VALUE, e.g. user.contact.email=new@example.com "
                        f"(got {item!r})")
        found[category.strip()] = value.strip()
    return found


def _print_report(report: runner.RunReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.__dict__, indent=2, default=str))
        return
    reason = f" ({report.reason})" if report.reason else ""
    typer.echo(f"request {report.request_id}: {report.status}{reason}")
    for step in report.steps:
        why = f" - {step['reason']}" if step["reason"] else ""
        typer.echo(f"  {step['number']:>3}. {step['name']}: {step['state']} "
                   f"(attempts {step['attempts']}, rows {step['rows']}){why}")


def register(app: typer.Typer) -> None:
    group = request_group(app)

    @group.command("run")
    def run(
        request_id: str = typer.Argument(..., help="The request's id."),
        wait: bool = typer.Option(False, "--wait", help="Run the steps here and wait for the outcome."),
        corrections: list[str] = typer.Option([], "--set", help="Rectification: CATEGORY=NEW_VALUE."),
        retry: bool = typer.Option(False, "--retry", help="Run failed and blocked steps again."),
        lookback: str | None = LookbackOption,
        as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
        database: str | None = DbOption, manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption, queue: str | None = QueueOption,
    ) -> None:
        """Carry out a verified request; without --wait the worker runs it. Exit 1 if a step failed."""
        settings = store_settings(database_url=database, manifest=manifest, home=home, queue_url=queue)
        env = _env(settings)
        sessions = _sessions(settings)
        try:
            with sessions.begin() as session:
                params = _params(corrections, lookback)
                started = runner.start(session, env, request_id, actor="cli", params=params)
                _same_lookback(started.params, lookback, request_id)
                if retry:
                    runner.retry(session, request_id, actor="cli")
            if not wait:
                _enqueue(settings, request_id)
                typer.echo(f"request {request_id}: queued for the worker")
                return
            report = runner.run_request(sessions, env, request_id)
        except errors.RequestRuleError as exc:
            raise _fail(f"{exc.field}: {exc.message}") from None
        finally:
            env.close()
        _print_report(report, as_json)
        if not as_json:
            _print_package(sessions, request_id)
        if report.status == runner.RUN_FAILED:
            raise typer.Exit(1)

    @group.command("plan")
    def plan(
        request_id: str = typer.Argument(..., help="The request's id."),
        database: str | None = DbOption, manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """Print what running the request will do, before anything runs (identity values are not shown)."""
        settings = store_settings(database_url=database, manifest=manifest, home=home)
        env = _env(settings)
        with _sessions(settings)() as session:
            try:
                request = records.get_request(session, request_id)
                identities = runner.identities_of(session, request.id)
                specs = runner.step_specs(env, request.request_type, identities)
            except (errors.RequestRuleError, engine_plan.PlanError) as exc:
                raise _fail(str(exc)) from None
        if request.request_type in engine_plan.ERASURE_TYPES | engine_plan.ACCESS_TYPES:
            kind = "erasure" if request.request_type in engine_plan.ERASURE_TYPES else "access"
            typer.echo(engine_plan.build_plan(env.manifest, identities, kind).render())
        typer.echo("Steps:")
        for number, spec in enumerate(specs, 1):
            typer.echo(f"  {number}. {spec.name}")

    @group.command("export")
    def export_command(
        request_id: str = typer.Argument(..., help="The request's id."),
        output: Path = typer.Option(..., "-o", "--output", help="Where to write the ZIP."),
        lookback: str | None = LookbackOption,
        database: str | None = DbOption, manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """Write the subject's data as a ZIP (JSON and a CSV per table) and print the rows of each table."""
        settings = store_settings(database_url=database, manifest=manifest, home=home)
        env = _env(settings)
        try:
            with _sessions(settings)() as session:
                request = records.get_request(session, request_id)
                chosen = period.choose(request, env.service.catalog, lookback)
                identities = runner.identities_of(session, request_id)
            if not identities:
                raise _fail("the request keeps no identity values any more (purged); nothing can be found")
            plan_ = engine_plan.build_plan(env.manifest, identities, "access")
            result = engine_run.run_access(plan_, env.connectors, identities)
        except errors.RequestRuleError as exc:
            raise _fail(f"{exc.field}: {exc.message}") from None
        finally:
            env.close()
        if not result.ok:
            reasons = "; ".join(f"{s.table}: {s.reason}" for s in result.steps if s.status != "done")
            raise _fail(f"the data could not all be read: {reasons}")
        written = export.write_package(env.manifest, request_id, result, output, subject=identities,
                                       lookback=chosen)
        summary = written.summary()
        typer.echo(f"wrote {written.path}")
        _print_counts(summary)


def _params(corrections: list[str], lookback: str | None) -> dict[str, object]:
    params: dict[str, object] = {"corrections": _corrections(corrections)} if corrections else {}
    if lookback:
        params["lookback"] = lookback
    return params


def _same_lookback(params: dict[str, object], asked: str | None, request_id: str) -> None:
    """Refuse a --lookback other than the one an already started run fixed: the package would differ."""
    fixed = params.get("lookback")
    if not asked or not isinstance(fixed, dict):
        return
    wanted = period.parse(asked).token
    if fixed.get("lookback") != wanted:
        raise _fail(f"--lookback: the run of this request started with the period {fixed.get('lookback')}; "
                    f"write a package for another period with `privacyops request export {request_id} "
                    f"--lookback {wanted} -o FILE`")


def _print_counts(summary: Mapping[str, Any]) -> None:
    """Print the package's rows per table, with the older rows the period left out."""
    rows, left_out, chosen = summary["package_rows"], summary["package_left_out"], summary["lookback"]
    since = f" (rows dated from {str(chosen['since'])[:10]})" if chosen["since"] else ""
    older = f"; {sum(left_out.values())} older rows left out" if left_out else ""
    typer.echo(f"{sum(rows.values())} rows from {len(rows)} tables, lookback {chosen['mode']}{since}{older}")
    if chosen["reason"]:
        typer.echo(f"  why: {chosen['reason']}")
    width = max((len(t) for t in rows), default=0)
    for table, count in rows.items():
        gone = f"  ({left_out[table]} older left out)" if left_out.get(table) else ""
        typer.echo(f"  {table:<{width}} {count:>6}{gone}")


def _print_package(sessions: sessionmaker[Session], request_id: str) -> None:
    with sessions() as session:
        run = session.get(execution_models.ExecutionRun, request_id)
        outcome = dict(run.outcome) if run is not None else {}
    if "package_rows" in outcome:
        typer.echo("access package:")
        _print_counts(outcome)


def _enqueue(settings: Settings, request_id: str) -> None:
    from privacyops import jobs
    from privacyops.execution.tasks import RUN_TASK

    try:
        queue = jobs.build_queue(settings)
        queue.enqueue(RUN_TASK, request_id)
        queue.close()
    except Exception as exc:
        raise _fail(f"could not queue the run: {describe(exc)}") from None
