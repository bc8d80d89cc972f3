"""The queue's webhooks (contract section 8): the caller's wait, key, bridge and end; the
operator's leg. Signed (`TwilioForm`), one commit each, TwiML whatever happens: a fault on
the caller's side ends in a call-back request, never in silence or a 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.prompts import Catalogue
from ivr.queue import entries as queue
from ivr.queue import twiml
from ivr.queue.music import MUSIC_PATH, synthesised_wav
from ivr.queue.operator_leg import operator_leg, pin_entered
from ivr.queue.pins import PinAttempts, PinCheck, check_pin
from ivr.queue.presence import (
    given_name,
    housekeep,
    leg_operator,
    match,
    on_duty_count,
    queue_event,
)
from ivr.runtime import HotlineRuntime
from ivr.settings import Settings
from ivr.signature import TwilioForm
from ivr.unit import committed, log_fault
from models.call import Call
from models.db import SessionDep
from models.user import User

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/twilio/voice", tags=["twilio"])
TWIML = "text/xml"


def _catalogue(request: Request) -> Catalogue:
    runtime: HotlineRuntime = request.app.state.hotline
    return runtime.catalogue


def _answer(
    session: Session, params: dict[str, str], work: Callable[[], str], fault: Callable[[], str], where: str,
) -> Response:
    """`work` in one transaction, committed; on any fault, rolled back and `fault` (in a
    transaction of its own) answers instead."""
    try:
        body = committed(session, work, retried="queue_webhook_retried", where=where)
    except Exception as exc:
        session.rollback()
        log_fault("queue_webhook_fault", exc, where=where, call_sid=_sid(params))
        try:
            body = committed(session, fault, retried="queue_webhook_retried", where=where)
        except Exception as again:
            session.rollback()
            log.error("queue_webhook_fault_twice", where=where, error=type(again).__name__)
            body = twiml.leave() if where == "wait" else twiml.goodbye()
    return Response(content=body, media_type=TWIML)


def _sid(params: dict[str, str]) -> str:
    return params.get("CallSid", "")[:64]


def _promised(session: Session, params: dict[str, str], now: datetime, answer: str) -> str:
    """A caller this webhook cannot serve (unknown call, a fault) is promised a call-back,
    and hears `answer`."""
    queue.fault_callback(session, call_sid=_sid(params), from_number=params.get("From", ""), now=now)
    return answer


def _call(session: Session, sid: str) -> Call | None:
    return session.scalar(select(Call).where(Call.call_sid == sid)) if sid else None


@router.post("/queue/wait")
def queue_wait(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    """Twilio asks what a waiting caller hears next (QueuePosition, QueueTime, AvgQueueTime,
    CurrentQueueSize); asked again each time the answer has been played."""
    settings: Settings = request.app.state.settings
    catalogue = _catalogue(request)
    now = datetime.now(UTC)
    sid = _sid(params)

    def work() -> str:
        call = _call(session, sid)
        if call is None:  # not a call we know: keep the promise anyway, out of the queue
            return _promised(session, params, now, twiml.leave())
        waited = queue.seconds(params.get("QueueTime"))
        entry = queue.open_entry(session, call_sid=sid)
        if entry is None:
            latest = queue.latest_entry(session, call_sid=sid)
            if latest is not None and latest.bridged_at is not None:
                # Twilio never asks once the caller is bridged; the phone simulator, which
                # cannot see a bridge `tongdai agent` played, does, and hears who answered.
                answered = session.get(User, latest.answered_by_id) if latest.answered_by_id else None
                return twiml.connecting(given_name(answered), catalogue, settings)
            if latest is not None:
                return twiml.leave()  # left already (a call-back was promised): out it goes
            entry = queue.join(session, call=call, queue=settings.operator_queue, queue_time_s=waited or 0,
                               now=now)
        housekeep(session, settings=settings, now=now)
        match(session, now=now)
        if entry.callback_request_id is not None:
            return twiml.leave()
        waited = waited if waited is not None else int((now - entry.joined_at).total_seconds())
        reason = None
        if waited >= settings.max_queue_wait_s:
            reason = "queue_timeout"
        elif on_duty_count(session) == 0:
            reason = "no_operator"
        if reason is not None:
            queue.request_callback(session, entry=entry, phone=call.from_number, reason=reason, now=now)
            return twiml.leave()
        position = queue.seconds(params.get("QueuePosition")) or queue.position_of(session, entry=entry)
        first = entry.announcements == 0
        entry.announcements += 1
        queue_event(session, call_id=entry.call_id, what="announced", now=now, position=position,
                    waited_s=waited)
        expected = queue.expected_wait_s(session, now=now, waited_s=waited)
        return twiml.waiting(position=position, expected_s=expected, first=first, catalogue=catalogue,
                             settings=settings)

    return _answer(session, params, work, lambda: _promised(session, params, now, twiml.leave()), "wait")


@router.post("/queue/key")
def queue_key(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    """A key pressed while waiting: 1 is a call-back instead, keeping the caller's turn."""
    settings: Settings = request.app.state.settings
    catalogue = _catalogue(request)
    now = datetime.now(UTC)
    sid = _sid(params)

    def work() -> str:
        if params.get("Digits", "").strip() != "1":
            return twiml.wrong_key(catalogue, settings)
        entry = queue.open_entry(session, call_sid=sid)
        call = _call(session, sid)
        if entry is None or call is None:
            return _promised(session, params, now, twiml.leave())
        queue.request_callback(session, entry=entry, phone=call.from_number, reason="queue_choice", now=now)
        return twiml.leave()

    return _answer(session, params, work, lambda: _promised(session, params, now, twiml.leave()), "key")


