"""Every console page under /console."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from callcenter.console import activity, auth, callback, dossier, live, queue

router = APIRouter(prefix="/console", include_in_schema=False)
for part in (auth, queue, dossier, callback, activity, live):
    router.include_router(part.router)


@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console/queue", status_code=303)
