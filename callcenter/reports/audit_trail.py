"""Reading the audit trail, newest first with keyset paging (the trail is append-only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.pagination import Cursor, older_than
from callcenter.reports.period import Period
from callcenter.reports.summary import in_period
from models.audit import AuditEntry


def list_audit(
    session: Session, *, period: Period, actor: str | None = None, action: str | None = None,
    after: Cursor | None = None, limit: int,
) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(*in_period(AuditEntry.at, period))
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if after is not None:
        stmt = stmt.where(older_than(AuditEntry.at, AuditEntry.id, after))
    return list(session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def audit_cursor(entry: AuditEntry) -> Cursor:
    return Cursor(at=entry.at, id=entry.id)
