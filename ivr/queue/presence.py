"""Operator presence and the matching of waiting callers to ready operators.

Everything here is a conditional UPDATE on rows every worker shares: two workers (or
hosts) that match at the same instant cannot offer one caller to two operators, nor two
callers to one operator, because each offer is taken only `WHERE` it is still free; the
loser's statement changes no row and it moves on. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ivr.settings import Settings
from models.call import CallEvent
from models.operator import OperatorPresence
from models.queue import QueueEntry
from models.user import User

# An operator whose console rang for this long without answering is set away; the caller
# stays first in line and is offered to the next ready operator.
OFFER_S = 20
# A console proves it is open by its event stream; silent this long, its operator is away.
HEARTBEAT_LOST_S = 60
HEARTBEAT_EVERY_S = 10
# An operator's leg that never bridged (Dial's timeout plus the bounded wait) is forgotten.
LEG_IDLE_S = 150
ON_DUTY = ("ready", "on_call", "wrap_up")
ANSWERING_ROLES = ("operator", "supervisor")


@dataclass(frozen=True)
class Offer:
    user_id: int
    call_sid: str


def presence_of(session: Session, *, user_id: int, now: datetime) -> OperatorPresence:
    """The operator's row, created `away` the first time (flushed; a race on creation is
    settled by the primary key: the loser reads the winner's row)."""
    row = session.get(OperatorPresence, user_id)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(OperatorPresence(user_id=user_id, state="away", since=now))
    except IntegrityError:  # another worker created it first
        pass
    row = session.get(OperatorPresence, user_id)
    assert row is not None
    return row


def queue_event(session: Session, *, call_id: int, what: str, now: datetime, **detail: object) -> None:
    """One line of the call's timeline about the queue (joined, announced, offered, answered…)."""
    session.add(CallEvent(call_id=call_id, at=now, kind="queue", menu=None, key=None, prompt=None,
                          detail={"what": what, **detail}))


class StateRefused(ValueError):
    """The operator may not switch to that state now (the message is for the operator)."""


def set_state(session: Session, *, user: User, state: str, now: datetime) -> OperatorPresence:
    """`ready` or `away`, as the operator chooses; `on_call` and `wrap_up` are the service's."""
    row = presence_of(session, user_id=user.id, now=now)
    session.refresh(row, with_for_update=True)
    if row.state == "on_call":
        raise StateRefused("Đang trong cuộc gọi: hãy kết thúc cuộc gọi trước khi đổi trạng thái.")
    if state == "ready" and row.state != "ready":
        row.state, row.since, row.away_reason = "ready", now, None
    elif state == "away" and row.state != "away":
        _release_offer(session, row)
        row.state, row.since, row.away_reason = "away", now, None
    row.heartbeat_at = now
    session.flush()
    return row


