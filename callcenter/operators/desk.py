"""The steps behind an operator's live panel, shared by the console (server-sent events)
and the JSON API (`tongdai agent`, other clients): staying present, choosing ready or away,
and the two cards their screen shows. Flushed, never committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from callcenter.operators.card import CallerCard, card_for, current_card_entry
from ivr.queue.presence import heartbeat, housekeep, match, set_state
from ivr.settings import Settings
from models.operator import OperatorPresence
from models.queue import QueueEntry
from models.user import User

# A presence's state, as the console and the wall board name it.
STATES = {"ready": "Sẵn sàng", "on_call": "Đang nghe máy", "wrap_up": "Ghi kết quả", "away": "Vắng mặt"}


def keep_alive(session: Session, *, user_id: int, settings: Settings, now: datetime) -> None:
    """A client that asks is still there; the queue is settled and matched on the way."""
    heartbeat(session, user_id=user_id, now=now)
    housekeep(session, settings=settings, now=now)
    match(session, now=now)


def choose_state(session: Session, *, user: User, state: str, settings: Settings,
                 now: datetime) -> OperatorPresence:
    """`ready` or `away` as the operator chooses (`StateRefused` when not now); a ready
    operator is offered the caller waiting longest at once."""
    housekeep(session, settings=settings, now=now)
    row = set_state(session, user=user, state=state, now=now)
    match(session, now=now)
    return row


@dataclass(frozen=True)
class DeskCards:
    offer: CallerCard | None  # the caller offered to this operator now (their console rings)
    card: CallerCard | None  # the caller they are talking to, or wrapping up


def desk_cards(session: Session, *, user_id: int, row: OperatorPresence | None, now: datetime) -> DeskCards:
    """The caller offered to the operator whose presence is `row`, and the caller on their line."""
    offer = card = None
    if row is not None and row.offer_call_sid:
        entry = session.scalar(select(QueueEntry).where(
            QueueEntry.call_sid == row.offer_call_sid, QueueEntry.offered_to_id == user_id,
            QueueEntry.result == "waiting"))
        offer = card_for(session, entry=entry, now=now) if entry is not None else None
    if row is not None and row.state in ("on_call", "wrap_up"):
        entry = current_card_entry(session, user_id=user_id, call_sid=row.call_sid)
        card = card_for(session, entry=entry, now=now) if entry is not None else None
    return DeskCards(offer=offer, card=card)


def roster(session: Session) -> list[tuple[User, OperatorPresence | None]]:
    """Who answers calls, by username: every active operator, and anyone else who has been
    present (a supervisor who took calls); `None` for one who never has."""
    return [(user, row) for user, row in session.execute(
        select(User, OperatorPresence).outerjoin(OperatorPresence, OperatorPresence.user_id == User.id)
        .where(User.active.is_(True), or_(User.role == "operator", OperatorPresence.user_id.is_not(None)))
        .order_by(User.username)
    ).all()]
