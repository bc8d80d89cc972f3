"""The mobile site `/m` (contract section 9): server-rendered Vietnamese pages for a
cheap Android phone on a weak connection, working without JavaScript for every step; a
small static script adds the installable app (manifest, service worker) and keeps a
half-filled form on the phone when the connection drops."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")


def install_mobile(app: FastAPI) -> None:
    from callcenter.mobile.router import FORBIDDEN, StaleForm, problem, router, too_large
    from callcenter.security.bodies import answer_too_large_with

    async def stale_form(request: Request, exc: Exception) -> Response:
        return problem(request, 403, FORBIDDEN)

    app.add_exception_handler(StaleForm, stale_form)
    answer_too_large_with(app, "/m/", too_large)  # a phone shows a page, never JSON
    app.include_router(router)
    app.mount("/m/static", StaticFiles(directory=STATIC), name="mobile-static")
