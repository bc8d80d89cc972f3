"""Reads and writes of calls, their events and webhook claims.

The voice hot path uses Core statements on purpose: a step is one read of the call,
one conditional update, one multi-row insert of events and one claim insert — no ORM
unit of work, which profiling showed to cost more than the step itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ivr.flow.state import Event
from models.base import utcnow
from models.call import Call, CallEvent, WebhookClaim


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
_STORED_ANSWER = select(WebhookClaim.fingerprint, WebhookClaim.response).where(
    WebhookClaim.key == bindparam("key")
)


def load_call(session: Session, call_sid: str) -> LiveCall | None:
    # Core statements on the session's connection: the ORM layer adds nothing here.
    row = session.connection().execute(_LOAD_CALL, {"sid": call_sid}).first()
    return LiveCall(**row._asdict()) if row else None


def insert_call(
    session: Session, *, call_sid: str, from_number: str, to_number: str, flow_version: str, at: datetime
) -> LiveCall:
    call_id = session.execute(
        insert(Call)
        .values(call_sid=call_sid, from_number=from_number, to_number=to_number, flow_version=flow_version,
                started_at=at, state={}, turn=0, twilio_status="in-progress")
        .returning(Call.id)
    ).scalar_one()
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
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        dialect_insert(WebhookClaim)
        .values(key=key, fingerprint=fingerprint, response=response, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(WebhookClaim.key)  # rowcount is not reliable across drivers; RETURNING is
    )
    return session.connection().execute(stmt).scalar_one_or_none() is not None


def stored_answer(session: Session, key: str) -> tuple[str, str] | None:
    """(fingerprint, response) of a webhook answered before."""
    row = session.connection().execute(_STORED_ANSWER, {"key": key}).first()
    return (row[0], row[1]) if row else None


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
