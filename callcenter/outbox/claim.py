"""Claiming due entries under a lease, so several workers never deliver one entry twice.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` picks a batch, passing over rows another
worker is claiming at that moment instead of queueing behind them; re-checked on the
latest row version, a row whose lease was just taken no longer qualifies. The UPDATE that
sets the lease is a second statement on exactly those ids: folded into one statement as
`WHERE id IN (SELECT … LIMIT n SKIP LOCKED)`, the planner may re-run the subquery per row
and lease more than n (it did, in this module's tests).

SQLite has a single writer and no FOR UPDATE: one `UPDATE … WHERE <due> RETURNING id` is
atomic, and as the transaction's first statement it takes the write lock directly.

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
    )
    lease_values = {"locked_by": worker_id, "locked_until": now + lease}
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(batch.with_for_update(skip_locked=True)).all())
        if ids:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(ids))
                .values(**lease_values)
                .execution_options(synchronize_session=False)
            )
        return sorted(ids)
    claimed = session.scalars(
        update(OutboxEntry)
        .where(OutboxEntry.id.in_(batch.scalar_subquery()), _due(now))
        .values(**lease_values)
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
