"""The supervisor pages' templates: their own folder, laid out in the console's base page.

An overlay of the console's Jinja environment, so the console's filters (`phone`,
`mask_id`), names (procedures, statuses) and layout are the same here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from callcenter.calls.narrative import OUTCOMES
from callcenter.console import templating as console
from callcenter.console.templating import duration, vnd
from callcenter.operators.wrap_up import code_label

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
    """A page of the supervisor's folder, rendered as the console renders its own."""
    return console.render(request, template, context, status_code=status_code, templates=TEMPLATES)
