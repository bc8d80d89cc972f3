"""The queue page: drafts awaiting an operator, oldest first, live through server-sent events.

Drafts for the same vessel are one card (a fisher who called four times is one person
waiting, not four), placed where its oldest draft waits; each card names the owner.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, client_ip, console_user
from callcenter.console.polled_events import STREAM_SECONDS
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
from models.user import User

router = APIRouter()

PAGE_SIZE = 25
POLL_SECONDS = 1.5


class _StreamCount:
    """Event streams open in this worker: ends must balance starts, or connections leak."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self, step: int) -> None:
        with self._lock:
            self.value += step


OPEN_STREAMS = _StreamCount()


@dataclass
class QueueGroup:
    """The drafts of one vessel (or, without a vessel number, of one caller)."""

    key: str
    vessel_registration: str | None
    owner: str | None  # from the registry when the vessel is verified, else as the caller gave it
    verified: bool
    items: list[QueueItem] = field(default_factory=list)


def group_key(item: QueueItem) -> str:
    d = item.dossier
    if d.vessel_registration:
        return "vessel:" + d.vessel_registration
    return "phone:" + d.applicant_phone if d.applicant_phone else "dossier:" + d.reference


def _owner(item: QueueItem) -> str | None:
    if item.vessel is not None and item.dossier.vessel_verified:
        return item.vessel.owner_name
    return item.dossier.applicant_name


def group_drafts(items: Iterable[QueueItem]) -> list[QueueGroup]:
    """In the order of each group's oldest draft (the items come oldest first)."""
    groups: dict[str, QueueGroup] = {}
    for item in items:
        key = group_key(item)
        group = groups.get(key)
        if group is None:
            group = groups[key] = QueueGroup(key, item.dossier.vessel_registration, _owner(item),
                                             item.dossier.vessel_verified)
        group.owner = group.owner or _owner(item)
        group.items.append(item)
    return list(groups.values())


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
            holder = db.scalar(select(User.full_name).where(User.username == row.claimed_by))
            notice = f"Hồ sơ đang được {holder or row.claimed_by} xử lý."
        elif row is not None:
            notice = f"Hồ sơ số {taken} không còn chờ xử lý."
    since = newest_draft(db)
    return render(request, "queue.html", {
        "items": page.items, "groups": group_drafts(page.items), "next_cursor": page.next_cursor,
        "first_page": not cursor,
        "notice": notice, "since": encode_cursor(since) if since else "",
    })


@router.post("/dossiers/{reference}/claim")
def claim(request: Request, reference: str, user: StaffPage, form: CsrfForm, db: SessionDep) -> Response:
    try:
        claim_dossier(db, reference=reference, user=user, ip=client_ip(request))
    except (ClaimConflict, DossierNotEditable):
        db.rollback()
        if form.get("back") == "dossier":  # the dossier page says who has it
            return RedirectResponse(f"/console/dossiers/{reference}?notice=taken", status_code=303)
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

    def poll(marker: Cursor | None) -> list[tuple[str, dict[str, str]]]:
        now = utcnow()
        with factory() as db:
            found = drafts_after(db, after=marker, limit=50)
            events = []
            for d, v in found:
                item = QueueItem(dossier=d, vessel=v, waiting=now - d.created_at)
                events.append((encode_cursor(Cursor(at=d.created_at, id=d.id)), {
                    "reference": d.reference, "group": group_key(item),
                    # The page adds the row to the vessel's card, or the card when it has none.
                    "html": _html("_queue_row.html", request, session.csrf_token, item=item),
                    "group_html": _html("_queue_group.html", request, session.csrf_token,
                                        group=group_drafts([item])[0]),
                }))
            return events

    async def stream() -> AsyncIterator[str]:
        nonlocal after
        OPEN_STREAMS.add(1)
        try:
            yield "retry: 2000\n\n"
            ends = time.monotonic() + STREAM_SECONDS
            while time.monotonic() < ends and not await request.is_disconnected():
                for event_id, draft in await run_in_threadpool(poll, after):
                    after = decode_cursor(event_id)
                    data = json.dumps(draft, ensure_ascii=False)
                    yield f"id: {event_id}\nevent: draft\ndata: {data}\n\n"
                yield ": ping\n\n"
                await asyncio.sleep(POLL_SECONDS)
        finally:  # also when the server cancels us because the client went away
            OPEN_STREAMS.add(-1)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _html(template: str, request: Request, csrf_token: str, **context: object) -> str:
    return TEMPLATES.get_template(template).render(csrf_token=csrf_token, request=request, **context)
