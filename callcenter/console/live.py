"""The console's live calls: the ready/away toggle, the softphone's token, the callers
waiting, the caller's card and the wrap-up — pushed by server-sent events.

Why SSE polling the database (`polled_events`): the card must reach the operator's screen
within a second of the bridge, and the bridge is recorded by whichever worker (or host)
Twilio's Queue url reached; a stream that reads a few indexed rows every half second sees
it from any worker. The stream is also the console's heartbeat: a console that goes away
stops it, and its operator is set away within a minute.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, console_user
from callcenter.console.errors import ConsoleError
from callcenter.console.polled_events import polled_events
from callcenter.console.session import read_session
from callcenter.console.templating import phone_national, procedure_name
from callcenter.operators.card import CallerCard, cards_for, menu_titles, path_in_words, waiting_entries
from callcenter.operators.desk import STATES, choose_state, desk_cards, keep_alive
from callcenter.operators.draft import DraftRefused, draft_from_call
from callcenter.operators.sounds import SOUND_NAMES, sound_wav
from callcenter.operators.voice_token import SoftphoneNotConfigured, mint_voice_token
from callcenter.operators.wrap_up import WrapUpRefused, file_wrap_up, wrap_up_codes
from ivr.queue.presence import ANSWERING_ROLES, StateRefused
from ivr.runtime import HotlineRuntime
from ivr.settings import Settings
from models.base import utcnow
from models.db import SessionDep, write_unit
from models.operator import OperatorPresence
from models.user import User

router = APIRouter()
POLL_S = 0.5
HOUSEKEEP_EVERY_S = 2.0
AWAY_REASONS = {"missed_offer": "Không nhận cuộc gọi được mời", "console_lost": "Mất kết nối màn hình"}


def _csrf_header(request: Request, x_csrf_token: Annotated[str, Header()] = "") -> None:
    session = read_session(request)
    if session is None or not x_csrf_token or not secrets.compare_digest(x_csrf_token, session.csrf_token):
        raise ConsoleError(403, "Yêu cầu bị từ chối", "Thiếu mã bảo vệ CSRF: hãy tải lại trang.")


CsrfHeader = Annotated[None, Depends(_csrf_header)]


def _answering(user: User) -> None:
    if user.role not in ANSWERING_ROLES:
        raise ConsoleError(403, "Không có quyền", "Tài khoản này không nhận cuộc gọi.")


def _titles(request: Request) -> dict[str, str]:
    runtime: HotlineRuntime = request.app.state.hotline
    return menu_titles(runtime)


def _card_json(card: CallerCard, titles: dict[str, str]) -> dict[str, Any]:
    data = asdict(card)
    data["path_titles"] = path_in_words(card, titles)
    data["from_display"] = phone_national(card.from_number)
    data["procedure_name"] = procedure_name(card.procedure) if card.procedure else None
    for key in ("joined_at", "bridged_at"):
        data[key] = data[key].isoformat() if data[key] else None
    data["dossiers"] = [{**d, "created_at": d["created_at"].isoformat(),
                         "procedure_name": procedure_name(d["procedure"])} for d in data["dossiers"]]
    return data


def snapshot(db: Session, *, user: User, titles: dict[str, str], now: datetime) -> dict[str, Any]:
    """What this operator's console shows now (the same from any worker)."""
    row = db.get(OperatorPresence, user.id)
    state = row.state if row is not None else "away"
    cards = desk_cards(db, user_id=user.id, row=row, now=now)
    waiting = [_card_json(c, titles) for c in cards_for(db, waiting_entries(db, limit=30), now=now)]
    return {
        "state": state, "state_label": STATES.get(state, state),
        "since": (row.since if row is not None else now).isoformat(),
        "away_reason": AWAY_REASONS.get(row.away_reason or "", "") if row is not None else "",
        "offer": _card_json(cards.offer, titles) if cards.offer else None,
        "card": _card_json(cards.card, titles) if cards.card else None,
        "waiting": waiting,
    }


def _stream_user(request: Request, factory: sessionmaker[Session]) -> User:
    with factory() as db:
        user = console_user(request, db)
        _answering(user)
        db.expunge(user)
        return user


