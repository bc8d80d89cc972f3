"""Durable outbox: a change and the message that announces it commit together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, JSONType, utcnow
from models.db import InsertIfNew


class OutboxEntry(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # onestop.submit, sms.send, ...
    # Sent to the receiver, so a retry after a lost answer is recognised there.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, done, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]



_OUTBOX = Base.metadata.tables["outbox"]
_ENQUEUE = insert(_OUTBOX)
# The same, but a row already holding the key (pending, done or failed) wins.
_ENQUEUE_ONCE = InsertIfNew(_OUTBOX, key="idempotency_key", returning=_OUTBOX.c.id)


def enqueue(
    session: Session, *, kind: str, idempotency_key: str, payload: dict[str, Any], at: datetime | None = None
) -> None:
    """Queue a delivery in the caller's transaction: it is sent exactly when the change
    that asked for it commits. `idempotency_key` is unique and stable: the receiver
    recognises a retry by it."""
    when = at or utcnow()
    session.execute(_ENQUEUE, {
        "kind": kind, "idempotency_key": idempotency_key, "payload": payload, "status": "pending",
        "attempts": 0, "next_attempt_at": when, "created_at": when,
    })


def enqueue_once(
    session: Session, *, kind: str, idempotency_key: str, payload: dict[str, Any], at: datetime | None = None
) -> bool:
    """`enqueue`, unless an entry with this key exists already, whatever its state: for work
    that several changes may ask for (one recording linked from two rows, a second run).
    True when this call queued it. Safe against a concurrent writer of the same key."""
    when = at or utcnow()
    queued = _ENQUEUE_ONCE(session, {
        "kind": kind, "idempotency_key": idempotency_key, "payload": payload, "status": "pending",
        "attempts": 0, "next_attempt_at": when, "created_at": when,
    })
    return queued is not None
