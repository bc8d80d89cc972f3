"""Claiming due entries under a lease, so several workers never deliver one entry twice.

One statement takes a batch: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)
RETURNING id`. On PostgreSQL, SKIP LOCKED lets concurrent workers pass over rows another
one is claiming instead of queueing behind it, and the outer WHERE is re-checked on the
latest row version, so a row claimed a moment ago is not taken again. SQLite has one
writer at a time and ignores FOR UPDATE; there the UPDATE is atomic by itself, and being
the transaction's first statement it takes the write lock directly (no stale snapshot).

The lease (`locked_until`) outlives the claiming transaction: delivery runs after the
commit, without row locks, and a worker that dies mid-delivery leaves entries that any
worker takes over once the lease has expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from models.outbox import OutboxEntry


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        OutboxEntry.status == "pending",
        OutboxEntry.next_attempt_at <= now,
        or_(OutboxEntry.locked_until.is_(None), OutboxEntry.locked_until < now),
    )


def claim_due(
    session: Session, *, worker_id: str, now: datetime, lease: timedelta, limit: int
) -> list[int]:
    """Lease up to `limit` due entries to `worker_id`; the caller commits at once."""
    batch = (
        select(OutboxEntry.id)
        .where(_due(now))
        .order_by(OutboxEntry.next_attempt_at, OutboxEntry.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = session.scalars(
        update(OutboxEntry)
        .where(OutboxEntry.id.in_(batch), _due(now))
        .values(locked_by=worker_id, locked_until=now + lease)
        .returning(OutboxEntry.id)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted(claimed)


def release(session: Session, *, worker_id: str, entry_ids: list[int]) -> None:
    """Give back leases not used (a worker told to stop), so others need not wait them out."""
    if entry_ids:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id.in_(entry_ids), OutboxEntry.locked_by == worker_id)
            .values(locked_by=None, locked_until=None)
            .execution_options(synchronize_session=False)
        )
