"""The operators' web console: server-rendered Vietnamese pages under /console."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from callcenter.console.errors import ConsoleError, LoginRequired

STATIC = Path(__file__).with_name("static")


def install_console(app: FastAPI) -> None:
    """Pages, static files, the call-back webhooks, and the handlers that turn errors into pages."""
    from callcenter.callbacks.webhooks import router as callback_webhooks
    from callcenter.console.router import router
    from callcenter.console.templating import render

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(f"/console/login?next={quote(exc.next_path, safe='')}", status_code=303)

    async def console_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ConsoleError)
        return render(request, "error.html", {"title": exc.title, "message": exc.message},
                      status_code=exc.status_code)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(ConsoleError, console_error)
    app.include_router(router)
    app.include_router(callback_webhooks)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
