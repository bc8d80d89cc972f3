"""Twilio webhooks (contract section 2): signature checked, TwiML out, never a 5xx.

Each endpoint is the commit point of its request. Whatever fails inside, the caller
hears an apology and is offered a person, and the fault is logged for us.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session

from ivr.calls.service import (
    TurnTaken,
    VoiceContext,
    answer_new_call,
    answer_step,
    answered_before,
    record_callback_message,
    record_status,
)
from ivr.hours import is_open
from ivr.prompts import PROMPTS_ROOT
from ivr.queue.pins import is_operator_phone
from ivr.queue.twiml import operator_pin
from ivr.runtime import HotlineRuntime
from ivr.signature import TwilioForm
from ivr.twiml import render_fault
from ivr.unit import committed, log_fault
from models.db import SessionDep

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/twilio", tags=["twilio"])

TWIML = "text/xml"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
HANGUP_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>'
# The paths of a citizen's call through the menus: a fault there gets the apology and a person.
_A_CITIZENS_LEG = re.compile(r"/twilio/voice(/step/[^/]*|/recorded|/status)?")


def _context(request: Request) -> VoiceContext:
    runtime: HotlineRuntime = request.app.state.hotline
    return VoiceContext(runtime=runtime, settings=request.app.state.settings, now=datetime.now(UTC))


def _fault_twiml(ctx: VoiceContext) -> str:
    return render_fault(ctx.runtime.catalogue, ctx.settings, open_now=is_open(ctx.now, ctx.settings))


def _answer(session: Session, ctx: VoiceContext, params: dict[str, str], work: Callable[[], str]) -> Response:
    """`work` in one transaction, committed: the single commit point of a voice webhook.

    A duplicate that lost the race to answer a step rolls back and gives the winner's
    answer; anything else that fails rolls back and gets the apology and a person.
    """
    sid = params.get("CallSid", "")[:64]
    try:
        try:
            body = committed(session, work, retried="voice_webhook_retried", call_sid=sid)
        except TurnTaken as lost:
            session.rollback()
            body = answered_before(session, sid=lost.sid, turn=lost.turn, fingerprint=lost.fingerprint,
                                   ctx=ctx)
            session.rollback()
    except Exception as exc:  # a caller must never hear a 5xx: every fault ends in a person
        session.rollback()
        log_fault("voice_webhook_fault", exc, call_sid=sid)
        body = _fault_twiml(ctx)
    return Response(content=body, media_type=TWIML)


@router.post("/voice")
def incoming_call(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    ctx = _context(request)
    as_caller = "caller" in request.query_params

    def work() -> str:
        # An operator calling from their registered phone is asked for their PIN first (a
        # silent PIN prompt comes back here with `?caller=1` and gets the hotline's menus).
        if not as_caller and is_operator_phone(session, from_number=params.get("From", "")):
            return operator_pin(ctx.runtime.catalogue, ctx.settings)
        return answer_new_call(session, params=params, ctx=ctx)

    return _answer(session, ctx, params, work)


@router.post("/voice/step/{turn}")
def call_step(request: Request, turn: str, params: TwilioForm, session: SessionDep) -> Response:
    # `?timeout=1` marks Twilio's fall-through after a silent gather; silence itself is
    # told by the missing `Digits`, so the marker only keeps the two URLs apart in logs.
    # A turn that is not a number cannot be ours; -1 is answered with the current menu.
    ctx = _context(request)
    number = int(turn) if turn.isdigit() and len(turn) < 9 else -1
    return _answer(session, ctx, params, lambda: answer_step(session, params=params, turn=number, ctx=ctx))


@router.post("/voice/recorded")
def callback_recorded(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    ctx = _context(request)
    return _answer(session, ctx, params, lambda: record_callback_message(session, params=params, ctx=ctx))


@router.post("/voice/status")
def call_status(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    ctx = _context(request)
    sid = params.get("CallSid", "")[:64]
    try:
        committed(session, lambda: record_status(session, params=params, ctx=ctx),
                  retried="status_callback_retried", call_sid=sid)
    except Exception as exc:  # Twilio retries 5xx; a bad callback is logged, not retried
        session.rollback()
        log_fault("status_callback_fault", exc, call_sid=sid)
    return Response(content=EMPTY_TWIML, media_type=TWIML)


def install_voice_fault_handlers(app: FastAPI) -> None:
    """Whatever escapes a voice endpoint (a form that will not parse…) still gets TwiML."""

    async def voice_fault(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith("/twilio/voice"):
            if isinstance(exc, RequestValidationError):
                return await request_validation_exception_handler(request, exc)
            raise exc
        log.error("voice_request_fault", path=request.url.path, error=type(exc).__name__)
        if not _A_CITIZENS_LEG.fullmatch(request.url.path):
            # An operator's leg, a call-back's legs, the queue's: never the citizens' apology
            # and queue (an operator would be enqueued behind the callers they serve).
            return Response(content=HANGUP_TWIML, media_type=TWIML)
        return Response(content=_fault_twiml(_context(request)), media_type=TWIML)

    app.add_exception_handler(RequestValidationError, voice_fault)
    app.add_exception_handler(Exception, voice_fault)


def mount_voice_prompts(app: FastAPI) -> None:
    """Recorded prompts, fetched by Twilio for `<Play>`."""
    app.mount("/voice-prompts", StaticFiles(directory=PROMPTS_ROOT, check_dir=False), name="voice-prompts")
