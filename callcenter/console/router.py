"""Every console page under /console."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from callcenter.console import activity, auth, callback, dossier, live, queue, users, web_dossiers
from callcenter.console.deps import StaffPage, home_page

router = APIRouter(prefix="/console", include_in_schema=False)
# web_dossiers before dossier: `/dossiers/new` is not a reference.
for part in (auth, queue, web_dossiers, dossier, callback, activity, users, live):
    router.include_router(part.router)


@router.get("")
@router.get("/")
def home(user: StaffPage) -> RedirectResponse:
    return RedirectResponse(home_page(user.role), status_code=303)