def heartbeat(session: Session, *, user_id: int, now: datetime) -> bool:
    """A console still open: one write every few seconds at most. True when written."""
    result = session.execute(
        update(OperatorPresence)
        .where(OperatorPresence.user_id == user_id,
               or_(OperatorPresence.heartbeat_at.is_(None),
                   OperatorPresence.heartbeat_at < now - timedelta(seconds=HEARTBEAT_EVERY_S)))
        .values(heartbeat_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _release_offer(session: Session, row: OperatorPresence) -> None:
    if row.offer_call_sid is not None:
        session.execute(
            update(QueueEntry)
            .where(QueueEntry.call_sid == row.offer_call_sid, QueueEntry.offered_to_id == row.user_id)
            .values(offered_to_id=None, offered_at=None)
        )
    row.offer_call_sid, row.offered_at = None, None


def housekeep(session: Session, *, settings: Settings, now: datetime) -> None:
    """Lapsed offers, lost consoles, finished wrap-ups and idle legs, settled by whoever
    comes first (a webhook, a console's stream, an API call): no timer in any process."""
    lapsed = session.scalars(
        select(OperatorPresence).where(
            OperatorPresence.offer_call_sid.is_not(None),
            OperatorPresence.offered_at < now - timedelta(seconds=OFFER_S),
            OperatorPresence.leg_sid.is_(None),
        )
    ).all()
    for row in lapsed:
        _set_away(session, row, now=now, reason="missed_offer")
    lost = session.scalars(
        select(OperatorPresence).where(
            OperatorPresence.state == "ready",
            OperatorPresence.leg_sid.is_(None),
            or_(OperatorPresence.heartbeat_at.is_(None),
                OperatorPresence.heartbeat_at < now - timedelta(seconds=HEARTBEAT_LOST_S)),
        )
    ).all()
    for row in lost:
        _set_away(session, row, now=now, reason="console_lost")
    # Read first, write only what is due: most calls of this find nothing to do, and on
    # SQLite an UPDATE takes the database's one write lock even when it changes no row.
    wrapped = session.scalars(select(OperatorPresence.user_id).where(
        OperatorPresence.state == "wrap_up",
        OperatorPresence.since < now - timedelta(seconds=settings.wrap_up_s))).all()
    if wrapped:
        session.execute(
            update(OperatorPresence)
            .where(OperatorPresence.user_id.in_(wrapped), OperatorPresence.state == "wrap_up",
                   OperatorPresence.since < now - timedelta(seconds=settings.wrap_up_s))
            .values(state="ready", since=now, heartbeat_at=now)
        )
    idle_legs = session.scalars(select(OperatorPresence.user_id).where(
        OperatorPresence.state == "ready", OperatorPresence.leg_sid.is_not(None),
        OperatorPresence.leg_started_at < now - timedelta(seconds=LEG_IDLE_S))).all()
    if idle_legs:
        session.execute(
            update(OperatorPresence)
            .where(OperatorPresence.user_id.in_(idle_legs), OperatorPresence.state == "ready",
                   OperatorPresence.leg_started_at < now - timedelta(seconds=LEG_IDLE_S))
            .values(leg_sid=None, leg_started_at=None)
        )
    session.flush()


def _set_away(session: Session, row: OperatorPresence, *, now: datetime, reason: str) -> None:
    """Conditional on what was read: a row another worker changed meanwhile is left alone."""
    offer = row.offer_call_sid  # read before the update refreshes `row`
    stmt = update(OperatorPresence).where(
        OperatorPresence.user_id == row.user_id, OperatorPresence.state == row.state,
        OperatorPresence.since == row.since,
    )
    if offer is not None:
        stmt = stmt.where(OperatorPresence.offer_call_sid == offer)
    done = session.execute(stmt.values(state="away", since=now, away_reason=reason,
                                       offer_call_sid=None, offered_at=None))
    if not done.rowcount or offer is None:  # type: ignore[attr-defined]
        return
    entry = session.scalar(select(QueueEntry).where(
        QueueEntry.call_sid == offer, QueueEntry.offered_to_id == row.user_id))
    if entry is not None:
        entry.offered_to_id, entry.offered_at = None, None
        queue_event(session, call_id=entry.call_id, what="missed", now=now, user_id=row.user_id)


def match(session: Session, *, now: datetime, only_user: int | None = None) -> list[Offer]:
    """Offer the callers waiting longest, each to one ready operator (idle longest first).

    Each offer is two guarded updates: the operator's row `WHERE` they are still ready with
    nothing offered, then the caller's entry `WHERE` it is still waiting and unoffered; if
    the second finds the caller taken, the first is undone. Concurrent workers may both try;
    one of them changes the rows, the other changes nothing.
    """
    offers: list[Offer] = []
    for _ in range(20):  # a bound: each turn makes an offer or ends the loop
        entry = session.execute(
            select(QueueEntry.id, QueueEntry.call_sid, QueueEntry.call_id)
            .where(QueueEntry.result == "waiting", QueueEntry.offered_to_id.is_(None),
                   QueueEntry.callback_request_id.is_(None))
            .order_by(QueueEntry.joined_at, QueueEntry.id).limit(1)
        ).first()
        if entry is None:
            break
        candidates = select(OperatorPresence.user_id).where(
            OperatorPresence.state == "ready", OperatorPresence.offer_call_sid.is_(None))
        if only_user is not None:
            candidates = candidates.where(OperatorPresence.user_id == only_user)
        user_id = session.scalar(
            candidates.order_by(OperatorPresence.since, OperatorPresence.user_id).limit(1))
        if user_id is None:
            break
        took_operator = session.execute(
            update(OperatorPresence)
            .where(OperatorPresence.user_id == user_id, OperatorPresence.state == "ready",
                   OperatorPresence.offer_call_sid.is_(None))
            .values(offer_call_sid=entry.call_sid, offered_at=now)
        ).rowcount  # type: ignore[attr-defined]
        if not took_operator:
            continue
        took_caller = session.execute(
            update(QueueEntry)
            .where(QueueEntry.id == entry.id, QueueEntry.result == "waiting",
                   QueueEntry.offered_to_id.is_(None))
            .values(offered_to_id=user_id, offered_at=now)
        ).rowcount  # type: ignore[attr-defined]
        if not took_caller:
            session.execute(
                update(OperatorPresence)
                .where(OperatorPresence.user_id == user_id, OperatorPresence.offer_call_sid == entry.call_sid)
                .values(offer_call_sid=None, offered_at=None)
            )
            continue
        queue_event(session, call_id=entry.call_id, what="offered", now=now, user_id=user_id)
        offers.append(Offer(user_id=user_id, call_sid=entry.call_sid))
        if only_user is not None:
            break
    session.flush()
    return offers


def on_duty_count(session: Session) -> int:
    return int(session.scalar(
        select(func.count()).select_from(OperatorPresence).where(OperatorPresence.state.in_(ON_DUTY))
    ) or 0)


def answering_user(session: Session, *, identity: str) -> User | None:
    """The active operator a softphone identity belongs to (see `identity_of`), else None."""
    if identity.startswith("user_") and identity[5:].isdigit():
        user = session.get(User, int(identity[5:]))
    else:
        user = session.scalar(select(User).where(User.username == identity))
    return user if may_answer(user) else None


def may_answer(user: User | None) -> bool:
    """An active operator or supervisor: who may take callers from the queue."""
    return user is not None and user.active and user.role in ANSWERING_ROLES


def identity_of(user: User) -> str:
    """The softphone's identity (`client:<identity>`): Twilio allows letters, digits and `_`."""
    name = user.username
    if name and len(name) <= 100 and all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name) \
            and not name.startswith("user_"):
        return name
    return f"user_{user.id}"


def given_name(user: User | None) -> str:
    """`Trần Thị Thu Hà` → `Hà`: how a Vietnamese person is addressed."""
    if user is None:
        return ""
    parts = (user.full_name or "").split()
    return parts[-1] if parts else ""


def leg_operator(session: Session, *, leg_sid: str) -> OperatorPresence | None:
    return session.scalar(select(OperatorPresence).where(OperatorPresence.leg_sid == leg_sid))


def swap_offer(session: Session, *, answered: QueueEntry, operator_id: int) -> None:
    """Twilio bridges the caller at the front of its queue, which may not be the one offered
    to this operator: the operator who was offered `answered` gets this operator's offer
    instead, or, if nobody was, this operator's offer goes back to the queue."""
    mine = session.get(OperatorPresence, operator_id)
    my_offer = mine.offer_call_sid if mine is not None else None
    other = answered.offered_to_id if answered.offered_to_id != operator_id else None
    other_row = session.get(OperatorPresence, other) if other is not None else None
    if my_offer is not None and my_offer != answered.call_sid:
        if other_row is not None:
            other_row.offer_call_sid, other_row.offered_at = my_offer, answered.offered_at
        session.execute(
            update(QueueEntry)
            .where(and_(QueueEntry.call_sid == my_offer, QueueEntry.offered_to_id == operator_id))
            .values(offered_to_id=other, offered_at=answered.offered_at if other is not None else None)
        )
    elif other_row is not None:
        other_row.offer_call_sid, other_row.offered_at = None, None
