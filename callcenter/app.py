"""Application factory: `uvicorn --factory callcenter.app:create_app`."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from callcenter.api.errors import install_api_error_handlers
from callcenter.api.router import router as api_router
from callcenter.attachments.storage import check_store
from callcenter.auth.login import LoginGate
from callcenter.console import install_console
from callcenter.dossiers.ticker import start_dossier_chores
from callcenter.mobile import install_mobile
from callcenter.onestop.emulator.loopback import start_loopback_emulator
from callcenter.operators.pin_attempts import LimitedPinAttempts
from callcenter.ops.docs import install_docs
from callcenter.ops.health import install_ops
from callcenter.ops.logging import configure_logging
from callcenter.ops.metrics import login_outcomes
from callcenter.outbox.runner import start_outbox_thread
from callcenter.procedures import load_catalogue as load_procedures
from callcenter.procedures.phrases import check_procedure_phrases
from callcenter.public.router import router as public_router
from callcenter.ratelimit import build_rate_limiter
from callcenter.security import install_security
from callcenter.supervisor.router import router as supervisor_router
from ivr.guide.routes import router as guide_router
from ivr.queue.webhooks import router as queue_router
from ivr.runtime import load_runtime
from ivr.settings import Settings
from ivr.sms.webhook import router as sms_router
from ivr.webhooks import install_voice_fault_handlers, mount_voice_prompts
from ivr.webhooks import router as ivr_router
from models.db import ensure_schema_current, make_engine, make_sessionmaker


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.check_can_serve()  # refuses, saying what to set, before anything is opened
    configure_logging(json=settings.log_json)
    engine = make_engine(settings.database_url, timeout_s=settings.database_timeout_s)
    # Refuse to serve on a schema the code does not match: a half-migrated hotline
    # would fail callers mid-call instead of failing loudly here.
    ensure_schema_current(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sessions = app.state.sessionmaker
        # With no one-stop system configured, the worker here talks to the built-in
        # emulator on a loopback port of this process's own (never on the public port).
        emulator = start_loopback_emulator(settings, sessions) if settings.run_worker_in_app else None
        outbox = start_outbox_thread(settings, sessions) if settings.run_worker_in_app else None
        # Idle claims and one-stop status polling ride along with the in-app worker.
        chores = start_dossier_chores(settings, sessions) if settings.run_worker_in_app else None
        # What start-up built stays for the process's life: out of the collector's sight,
        # so its full collections (a pause on the event loop) scan only what requests make.
        gc.freeze()
        yield
        if chores is not None:
            chores.stop()
        if outbox is not None:
            outbox.stop()
        if emulator is not None:
            emulator.stop()
        engine.dispose()

    # /docs comes from install_docs: Swagger UI's files from a package, not a CDN.
    app = FastAPI(title="tongdai", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    # Counters every worker shares (database or Redis): logins, one-time codes.
    app.state.rate_limiter = build_rate_limiter(settings.rate_limit_storage_url, engine=engine)
    app.state.pin_attempts = LimitedPinAttempts(app.state.rate_limiter, settings)  # operators' phone PINs
    # A store that cannot be used (a wrong URL, a bucket that is not there) stops the start.
    check_store(settings.attachments.store_url)
    # The menus and prompts are checked here: a broken flow stops the start, naming the node.
    app.state.hotline = load_runtime()
    # Every procedure has a spoken name and an SMS one: a missing one stops the start, naming it.
    check_procedure_phrases(load_procedures(), app.state.hotline.catalogue)
    install_voice_fault_handlers(app)
    install_ops(app)  # /metrics, /readyz, webhook latency
    install_docs(app)  # /docs, offline
    install_security(app)  # body limits per path, browser headers (CSP, nosniff, no-store)
    # Console and API logins: rate limits, waits after failures, hashing bounded.
    app.state.login_gate = LoginGate(
        sessions=app.state.sessionmaker, limiter=app.state.rate_limiter, settings=settings,
        outcomes=login_outcomes(app.state.metrics_registry),
    )
    mount_voice_prompts(app)

    app.include_router(ivr_router)
    app.include_router(queue_router)  # /twilio/voice/queue/..., /twilio/voice/operator
    app.include_router(sms_router)
    app.include_router(guide_router)
    app.include_router(api_router, prefix="/api/v1")
    install_api_error_handlers(app)
    app.include_router(public_router, prefix="/api/v1")  # /api/v1/public: the smartphone channel
    install_console(app)
    install_mobile(app)  # /m: the smartphone channel's site
    app.include_router(supervisor_router)  # /console/supervisor/...

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
