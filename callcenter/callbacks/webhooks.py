"""Twilio's side of a call-back, every request signed (ivr.signature.TwilioForm).

1. The operator answers → `POST /twilio/voice/callback/{id}`: a short Vietnamese line,
   then `<Dial>` to the fisher, whose end comes back to …/dialed with DialCallStatus.
2. The operator's call ends → …/status with CallStatus: if the fisher's leg never
   reported (the operator did not pick up), the attempt failed and is due again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from callcenter.callbacks.service import WEBHOOK_PATH, record_outcome
from ivr.settings import Settings
from ivr.signature import TwilioForm
from models.callback import CallbackAttempt
from models.db import SessionDep, write_unit
from models.dossier import Dossier

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/twilio/voice/callback", tags=["twilio"])

TWIML = "text/xml"
# How long the fisher's phone rings; at sea the signal is weak and picking up takes time.
FISHER_RING_SECONDS = 40
# What the operator hears when the fisher's leg did not connect.
_TELL_OPERATOR = {
    "no_answer": "Người dân không nghe máy. Cuộc gọi lại sẽ được thực hiện lần sau.",
    "wrong_number": "Không gọi được số của người dân. Hãy kiểm tra lại số điện thoại.",
    "failed": "Không nối máy được. Cuộc gọi lại sẽ được thực hiện lần sau.",
}
_FAULT = "Tổng đài đang gặp sự cố, cuộc gọi lại chưa được ghi nhận. Xin thử lại trên màn hình."


def _recorded(session: Session, work: Callable[[], object], where: str) -> str | None:
    """`work` committed, in the writers' turn; on a fault, rolled back and logged, and the
    words for the operator returned (the attempt stays as it was, due again)."""
    try:
        with write_unit(session):
            work()
            session.commit()
    except Exception as exc:  # Twilio retries a 5xx; the operator hears what happened instead
        session.rollback()
        log.error("callback_webhook_fault", where=where, error=type(exc).__name__, detail=str(exc)[:200])
        return _FAULT
    return None


def _twiml(response: VoiceResponse) -> Response:
    return Response(content=str(response), media_type=TWIML)


def _say(response: VoiceResponse, text: str, settings: Settings) -> None:
    response.say(text, language="vi-VN", voice=settings.tts_voice)


@router.post("/{attempt_id}")
def bridge(request: Request, attempt_id: int, form: TwilioForm, db: SessionDep) -> Response:
    settings: Settings = request.app.state.settings
    attempt = db.get(CallbackAttempt, attempt_id)
    response = VoiceResponse()
    current = attempt is not None and attempt.outcome == "requested" and (
        attempt.twilio_call_sid in (None, form.get("CallSid"))
    )
    if attempt is None or not current:
        _say(response, "Cuộc gọi lại này không còn hiệu lực.", settings)
        response.hangup()
        return _twiml(response)
    dossier = db.get(Dossier, attempt.dossier_id) if attempt.dossier_id else None
    if dossier is not None:
        _say(response, f"Đang nối máy tới người dân, hồ sơ số {' '.join(dossier.reference)}.", settings)
    else:
        _say(response, "Đang nối máy tới người dân đã đề nghị tổng đài gọi lại.", settings)
    dial = response.dial(
        action=settings.public_base_url + WEBHOOK_PATH.format(attempt_id=attempt.id) + "/dialed",
        method="POST", timeout=FISHER_RING_SECONDS, caller_id=settings.twilio_from_number,
    )
    dial.number(attempt.fisher_number)
    return _twiml(response)


@router.post("/{attempt_id}/dialed")
def dialed(request: Request, attempt_id: int, form: TwilioForm, db: SessionDep) -> Response:
    settings: Settings = request.app.state.settings
    attempt = db.get(CallbackAttempt, attempt_id)
    fault = None
    if attempt is not None:
        fault = _recorded(db, partial(
            record_outcome, db, attempt=attempt, dial_status=form.get("DialCallStatus", "failed"),
            max_attempts=settings.callbacks.max_attempts,
        ), "dialed")
    response = VoiceResponse()
    if fault is not None:
        _say(response, fault, settings)
    elif attempt is not None and attempt.outcome in _TELL_OPERATOR:
        _say(response, _TELL_OPERATOR[attempt.outcome], settings)
    response.hangup()
    return _twiml(response)


@router.post("/{attempt_id}/status")
def status(request: Request, attempt_id: int, form: TwilioForm, db: SessionDep) -> Response:
    settings: Settings = request.app.state.settings
    attempt = db.get(CallbackAttempt, attempt_id)
    if attempt is not None:
        _recorded(db, partial(
            record_outcome, db, attempt=attempt, call_status=form.get("CallStatus"),
            max_attempts=settings.callbacks.max_attempts,
        ), "status")
    return _twiml(VoiceResponse())
