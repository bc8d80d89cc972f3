"""The impure shell around the engine: load the waiting call, resume it, save, render.

Every step is written guarded by its turn, with its answer kept on the call row, so a
webhook Twilio repeats gets the answer it got the first time and changes nothing a
second time. Services write; the webhook endpoint commits (`ivr.webhooks`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import structlog
from sqlalchemy.orm import Session

from ivr.calls import rows
from ivr.calls.rows import CallRow
from ivr.calls.world import DatabaseWorld
from ivr.flow.engine import replay, resume, start_call
from ivr.flow.state import CallState, Digits, Event, Input, Limits, NoInput, Say, Step
from ivr.hours import callback_promise
from ivr.intake.callbacks import promise_callback
from ivr.intake.drafts import create_draft, registry_vessel
from ivr.intake.receipts import draft_receipt
from ivr.queue.pins import is_operator_phone
from ivr.runtime import HotlineRuntime
from ivr.settings import Settings
from ivr.twiml import render_says, render_step
from models.domain.phone import caller_number, mask_phone

log = structlog.get_logger(__name__)

# Later outcomes do not overwrite stronger ones: a caller who left a dossier and was then
# put through to an operator still counts as a dossier created.
_OUTCOME_RANK = {"status_read": 1, "transferred": 2, "callback_requested": 2, "dossier_created": 3}
FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


class BadWebhook(ValueError):
    """A webhook without what Twilio always sends (CallSid)."""


class TurnTaken(RuntimeError):
    """A duplicate of this webhook answered the step first: undo ours, give its answer
    (`answered_before` with these, on a fresh transaction)."""

    def __init__(self, sid: str, turn: int, fingerprint: str) -> None:
        super().__init__(f"call {sid}: turn {turn} answered elsewhere")
        self.sid, self.turn, self.fingerprint = sid, turn, fingerprint


@dataclass(frozen=True)
class VoiceContext:
    runtime: HotlineRuntime
    settings: Settings
    now: datetime


def _caller(params: dict[str, str]) -> str:
    return caller_number(params.get("From", "")[:32])


def _sid(params: dict[str, str]) -> str:
    sid = params.get("CallSid", "")
    if not sid or len(sid) > 64:
        raise BadWebhook("CallSid missing or malformed")
    return sid


START = "start"  # the fingerprint of the first webhook, which carries no input


def fingerprint(given: Input) -> str:
    if isinstance(given, NoInput):
        return "no-input"
    return "d:" + hashlib.sha256(given.value.encode("utf-8", "replace")).hexdigest()[:40]


def answer_new_call(session: Session, *, params: dict[str, str], ctx: VoiceContext) -> str:
    sid = _sid(params)
    flow = ctx.runtime.current
    call = CallRow(0, sid, _caller(params), flow.version, {}, 0, ctx.now, None)
    world = DatabaseWorld(session, caller=call.from_number, settings=ctx.settings, now=ctx.now)
    step = start_call(flow, world, province=ctx.settings.hotline_province,
                      notice_version=ctx.runtime.catalogue.notice_version)
    events = _settle(session, call=call, step=step, fingerprint=START, ctx=ctx)
    # ON CONFLICT DO NOTHING: Twilio's repeat of the first webhook (or a duplicate another
    # worker is answering right now) finds the row and changes nothing.
    call_id = rows.insert_answered_call(session, call, to_number=params.get("To", "")[:32])
    if call_id is None:
        return answered_before(session, turn=0, fingerprint=START, ctx=ctx, sid=sid)
    call.id = call_id
    rows.add_events(session, call_id, events)
    _after_effects(session, call=call, step=step, ctx=ctx)
    log.info("call_started", call_sid=sid, caller=mask_phone(call.from_number), flow=call.flow_version)
    return call.last_answer or ""


def answer_step(session: Session, *, params: dict[str, str], turn: int, ctx: VoiceContext) -> str:
    sid = _sid(params)
    # Keep what a keypad can send plus enough junk to be judged invalid; never a NUL,
    # which PostgreSQL text refuses.
    digits = "".join(ch for ch in params.get("Digits", "")[:64] if ch.isprintable())
    given: Input = Digits(digits) if digits else NoInput()
    heard = fingerprint(given)
    call = rows.load_call(session, sid)
    if call is None:
        raise BadWebhook(f"no call {sid} for this step")
    if turn != call.turn:
        # Twilio repeating a step already answered, or a step of the past: no effect.
        return _replayed(call, turn=turn, fingerprint=heard, ctx=ctx)
    flow = ctx.runtime.flows.get(call.flow_version, ctx.runtime.current)
    world = DatabaseWorld(session, caller=call.from_number, settings=ctx.settings, now=ctx.now)
    limits = Limits(
        max_misses=ctx.settings.max_misses,
        max_steps=ctx.settings.max_steps,
        call_too_long=(ctx.now - call.started_at).total_seconds() > ctx.settings.max_call_s,
    )
    step = resume(flow, CallState.from_json(call.state), given, world,
                  province=ctx.settings.hotline_province, limits=limits)
    events = _settle(session, call=call, step=step, fingerprint=heard, ctx=ctx)
    if not rows.advance_call(session, call, from_turn=turn):
        raise TurnTaken(sid, turn, heard)  # rare behind the row lock: a writer that took none
    rows.add_events(session, call.id, events)
    _after_effects(session, call=call, step=step, ctx=ctx)
    return call.last_answer or ""


def answered_before(session: Session, *, turn: int, fingerprint: str, ctx: VoiceContext, sid: str) -> str:
    """The stored answer when it is the last step repeated with the same input; otherwise
    where the call stands now. Called on a fresh transaction after a lost race."""
    call = rows.load_call(session, sid)
    if call is None:
        raise BadWebhook(f"no call {sid}")
    return _replayed(call, turn=turn, fingerprint=fingerprint, ctx=ctx)


def _replayed(call: CallRow, *, turn: int, fingerprint: str, ctx: VoiceContext) -> str:
    if turn == call.turn - 1 and call.last_fingerprint == fingerprint and call.last_answer:
        return call.last_answer
    flow = ctx.runtime.flows.get(call.flow_version, ctx.runtime.current)
    return _render(replay(flow, CallState.from_json(call.state)), call.turn, ctx)


def _settle(
    session: Session, *, call: CallRow, step: Step, fingerprint: str, ctx: VoiceContext
) -> list[Event]:
    """Carry out the step's effects and move `call` on by one turn, answered; the events to write."""
    extra = _carry_out(session, call=call, step=step, ctx=ctx)  # may reword step.events (consent)
    events = [*step.events, *extra]
    call.state = step.state.to_json()
    call.turn += 1
    call.last_answer = _render(step, call.turn, ctx)
    call.last_fingerprint = fingerprint
    return events


