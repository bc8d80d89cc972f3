"""The impure shell around the engine: load the waiting call, resume it, save, render.

Every step is written guarded by its turn, with its answer kept on the call row, so a
webhook Twilio repeats gets the answer it got the first time and changes nothing a
second time. Services write; the webhook endpoint commits (`ivr.calls.unit`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from ivr.calls.draft_rows import PlannedDraft
from ivr.calls.links import VoiceLink
from ivr.calls.live import LiveCalls
from ivr.calls.repository import draft_vessel
from ivr.calls.rows import Advance, CallRows, ClosingCall, LiveCall
from ivr.calls.world import DatabaseWorld
from ivr.flow.engine import replay, resume, start_call
from ivr.flow.state import CallState, Digits, Event, Input, Limits, NoInput, Say, Step
from ivr.intake.drafts import REFERENCE_ATTEMPTS, Draft, create_draft
from ivr.intake.messages import queue_sms
from ivr.intake.receipts import draft_receipt
from ivr.runtime import HotlineRuntime
from ivr.settings import Settings
from ivr.twiml import render_says, render_step
from models.domain.phone import caller_number, mask_phone
from models.domain.reference import new_reference

log = structlog.get_logger(__name__)

# Later outcomes do not overwrite stronger ones: a caller who left a dossier and was then
# put through to an operator still counts as a dossier created.
_OUTCOME_RANK = {"status_read": 1, "transferred": 2, "callback_requested": 2, "dossier_created": 3}
FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


class BadWebhook(ValueError):
    """A webhook without what Twilio always sends (CallSid)."""


@dataclass(frozen=True)
class VoiceContext:
    runtime: HotlineRuntime
    settings: Settings
    now: datetime
    live: LiveCalls  # the process's own, from the app: a fresh one per request would keep nothing
    after_commit: list[Callable[[], None]] = field(default_factory=list)  # run by the commit point


def _caller(params: dict[str, str]) -> str:
    return caller_number(params.get("From", "")[:32])


def _sid(params: dict[str, str]) -> str:
    sid = params.get("CallSid", "")
    if not sid or len(sid) > 64:
        raise BadWebhook("CallSid missing or malformed")
    return sid


START = "start"  # the fingerprint of the first webhook, which carries no input


def _fingerprint(given: Input) -> str:
    if isinstance(given, NoInput):
        return "no-input"
    return "d:" + hashlib.sha256(given.value.encode("utf-8", "replace")).hexdigest()[:40]


def answer_new_call(conn: VoiceLink, *, params: dict[str, str], ctx: VoiceContext) -> str:
    sid = _sid(params)
    rows = CallRows(conn)
    flow = ctx.runtime.current
    call = LiveCall(0, sid, _caller(params), flow.version, {}, 0, ctx.now, None, None, None, None)
    world = DatabaseWorld(conn, rows, caller=call.from_number, settings=ctx.settings, now=ctx.now)
    step = start_call(flow, world, province=ctx.settings.hotline_province)
    if step.effects:
        conn.hold_together()  # what the greeting does stands or falls with the call row
    settled = _settle(conn, call=call, step=step, fingerprint=START, ctx=ctx)
    if settled.draft is not None:
        raise RuntimeError("a call's greeting cannot leave a dossier: no caller has chosen a procedure yet")
    # The row is written once, answered: ON CONFLICT DO NOTHING, so Twilio's repeat of the
    # first webhook (or a duplicate another worker is answering right now) finds the row
    # and changes nothing.
    call_id = rows.insert_answered_call(call, to_number=params.get("To", "")[:32], events=settled.events)
    if call_id is None:
        return _answered_before(conn, turn=0, fingerprint=START, ctx=ctx, sid=sid)
    call.id = call_id
    log.info("call_started", call_sid=sid, caller=mask_phone(call.from_number), flow=call.flow_version)
    return _kept(call, ctx)


def answer_step(
    conn: VoiceLink, *, params: dict[str, str], turn: int, ctx: VoiceContext
) -> str:
    sid = _sid(params)
    # Keep what a keypad can send plus enough junk to be judged invalid; never a NUL,
    # which PostgreSQL text refuses.
    digits = "".join(ch for ch in params.get("Digits", "")[:64] if ch.isprintable())
    given: Input = Digits(digits) if digits else NoInput()
    fingerprint = _fingerprint(given)
    rows = CallRows(conn)
    call = ctx.live.at_turn(sid, turn) or rows.load_call(sid)
    if call is None:
        raise BadWebhook(f"no call {sid} for this step")
    if turn != call.turn:
        # Twilio repeating a step already answered, or a step of the past: no effect.
        return _answered_before(conn, turn=turn, fingerprint=fingerprint, ctx=ctx, sid=sid)
    flow = ctx.runtime.flows.get(call.flow_version, ctx.runtime.current)
    world = DatabaseWorld(conn, rows, caller=call.from_number, settings=ctx.settings, now=ctx.now)
    limits = Limits(
        max_misses=ctx.settings.max_misses,
        max_steps=ctx.settings.max_steps,
        call_too_long=(ctx.now - call.started_at).total_seconds() > ctx.settings.max_call_s,
    )
    state = CallState.from_json(call.state)
    step = resume(flow, state, given, world, province=ctx.settings.hotline_province, limits=limits)
    return _finish(conn, rows, call=call, step=step, fingerprint=fingerprint, ctx=ctx)


def _answered_before(conn: VoiceLink, *, turn: int, fingerprint: str, ctx: VoiceContext, sid: str) -> str:
    """The stored answer when it is the last step repeated with the same input; otherwise
    where the call stands now."""
    conn.rollback()
    ctx.live.forget(sid)  # whatever this process kept of the call, the database knows better
    call = CallRows(conn).load_call(sid)
    if call is None:
        raise BadWebhook(f"no call {sid}")
    if turn == call.turn - 1 and call.last_fingerprint == fingerprint and call.last_answer:
        return call.last_answer
    flow = ctx.runtime.flows.get(call.flow_version, ctx.runtime.current)
    return _render(replay(flow, CallState.from_json(call.state)), call.turn, ctx)


def _finish(
    conn: VoiceLink, rows: CallRows, *, call: LiveCall, step: Step, fingerprint: str, ctx: VoiceContext
) -> str:
    from_turn = call.turn
    # Only a draft written with its step (PostgreSQL) can find its reference taken after
    # the step was settled: the step is settled again with another reference, on a fresh
    # copy of the call. Elsewhere the draft is written while settling and this runs once.
    for _ in range(REFERENCE_ATTEMPTS):
        answered = call.copy()
        settled = _settle(conn, call=answered, step=step, fingerprint=fingerprint, ctx=ctx)
        done = rows.advance_call(answered, from_turn=from_turn, events=settled.events, draft=settled.draft,
                                 outcome_changed=answered.outcome != call.outcome)
        if done is Advance.REFERENCE_TAKEN:
            continue
        if done is Advance.TURN_TAKEN:
            # A duplicate of this webhook won the race: undo ours, give its answer.
            return _answered_before(conn, turn=from_turn, fingerprint=fingerprint, ctx=ctx, sid=call.call_sid)
        if settled.draft is not None:
            _log_dossier(call.call_sid, settled.draft.reference, settled.draft.procedure,
                         verified=settled.draft.vessel_id is not None)
        return _kept(answered, ctx)
    raise RuntimeError("could not allocate a unique dossier reference")


def _kept(call: LiveCall, ctx: VoiceContext) -> str:
    """The step's answer; the call, as written, is kept in memory once committed."""
    ctx.after_commit.append(lambda: ctx.live.keep(call))
    return call.last_answer or ""


