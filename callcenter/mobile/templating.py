"""The mobile site's pages: its own small Jinja environment and one render helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from callcenter.console.templating import day_month_year, local_time, phone_national
from callcenter.mobile import session as mobile_session
from ivr.settings import Settings

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
TEMPLATES.env.filters["phone"] = phone_national


TEMPLATES.env.filters["day"] = day_month_year


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, session: mobile_session.MobileSession | None = None) -> HTMLResponse:
    """A page with the CSRF token and the verified phone; (re)writes the cookie when new or given."""
    settings: Settings = request.app.state.settings
    current = session or mobile_session.ensure(request)
    full = {"csrf_token": current.csrf_token, "phone": current.phone, "local": local_time(settings),
            "hotline": settings.hotline_display, **(context or {})}
    response = TEMPLATES.TemplateResponse(request, template, full, status_code=status_code)
    # A signed-in citizen's page (their phone, their dossiers, the registry's data) is not
    # stored by the browser; the anonymous ones may be, checked again each time.
    response.headers["Cache-Control"] = "no-store" if current.phone else "no-cache"
    if session is not None or getattr(request.state, "mobile_session_new", False):
        mobile_session.write(response, current, settings=settings)
    return response
