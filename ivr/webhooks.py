"""Twilio webhooks (contract section 2): signature checked, TwiML out, never a 5xx.

Each endpoint is the commit point of its request. Whatever fails inside, the caller
hears an apology and is offered a person, and the fault is logged for us.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from ivr.calls.service import (
    VoiceContext,
    answer_new_call,
    answer_step,
    record_callback_message,
    record_status,
)
from ivr.hours import is_open
from ivr.prompts import PROMPTS_ROOT
from ivr.runtime import HotlineRuntime
from ivr.signature import TwilioForm
from ivr.twiml import render_fault
from models.db import write_turns

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/twilio", tags=["twilio"])

TWIML = "text/xml"


def _context(request: Request) -> VoiceContext:
    runtime: HotlineRuntime = request.app.state.hotline
    return VoiceContext(runtime=runtime, settings=request.app.state.settings, now=datetime.now(UTC))


def _answer(
    request: Request, ctx: VoiceContext, work: Callable[[Session], str], params: dict[str, str]
) -> Response:
    """Run one step in its own session and commit it: the single commit point.

    The endpoints are `async` and do this work on the event loop on purpose: a step is
    a few milliseconds of database work that one worker can only do one at a time
    anyway (SQLite has one writer), and a hop through the thread pool per webhook cost
    more than the step itself. PostgreSQL deployments scale out with more workers.
    """
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        try:
            with write_turns(session.get_bind().engine):
                body = work(session)
                session.commit()
        except Exception as exc:  # a caller must never hear a 5xx: every fault ends in a person
            session.rollback()
            log.error("voice_webhook_fault", error=type(exc).__name__, detail=str(exc)[:200],
                      call_sid=params.get("CallSid", "")[:64])
            body = render_fault(ctx.runtime.catalogue, ctx.settings, open_now=is_open(ctx.now, ctx.settings))
    return Response(content=body, media_type=TWIML)


@router.post("/voice")
async def incoming_call(request: Request, params: TwilioForm) -> Response:
    ctx = _context(request)
    return _answer(request, ctx, lambda s: answer_new_call(s, params=params, ctx=ctx), params)


@router.post("/voice/step/{turn}")
async def call_step(request: Request, turn: str, params: TwilioForm) -> Response:
    # `?timeout=1` marks Twilio's fall-through after a silent gather; silence itself is
    # told by the missing `Digits`, so the marker only keeps the two URLs apart in logs.
    ctx = _context(request)
    # A turn that is not a number cannot be ours; -1 is answered with the current menu.
    number = int(turn) if turn.isdigit() and len(turn) < 9 else -1
    return _answer(
        request, ctx,
        lambda s: answer_step(s, params=params, turn=number, ctx=ctx),
        params,
    )


@router.post("/voice/recorded")
async def callback_recorded(request: Request, params: TwilioForm) -> Response:
    ctx = _context(request)
    return _answer(request, ctx, lambda s: record_callback_message(s, params=params, ctx=ctx), params)


@router.post("/voice/status")
async def call_status(request: Request, params: TwilioForm) -> Response:
    ctx = _context(request)
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        try:
            with write_turns(session.get_bind().engine):
                record_status(session, params=params, ctx=ctx)
                session.commit()
        except Exception as exc:  # Twilio retries 5xx; a bad callback is logged, not retried
            session.rollback()
            log.error("status_callback_fault", error=type(exc).__name__, detail=str(exc)[:200])
    return Response(content="<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>", media_type=TWIML)


def install_voice_fault_handlers(app: FastAPI) -> None:
    """Whatever escapes a voice endpoint (a form that will not parse…) still gets TwiML."""

    async def voice_fault(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith("/twilio/voice"):
            if isinstance(exc, RequestValidationError):
                return await request_validation_exception_handler(request, exc)
            raise exc
        ctx = _context(request)
        log.error("voice_request_fault", path=request.url.path, error=type(exc).__name__)
        body = render_fault(ctx.runtime.catalogue, ctx.settings, open_now=is_open(ctx.now, ctx.settings))
        return Response(content=body, media_type=TWIML)

    app.add_exception_handler(RequestValidationError, voice_fault)
    app.add_exception_handler(Exception, voice_fault)


def mount_voice_prompts(app: FastAPI) -> None:
    """Recorded prompts, fetched by Twilio for `<Play>`."""
    app.mount("/voice-prompts", StaticFiles(directory=PROMPTS_ROOT, check_dir=False), name="voice-prompts")
