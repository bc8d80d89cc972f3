"""SMS to a fisher: recorded now, sent by the outbox worker in its own time.

The message row and its outbox entry are written in the caller's transaction, so a
receipt exists exactly when its dossier does.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.message import Message
from models.outbox import OutboxEntry

SMS_SEND = "sms.send"


def queue_sms(
    session: Session, *, to: str, body: str, dossier_id: int | None, sending_enabled: bool
) -> Message:
    message = Message(
        direction="out",
        to_number=to,
        body=body,
        dossier_id=dossier_id,
        status="queued" if sending_enabled else "recorded",
    )
    session.add(message)
    session.flush()
    if sending_enabled:
        session.add(
            OutboxEntry(
                kind=SMS_SEND, idempotency_key=f"sms:{message.id}", payload={"message_id": message.id}
            )
        )
    return message
