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
    make_engine(url).dispose()  # creates var/ for the default SQLite file
    command.upgrade(alembic_config(url), revision)
    typer.echo(f"Schema up to date ({revision}).")


@app.command()
def current() -> None:
    """Show the schema revision of the database and of the code."""
    engine = make_engine(get_settings().database_url)
    db_rev, head = schema_status(engine)
    engine.dispose()
    typer.echo(f"database: {db_rev or '(empty)'}  code: {head}")
    if db_rev != head:
        raise typer.Exit(1)
