"""`GET /huong-dan`: the one-page guide for fishers (letter 5039), printable on A4.

Generated at request time from the flow the hotline runs and the SMS parser's keyword
table, so the fishers' association and the radio station always pass on what the
service actually understands.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ivr.guide.menu import first_menu_key_reaching, walk_menu
from ivr.hours import opening_hours_text
from ivr.runtime import HotlineRuntime
from ivr.settings import Settings
from ivr.sms.parser import EXAMPLE_REFERENCE, EXAMPLE_VESSEL, HELP, KEYWORDS
from ivr.sms.replies import help_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

router = APIRouter(tags=["guide"])


def render_guide(runtime: HotlineRuntime, settings: Settings) -> str:
    flow = runtime.current
    return _env.get_template("guide.html").render(
        menu=walk_menu(flow, runtime.catalogue),
        status_key=first_menu_key_reaching(flow, "dossier"),
        status_keyword=next(k for k in KEYWORDS if k.action == "status"),
        keywords=KEYWORDS,
        help_keyword=HELP,
        example_vessel=EXAMPLE_VESSEL,
        example_registration=f"{settings.hotline_province}-{EXAMPLE_VESSEL}-TS",
        example_reference=EXAMPLE_REFERENCE,
        help_text=help_text(settings.hotline_display),
        hotline_display=settings.hotline_display,
        hotline_number=settings.hotline_number,
        opening_hours=opening_hours_text(settings),
        promise_hours=settings.callbacks.promise_hours,
    )


@router.get("/huong-dan", response_class=HTMLResponse)
def fishers_guide(request: Request) -> HTMLResponse:
    runtime: HotlineRuntime = request.app.state.hotline
    settings: Settings = request.app.state.settings
    return HTMLResponse(render_guide(runtime, settings), headers={"Cache-Control": "public, max-age=300"})
