"""The queue page: drafts awaiting an operator, oldest first, live through server-sent events."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, client_ip, console_user
from callcenter.console.queries import drafts_after, newest_draft
from callcenter.console.session import ensure_session
from callcenter.console.templating import TEMPLATES, render
from callcenter.dossiers import repository
from callcenter.dossiers.service import (
    ClaimConflict,
    DossierInvalid,
    DossierNotEditable,
    DossierNotFound,
    QueueItem,
    claim_dossier,
    queue,
)
from callcenter.pagination import Cursor, InvalidCursor, decode_cursor, encode_cursor
from models.base import utcnow
from models.db import SessionDep

router = APIRouter()

PAGE_SIZE = 25
POLL_SECONDS = 1.5
# An event stream ends after this long and the browser reconnects on its own (with
# Last-Event-ID): no connection is held forever, and load spreads over the workers.
STREAM_SECONDS = 300.0


class _StreamCount:
    """Event streams open in this worker: ends must balance starts, or connections leak."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self, step: int) -> None:
        with self._lock:
            self.value += step


OPEN_STREAMS = _StreamCount()


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, user: StaffPage, db: SessionDep, cursor: str | None = None,
               taken: str | None = None) -> Response:
    try:
        page = queue(db, limit=PAGE_SIZE, cursor=cursor or None)
    except DossierInvalid:  # a mangled cursor in the address bar: show the first page
        page = queue(db, limit=PAGE_SIZE)
        cursor = None
    notice = None
    if taken:
        row = repository.get_dossier(db, reference=taken)
        if row is not None and row.claimed_by:
            notice = f"Hồ sơ đang được {row.claimed_by} xử lý."
        elif row is not None:
            notice = f"Hồ sơ số {taken} không còn chờ xử lý."
    since = newest_draft(db)
    return render(request, "queue.html", {
        "items": page.items, "next_cursor": page.next_cursor, "first_page": not cursor,
        "notice": notice, "since": encode_cursor(since) if since else "",
    })


@router.post("/dossiers/{reference}/claim")
def claim(request: Request, reference: str, user: StaffPage, form: CsrfForm, db: SessionDep) -> Response:
    try:
        claim_dossier(db, reference=reference, user=user, ip=client_ip(request))
    except (ClaimConflict, DossierNotEditable):
        db.rollback()
        return RedirectResponse(f"/console/queue?taken={reference}", status_code=303)
    except DossierNotFound:
        db.rollback()
        return RedirectResponse("/console/queue", status_code=303)
    db.commit()
    return RedirectResponse(f"/console/dossiers/{reference}", status_code=303)


def _start(since: str | None, last_event_id: str | None) -> Cursor | None:
    for value in (last_event_id, since):
        if value:
            try:
                return decode_cursor(value)
            except InvalidCursor:
                continue
    return None


def _authenticate(request: Request) -> None:
    # A session of its own, closed at once: a stream may last minutes and must not hold
    # a pooled connection all that time.
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as db:
        console_user(request, db)


@router.get("/queue/events")
async def queue_events(
    request: Request,
    since: str | None = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    await run_in_threadpool(_authenticate, request)
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    session, _ = ensure_session(request)
    after = _start(since, last_event_id)

    def poll(marker: Cursor | None) -> list[tuple[str, str, str]]:
        now = utcnow()
        with factory() as db:
            found = drafts_after(db, after=marker, limit=50)
            return [(encode_cursor(Cursor(at=d.created_at, id=d.id)), d.reference,
                     _row_html(request, QueueItem(dossier=d, vessel=v, waiting=now - d.created_at),
                               session.csrf_token, now))
                    for d, v in found]

    async def stream() -> AsyncIterator[str]:
        nonlocal after
        OPEN_STREAMS.add(1)
        try:
            yield "retry: 2000\n\n"
            ends = time.monotonic() + STREAM_SECONDS
            while time.monotonic() < ends and not await request.is_disconnected():
                for event_id, reference, html in await run_in_threadpool(poll, after):
                    after = decode_cursor(event_id)
                    data = json.dumps({"reference": reference, "html": html}, ensure_ascii=False)
                    yield f"id: {event_id}\nevent: draft\ndata: {data}\n\n"
                yield ": ping\n\n"
                await asyncio.sleep(POLL_SECONDS)
        finally:  # also when the server cancels us because the client went away
            OPEN_STREAMS.add(-1)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _row_html(request: Request, item: QueueItem, csrf_token: str, now: datetime) -> str:
    template = TEMPLATES.get_template("_queue_row.html")
    return template.render(item=item, csrf_token=csrf_token, request=request)
