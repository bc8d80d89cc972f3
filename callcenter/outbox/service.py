"""What supervisors do with the outbox: see how deep it is, retry what failed.

Keyword-only, flush and never commit: the endpoint or command is the commit point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from callcenter.outbox.handlers import install_default_handlers
from callcenter.outbox.registry import HandlerRegistry
from models.base import utcnow
from models.outbox import OutboxEntry


class OutboxError(ValueError):
    pass


@dataclass(frozen=True)
class OutboxDepth:
    pending: int  # not yet delivered, due or waiting for a retry
    due: int  # pending and due now, nobody working on it: the backlog
    in_flight: int  # leased to a worker right now
    failed: int  # given up; waits for a supervisor's retry
    oldest_due_at: datetime | None  # how long the backlog has waited


def outbox_depth(session: Session, *, now: datetime | None = None) -> OutboxDepth:
    now = now or utcnow()
    pending = OutboxEntry.status == "pending"
    leased = and_(OutboxEntry.locked_until.is_not(None), OutboxEntry.locked_until >= now)
    due = and_(
        pending,
        OutboxEntry.next_attempt_at <= now,
        or_(OutboxEntry.locked_until.is_(None), OutboxEntry.locked_until < now),
    )

    def count(condition: ColumnElement[bool]) -> int:
        return session.scalar(select(func.count()).select_from(OutboxEntry).where(condition)) or 0

    return OutboxDepth(
        pending=count(pending),
        due=count(due),
        in_flight=count(and_(pending, leased)),
        failed=count(OutboxEntry.status == "failed"),
        oldest_due_at=session.scalar(select(func.min(OutboxEntry.next_attempt_at)).where(due)),
    )


def retry_failed(
    session: Session,
    *,
    entry_id: int,
    now: datetime | None = None,
    registry: HandlerRegistry | None = None,
) -> OutboxEntry:
    """Put a failed entry back in the queue with a fresh set of attempts."""
    # Fresh from the database: the status a supervisor saw on screen may be stale.
    entry = session.get(OutboxEntry, entry_id, populate_existing=True)
    if entry is None:
        raise OutboxError(f"không có mục hàng đợi {entry_id}")
    if entry.status != "failed":
        raise OutboxError(f"mục {entry_id} đang ở trạng thái {entry.status}, không phải thất bại")
    entry.status = "pending"
    entry.attempts = 0
    entry.next_attempt_at = now or utcnow()
    entry.locked_by = entry.locked_until = None
    # last_error stays: it says why a supervisor had to press the button.
    handler = (registry or install_default_handlers()).get(entry.kind)
    if handler is not None and handler.on_requeue is not None:
        handler.on_requeue(session, entry)
    session.flush()
    return entry
