"""A caller's time in the queue: joining, announcements, leaving for a call-back, the bridge,
the end. What Twilio tells us (QueuePosition, QueueTime, QueueResult, DequeingCallSid) is
recorded here; services flush, the webhook commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ivr.intake.callbacks import promise_callback
from ivr.queue.presence import queue_event, swap_offer
from models.call import Call, CallEvent
from models.callback import CallbackRequest
from models.domain.phone import caller_number
from models.operator import OperatorPresence
from models.queue import QueueEntry
from models.user import User

# Twilio's QueueResult → the entry's result. Anything else (error, system-error, an
# unknown value) is a fault: the caller is owed a call-back.
_RESULTS = {
    "bridged": "answered",
    "redirected-from-bridged": "answered",
    "hangup": "abandoned_in_queue",
    "bridging-in-process": "abandoned_in_queue",
    "leave": "callback_requested",
    "queue-full": "callback_requested",
}
# A call that left a dossier keeps that outcome: it is what the call achieved.
_KEPT_OUTCOMES = ("dossier_created",)
# The estimate callers hear comes from this many recent answered waits, or is not told.
ESTIMATE_WINDOW = timedelta(hours=1)
ESTIMATE_MIN_SAMPLES = 3


def seconds(value: str | None) -> int | None:
    """A whole number of seconds as Twilio sends it, or None for anything else."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 7 else None


def open_entry(session: Session, *, call_sid: str) -> QueueEntry | None:
    return session.scalar(
        select(QueueEntry).where(QueueEntry.call_sid == call_sid, QueueEntry.result == "waiting")
        .order_by(QueueEntry.id.desc()).limit(1)
    )


def latest_entry(session: Session, *, call_sid: str) -> QueueEntry | None:
    return session.scalar(
        select(QueueEntry).where(QueueEntry.call_sid == call_sid).order_by(QueueEntry.id.desc()).limit(1)
    )


def _path_and_reason(session: Session, call: Call) -> tuple[list[str], str]:
    """The menus the caller went through (the steps they heard: a branch or an action is
    the flow's own business), and why they were put through to a person."""
    events = session.scalars(
        select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id)
    ).all()
    path: list[str] = []
    reason = "fault"
    for event in events:
        if event.kind == "prompt" and event.menu and (not path or path[-1] != event.menu):
            path.append(event.menu)
        elif event.kind == "guard":
            why = (event.detail or {}).get("reason")
            reason = "misses" if why == "misses" else "guard"
        elif event.kind == "key" and event.key == "0":
            reason = "key_0"
        elif event.kind == "transfer":
            break
    return path[-12:], reason


def join(session: Session, *, call: Call, queue: str, queue_time_s: int, now: datetime) -> QueueEntry:
    """The caller's entry, made at the first wait-URL request (Twilio's QueueTime says when
    they joined)."""
    path, reason = _path_and_reason(session, call)
    state = call.state or {}
    entry = QueueEntry(
        call_id=call.id, call_sid=call.call_sid, queue=queue[:64],
        joined_at=now - timedelta(seconds=queue_time_s), result="waiting", reason=reason, path=path,
        vessel_registration=state.get("vessel_registration"), announcements=0, created_at=now,
    )
    session.add(entry)
    session.flush()
    queue_event(session, call_id=call.id, what="joined", now=entry.joined_at, queue=entry.queue,
                reason=reason)
    return entry


def position_of(session: Session, *, entry: QueueEntry) -> int:
    """1 + the callers still waiting who joined before this one (when Twilio did not say)."""
    ahead = session.scalar(
        select(func.count()).select_from(QueueEntry).where(
            QueueEntry.result == "waiting", QueueEntry.callback_request_id.is_(None),
            QueueEntry.joined_at < entry.joined_at,
        )
    )
    return 1 + int(ahead or 0)


def expected_wait_s(session: Session, *, now: datetime, waited_s: int) -> int | None:
    """What is left of a typical wait, from callers answered in the last hour — or None
    when too few were answered to tell it honestly."""
    waits = [w for w in session.scalars(
        select(QueueEntry.wait_s).where(
            QueueEntry.result == "answered", QueueEntry.wait_s.is_not(None),
            QueueEntry.left_at >= now - ESTIMATE_WINDOW,
        ).order_by(QueueEntry.left_at.desc()).limit(50)
    ).all() if w is not None]
    if len(waits) < ESTIMATE_MIN_SAMPLES:
        return None
    left = int(median(waits)) - waited_s
    return left if left >= 30 else None


