"""``privacyops keys``: the store keys that seal personal data at rest, and their rotation."""

from __future__ import annotations

import typer

from privacyops.cli import options
from privacyops.cli.db import DbOption, describe
from privacyops.envnames import env_var


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Store keys that seal personal data at rest.", no_args_is_help=True)
    app.add_typer(group, name="keys")

    @group.command("list")
    def list_keys(database: str | None = DbOption) -> None:
        """List the store keys: id, state (active, retiring, retired), created, values moved onto it."""
        import sqlalchemy as sa

        from privacyops.store import db
        from privacyops.store.models import keys as model

        settings = options.store_settings(database_url=database)
        engine = db.engine_for(settings)
        try:
            with db.session_factory(engine)() as session:
                rows = session.scalars(sa.select(model.StoreKey).order_by(model.StoreKey.created_at)).all()
        finally:
            engine.dispose()
        for key in rows:
            retired = f" retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else ""
            typer.echo(f"{key.id}  {key.state:<8}  created {key.created_at:%Y-%m-%d %H:%M}{retired}  "
                       f"values moved onto it: {key.rewrapped}")

    @group.command("rotate")
    def rotate(
        database: str | None = DbOption,
        batch_size: int = typer.Option(
            500, "--batch-size", min=1, envvar=env_var("keys_batch_size"),
            help=f"Values moved per committed batch [env var: {env_var('keys_batch_size')}].",
        ),
    ) -> None:
        """Add a store key, move every sealed value onto it in batches, retire the old key.

        Run it again after an interruption: it finishes the rotation it finds under way. The secret key
        (PRIVACYOPS_SECRET_KEY or <home>/secret_key) stays the same; the old key's salt is deleted, so
        values sealed under it cannot be opened any more.
        """
        from privacyops.store import db, rotation

        settings = options.store_settings(database_url=database)
        engine = db.engine_for(settings)
        try:
            done = rotation.rotate(engine, batch_size=batch_size)
        except rotation.RotationError as exc:
            raise options.fail(str(exc)) from None
        except Exception as exc:
            raise options.fail(f"the rotation stopped: {describe(exc)}; run it again to finish") from None
        finally:
            engine.dispose()
        how = "finished the rotation under way" if done.resumed else "rotated"
        typer.echo(f"{how}: store key {done.key_id} is active; retired {', '.join(done.retired) or 'none'}; "
                   f"{done.rewrapped} values on the new key ({done.sealed} were still in clear)")
