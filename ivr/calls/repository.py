"""Reads and writes of calls, their events and webhook claims.

The voice hot path uses Core statements on purpose: a step is one read of the call,
one conditional update, one multi-row insert of events and one claim insert — no ORM
unit of work, which profiling showed to cost more than the step itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from ivr.flow.state import Event
from models.base import utcnow
from models.call import Call, CallEvent, WebhookClaim
from models.vessel import Vessel


@dataclass
class LiveCall:
    """The call row as a voice step needs it."""

    id: int
    call_sid: str
    from_number: str
    flow_version: str
    state: dict[str, Any]
    turn: int
    started_at: datetime
    outcome: str | None
    consent_at: datetime | None
    consent_notice_version: str | None
    dossier_reference: str | None


_LIVE_COLUMNS = (
    Call.id, Call.call_sid, Call.from_number, Call.flow_version, Call.state, Call.turn, Call.started_at,
    Call.outcome, Call.consent_at, Call.consent_notice_version, Call.dossier_reference,
)


# Built once: constructing a statement per webhook showed up in the profile.
_LOAD_CALL = select(*_LIVE_COLUMNS).where(Call.call_sid == bindparam("sid"))
_ADVANCE_CALL = (
    update(Call)
    .where(Call.id == bindparam("call_id"), Call.turn == bindparam("from_turn"))
    .values(state=bindparam("new_state"), turn=bindparam("new_turn"), outcome=bindparam("new_outcome"),
            consent_at=bindparam("new_consent_at"), consent_notice_version=bindparam("new_notice"),
            dossier_reference=bindparam("new_reference"))
    .returning(Call.id)
)
_INSERT_EVENTS = insert(CallEvent)
_INSERT_CALL = insert(Call).returning(Call.id)


def _claim(dialect: str) -> Insert:
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        dialect_insert(WebhookClaim)
        .values(key=bindparam("key"), fingerprint=bindparam("fingerprint"), response=bindparam("response"),
                created_at=bindparam("created_at"))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(WebhookClaim.key)  # rowcount is not reliable across drivers; RETURNING is
    )


_CLAIM = {name: _claim(name) for name in ("sqlite", "postgresql")}
_STORED_ANSWER = select(WebhookClaim.fingerprint, WebhookClaim.response).where(
    WebhookClaim.key == bindparam("key")
)


def load_call(session: Session, call_sid: str) -> LiveCall | None:
    # Core statements on the session's connection: the ORM layer adds nothing here.
    row = session.connection().execute(_LOAD_CALL, {"sid": call_sid}).first()
    return LiveCall(**row._asdict()) if row else None


def insert_call(
    session: Session, *, call_sid: str, from_number: str, to_number: str, flow_version: str, at: datetime,
    status: str = "in-progress",
) -> LiveCall:
    call_id = session.connection().execute(_INSERT_CALL, {
        "call_sid": call_sid, "from_number": from_number, "to_number": to_number,
        "flow_version": flow_version, "started_at": at, "state": {}, "turn": 0, "twilio_status": status,
    }).scalar_one()
    return LiveCall(call_id, call_sid, from_number, flow_version, {}, 0, at, None, None, None, None)


def advance_call(session: Session, call: LiveCall, *, from_turn: int) -> bool:
    """Store the call's new state, only if nobody advanced it meanwhile."""
    updated = session.connection().execute(_ADVANCE_CALL, {
        "call_id": call.id, "from_turn": from_turn, "new_state": call.state, "new_turn": call.turn,
        "new_outcome": call.outcome, "new_consent_at": call.consent_at,
        "new_notice": call.consent_notice_version, "new_reference": call.dossier_reference,
    }).first()
    return updated is not None


def add_events(session: Session, call_id: int, events: Iterable[Event]) -> None:
    now = utcnow()
    rows = [
        {"call_id": call_id, "at": now, "kind": e.kind, "menu": e.menu, "key": e.key, "prompt": e.prompt,
         "detail": e.detail}
        for e in events
    ]
    if rows:
        session.connection().execute(_INSERT_EVENTS, rows)


