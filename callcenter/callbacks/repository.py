"""Reading call-back attempts: a dossier's, and those due again (keyset paged)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.callback import CallbackAttempt
from models.dossier import Dossier

ATTEMPTS_SHOWN = 20


def attempts_for(db: Session, *, dossier_id: int, limit: int = ATTEMPTS_SHOWN) -> Sequence[CallbackAttempt]:
    """Newest first (index: dossier_id, id)."""
    stmt = (select(CallbackAttempt).where(CallbackAttempt.dossier_id == dossier_id)
            .order_by(CallbackAttempt.id.desc()).limit(limit))
    return db.scalars(stmt).all()


@dataclass(frozen=True)
class DueCallback:
    attempt: CallbackAttempt
    dossier: Dossier


def due_callbacks(
    db: Session, *, now: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[DueCallback]:
    """Attempts whose retry time has come, longest overdue first (index: next_attempt_at, id)."""
    stmt = (
        select(CallbackAttempt, Dossier)
        .join(Dossier, Dossier.id == CallbackAttempt.dossier_id)
        .where(CallbackAttempt.next_attempt_at.is_not(None), CallbackAttempt.next_attempt_at <= now)
    )
    if after is not None:
        at, last_id = after
        stmt = stmt.where(or_(CallbackAttempt.next_attempt_at > at,
                              and_(CallbackAttempt.next_attempt_at == at, CallbackAttempt.id > last_id)))
    stmt = stmt.order_by(CallbackAttempt.next_attempt_at, CallbackAttempt.id).limit(limit)
    return [DueCallback(a, d) for a, d in db.execute(stmt)]
