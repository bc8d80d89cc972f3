"""A voice step's reads and writes of its call and the call's events (SQLAlchemy Core).

A step reads its call (locking the row on PostgreSQL, so a duplicate webhook waits for
the first to commit), writes it back guarded by its turn, and adds its events: three
statements in the step's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from ivr.flow.state import Event, VesselFact
from models.base import utcnow
from models.call import Call, CallEvent
from models.db import insert_on_conflict
from models.vessel import Vessel


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


_COLUMNS = (
    Call.id, Call.call_sid, Call.from_number, Call.flow_version, Call.state, Call.turn, Call.started_at,
    Call.outcome, Call.consent_at, Call.consent_notice_version, Call.dossier_reference, Call.last_answer,
    Call.last_fingerprint,
)


def load_call(session: Session, call_sid: str) -> CallRow | None:
    """The call, its row locked until the step commits on PostgreSQL (SQLite has no row
    locks: its writer holds the whole database, `models.db.write_unit`)."""
    found = session.execute(select(*_COLUMNS).where(Call.call_sid == call_sid).with_for_update()).first()
    return CallRow(*found) if found else None


def _answered(call: CallRow) -> dict[str, Any]:
    """What a step changes on its call."""
    return {
        "state": call.state, "turn": call.turn, "outcome": call.outcome, "consent_at": call.consent_at,
        "consent_notice_version": call.consent_notice_version, "dossier_reference": call.dossier_reference,
        "last_answer": call.last_answer, "last_fingerprint": call.last_fingerprint,
    }


def insert_answered_call(session: Session, call: CallRow, *, to_number: str) -> int | None:
    """A new call, already answered (its first step settled on `call`): its id, or None
    when a call with this CallSid exists already (Twilio's repeat of the first webhook)."""
    statement = (
        insert_on_conflict(session.get_bind().dialect.name, Call)
        .values(call_sid=call.call_sid, from_number=call.from_number, to_number=to_number,
                flow_version=call.flow_version, started_at=call.started_at, twilio_status="in-progress",
                **_answered(call))
        .on_conflict_do_nothing(index_elements=["call_sid"])
        .returning(Call.id)
    )
    return session.execute(statement).scalar_one_or_none()


def advance_call(session: Session, call: CallRow, *, from_turn: int) -> bool:
    """Store the call's new state and answer, only if nobody advanced it meanwhile."""
    done = session.execute(
        update(Call).where(Call.id == call.id, Call.turn == from_turn).values(**_answered(call))
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def add_events(session: Session, call_id: int, events: Iterable[Event]) -> None:
    at = utcnow()
    rows = [
        {"call_id": call_id, "at": at, "kind": e.kind, "menu": e.menu, "key": e.key, "prompt": e.prompt,
         "detail": e.detail}
        for e in events
    ]
    if rows:
        session.execute(insert(CallEvent), rows)


def insert_unanswered_call(
    session: Session, *, call_sid: str, from_number: str, to_number: str, flow_version: str, at: datetime,
    status: str = "in-progress",
) -> int:
    """A call no menu answered (its first webhook failed): its id, new or existing."""
    statement = (
        insert_on_conflict(session.get_bind().dialect.name, Call)
        .values(call_sid=call_sid, from_number=from_number, to_number=to_number, flow_version=flow_version,
                started_at=at, twilio_status=status, state={}, turn=0)
        .on_conflict_do_nothing(index_elements=["call_sid"])
        .returning(Call.id)
    )
    new = session.execute(statement).scalar_one_or_none()
    if new is not None:
        return int(new)
    return int(session.execute(select(Call.id).where(Call.call_sid == call_sid)).scalar_one())


@dataclass(frozen=True)
class ClosedCall:
    id: int
    outcome: str | None
    abandoned_menu: str | None
    duration_s: int | None


def close_call(session: Session, *, call_sid: str, status: str, duration_s: int | None, at: datetime
               ) -> ClosedCall | None:
    """Close the call in one guarded update: its end, duration and outcome (`abandoned`,
    at the menu it was waiting in, when nothing else happened). None when there is no
    open call with this CallSid (unknown, or closed before)."""
    waiting_in = Call.state["node"].as_string()
    closed = session.execute(
        update(Call)
        .where(Call.call_sid == call_sid, Call.ended_at.is_(None))
        .values(
            twilio_status=status, ended_at=at,
            duration_s=duration_s if duration_s is not None else Call.duration_s,
            outcome=func.coalesce(Call.outcome, "abandoned"),
            abandoned_menu=case((Call.outcome.is_(None), waiting_in), else_=Call.abandoned_menu),
        )
        .returning(Call.id, Call.outcome, Call.abandoned_menu, Call.duration_s)
    ).first()
    return ClosedCall(*closed) if closed else None


def note_status(session: Session, *, call_sid: str, status: str, duration_s: int | None) -> bool:
    """A status that does not end the call (or a late one after its end): kept on the row."""
    values: dict[str, Any] = {"twilio_status": status}
    if duration_s is not None:
        values["duration_s"] = duration_s
    done = session.execute(update(Call).where(Call.call_sid == call_sid).values(**values))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def record_message(session: Session, *, call_id: int, recording_url: str | None, outcome: str) -> None:
    """The call-back message on the call: its recording (kept if Twilio posts it twice)."""
    values: dict[str, Any] = {"outcome": outcome}
    if recording_url is not None:
        values["recording_url"] = recording_url
    session.execute(update(Call).where(Call.id == call_id).values(**values))


def vessels_of_phone(session: Session, phone: str) -> list[VesselFact]:
    found = session.execute(
        select(Vessel.id, Vessel.registration_number, Vessel.owner_name)
        .where(Vessel.owner_phone == phone).limit(2)
    )
    return [VesselFact(*row) for row in found]


def vessel_by_number(session: Session, registration: str) -> VesselFact | None:
    found = session.execute(
        select(Vessel.id, Vessel.registration_number, Vessel.owner_name)
        .where(Vessel.registration_number == registration)
    ).first()
    return VesselFact(*found) if found else None
