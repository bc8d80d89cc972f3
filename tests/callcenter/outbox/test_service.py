"""What a supervisor sees of the outbox and the retry button behind it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from callcenter.outbox.backoff import minimum_total_wait
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.errors import PermanentFailure
from callcenter.outbox.registry import HandlerRegistry
from callcenter.outbox.service import OutboxError, outbox_depth, retry_failed
from models.outbox import OutboxEntry
from tests.callcenter.outbox.helpers import FakeClock, add_entry, make_worker, outbox_config, reload


def test_defaults_ride_out_more_than_an_hour_of_outage() -> None:
    config = outbox_config()
    assert config.max_attempts == 12
    assert minimum_total_wait(config) > timedelta(hours=1)


def test_a_failed_entry_goes_back_in_the_queue_with_fresh_attempts(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    outcomes: list[str] = []
    requeued: list[int] = []

    def deliver(session: Session, entry: OutboxEntry, context: OutboxContext) -> None:
        if not outcomes:
            outcomes.append("rejected")
            raise PermanentFailure("số điện thoại không hợp lệ")
        outcomes.append("delivered")

    registry = HandlerRegistry()
    registry.register("test.echo", deliver, on_requeue=lambda s, e: requeued.append(e.id))
    entry = add_entry(db, kind="test.echo", key="k1", clock=clock)
    worker = make_worker(engine, context, clock=clock, registry=registry)
    worker.drain()

    with pytest.raises(OutboxError):
        retry_failed(db, entry_id=entry.id + 1000, registry=registry)
    clock.advance(hours=3)
    retried = retry_failed(db, entry_id=entry.id, now=clock.now, registry=registry)
    db.commit()
    assert (retried.status, retried.attempts, retried.next_attempt_at) == ("pending", 0, clock.now)
    assert requeued == [entry.id]
    with pytest.raises(OutboxError, match="không phải thất bại"):
        retry_failed(db, entry_id=entry.id, registry=registry)

    assert worker.drain().done == 1
    assert outcomes == ["rejected", "delivered"]
    assert reload(db, entry.id).status == "done"


def test_depth_counts_backlog_work_in_hand_and_failures(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    registry = HandlerRegistry()
    for n in range(4):
        add_entry(db, kind="test.echo", key=f"due{n}", clock=clock)
    later = OutboxEntry(kind="test.echo", idempotency_key="later", payload={},
                        next_attempt_at=clock.now + timedelta(minutes=5))
    done = OutboxEntry(kind="test.echo", idempotency_key="done", payload={}, status="done")
    failed = OutboxEntry(kind="test.echo", idempotency_key="failed", payload={}, status="failed")
    db.add_all([later, done, failed])
    db.commit()
    make_worker(engine, context, clock=clock, registry=registry, batch_size=1).claim()

    clock.advance(seconds=30)
    depth = outbox_depth(db, now=clock.now)
    assert (depth.pending, depth.due, depth.in_flight, depth.failed) == (5, 3, 1, 1)
    assert depth.oldest_due_at == clock.now - timedelta(seconds=30)
