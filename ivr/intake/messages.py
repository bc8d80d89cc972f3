"""SMS to a fisher: recorded now, sent by the outbox worker in its own time.

The message row and its outbox entry are written in the caller's transaction, so a
receipt exists exactly when its dossier does.
"""

from __future__ import annotations

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from models.base import Base, utcnow
from models.outbox import enqueue

SMS_SEND = "sms.send"

MESSAGES: Table = Base.metadata.tables["messages"]
_INSERT_MESSAGE = insert(MESSAGES).returning(MESSAGES.c.id)


def queue_sms(session: Session, *, to: str, body: str, dossier_id: int | None, sending_enabled: bool) -> int:
    """The new message's id; with sending on, its outbox entry is written beside it."""
    now = utcnow()
    message_id: int = session.execute(_INSERT_MESSAGE, {
        "direction": "out", "to_number": to, "from_number": "", "body": body, "dossier_id": dossier_id,
        "status": "queued" if sending_enabled else "recorded", "created_at": now,
    }).scalar_one()
    if sending_enabled:
        enqueue(session, kind=SMS_SEND, idempotency_key=f"sms:{message_id}",
                payload={"message_id": message_id}, at=now)
    return message_id