@router.post("/queue/done")
def queue_done(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    """The Enqueue action: the caller left the queue (QueueResult, QueueTime)."""
    settings: Settings = request.app.state.settings
    catalogue = _catalogue(request)
    now = datetime.now(UTC)
    sid = _sid(params)
    result = params.get("QueueResult", "")[:32]
    waited = queue.seconds(params.get("QueueTime"))

    def confirmed(reason: str) -> str:
        return twiml.callback_confirmed(reason=reason, now=now, catalogue=catalogue, settings=settings)

    def promised() -> str:
        return _promised(session, params, now, confirmed("fault"))

    def work() -> str:
        entry = queue.latest_entry(session, call_sid=sid)
        call = _call(session, sid)
        if entry is None and call is not None:  # the wait URL never came: the entry is made now
            entry = queue.join(session, call=call, queue=settings.operator_queue, queue_time_s=waited or 0,
                               now=now)
        if entry is None or call is None:
            return promised()
        finished = queue.finish(session, entry=entry, queue_result=result, queue_time_s=waited,
                                phone=call.from_number, now=now)
        match(session, now=now)
        if finished.result == "callback_requested":
            return confirmed(finished.callback.reason if finished.callback is not None else "fault")
        return twiml.goodbye()

    return _answer(session, params, work, promised, "done")


@router.post("/queue/bridge")
def queue_bridge(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    """The Queue url, on the caller's leg, as an operator's `<Dial><Queue>` takes them
    (CallSid: the caller; DequeingCallSid — sic — the operator's leg; QueueTime)."""
    settings: Settings = request.app.state.settings
    catalogue = _catalogue(request)
    now = datetime.now(UTC)
    sid = _sid(params)
    leg = params.get("DequeingCallSid", "")[:64]

    def work() -> str:
        entry = queue.open_entry(session, call_sid=sid) or queue.latest_entry(session, call_sid=sid)
        call = _call(session, sid)
        if entry is None and call is not None:
            entry = queue.join(session, call=call, queue=settings.operator_queue,
                               queue_time_s=queue.seconds(params.get("QueueTime")) or 0, now=now)
        if entry is None:
            return twiml.connecting("", catalogue, settings)
        operator = leg_operator(session, leg_sid=leg) if leg else None
        user = queue.bridge(session, entry=entry, operator=operator, leg_sid=leg,
                            queue_time_s=queue.seconds(params.get("QueueTime")), now=now)
        log.info("queue_bridged", call_sid=sid, operator=user.username if user else None)
        return twiml.connecting(given_name(user), catalogue, settings)

    return _answer(session, params, work, lambda: twiml.connecting("", catalogue, settings), "bridge")


@router.post("/operator")
def operator_call(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    """The TwiML App's voice URL: an operator's softphone (`client:<identity>`) asks for a caller."""
    settings: Settings = request.app.state.settings
    catalogue = _catalogue(request)
    now = datetime.now(UTC)
    waited = queue.seconds(request.query_params.get("waited")) or 0

    def work() -> str:
        return operator_leg(session, params=params, waited_s=waited, settings=settings, catalogue=catalogue,
                            now=now)

    return _answer(session, params, work,
                   lambda: twiml.operator_says(("apology",), catalogue, settings), "operator")


@router.post("/operator/pin")
def operator_pin(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    """An operator on their registered phone keys their PIN (caller ID alone is not trusted)."""
    settings: Settings = request.app.state.settings
    catalogue = _catalogue(request)
    now = datetime.now(UTC)
    tries = queue.seconds(request.query_params.get("tries")) or 0
    attempts: PinAttempts = request.app.state.pin_attempts
    try:  # read and hashed outside the write unit: a guess never holds the database's writer
        check = check_pin(session, from_number=params.get("From", ""),
                          digits=params.get("Digits", "").strip(), attempts=attempts)
    except Exception as exc:
        log_fault("operator_pin_fault", exc)
        check = PinCheck("busy")
    finally:
        session.rollback()

    def work() -> str:
        return pin_entered(session, check=check, leg_sid=params.get("CallSid", "")[:64], tries=tries,
                           settings=settings, catalogue=catalogue, now=now)

    return _answer(session, params, work,
                   lambda: twiml.operator_says(("apology",), catalogue, settings), "pin")


@router.post("/operator/done")
def operator_done(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    """The operator's `<Dial>` ended: after a conversation (wrap-up), or with nobody to take."""
    settings: Settings = request.app.state.settings
    catalogue = _catalogue(request)
    now = datetime.now(UTC)
    sid = _sid(params)

    def work() -> str:
        row = leg_operator(session, leg_sid=sid) if sid else None
        if row is None:
            return twiml.goodbye()
        talked = row.state == "on_call"
        if talked:
            queue.conversation_over(session, leg=row, now=now)
        row.leg_sid, row.leg_started_at = None, None
        session.flush()
        housekeep(session, settings=settings, now=now)
        match(session, now=now)
        if talked:
            return twiml.operator_says(("operator_call_ended",), catalogue, settings)
        # Nobody joined within the dial's timeout: the operator stays ready.
        return twiml.operator_says(("operator_no_caller",), catalogue, settings)

    return _answer(session, params, work, lambda: twiml.goodbye(), "operator_done")


@router.get(MUSIC_PATH.removeprefix("/twilio/voice"), include_in_schema=False)
def hold_music() -> Response:
    """The synthesised hold music (when no recording is under voice_prompts/)."""
    return Response(content=synthesised_wav(), media_type="audio/wav",
                    headers={"Cache-Control": "public, max-age=86400"})