@router.get("/live/events")
async def live_events(request: Request) -> StreamingResponse:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    settings: Settings = request.app.state.settings
    user = await run_in_threadpool(_stream_user, request, factory)
    titles = _titles(request)
    last_housekeep = [0.0]

    def tick() -> dict[str, Any]:
        now = utcnow()
        with factory() as db:
            if time.monotonic() - last_housekeep[0] >= HOUSEKEEP_EVERY_S:
                last_housekeep[0] = time.monotonic()
                with write_unit(db):
                    keep_alive(db, user_id=user.id, settings=settings, now=now)
                    db.commit()
            return snapshot(db, user=user, titles=titles, now=now)

    return polled_events(request, tick, event="live", every_s=POLL_S, retry_ms=1000, only_changes=True)


class StateIn(BaseModel):
    state: str = ""


class WrapUpIn(BaseModel):
    call_sid: str = ""
    code: str = ""
    note: str = ""


# Plain `def`: the database work below (row locks, waits up to DATABASE_TIMEOUT_S) runs in
# the thread pool, never on the event loop that answers Twilio's webhooks.
@router.post("/live/state")
def live_state(
    request: Request, body: StateIn, user: StaffPage, db: SessionDep, _: CsrfHeader
) -> JSONResponse:
    _answering(user)
    state = body.state
    if state not in ("ready", "away"):
        return JSONResponse({"error": "Trạng thái phải là sẵn sàng hoặc vắng mặt."}, status_code=422)
    settings: Settings = request.app.state.settings
    now = utcnow()
    try:
        choose_state(db, user=user, state=state, settings=settings, now=now)
        db.commit()
    except StateRefused as exc:
        db.rollback()
        return JSONResponse({"error": str(exc)}, status_code=409)
    return JSONResponse(snapshot(db, user=user, titles=_titles(request), now=now))


@router.post("/live/token")
def live_token(request: Request, user: StaffPage, _: CsrfHeader) -> JSONResponse:
    _answering(user)
    try:
        minted = mint_voice_token(settings=request.app.state.settings, user=user, now=utcnow())
    except SoftphoneNotConfigured as exc:
        return JSONResponse({"error": str(exc)}, status_code=503)
    return JSONResponse({"token": minted.token, "identity": minted.identity,
                         "expires_at": minted.expires_at.isoformat()})


@router.post("/live/wrap-up")
def live_wrap_up(body: WrapUpIn, user: StaffPage, db: SessionDep, _: CsrfHeader) -> JSONResponse:
    now = utcnow()
    try:
        entry = file_wrap_up(db, call_sid=body.call_sid[:64], user=user, code=body.code, note=body.note,
                             now=now)
        db.commit()
    except WrapUpRefused as exc:
        db.rollback()
        return JSONResponse({"error": exc.message, "field": exc.field}, status_code=exc.status)
    return JSONResponse({"code": entry.wrap_up_code, "note": entry.wrap_up_note, "by": entry.wrap_up_by})


@router.get("/live/wrap-up-codes")
def live_codes(user: StaffPage) -> JSONResponse:
    return JSONResponse([{"code": c.code, "label": c.label} for c in wrap_up_codes()])


@router.post("/calls/{call_sid}/draft")
def draft_from_live_call(request: Request, call_sid: str, user: StaffPage, form: CsrfForm,
                         db: SessionDep) -> Response:
    """A draft dossier started from the call, prefilled with its vessel and procedure, held
    by this operator."""
    try:
        reference = draft_from_call(db, call_sid=call_sid[:64], user=user,
                                    sending_enabled=request.app.state.settings.twilio_sending_enabled,
                                    catalogue=request.app.state.hotline.catalogue)
        db.commit()
    except DraftRefused as exc:
        db.rollback()
        raise ConsoleError(exc.status, "Không tạo được hồ sơ", exc.message) from None
    return RedirectResponse(f"/console/dossiers/{reference}", status_code=303)


@router.get("/live/sounds/{name}.wav", include_in_schema=False)
def softphone_sound(name: str) -> Response:
    """The softphone's ring and tones, served here rather than fetched from Twilio's CDN."""
    if name not in SOUND_NAMES:
        raise ConsoleError(404, "Không có âm thanh này", "Âm thanh không tồn tại.")
    return Response(sound_wav(name), media_type="audio/wav",
                    headers={"Cache-Control": "public, max-age=86400"})
