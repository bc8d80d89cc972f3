"""SMS to a fisher: recorded now, sent by the outbox worker in its own time.

The message row and its outbox entry are written in the caller's transaction, so a
receipt exists exactly when its dossier does. Core inserts: the IVR writes a receipt
on its hot path once per call.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import core_connection
from models.message import Message
from models.outbox import OutboxEntry

SMS_SEND = "sms.send"

_INSERT_MESSAGE = insert(Message).returning(Message.id)
_INSERT_OUTBOX = insert(OutboxEntry)


def queue_sms(
    db: Session | Connection, *, to: str, body: str, dossier_id: int | None, sending_enabled: bool
) -> int:
    """The new message's id; with sending on, its outbox entry is written beside it."""
    conn = core_connection(db)
    now = utcnow()
    message_id: int = conn.execute(_INSERT_MESSAGE, {
        "direction": "out", "to_number": to, "from_number": "", "body": body, "dossier_id": dossier_id,
        "status": "queued" if sending_enabled else "recorded", "created_at": now,
    }).scalar_one()
    if sending_enabled:
        conn.execute(_INSERT_OUTBOX, {
            "kind": SMS_SEND, "idempotency_key": f"sms:{message_id}", "payload": {"message_id": message_id},
            "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
        })
    return message_id