@dataclass(frozen=True)
class _Settled:
    events: list[Event]  # to write with the call
    draft: PlannedDraft | None  # the dossier to write with the call (PostgreSQL)


def _settle(
    conn: VoiceLink, *, call: LiveCall, step: Step, fingerprint: str, ctx: VoiceContext
) -> _Settled:
    """Carry out the step's effects and move `call` on by one turn, answered."""
    extra_events, draft = _carry_out(conn, call=call, step=step, ctx=ctx)
    call.state = step.state.to_json()
    call.turn += 1
    call.last_answer = _render(step, call.turn, ctx)
    call.last_fingerprint = fingerprint
    return _Settled([*step.events, *extra_events], draft)


def _render(step: Step, turn: int, ctx: VoiceContext) -> str:
    return render_step(step, turn=turn, catalogue=ctx.runtime.catalogue, settings=ctx.settings)


def _stronger(current: str | None, outcome: str) -> str | None:
    return outcome if _OUTCOME_RANK.get(outcome, 0) >= _OUTCOME_RANK.get(current or "", 0) else current


def _set_outcome(call: LiveCall, outcome: str) -> None:
    call.outcome = _stronger(call.outcome, outcome)


def _carry_out(
    conn: VoiceLink, *, call: LiveCall, step: Step, ctx: VoiceContext
) -> tuple[list[Event], PlannedDraft | None]:
    events: list[Event] = []
    draft: PlannedDraft | None = None
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
            _set_outcome(call, effect.value)
        elif effect.kind == "create_dossier":
            if conn.driver.modifying_ctes:
                draft = _plan_dossier(call=call, state=step.state, ctx=ctx)
                reference = draft.reference
            else:
                reference = _create_dossier(conn, call=call, state=step.state, ctx=ctx)
            step.state.reference = reference
            call.dossier_reference = reference
            _set_outcome(call, "dossier_created")
            events.append(Event("dossier", step.state.node, None, None, {"reference": reference}))
    return events, draft