def claim_answer(session: Session, *, key: str, fingerprint: str, response: str) -> bool:
    """Record the answer to a webhook. False: another request answered it first.

    An insert that does nothing on conflict: under PostgreSQL a concurrent duplicate
    waits for the first to commit and then sees its row, so Twilio's retry of a slow
    answer gets the same answer instead of a second effect.
    """
    conn = session.connection()
    claimed = conn.execute(_CLAIM[conn.dialect.name], {
        "key": key, "fingerprint": fingerprint, "response": response, "created_at": utcnow(),
    }).scalar_one_or_none()
    return claimed is not None


def stored_answer(session: Session, key: str) -> tuple[str, str] | None:
    """(fingerprint, response) of a webhook answered before."""
    row = session.connection().execute(_STORED_ANSWER, {"key": key}).first()
    return (row[0], row[1]) if row else None


@dataclass
class ClosingCall:
    """The call row as the status callback needs it."""

    id: int
    state: dict[str, Any]
    outcome: str | None
    abandoned_menu: str | None
    ended_at: datetime | None
    duration_s: int | None


_LOAD_CLOSING = select(
    Call.id, Call.state, Call.outcome, Call.abandoned_menu, Call.ended_at, Call.duration_s
).where(Call.call_sid == bindparam("sid"))
_CLOSE_CALL = (
    update(Call)
    .where(Call.id == bindparam("call_id"))
    .values(twilio_status=bindparam("new_status"), outcome=bindparam("new_outcome"),
            abandoned_menu=bindparam("new_menu"), ended_at=bindparam("new_ended_at"),
            duration_s=bindparam("new_duration"))
)


def load_closing_call(session: Session, call_sid: str) -> ClosingCall | None:
    row = session.connection().execute(_LOAD_CLOSING, {"sid": call_sid}).first()
    return ClosingCall(**row._asdict()) if row else None


def save_closing_call(session: Session, call: ClosingCall, *, status: str) -> None:
    session.connection().execute(_CLOSE_CALL, {
        "call_id": call.id, "new_status": status, "new_outcome": call.outcome,
        "new_menu": call.abandoned_menu, "new_ended_at": call.ended_at, "new_duration": call.duration_s,
    })


_DRAFT_VESSEL = select(Vessel.id, Vessel.registration_number, Vessel.owner_name, Vessel.owner_phone).where(
    Vessel.id == bindparam("vessel_id")
)


def draft_vessel(session: Session, vessel_id: int) -> DraftVesselRow | None:
    """The registry's facts a draft copies, by the id the caller confirmed."""
    row = session.connection().execute(_DRAFT_VESSEL, {"vessel_id": vessel_id}).first()
    return DraftVesselRow(*row) if row else None


class DraftVesselRow(NamedTuple):
    id: int
    registration_number: str
    owner_name: str
    owner_phone: str | None


def get_call(session: Session, call_sid: str) -> Call | None:
    return session.scalar(select(Call).where(Call.call_sid == call_sid))


def add_call_events(session: Session, call: Call, events: Iterable[Event]) -> None:
    add_events(session, call.id, events)


def claim_webhook(session: Session, *, key: str, fingerprint: str) -> WebhookClaim | None:
    """Claim a webhook before answering it (used where the answer is written later).

    None: it is ours. A row: it was answered before, or is being answered now (under
    PostgreSQL the insert waits for that other transaction and then sees its row).
    """
    if claim_answer(session, key=key, fingerprint=fingerprint, response=""):
        return None
    return session.get(WebhookClaim, key, populate_existing=True)


def store_answer(session: Session, *, key: str, response: str) -> None:
    session.execute(update(WebhookClaim).where(WebhookClaim.key == key).values(response=response))
