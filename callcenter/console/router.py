"""Every console page under /console."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from callcenter.console import activity, auth, callback, dossier, queue, web_dossiers

router = APIRouter(prefix="/console", include_in_schema=False)
# web_dossiers before dossier: `/dossiers/new` is not a reference.
for part in (auth, queue, web_dossiers, dossier, callback, activity):
    router.include_router(part.router)


@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console/queue", status_code=303)
