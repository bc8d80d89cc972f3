"""A voice step's reads and writes of its call and the call's events (SQLAlchemy Core).

A step reads its call (locking the row on PostgreSQL, so a duplicate webhook waits for
the first to commit), writes it back guarded by its turn, and adds its events: three
statements in the step's transaction. The statements are built once, on the tables
(not the ORM classes), and take their values as parameters: a webhook pays for
executing them, not for building, caching and ORM bookkeeping it does not need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from ivr.flow.state import Event, VesselFact
from models.base import Base, utcnow
from models.db import InsertIfNew

CALLS: Table = Base.metadata.tables["calls"]
EVENTS: Table = Base.metadata.tables["call_events"]
VESSELS: Table = Base.metadata.tables["vessels"]


@dataclass
class CallRow:
    """The call row as a voice step needs it."""

    id: int
    call_sid: str
    from_number: str
    flow_version: str
    state: dict[str, Any]
    turn: int
    started_at: datetime
    outcome: str | None
    consent_at: datetime | None = None
    consent_notice_version: str | None = None
    dossier_reference: str | None = None
    last_answer: str | None = None
    last_fingerprint: str | None = None


_c = CALLS.c
# What a step changes on its call; the names are the columns'.
_ANSWERED = ("state", "turn", "outcome", "consent_at", "consent_notice_version", "dossier_reference",
             "last_answer", "last_fingerprint")
# FOR UPDATE on PostgreSQL: a duplicate webhook waits here until the first commits. SQLite
# has no row locks; its writer holds the whole database (`models.db.write_unit`).
_LOAD = select(
    _c.id, _c.call_sid, _c.from_number, _c.flow_version, _c.state, _c.turn, _c.started_at, _c.outcome,
    _c.consent_at, _c.consent_notice_version, _c.dossier_reference, _c.last_answer, _c.last_fingerprint,
).where(_c.call_sid == bindparam("sid")).with_for_update()
# Parameters named like a column set that column; the guard's are prefixed.
_ADVANCE = update(CALLS).where(_c.id == bindparam("b_id"), _c.turn == bindparam("b_from_turn"))
_CLOSE = (
    update(CALLS)
    .where(_c.call_sid == bindparam("sid"), _c.ended_at.is_(None))
    .values(
        twilio_status=bindparam("status"), ended_at=bindparam("at"),
        duration_s=func.coalesce(bindparam("duration", type_=_c.duration_s.type), _c.duration_s),
        outcome=func.coalesce(_c.outcome, "abandoned"),
        # A call that ended with nothing done was abandoned where it was waiting.
        abandoned_menu=case((_c.outcome.is_(None), _c.state["node"].as_string()), else_=_c.abandoned_menu),
    )
    .returning(_c.id, _c.outcome, _c.abandoned_menu, _c.duration_s)
)
_ADD_EVENTS = insert(EVENTS)
_VESSEL = select(VESSELS.c.id, VESSELS.c.registration_number, VESSELS.c.owner_name)
_VESSELS_OF_PHONE = _VESSEL.where(VESSELS.c.owner_phone == bindparam("phone")).limit(2)
_VESSEL_BY_NUMBER = _VESSEL.where(VESSELS.c.registration_number == bindparam("number"))


# ON CONFLICT DO NOTHING on the CallSid: Twilio's repeat of a call's first webhook
# (or a duplicate another worker is answering right now) writes nothing.
_INSERT_CALL = InsertIfNew(CALLS, key="call_sid", returning=_c.id)


def load_call(session: Session, call_sid: str) -> CallRow | None:
    found = session.execute(_LOAD, {"sid": call_sid}).first()
    return CallRow(*found) if found else None


def _answered(call: CallRow) -> dict[str, Any]:
    return {name: getattr(call, name) for name in _ANSWERED}


def _insert(session: Session, values: dict[str, Any]) -> int | None:
    found = _INSERT_CALL(session, values)
    return None if found is None else int(found)


def insert_answered_call(session: Session, call: CallRow, *, to_number: str) -> int | None:
    """A new call, already answered (its first step settled on `call`): its id, or None
    when a call with this CallSid exists already."""
    return _insert(session, {
        "call_sid": call.call_sid, "from_number": call.from_number, "to_number": to_number,
        "flow_version": call.flow_version, "started_at": call.started_at, "twilio_status": "in-progress",
        **_answered(call),
    })


def insert_unanswered_call(
    session: Session, *, call_sid: str, from_number: str, to_number: str, flow_version: str, at: datetime,
    status: str = "in-progress",
) -> int:
    """A call no menu answered (its first webhook failed): its id, new or existing."""
    new = _insert(session, {
        "call_sid": call_sid, "from_number": from_number, "to_number": to_number,
        "flow_version": flow_version, "started_at": at, "twilio_status": status, "state": {}, "turn": 0,
    })
    if new is not None:
        return new
    return int(session.execute(select(_c.id).where(_c.call_sid == call_sid)).scalar_one())


def advance_call(session: Session, call: CallRow, *, from_turn: int) -> bool:
    """Store the call's new state and answer, only if nobody advanced it meanwhile."""
    done = session.execute(_ADVANCE, {"b_id": call.id, "b_from_turn": from_turn, **_answered(call)})
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def add_events(session: Session, call_id: int, events: Iterable[Event]) -> None:
    at = utcnow()
    rows = [
        {"call_id": call_id, "at": at, "kind": e.kind, "menu": e.menu, "key": e.key, "prompt": e.prompt,
         "detail": e.detail}
        for e in events
    ]
    if rows:
        session.execute(_ADD_EVENTS, rows)


@dataclass(frozen=True)
class ClosedCall:
    id: int
    outcome: str | None
    abandoned_menu: str | None
    duration_s: int | None


def close_call(
    session: Session, *, call_sid: str, status: str, duration_s: int | None, at: datetime
) -> ClosedCall | None:
    """Close the call in one guarded update: its end, duration and outcome. None when
    there is no open call with this CallSid (unknown, or closed before)."""
    params = {"sid": call_sid, "status": status, "at": at, "duration": duration_s}
    closed = session.execute(_CLOSE, params).first()
    return ClosedCall(*closed) if closed else None


def note_status(session: Session, *, call_sid: str, status: str, duration_s: int | None) -> bool:
    """A status that does not end the call (or a late one after its end): kept on the row."""
    values: dict[str, Any] = {"twilio_status": status}
    if duration_s is not None:
        values["duration_s"] = duration_s
    done = session.execute(update(CALLS).where(_c.call_sid == call_sid).values(**values))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def record_message(session: Session, *, call_id: int, recording_url: str | None, outcome: str) -> None:
    """The call-back message on the call: its recording (kept if Twilio posts it twice)."""
    values: dict[str, Any] = {"outcome": outcome}
    if recording_url is not None:
        values["recording_url"] = recording_url
    session.execute(update(CALLS).where(_c.id == call_id).values(**values))


def vessels_of_phone(session: Session, phone: str) -> list[VesselFact]:
    return [VesselFact(*row) for row in session.execute(_VESSELS_OF_PHONE, {"phone": phone})]


def vessel_by_number(session: Session, registration: str) -> VesselFact | None:
    found = session.execute(_VESSEL_BY_NUMBER, {"number": registration}).first()
    return VesselFact(*found) if found else None
