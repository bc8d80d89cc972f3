"""`/readyz`: may a load balancer send this worker traffic? (`/healthz` says it is alive.)

Ready means the database answers, takes writes and has the schema this code needs. A
database that only reads (a standby after a failover, a full disk, a read-only file)
would take every call and keep nothing, so the write is tried too: an UPDATE that
changes nothing, in a transaction rolled back.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, column, table, update
from sqlalchemy.exc import SQLAlchemyError

from models.db import DatabaseBusy, make_sessionmaker, schema_status, write_unit

# Alembic's own one-row table: always there once the schema is, and nobody else's.
_VERSION = table("alembic_version", column("version_num"))


def check_writes(engine: Engine) -> None:
    """Raise SQLAlchemyError (or DatabaseBusy) unless the database would take a write now."""
    with make_sessionmaker(engine)() as session, write_unit(session):
        session.execute(update(_VERSION).values(version_num=_VERSION.c.version_num))
        session.rollback()


def install_readiness(app: FastAPI) -> None:
    @app.get("/readyz", include_in_schema=False)
    def readyz(request: Request) -> JSONResponse:
        engine: Engine = request.app.state.engine
        try:
            current, head = schema_status(engine)
        except SQLAlchemyError as exc:
            return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
        if current != head:
            return JSONResponse(
                {"status": "unavailable", "schema": current, "needs": head,
                 "fix": "tongdai db upgrade"}, status_code=503,
            )
        try:
            check_writes(engine)
        except (SQLAlchemyError, DatabaseBusy) as exc:
            return JSONResponse(
                {"status": "unavailable", "database": "refuses writes", "error": type(exc).__name__},
                status_code=503,
            )
        return JSONResponse({"status": "ready", "schema": current})


def install_ops(app: FastAPI) -> None:
    from callcenter.ops.metrics import install_metrics

    install_metrics(app)
    install_readiness(app)
