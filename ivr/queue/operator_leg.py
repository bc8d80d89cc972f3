"""An operator's own leg: from the browser softphone (`client:<identity>`) or from their
registered phone after their PIN. Either way it gets `<Dial><Queue>` when a caller is
there for this operator, is held a bounded time when none is, and then hangs up with the
operator still ready.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.prompts import Catalogue
from ivr.queue import twiml
from ivr.queue.pins import PinCheck
from ivr.queue.presence import (
    answering_user,
    housekeep,
    leg_operator,
    match,
    may_answer,
    presence_of,
)
from ivr.settings import Settings
from models.operator import OperatorPresence
from models.queue import QueueEntry
from models.user import User

MAX_PIN_TRIES = 3


def operator_leg(
    session: Session, *, params: dict[str, str], waited_s: int, settings: Settings, catalogue: Catalogue,
    now: datetime,
) -> str:
    caller = params.get("From") or params.get("Caller") or ""
    leg_sid = params.get("CallSid", "")[:64]
    if caller.startswith("client:"):
        user = answering_user(session, identity=caller[7:])
    else:  # a registered phone's leg, let in by its PIN earlier in this call
        row = leg_operator(session, leg_sid=leg_sid) if leg_sid else None
        user = session.get(User, row.user_id) if row is not None else None
    if user is None or not may_answer(user):
        return twiml.operator_says(("operator_not_allowed",), catalogue, settings)
    return take_caller(session, user=user, leg_sid=leg_sid, waited_s=waited_s,
                       settings=settings, catalogue=catalogue, now=now)


def take_caller(
    session: Session, *, user: User, leg_sid: str, waited_s: int, settings: Settings, catalogue: Catalogue,
    now: datetime,
) -> str:
    """The operator on `leg_sid` asks for a caller: `<Dial><Queue>` takes the one offered to
    them, or — when no caller is promised to another operator — whoever is at the front of
    Twilio's queue or joins it within the dial's timeout (Twilio may hold a caller whose
    first wait request has not reached us yet). While the front caller is offered to
    someone else, the leg is held (bounded) and asks again, so two offers do not cross."""
    housekeep(session, settings=settings, now=now)
    row = presence_of(session, user_id=user.id, now=now)
    session.refresh(row, with_for_update=True)
    if row.state == "on_call" and row.leg_sid != leg_sid:
        return twiml.operator_says(("operator_call_ended",), catalogue, settings)
    if row.state in ("away", "wrap_up"):  # dialling in is saying "I am ready"
        row.state, row.since, row.away_reason = "ready", now, None
    row.heartbeat_at = now
    if row.leg_sid != leg_sid and leg_sid:
        other = session.scalar(select(OperatorPresence).where(OperatorPresence.leg_sid == leg_sid))
        if other is not None:
            other.leg_sid = None
        row.leg_sid, row.leg_started_at = leg_sid, now
    session.flush()
    if not _offer_waiting(session, row):
        match(session, now=now, only_user=user.id)
        session.refresh(row)
    if _offer_waiting(session, row) or not _offered_elsewhere(session, row):
        return twiml.dial_queue(settings)
    if waited_s < twiml.OPERATOR_HOLD_S:
        return twiml.operator_hold(waited_s=waited_s, catalogue=catalogue, settings=settings)
    row.leg_sid, row.leg_started_at = None, None
    session.flush()
    return twiml.operator_says(("operator_no_caller",), catalogue, settings)


def _offered_elsewhere(session: Session, row: OperatorPresence) -> bool:
    """A caller still waiting is promised to another operator."""
    return session.scalar(
        select(QueueEntry.id).where(QueueEntry.result == "waiting", QueueEntry.offered_to_id.is_not(None),
                                    QueueEntry.offered_to_id != row.user_id).limit(1)
    ) is not None


def _offer_waiting(session: Session, row: OperatorPresence) -> bool:
    if row.offer_call_sid is None:
        return False
    return session.scalar(
        select(QueueEntry.id).where(QueueEntry.call_sid == row.offer_call_sid, QueueEntry.result == "waiting",
                                    QueueEntry.offered_to_id == row.user_id)
    ) is not None


def pin_entered(
    session: Session, *, check: PinCheck, leg_sid: str, tries: int, settings: Settings, catalogue: Catalogue,
    now: datetime,
) -> str:
    """The answer to a PIN keyed on a registered phone, as `ivr.queue.pins.check_pin` judged it."""
    user = session.get(User, check.user_id) if check.user_id is not None else None
    if check.verdict == "no_operator" or user is None:
        return twiml.operator_says(("operator_not_allowed",), catalogue, settings)
    if check.verdict == "right":
        return take_caller(session, user=user, leg_sid=leg_sid, waited_s=0, settings=settings,
                           catalogue=catalogue, now=now)
    if check.verdict == "too_many":
        return twiml.operator_says(("operator_pin_locked",), catalogue, settings)
    if check.verdict == "busy":  # no hash could run now: the same try again, not a wrong one
        return twiml.operator_pin(catalogue, settings, wrong=False, tries=max(tries, 1))
    if tries + 1 >= MAX_PIN_TRIES:
        return twiml.operator_says(("operator_pin_wrong",), catalogue, settings)
    return twiml.operator_pin(catalogue, settings, wrong=True, tries=tries + 1)