def _render(step: Step, turn: int, ctx: VoiceContext) -> str:
    return render_step(step, turn=turn, catalogue=ctx.runtime.catalogue, settings=ctx.settings, now=ctx.now)


def _stronger(current: str | None, outcome: str) -> str | None:
    return outcome if _OUTCOME_RANK.get(outcome, 0) >= _OUTCOME_RANK.get(current or "", 0) else current


def _carry_out(session: Session, *, call: CallRow, step: Step, ctx: VoiceContext) -> list[Event]:
    events: list[Event] = []
    for effect in step.effects:
        if effect.kind == "consent":
            call.consent_at = ctx.now
            call.consent_notice_version = ctx.runtime.catalogue.notice_version
            step.events[:] = [
                Event("consent", e.menu, e.key, None, {"notice_version": call.consent_notice_version})
                if e.kind == "consent" else e
                for e in step.events
            ]
        elif effect.kind == "outcome":
            call.outcome = _stronger(call.outcome, effect.value)
        elif effect.kind == "create_dossier":
            reference = _create_dossier(session, call=call, state=step.state, ctx=ctx)
            step.state.reference = reference
            call.dossier_reference = reference
            call.outcome = _stronger(call.outcome, "dossier_created")
            events.append(Event("dossier", step.state.node, None, None, {"reference": reference}))
    return events


def _after_effects(session: Session, *, call: CallRow, step: Step, ctx: VoiceContext) -> None:
    """What needs the call's row: the promise of a call-back told to the caller."""
    if any(e.kind == "outcome" and e.value == "callback_requested" for e in step.effects):
        promise_callback(session, call_id=call.id, phone=call.from_number, reason="voice_message",
                         requested_at=call.started_at, vessel_registration=step.state.vessel_registration)


def _create_dossier(session: Session, *, call: CallRow, state: CallState, ctx: VoiceContext) -> str:
    """The draft and its receipt, in the step's transaction; its reference."""
    vessel = registry_vessel(session, state.vessel_id) if state.vessel_verified and state.vessel_id else None
    phone = call.from_number if call.from_number.startswith("+") else None
    dossier = create_draft(
        session, procedure=state.procedure or "fishing_licence", variant=state.variant, channel="ivr",
        vessel=vessel, vessel_registration=state.vessel_registration, applicant_phone=phone,
        call_sid=call.call_sid, by="ivr",
        receipt=partial(draft_receipt, catalogue=ctx.runtime.catalogue,
                        promise=callback_promise(ctx.now, ctx.settings)),  # says when
        sending_enabled=ctx.settings.twilio_sending_enabled,
    )
    log.info("dossier_created", call_sid=call.call_sid, reference=dossier.reference,
             procedure=dossier.procedure, verified=dossier.vessel_verified)
    return dossier.reference