def _applicant_phone(call: LiveCall) -> str | None:
    return call.from_number if call.from_number.startswith("+") else None


def _plan_dossier(*, call: LiveCall, state: CallState, ctx: VoiceContext) -> PlannedDraft:
    """The draft, its receipt and the step that announces it, to be written as one."""
    reference = new_reference()
    phone = _applicant_phone(call)
    procedure = state.procedure or "fishing_licence"

    def receipt(verified: bool) -> str | None:
        if phone is None:
            return None
        draft = Draft(0, reference, procedure, state.variant, state.vessel_registration, verified)
        return draft_receipt(draft)

    vessel_id = state.vessel_id if state.vessel_verified and state.vessel_id else None
    return PlannedDraft(
        reference=reference, procedure=procedure, variant=state.variant, vessel_id=vessel_id,
        vessel_registration=state.vessel_registration, applicant_phone=phone, call_sid=call.call_sid,
        receipt_if_found=receipt(vessel_id is not None), receipt_if_missing=receipt(False),
        sending=ctx.settings.twilio_sending_enabled,
    )


def _create_dossier(conn: VoiceLink, *, call: LiveCall, state: CallState, ctx: VoiceContext) -> str:
    """The draft and its receipt, written now, in the step's transaction; its reference."""
    conn.hold_together()  # the draft, its receipt and the step that announces it
    vessel = draft_vessel(conn, state.vessel_id) if state.vessel_verified and state.vessel_id else None
    phone = _applicant_phone(call)
    dossier = create_draft(
        conn,
        procedure=state.procedure or "fishing_licence",
        variant=state.variant,
        channel="ivr",
        vessel=vessel,
        vessel_registration=state.vessel_registration,
        applicant_phone=phone,
        call_sid=call.call_sid,
        by="ivr",
    )
    if phone:
        queue_sms(
            conn, to=phone, body=draft_receipt(dossier), dossier_id=dossier.id,
            sending_enabled=ctx.settings.twilio_sending_enabled,
        )
    _log_dossier(call.call_sid, dossier.reference, dossier.procedure, verified=dossier.vessel_verified)
    return dossier.reference


