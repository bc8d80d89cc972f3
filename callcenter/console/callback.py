"""Calling people back: the button on the dossier page, and the operators' "Cần gọi lại"
list — callers' open requests first (voice messages, callers who left the queue: each a
promise made to them), then the dossiers' call-backs due again."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from callcenter.audit.log import record_audit
from callcenter.callbacks.dialer import TwilioDialer, TwilioHttpDep
from callcenter.callbacks.repository import due_callbacks, open_requests
from callcenter.callbacks.service import OUTCOME_LABELS, CallbackRefused, close_request, request_callback
from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, client_ip
from callcenter.console.errors import ConsoleError
from callcenter.console.notices import notice_text
from callcenter.console.templating import render
from callcenter.pagination import Cursor, InvalidCursor, decode_cursor, encode_cursor
from ivr.settings import Settings
from models.base import utcnow
from models.callback import CallbackRequest
from models.db import SessionDep
from models.dossier import Dossier

router = APIRouter()

PAGE_SIZE = 25
REQUESTS_SHOWN = 100
REASONS = {
    "voice_message": "Để lại lời nhắn ngoài giờ", "queue_choice": "Chọn được gọi lại khi chờ",
    "queue_timeout": "Chờ quá lâu", "queue_full": "Hàng chờ đầy", "no_operator": "Không có điện thoại viên",
    "fault": "Tổng đài gặp sự cố",
}


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
def due_page(request: Request, user: StaffPage, db: SessionDep, cursor: str | None = None,
             notice: str | None = None) -> Response:
    settings: Settings = request.app.state.settings
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
    return render(request, "callbacks.html", {
        "requests": open_requests(db, after=None, limit=REQUESTS_SHOWN), "reasons": REASONS,
        "max_attempts": settings.callbacks.max_attempts,
        "rows": page, "next_cursor": next_cursor, "outcome_labels": OUTCOME_LABELS,
        "notice": notice_text(notice), "first_page": not cursor,
    })


def _open_request(db: SessionDep, request_id: int) -> CallbackRequest:
    found = db.get(CallbackRequest, request_id)
    if found is None:
        raise ConsoleError(404, "Không tìm thấy yêu cầu gọi lại", f"Không có yêu cầu số {request_id}.")
    return found


@router.post("/callbacks/{request_id}/call")
def call_back(request: Request, request_id: int, user: StaffPage, form: CsrfForm, db: SessionDep,
              http: TwilioHttpDep) -> Response:
    """Ring the operator, then the caller who is owed a call."""
    settings: Settings = request.app.state.settings
    wanted = _open_request(db, request_id)
    dossier = db.get(Dossier, wanted.dossier_id) if wanted.dossier_id else None
    dialer = TwilioDialer(settings, http) if settings.twilio_sending_enabled else None
    try:
        attempt = request_callback(db, dossier=dossier, request=wanted, operator=user, settings=settings,
                                   dialer=dialer)
    except CallbackRefused as refused:
        db.rollback()
        return RedirectResponse(f"/console/callbacks?notice={refused.code}", status_code=303)
    record_audit(db, actor=user, action="callback", target=f"callback_request:{wanted.id}",
                 ip=client_ip(request), detail={"attempt_id": attempt.id, "outcome": attempt.outcome})
    db.commit()
    code = {"not_configured": "callback_not_configured", "failed": "callback_failed"}
    return RedirectResponse(f"/console/callbacks?notice={code.get(attempt.outcome, 'callback_ringing')}",
                            status_code=303)


@router.post("/callbacks/{request_id}/close")
def close(request: Request, request_id: int, user: StaffPage, form: CsrfForm, db: SessionDep) -> Response:
    """The operator says how it ended: reached (`done`) or, after the attempts, unreachable."""
    settings: Settings = request.app.state.settings
    wanted = _open_request(db, request_id)
    status = form.get("status", "")
    try:
        close_request(db, request=wanted, operator=user, status=status,
                      max_attempts=settings.callbacks.max_attempts)
    except CallbackRefused as refused:
        db.rollback()
        return RedirectResponse(f"/console/callbacks?notice={refused.code}", status_code=303)
    record_audit(db, actor=user, action=f"callback_{status}", target=f"callback_request:{wanted.id}",
                 ip=client_ip(request))
    db.commit()
    return RedirectResponse(f"/console/callbacks?notice=request_{status}", status_code=303)