def request_callback(
    session: Session, *, entry: QueueEntry, phone: str, reason: str, now: datetime,
) -> CallbackRequest:
    """The promise to call back, in the order of the time the caller joined the queue."""
    if entry.callback_request_id is not None:
        existing = session.get(CallbackRequest, entry.callback_request_id)
        if existing is not None:
            return existing
    request = promise_callback(session, call_id=entry.call_id, phone=phone, reason=reason,
                               requested_at=entry.joined_at, vessel_registration=entry.vessel_registration)
    entry.callback_request_id = request.id
    queue_event(session, call_id=entry.call_id, what="callback", now=now, reason=request.reason)
    return request


def fault_callback(session: Session, *, call_sid: str, from_number: str, now: datetime) -> CallbackRequest:
    """A webhook about a call we do not know: the caller is still owed a call-back, once."""
    phone = caller_number(from_number[:32]) or from_number[:32]
    call = session.scalar(select(Call).where(Call.call_sid == call_sid))
    existing = session.scalar(
        select(CallbackRequest).where(
            CallbackRequest.phone == phone, CallbackRequest.reason == "fault",
            CallbackRequest.status == "open",
            CallbackRequest.created_at >= now - timedelta(hours=1),
        ).limit(1)
    )
    if existing is not None:
        return existing
    request = CallbackRequest(call_id=call.id if call else None, phone=phone, reason="fault",
                              requested_at=now, status="open", attempts=0, created_at=now)
    session.add(request)
    session.flush()
    return request


@dataclass(frozen=True)
class Finished:
    result: str
    callback: CallbackRequest | None


def _set_outcome(session: Session, *, call_id: int, outcome: str) -> None:
    session.execute(
        update(Call).where(Call.id == call_id,
                           (Call.outcome.is_(None)) | (Call.outcome.not_in(_KEPT_OUTCOMES)))
        .values(outcome=outcome)
    )


def finish(
    session: Session, *, entry: QueueEntry, queue_result: str, queue_time_s: int | None, phone: str,
    now: datetime,
) -> Finished:
    """The Enqueue action: the caller has left the queue (Twilio says how and after how long)."""
    if entry.queue_result is not None:  # Twilio repeating the action: the first one stands
        kept = entry.callback_request_id
        callback = session.get(CallbackRequest, kept) if kept else None
        return Finished(entry.result, callback)
    result = _RESULTS.get(queue_result, "callback_requested")
    entry.queue_result = queue_result[:32] or "?"
    wait = queue_time_s if queue_time_s is not None else int((now - entry.joined_at).total_seconds())
    if result == "answered" and entry.bridged_at is None:
        # Bridged by Twilio's word, though its Queue url never reached us: answered, by
        # an operator we cannot name, after the wait Twilio reports.
        entry.bridged_at = entry.left_at = min(now, entry.joined_at + timedelta(seconds=wait))
        entry.wait_s = wait
    callback = None
    if result == "answered":
        entry.ended_at = now
        if entry.bridged_at is not None:
            entry.handle_s = max(0, int((now - entry.bridged_at).total_seconds()))
            entry.wait_s = entry.wait_s if entry.wait_s is not None else wait
        _operator_done(session, entry=entry, now=now)
        queue_event(session, call_id=entry.call_id, what="ended", now=now, by=entry.answered_by,
                    handle_s=entry.handle_s)
    else:
        entry.left_at = entry.left_at or now
        entry.wait_s = wait
        if result == "callback_requested":
            reason = {"queue-full": "queue_full"}.get(queue_result, "fault")
            if queue_result == "leave" and entry.callback_request_id is None:
                reason = "fault"  # a <Leave/> we did not decide: still a promise
            callback = request_callback(session, entry=entry, phone=phone, reason=reason, now=now)
        _release(session, entry)
        queue_event(session, call_id=entry.call_id, what="left", now=now, result=result, wait_s=wait,
                    queue_result=entry.queue_result)
    entry.result = result
    _set_outcome(session, call_id=entry.call_id, outcome=result)
    session.flush()
    return Finished(result, callback)


