"""Reads only the console needs: new drafts for the live queue, a dossier's call."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from callcenter.pagination import Cursor
from models.dossier import Dossier
from models.vessel import Vessel


def newest_draft(db: Session) -> Cursor | None:
    """Where the live queue starts listening: the newest draft when the page was drawn."""
    row = db.execute(
        select(Dossier.created_at, Dossier.id)
        .where(Dossier.status == "draft")
        .order_by(Dossier.created_at.desc(), Dossier.id.desc())
        .limit(1)
    ).first()
    return Cursor(at=row[0], id=row[1]) if row else None


def drafts_after(db: Session, *, after: Cursor | None, limit: int) -> list[tuple[Dossier, Vessel | None]]:
    """Unclaimed drafts created after `after`, oldest first (index: status, created_at)."""
    stmt = (
        select(Dossier, Vessel)
        .outerjoin(Vessel, Vessel.id == Dossier.vessel_id)
        .where(Dossier.status == "draft", Dossier.claimed_by_id.is_(None))
    )
    if after is not None:
        # The plain range on created_at lets the index seek to the cursor instead of
        # walking every draft before it; the OR then breaks ties on id.
        stmt = stmt.where(Dossier.created_at >= after.at,
                          or_(Dossier.created_at > after.at, Dossier.id > after.id))
    stmt = stmt.order_by(Dossier.created_at, Dossier.id).limit(limit)
    return [(d, v) for d, v in db.execute(stmt)]
