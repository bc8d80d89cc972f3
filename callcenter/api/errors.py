"""The API's answer to a dossier service's refusal, once for every endpoint.

Endpoints call a service and commit; when the service refuses (`DossierError`), nothing
was committed and this turns the refusal into its status: 422 naming each bad field by
its path, 404 for an unknown dossier, 409 for a claim held by another or a dossier past
editing.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError

from callcenter.dossiers.service import DossierError, DossierInvalid, DossierNotFound


async def dossier_refused(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DossierInvalid):
        return await request_validation_exception_handler(request, RequestValidationError([
            {"type": "value_error", "loc": ("body", *path.split(".")), "msg": message, "input": None}
            for path, message in exc.errors.items()
        ]))
    code = status.HTTP_404_NOT_FOUND if isinstance(exc, DossierNotFound) else status.HTTP_409_CONFLICT
    return await http_exception_handler(request, HTTPException(code, detail=str(exc)))


def install_api_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DossierError, dossier_refused)
