"""The supervisor pages' templates: their own folder, laid out in the console's base page.

An overlay of the console's Jinja environment, so the console's filters (`phone`,
`mask_id`), names (procedures, statuses) and layout are the same here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from callcenter.calls.narrative import OUTCOMES
from callcenter.console import templating as console
from callcenter.console.session import ensure_session, write_session
from callcenter.console.templating import duration, vnd
from callcenter.operators.wrap_up import code_label
from ivr.settings import Settings

__all__ = ["OUTCOMES", "TEMPLATES", "duration", "render", "vnd"]

HERE = Path(__file__).resolve().parent
_ENV = console.TEMPLATES.env.overlay(
    loader=ChoiceLoader([FileSystemLoader(str(HERE / "templates")), console.TEMPLATES.env.loader]),  # type: ignore[list-item]
)
_ENV.globals.update(OUTCOMES=OUTCOMES, WRAP_UP_LABEL=code_label)
TEMPLATES = Jinja2Templates(env=_ENV)


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """A page with what the console's layout expects: the user, the CSRF token, local times."""
    settings: Settings = request.app.state.settings
    session, is_new = ensure_session(request)
    zone = ZoneInfo(settings.timezone)

    def local(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
        return value.astimezone(zone).strftime(fmt) if value else ""

    full = {"user": getattr(request.state, "console_user", None), "csrf_token": session.csrf_token,
            "local": local, **context}
    response = TEMPLATES.TemplateResponse(request, template, full, status_code=status_code)
    if is_new:
        write_session(response, session, settings=settings)
    return response
