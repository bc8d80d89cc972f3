"""Webhook claims (SMS) and the registry facts a call's draft copies.

The voice step's own reads and writes of calls and events are in `rows.py`. The vessel
a draft copies is read on the driver's connection too (`models.raw`): it is on the path
of every call that leaves a dossier. The claims are off the hot path and stay on Core.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from models.base import utcnow
from models.call import WebhookClaim
from models.db import insert_on_conflict
from models.raw import Link, RawCursor, Statements, link_of


def _claim(dialect: str) -> Insert:
    return (
        insert_on_conflict(dialect, WebhookClaim)
        .values(key=bindparam("key"), fingerprint=bindparam("fingerprint"), response=bindparam("response"),
                created_at=bindparam("created_at"))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(WebhookClaim.key)  # rowcount is not reliable across drivers; RETURNING is
    )


_CLAIM = {name: _claim(name) for name in ("sqlite", "postgresql")}


def claim_webhook(session: Session, *, key: str, fingerprint: str) -> WebhookClaim | None:
    """Claim a webhook before answering it; the answer is stored later (`store_answer`).

    None: it is ours. A row: it was answered before, or is being answered now (under
    PostgreSQL the insert waits for that other transaction to commit and then sees its
    row, so Twilio's retry of a slow answer gets the same answer, not a second effect).
    """
    conn = session.connection()
    claimed = conn.execute(_CLAIM[conn.dialect.name], {
        "key": key, "fingerprint": fingerprint, "response": "", "created_at": utcnow(),
    }).scalar_one_or_none()
    if claimed is not None:
        return None
    return session.get(WebhookClaim, key, populate_existing=True)


def store_answer(session: Session, *, key: str, response: str) -> None:
    session.execute(update(WebhookClaim).where(WebhookClaim.key == key).values(response=response))


class DraftVesselRow(NamedTuple):
    id: int
    registration_number: str
    owner_name: str
    owner_phone: str | None


_SQL = Statements(
    draft_vessel="SELECT id, registration_number, owner_name, owner_phone FROM vessels WHERE id = :vessel_id",
)


def draft_vessel(db: Session | Connection | Link, vessel_id: int) -> DraftVesselRow | None:
    """The registry's facts a draft copies, by the id the caller confirmed."""
    row = RawCursor(link_of(db), _SQL).one("draft_vessel", {"vessel_id": vessel_id})
    return DraftVesselRow(*row) if row else None