def record_status(session: Session, *, params: dict[str, str], ctx: VoiceContext) -> None:
    """Twilio's status callback: close the call with its duration and outcome."""
    sid = _sid(params)
    status = params.get("CallStatus", "")[:24]
    raw_duration = params.get("CallDuration", "")
    duration = int(raw_duration) if raw_duration.isdigit() and len(raw_duration) < 7 else None
    if status not in FINAL_STATUSES:
        if not rows.note_status(session, call_sid=sid, status=status, duration_s=duration) \
                and not _operator_leg(session, params):
            _unanswered_call(session, params=params, sid=sid, ctx=ctx, status=status)
        return
    closed = rows.close_call(session, call_sid=sid, status=status, duration_s=duration, at=ctx.now)
    if closed is None:
        if rows.note_status(session, call_sid=sid, status=status, duration_s=duration):
            return  # closed before: Twilio repeated itself, or a late callback
        if _operator_leg(session, params):
            log.info("operator_leg_ended", call_sid=sid, status=status)
            return  # an operator at work, not a citizen's call: not in the call log
        # The call never reached a menu (a fault before the first answer): kept, closed.
        _unanswered_call(session, params=params, sid=sid, ctx=ctx, status=status)
        closed = rows.close_call(session, call_sid=sid, status=status, duration_s=duration, at=ctx.now)
        if closed is None:
            raise BadWebhook(f"call {sid} could not be closed")
    rows.add_events(session, closed.id, [Event("outcome", closed.abandoned_menu, None, None, {
        "outcome": closed.outcome, "status": status, "duration_s": closed.duration_s,
    })])
    log.info("call_ended", call_sid=sid, outcome=closed.outcome, duration_s=closed.duration_s)


def _operator_leg(session: Session, params: dict[str, str]) -> bool:
    """An operator's own leg (a browser softphone, or their registered phone answered with
    the PIN prompt): it never reached the hotline's menus and is no citizen's call."""
    caller = params.get("From", "")
    return caller.startswith("client:") or is_operator_phone(session, from_number=caller)


def _unanswered_call(
    session: Session, *, params: dict[str, str], sid: str, ctx: VoiceContext, status: str = "in-progress"
) -> int:
    return rows.insert_unanswered_call(
        session, call_sid=sid, from_number=_caller(params), to_number=params.get("To", "")[:32],
        flow_version=ctx.runtime.current.version, at=ctx.now, status=status,
    )


def record_callback_message(session: Session, *, params: dict[str, str], ctx: VoiceContext) -> str:
    """The caller's message after the beep: kept with the call and in the operators'
    call-back list, even for a call whose first webhook never reached the database."""
    sid = _sid(params)
    url = params.get("RecordingUrl", "")
    recording = url if url.startswith("https://") and len(url) <= 500 else None
    raw_duration = params.get("RecordingDuration", "")
    duration = int(raw_duration) if raw_duration.isdigit() and len(raw_duration) < 6 else None
    call = rows.load_call(session, sid)
    if call is None:  # its first webhook failed: the call is kept now, so is the promise
        call = CallRow(_unanswered_call(session, params=params, sid=sid, ctx=ctx), sid, _caller(params),
                       ctx.runtime.current.version, {}, 0, ctx.now, None)
    outcome = _stronger(call.outcome, "callback_requested") or "callback_requested"
    rows.record_message(session, call_id=call.id, recording_url=recording, outcome=outcome)
    request = promise_callback(session, call_id=call.id, phone=call.from_number, reason="voice_message",
                               requested_at=call.started_at,
                               vessel_registration=call.state.get("vessel_registration"))
    if recording is not None:
        request.recording_url, request.recording_duration_s = recording, duration
    rows.add_events(session, call.id, [Event("callback", call.state.get("node"), None, None, {
        "recording": recording is not None, "recording_duration_s": duration, "request_id": request.id,
    })])
    log.info("callback_message_recorded", call_sid=sid, request_id=request.id,
             recording=recording is not None)
    return render_says([Say("callback_thanks")], ctx.runtime.catalogue, ctx.settings, hangup=True,
                       now=ctx.now)
