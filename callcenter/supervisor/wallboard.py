"""The supervisors' wall board: callers waiting and the longest wait, operators by state and
for how long, today's queue figures — pushed by server-sent events, as the console's live
calls are (a stream that reads the database every second: any worker, no broker)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from callcenter.console.deps import SupervisorPage, console_user, require_console_roles
from callcenter.console.polled_events import polled_events
from callcenter.operators.card import waiting_now
from callcenter.operators.desk import STATES, roster
from callcenter.reports.period import last_days
from callcenter.reports.queue import queue_figures
from callcenter.supervisor.templating import render
from ivr.settings import Settings
from models.base import utcnow

router = APIRouter()
PUSH_S = 1.0


def board(db: Session, *, settings: Settings, now: datetime) -> dict[str, Any]:
    waiting, oldest = waiting_now(db)
    longest = max(0, int((now - oldest).total_seconds())) if oldest else 0
    operators = []
    for user, row in roster(db):
        state = row.state if row else "away"
        operators.append({"username": user.username, "name": user.full_name or user.username, "state": state,
                          "state_label": STATES.get(state, state),
                          "for_s": int((now - row.since).total_seconds()) if row else None})
    zone = ZoneInfo(settings.timezone)
    today = last_days(1, tz=zone, today=now.astimezone(zone).date())
    figures = queue_figures(db, period=today, service_level_s=settings.service_level_s)
    by_state = {state: sum(1 for o in operators if o["state"] == state) for state in STATES}
    return {"waiting": waiting, "longest_wait_s": longest, "operators": operators, "by_state": by_state,
            "today": asdict(figures), "service_level_s": settings.service_level_s}


@router.get("/wallboard", response_class=HTMLResponse)
def wallboard_page(request: Request, user: SupervisorPage) -> Response:
    return render(request, "sv_wallboard.html", {"active": "wallboard"})


@router.get("/wallboard/events")
async def wallboard_events(request: Request) -> StreamingResponse:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    settings: Settings = request.app.state.settings

    def check() -> None:
        with factory() as db:
            require_console_roles("supervisor", "admin")(console_user(request, db))

    await run_in_threadpool(check)

    def tick() -> dict[str, Any]:
        with factory() as db:
            return board(db, settings=settings, now=utcnow())

    return polled_events(request, tick, event="board", every_s=PUSH_S, retry_ms=2000)
