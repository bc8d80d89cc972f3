"""`tongdai db upgrade|current`."""

from __future__ import annotations

import typer
from alembic import command

from ivr.settings import get_settings
from models.db import alembic_config, make_engine, schema_status

app = typer.Typer(help="Database schema (Alembic).", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Bring the schema up to date (alembic upgrade head)."""
    url = get_settings().database_url
    engine = make_engine(url)  # creates var/ for the default SQLite file
    before, _ = schema_status(engine)
    command.upgrade(alembic_config(url), revision)
    after, _ = schema_status(engine)
    engine.dispose()
    typer.echo(upgrade_message(before, after))


def upgrade_message(before: str | None, after: str | None) -> str:
    """What `upgrade` did, in words: created, upgraded, or nothing to do."""
    if before is None and after is not None:
        return f"Created the database schema (revision {after})."
    if before == after:
        return f"Schema already up to date (revision {after})."
    return f"Upgraded the schema from revision {before} to {after}."


@app.command()
def current() -> None:
    """Show the schema revision of the database and of the code."""
    engine = make_engine(get_settings().database_url)
    db_rev, head = schema_status(engine)
    engine.dispose()
    typer.echo(f"database: {db_rev or '(empty)'}  code: {head}")
    if db_rev != head:
        raise typer.Exit(1)
