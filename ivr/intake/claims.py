"""Webhook claims: the first delivery of a webhook is answered, Twilio's repeats get that answer."""

from __future__ import annotations

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from models.base import Base, utcnow
from models.call import WebhookClaim
from models.db import InsertIfNew

_CLAIMS: Table = Base.metadata.tables["webhook_claims"]
_CLAIM = InsertIfNew(_CLAIMS, key="key", returning=_CLAIMS.c.key)


def claim_webhook(session: Session, *, key: str, fingerprint: str) -> WebhookClaim | None:
    """Claim a webhook before answering it; the answer is stored later (`store_answer`).

    None: it is ours. A row: it was answered before, or is being answered now (under
    PostgreSQL the insert waits for that other transaction to commit and then sees its
    row, so Twilio's retry of a slow answer gets the same answer, not a second effect).
    """
    claimed = _CLAIM(session, {"key": key, "fingerprint": fingerprint, "response": "",
                               "created_at": utcnow()})
    if claimed is not None:
        return None
    return session.get(WebhookClaim, key, populate_existing=True)


def store_answer(session: Session, *, key: str, response: str) -> None:
    session.execute(update(WebhookClaim).where(WebhookClaim.key == key).values(response=response))
