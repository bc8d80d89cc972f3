"""The call-back button on the dossier page, and the list of call-backs due again."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from callcenter.audit.log import record_audit
from callcenter.callbacks.dialer import TwilioDialer, TwilioHttpDep
from callcenter.callbacks.repository import due_callbacks
from callcenter.callbacks.service import OUTCOME_LABELS, CallbackRefused, request_callback
from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, client_ip
from callcenter.console.errors import ConsoleError
from callcenter.console.templating import render
from callcenter.pagination import Cursor, InvalidCursor, decode_cursor, encode_cursor
from ivr.settings import Settings
from models.base import utcnow
from models.db import SessionDep
from models.dossier import Dossier

router = APIRouter()

PAGE_SIZE = 25


@router.post("/dossiers/{reference}/callback")
def callback(request: Request, reference: str, user: StaffPage, form: CsrfForm, db: SessionDep,
             http: TwilioHttpDep) -> Response:
    settings: Settings = request.app.state.settings
    dossier = db.scalar(select(Dossier).where(Dossier.reference == reference))
    if dossier is None:
        raise ConsoleError(404, "Không tìm thấy hồ sơ", f"Không có hồ sơ số {reference}.")
    dialer = TwilioDialer(settings, http) if settings.twilio_sending_enabled else None
    back = f"/console/dossiers/{reference}?notice="
    try:
        attempt = request_callback(db, dossier=dossier, operator=user, settings=settings, dialer=dialer)
    except CallbackRefused as refused:
        db.rollback()
        return RedirectResponse(back + refused.code, status_code=303)
    record_audit(db, actor=user, action="callback", target=f"dossier:{reference}", ip=client_ip(request),
                 detail={"attempt_id": attempt.id, "outcome": attempt.outcome})
    db.commit()
    code = {"not_configured": "callback_not_configured", "failed": "callback_failed"}
    return RedirectResponse(back + code.get(attempt.outcome, "callback_ringing"), status_code=303)


@router.get("/callbacks", response_class=HTMLResponse)
def due_page(request: Request, user: StaffPage, db: SessionDep, cursor: str | None = None) -> Response:
    after: tuple[datetime, int] | None = None
    if cursor:
        try:
            decoded = decode_cursor(cursor)
            after = (decoded.at, decoded.id)
        except InvalidCursor:
            after = None
    rows = due_callbacks(db, now=utcnow(), after=after, limit=PAGE_SIZE + 1)
    page = rows[:PAGE_SIZE]
    next_cursor = None
    last = page[-1].attempt if page else None
    if len(rows) > PAGE_SIZE and last is not None and last.next_attempt_at is not None:
        next_cursor = encode_cursor(Cursor(at=last.next_attempt_at, id=last.id))
    return render(request, "callbacks.html", {"rows": page, "next_cursor": next_cursor,
                                                     "outcome_labels": OUTCOME_LABELS})
