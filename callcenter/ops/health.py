"""`/readyz`: may a load balancer send this worker traffic? (`/healthz` says it is alive.)"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from models.db import schema_status


def install_readiness(app: FastAPI) -> None:
    @app.get("/readyz", include_in_schema=False)
    def readyz(request: Request) -> JSONResponse:
        engine: Engine = request.app.state.engine
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            current, head = schema_status(engine)
        except SQLAlchemyError as exc:
            return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
        if current != head:
            return JSONResponse(
                {"status": "unavailable", "schema": current, "needs": head,
                 "fix": "tongdai db upgrade"}, status_code=503,
            )
        return JSONResponse({"status": "ready", "schema": current})


def install_ops(app: FastAPI) -> None:
    from callcenter.ops.metrics import install_metrics

    install_metrics(app)
    install_readiness(app)
