"""The emulator's own FastAPI app: the province's one-stop system, played locally.

Served on a loopback port by each hotline process that needs it when ONESTOP_BASE_URL is
unset (loopback.py), or alone by `tongdai onestop-emulator`; never on the service's port.
Wire format: docs/onestop.md.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from callcenter.onestop.emulator import service
from callcenter.onestop.emulator.clock import Clock, SystemClock
from callcenter.onestop.emulator.validation import application_errors
from callcenter.onestop.schemas import (
    Application,
    DossierPage,
    ErrorBody,
    FieldError,
    OneStopDossier,
    StatusChange,
)
from ivr.settings import EmulatorConfig
from models.base import Base
from models.db import make_engine, make_sessionmaker
from models.onestop_emulator import OneStopEmuDossier


class WireError(Exception):
    def __init__(self, status_code: int, error: str, message: str, errors: list[FieldError] | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.body = ErrorBody(error=error, message=message, errors=errors or [])


def _error_response(exc: WireError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse(
        exc.body.model_dump(mode="json", by_alias=True), status_code=exc.status_code, headers=headers
    )


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


# Dependencies read the emulator app's own state, never the hotline's session or settings.
def _session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as db:
        try:
            yield db
        finally:
            db.rollback()


def _bearer(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    api_key: str | None = request.app.state.api_key
    if api_key is None:
        return
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), api_key.encode()):
        raise WireError(401, "unauthorized", "Sai hoặc thiếu mã truy cập (Bearer token)")


SessionDep = Annotated[Session, Depends(_session)]


def create_emulator_app(
    *,
    sessionmaker: sessionmaker[Session],
    api_key: str | None = None,
    clock: Clock | None = None,
    config: EmulatorConfig | None = None,
) -> FastAPI:
    """`api_key` set: every call must carry `Authorization: Bearer <api_key>`. Everything
    that serves it over a network passes one; None is for in-process tests only."""
    config = config or EmulatorConfig()
    clock = clock or SystemClock()
    app = FastAPI(title="one-stop emulator (VNPT-iGate shape)", version="1")

    @app.exception_handler(WireError)
    async def wire_error(_request: Request, exc: WireError) -> JSONResponse:
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(field=_field_path(tuple(e["loc"])), message=e["msg"]) for e in exc.errors()]
        return _error_response(WireError(422, "invalid_application", "Hồ sơ không hợp lệ", errors))

    app.state.sessionmaker = sessionmaker
    app.state.api_key = api_key
    router_deps = [Depends(_bearer)]

    @app.post(
        "/pa/dossier/--apply-online",
        response_model=OneStopDossier,
        status_code=201,
        dependencies=router_deps,
        responses={200: {"description": "a retry: the dossier this key created before"}},
    )
    def apply_online(
        application: Application,
        db: SessionDep,
        response: Response,
        idempotency_key: Annotated[str | None, Header(max_length=120)] = None,
    ) -> OneStopDossier:
        if not idempotency_key:
            raise WireError(400, "idempotency_key_required", "Thiếu tiêu đề Idempotency-Key")
        now = clock.now()
        errors = application_errors(application, today=now.astimezone(ZoneInfo(config.timezone)).date())
        if errors:
            raise WireError(422, "invalid_application", "Hồ sơ không hợp lệ", errors)
        try:
            dossier, created = service.apply_online(
                db, application=application, idempotency_key=idempotency_key, now=now, config=config
            )
        except service.IdempotencyConflict as exc:
            raise WireError(422, "idempotency_key_reused", str(exc)) from exc
        db.commit()
        if not created:
            response.status_code = 200
        return service.to_wire(dossier, config=config)

    @app.get("/pa/dossier/--by-code", response_model=OneStopDossier, dependencies=router_deps)
    def by_code(code: Annotated[str, Query(max_length=40)], db: SessionDep) -> OneStopDossier:
        dossier = service.find_by_code(db, code=code, now=clock.now(), config=config)
        if dossier is None:
            raise WireError(404, "not_found", f"Không tìm thấy hồ sơ {code}")
        db.commit()
        return service.to_wire(dossier, config=config)

    @app.get("/pa/dossier/search", response_model=DossierPage, dependencies=router_deps)
    def search(
        db: SessionDep,
        code: Annotated[str | None, Query(max_length=40)] = None,
        identity_number: Annotated[str | None, Query(alias="identityNumber", max_length=12)] = None,
        page: Annotated[int, Query(ge=0)] = 0,
        size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> DossierPage:
        rows, total = service.search(
            db, code=code, identity_number=identity_number, page=page, size=size,
            now=clock.now(), config=config,
        )
        db.commit()
        return DossierPage(
            content=[service.to_wire(d, config=config) for d in rows],
            total_elements=total,
            page=page,
            size=size,
        )

    # Not part of iGate: plays the clerk's part so a demo or a test can show documents
    # being requested, a refusal, or processing stopped.
    @app.post("/_emulator/dossiers/{code}/--status", response_model=OneStopDossier, dependencies=router_deps)
    def set_status(code: str, change: StatusChange, db: SessionDep) -> OneStopDossier:
        now = clock.now()
        dossier = service.find_by_code(db, code=code, now=now, config=config)
        if dossier is None:
            raise WireError(404, "not_found", f"Không tìm thấy hồ sơ {code}")
        try:
            service.change_status(
                db, dossier=dossier, status=change.status, reason=change.reason, now=now, config=config
            )
        except service.StatusChangeRefused as exc:
            raise WireError(409, "status_change_refused", str(exc)) from exc
        db.commit()
        return service.to_wire(dossier, config=config)

    return app


def standalone_database(database_url: str) -> tuple[Engine, sessionmaker[Session]]:
    """The emulator's own database: creates its tables, and only its tables.

    A standalone emulator stands for another organisation's system, so it never shares
    or migrates the hotline's schema; `create_all` on its own tables is all it needs.
    """
    engine = make_engine(database_url)
    Base.metadata.create_all(engine, tables=[OneStopEmuDossier.__table__])  # type: ignore[list-item]
    return engine, make_sessionmaker(engine)