def _release(session: Session, entry: QueueEntry) -> None:
    """A caller who left is no longer offered to anyone (that console stops ringing)."""
    if entry.offered_to_id is not None:
        session.execute(
            update(OperatorPresence)
            .where(OperatorPresence.user_id == entry.offered_to_id,
                   OperatorPresence.offer_call_sid == entry.call_sid)
            .values(offer_call_sid=None, offered_at=None)
        )
        entry.offered_to_id, entry.offered_at = None, None


def _operator_done(session: Session, *, entry: QueueEntry, now: datetime) -> None:
    """The conversation is over: its operator goes to wrap-up (once, whichever end tells first)."""
    if entry.answered_by_id is None:
        return
    session.execute(
        update(OperatorPresence)
        .where(OperatorPresence.user_id == entry.answered_by_id, OperatorPresence.state == "on_call",
               OperatorPresence.call_sid == entry.call_sid)
        .values(state="wrap_up", since=now)
    )


def conversation_over(session: Session, *, leg: OperatorPresence, now: datetime) -> None:
    """The operator's leg ended (their Dial's action): the call is over for them."""
    entry = session.scalar(
        select(QueueEntry).where(QueueEntry.operator_leg_sid == leg.leg_sid)
        .order_by(QueueEntry.id.desc()).limit(1)
    ) if leg.leg_sid else None
    if entry is not None and entry.ended_at is None and entry.bridged_at is not None:
        entry.ended_at = now
        entry.handle_s = max(0, int((now - entry.bridged_at).total_seconds()))
    if entry is not None:
        _operator_done(session, entry=entry, now=now)
    session.flush()


def _lock_for_bridge(session: Session, *, entry: QueueEntry, operator: OperatorPresence) -> None:
    """Lock what a bridge may change in one order every worker keeps — operators by id,
    then callers' entries by id — and read it afresh: two bridges crossing each other's
    offers (An offered Binh's caller and the other way round) then wait instead of
    deadlocking. A no-op on SQLite, where a webhook already writes alone."""
    user_ids = sorted({operator.user_id} | ({entry.offered_to_id} if entry.offered_to_id else set()))
    session.execute(
        select(OperatorPresence).where(OperatorPresence.user_id.in_(user_ids))
        .order_by(OperatorPresence.user_id).with_for_update().execution_options(populate_existing=True)
    ).all()
    call_sids = sorted({entry.call_sid} | ({operator.offer_call_sid} if operator.offer_call_sid else set()))
    session.execute(
        select(QueueEntry).where(QueueEntry.call_sid.in_(call_sids), QueueEntry.result == "waiting")
        .order_by(QueueEntry.id).with_for_update().execution_options(populate_existing=True)
    ).all()


def bridge(
    session: Session, *, entry: QueueEntry, operator: OperatorPresence | None, leg_sid: str,
    queue_time_s: int | None, now: datetime,
) -> User | None:
    """Twilio is putting the caller through to the operator whose leg is `leg_sid`."""
    user = session.get(User, operator.user_id) if operator is not None else None
    if entry.bridged_at is not None:  # a repeat of the Queue url
        return session.get(User, entry.answered_by_id) if entry.answered_by_id else user
    if operator is not None:
        _lock_for_bridge(session, entry=entry, operator=operator)
    if user is not None and operator is not None:
        swap_offer(session, answered=entry, operator_id=user.id)
        operator.state, operator.since, operator.call_sid = "on_call", now, entry.call_sid
        operator.offer_call_sid, operator.offered_at, operator.away_reason = None, None, None
        entry.answered_by_id, entry.answered_by = user.id, user.username
    entry.bridged_at = now
    entry.left_at = now
    entry.operator_leg_sid = leg_sid[:64]
    entry.wait_s = queue_time_s if queue_time_s is not None else int((now - entry.joined_at).total_seconds())
    entry.offered_to_id, entry.offered_at = None, None
    entry.result = "answered"
    queue_event(session, call_id=entry.call_id, what="answered", now=now,
                by=user.username if user else None, wait_s=entry.wait_s)
    _set_outcome(session, call_id=entry.call_id, outcome="answered")
    session.flush()
    return user
