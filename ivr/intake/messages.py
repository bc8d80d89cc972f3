"""SMS to a fisher: recorded now, sent by the outbox worker in its own time.

The message row and its outbox entry are written in the caller's transaction, so a
receipt exists exactly when its dossier does. Statements on the driver's connection
(`models.raw`): the IVR writes a receipt on its hot path once per call.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from models.base import utcnow
from models.raw import Link, RawCursor, Statements, link_of

SMS_SEND = "sms.send"

# Every column named: statements on the driver's connection get none of the models'
# Python-side defaults.
MESSAGE_COLUMNS = "direction, to_number, from_number, body, dossier_id, status, created_at"
OUTBOX_COLUMNS = "kind, idempotency_key, payload, status, attempts, next_attempt_at, created_at"
_SQL = Statements(
    insert_message=(
        "INSERT INTO messages (" + MESSAGE_COLUMNS + ") "
        "VALUES ('out', :to_number, '', :body, :dossier_id, :status, :at) RETURNING id"
    ),
    insert_outbox=(
        "INSERT INTO outbox (" + OUTBOX_COLUMNS + ") "
        "VALUES (:kind, :key, :payload, 'pending', 0, :at, :at)"
    ),
)


def queue_sms(
    db: Session | Connection | Link, *, to: str, body: str, dossier_id: int | None, sending_enabled: bool
) -> int:
    """The new message's id; with sending on, its outbox entry is written beside it."""
    raw = RawCursor(link_of(db), _SQL)
    now = raw.driver.time_in(utcnow())
    message_id: int = raw.one("insert_message", {
        "to_number": to, "body": body, "dossier_id": dossier_id,
        "status": "queued" if sending_enabled else "recorded", "at": now,
    })[0]
    if sending_enabled:
        raw.execute("insert_outbox", {
            "kind": SMS_SEND, "key": f"sms:{message_id}",
            "payload": raw.driver.json_in({"message_id": message_id}), "at": now,
        })
    return message_id
