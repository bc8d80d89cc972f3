"""`tongdai worker [--once]`: the outbox worker as a process of its own (several may run)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer
from pydantic import ValidationError

from callcenter.dossiers.ticker import start_dossier_chores
from callcenter.onestop.emulator.loopback import start_loopback_emulator
from callcenter.outbox.context import build_context
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import Settings
from models.db import SchemaOutOfDate, ensure_schema_current, make_engine, make_sessionmaker


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    once: bool = typer.Option(
        False, "--once", help="Gửi những gì đến hạn rồi thoát (cho cron và kiểm thử)."
    ),
) -> None:
    """Deliver the outbox (SMS, one-stop submissions) until Ctrl-C or SIGTERM."""
    try:
        settings = Settings()
    except ValidationError as exc:
        typer.echo(f"Cấu hình không hợp lệ: {exc}", err=True)
        raise typer.Exit(2) from exc
    engine = make_engine(settings.database_url)
    context = build_context(settings)
    try:
        try:
            ensure_schema_current(engine)
        except SchemaOutOfDate as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from exc
        sessions = make_sessionmaker(engine)
        # ONESTOP_BASE_URL unset: this process starts the built-in emulator on a loopback
        # port of its own, as an app worker does; its dossiers are the database's, so it
        # and the app's emulators are one system.
        emulator = start_loopback_emulator(settings, sessions)
        outbox = OutboxWorker(sessions, context, config=settings.outbox)
        try:
            if once:
                report = outbox.drain()
                typer.echo(
                    f"Đã gửi {report.done}, hẹn thử lại {report.retry}, thất bại {report.failed}."
                )
                return
            stop = threading.Event()
            _stop_on_signals(stop)
            chores = start_dossier_chores(settings, sessions)  # idle claims, one-stop status poll
            try:
                outbox.run(stop)
            except KeyboardInterrupt:
                stop.set()
            finally:
                chores.stop()
        finally:
            if emulator is not None:
                emulator.stop()
    finally:
        context.close()
        engine.dispose()


def _stop_on_signals(stop: threading.Event) -> None:
    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()  # the delivery in hand finishes; unused leases are released

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
