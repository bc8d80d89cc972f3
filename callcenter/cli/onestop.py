"""`tongdai onestop-emulator`: the built-in one-stop emulator as a server of its own."""

from __future__ import annotations

import typer

DEFAULT_DATABASE = "sqlite:///./var/onestop-emulator.db"


def onestop_emulator(
    port: int = typer.Option(8100, "--port", "-p", help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    database: str = typer.Option(
        DEFAULT_DATABASE, "--database", help="SQLAlchemy URL of the emulator's own database."
    ),
    step_seconds: float | None = typer.Option(
        None,
        "--step-seconds",
        help="Emulated time per processing step (default 60, or ONESTOP_EMULATOR_STEP_SECONDS).",
    ),
) -> None:
    """Serve the one-stop emulator; point the hotline at it with ONESTOP_BASE_URL=http://HOST:PORT.

    Calls must carry `Authorization: Bearer $ONESTOP_API_KEY`; with that variable unset a
    random key is made and printed, so the emulator is never open to anyone.
    """
    import secrets

    import uvicorn

    from callcenter.onestop.emulator import create_emulator_app, standalone_database
    from ivr.settings import get_settings

    settings = get_settings()
    config = settings.onestop_emulator.model_copy()
    if step_seconds is not None:
        config.step_seconds = step_seconds
    api_key = settings.onestop_api_key or secrets.token_urlsafe(32)
    engine, sessions = standalone_database(database)
    typer.echo(
        f"One-stop emulator on http://{host}:{port}  (database {engine.url.render_as_string()}, "
        f"{config.step_seconds:g} s per step)"
    )
    if settings.onestop_api_key is None:
        typer.echo(f"ONESTOP_API_KEY was not set; calls must carry this key: ONESTOP_API_KEY={api_key}")
    try:
        emulator = create_emulator_app(sessionmaker=sessions, api_key=api_key, config=config)
        uvicorn.run(emulator, host=host, port=port)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.command("onestop-emulator")(onestop_emulator)
