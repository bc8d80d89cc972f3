"""Reads and writes of calls, their events and webhook claims."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ivr.flow.state import Event
from models.base import utcnow
from models.call import Call, CallEvent, WebhookClaim


def claim_webhook(session: Session, *, key: str, fingerprint: str) -> WebhookClaim | None:
    """Claim a webhook for answering. None: it is ours. A row: it was answered before.

    An insert that does nothing on conflict: under PostgreSQL a concurrent duplicate
    waits for the first to commit and then sees its row, so Twilio's retry of a slow
    answer gets the same answer instead of a second effect.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(WebhookClaim)
        .values(key=key, fingerprint=fingerprint, response="", created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(WebhookClaim.key)  # rowcount is not reliable across drivers; RETURNING is
    )
    if session.execute(stmt).scalar_one_or_none() is not None:
        return None
    return session.get(WebhookClaim, key, populate_existing=True)


def store_answer(session: Session, *, key: str, response: str) -> None:
    claim = session.get(WebhookClaim, key)
    if claim is not None:
        claim.response = response


def get_call(session: Session, call_sid: str) -> Call | None:
    return session.scalar(select(Call).where(Call.call_sid == call_sid))


def add_events(session: Session, call: Call, events: Iterable[Event]) -> None:
    now = utcnow()
    session.add_all(
        CallEvent(
            call_id=call.id, at=now, kind=e.kind, menu=e.menu, key=e.key, prompt=e.prompt, detail=e.detail
        )
        for e in events
    )
