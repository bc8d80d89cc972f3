"""Webhook claims: the first delivery of a webhook is answered, Twilio's repeats get that answer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.call import WebhookClaim
from models.db import insert_on_conflict


def _claim(dialect: str) -> Any:
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
