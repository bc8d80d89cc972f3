"""Twilio webhooks (contract section 2): signature checked, TwiML out, never a 5xx.

Each endpoint is the commit point of its request. Whatever fails inside, the caller
hears an apology and is offered a person, and the fault is logged for us.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles

from ivr.calls.links import VoiceLink
from ivr.calls.service import (
    VoiceContext,
    answer_new_call,
    answer_step,
    record_callback_message,
    record_status,
)
from ivr.calls.unit import VoiceDatabase
from ivr.hours import is_open
from ivr.prompts import PROMPTS_ROOT
from ivr.runtime import HotlineRuntime
from ivr.signature import TwilioForm
from ivr.twiml import render_fault

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/twilio", tags=["twilio"])
T = TypeVar("T")

TWIML = "text/xml"


def _context(request: Request) -> VoiceContext:
    runtime: HotlineRuntime = request.app.state.hotline
    return VoiceContext(
        runtime=runtime, settings=request.app.state.settings, now=datetime.now(UTC),
        live=request.app.state.live_calls,
    )


async def _committed(
    request: Request, ctx: VoiceContext, work: Callable[[VoiceLink], T], on_fault: Callable[[Exception], T]
) -> T:
    """Run `work` in its own transaction and commit it: the single commit point of a webhook.

    Whatever fails inside rolls back and gets `on_fault`'s answer instead; what the work
    keeps in memory for later steps (`ctx.after_commit`) is kept only once committed.
    """
    voice_db: VoiceDatabase = request.app.state.voice_db
    return await voice_db.run(work, on_fault, ctx.after_commit)


async def _answer(
    request: Request, ctx: VoiceContext, work: Callable[[VoiceLink], str], params: dict[str, str]
) -> Response:
    def fault(exc: Exception) -> str:  # a caller must never hear a 5xx: every fault ends in a person
        log.error("voice_webhook_fault", error=type(exc).__name__, detail=str(exc)[:200],
                  call_sid=params.get("CallSid", "")[:64])
        return render_fault(ctx.runtime.catalogue, ctx.settings, open_now=is_open(ctx.now, ctx.settings))

    return Response(content=await _committed(request, ctx, work, fault), media_type=TWIML)


@router.post("/voice")
async def incoming_call(request: Request, params: TwilioForm) -> Response:
    ctx = _context(request)
    return await _answer(request, ctx, lambda s: answer_new_call(s, params=params, ctx=ctx), params)


@router.post("/voice/step/{turn}")
async def call_step(request: Request, params: TwilioForm) -> Response:
    # `?timeout=1` marks Twilio's fall-through after a silent gather; silence itself is
    # told by the missing `Digits`, so the marker only keeps the two URLs apart in logs.
    ctx = _context(request)
    # The turn is read from the path as sent, not declared as a parameter: FastAPI's
    # validation of a string into a string cost ~25 µs a webhook, as much as one of the
    # step's statements. A turn that is not a number cannot be ours; -1 is answered
    # with the current menu.
    turn: str = request.path_params["turn"]
    number = int(turn) if turn.isdigit() and len(turn) < 9 else -1
    return await _answer(
        request, ctx,
        lambda s: answer_step(s, params=params, turn=number, ctx=ctx),
        params,
    )


@router.post("/voice/recorded")
async def callback_recorded(request: Request, params: TwilioForm) -> Response:
    ctx = _context(request)
    return await _answer(request, ctx, lambda s: record_callback_message(s, params=params, ctx=ctx), params)


@router.post("/voice/status")
async def call_status(request: Request, params: TwilioForm) -> Response:
    ctx = _context(request)

    def fault(exc: Exception) -> None:  # Twilio retries 5xx; a bad callback is logged, not retried
        log.error("status_callback_fault", error=type(exc).__name__, detail=str(exc)[:200])

    await _committed(request, ctx, lambda s: record_status(s, params=params, ctx=ctx), fault)
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