def _log_dossier(call_sid: str, reference: str, procedure: str, *, verified: bool) -> None:
    log.info("dossier_created", call_sid=call_sid, reference=reference, procedure=procedure,
             verified=verified)


def record_status(conn: VoiceLink, *, params: dict[str, str], ctx: VoiceContext) -> None:
    """Twilio's status callback: close the call with its duration and outcome."""
    sid = _sid(params)
    status = params.get("CallStatus", "")[:24]
    rows = CallRows(conn)
    final = status in FINAL_STATUSES
    kept = ctx.live.latest(sid) if final else None
    if kept is not None:
        # The call as this process last wrote it: closed by one guarded statement, with
        # no read first; a row changed since (another worker) is read below instead.
        call = ClosingCall(kept.id, kept.state, kept.outcome, None, None, None)
        events = _close(call, params=params, status=status, ctx=ctx)
        if rows.close_kept_call(call, turn=kept.turn, kept_outcome=kept.outcome, status=status,
                                events=events):
            _closed(sid, call, ctx)
            return
    loaded = rows.load_closing_call(sid)
    if loaded is None:  # the call never reached a menu (e.g. a fault before the first answer)
        conn.hold_together()  # the row and its close
        new = rows.insert_call(
            call_sid=sid, from_number=_caller(params), to_number=params.get("To", "")[:32],
            flow_version=ctx.runtime.current.version, at=ctx.now, status=status,
        )
        if new is None:
            raise BadWebhook(f"call {sid} appeared while its status was recorded")
        loaded = ClosingCall(new.id, {}, None, None, None, None)
    if not final:
        rows.save_closing_call(loaded, status=status)
        return
    # The close and its event, written together (one statement on PostgreSQL).
    events = _close(loaded, params=params, status=status, ctx=ctx)
    rows.save_closing_call(loaded, status=status, events=events)
    _closed(sid, loaded, ctx)


def _close(call: ClosingCall, *, params: dict[str, str], status: str, ctx: VoiceContext) -> list[Event]:
    """Close `call` (duration, end, outcome); the event to write when this is its first close."""
    duration = params.get("CallDuration", "")
    call.duration_s = int(duration) if duration.isdigit() and len(duration) < 7 else call.duration_s
    first_close = call.ended_at is None
    call.ended_at = call.ended_at or ctx.now
    if call.outcome is None:
        call.outcome = "abandoned"
        call.abandoned_menu = call.state.get("node") or None
    if not first_close:
        return []
    return [Event("outcome", call.abandoned_menu, None, None, {
        "outcome": call.outcome, "status": status, "duration_s": call.duration_s,
    })]


def _closed(sid: str, call: ClosingCall, ctx: VoiceContext) -> None:
    ctx.after_commit.append(lambda: ctx.live.forget(sid))  # the call is over
    log.info("call_ended", call_sid=sid, outcome=call.outcome, duration_s=call.duration_s)


def record_callback_message(conn: VoiceLink, *, params: dict[str, str], ctx: VoiceContext) -> str:
    """The caller's message after the beep, outside opening hours."""
    sid = _sid(params)
    rows = CallRows(conn)
    call = rows.load_closing_call(sid)
    url = params.get("RecordingUrl", "")
    if call is not None:
        conn.hold_together()  # the recording and its event
        ctx.after_commit.append(lambda: ctx.live.forget(sid))  # its outcome changed here
        recording = url if url.startswith("https://") and len(url) <= 500 else None
        rows.set_recording(call.id, url=recording, outcome=_stronger(call.outcome, "callback_requested"))
        duration = params.get("RecordingDuration", "")
        rows.add_events(call.id, [Event("callback", call.state.get("node"), None, None, {
            "recording": recording is not None,
            "recording_duration_s": int(duration) if duration.isdigit() and len(duration) < 6 else None,
        })])
    return render_says([Say("callback_thanks")], ctx.runtime.catalogue, ctx.settings, hangup=True)
