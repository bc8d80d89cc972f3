"""Several workers on one PostgreSQL database never deliver an entry twice."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.outbox.context import OutboxContext
from callcenter.outbox.registry import HandlerRegistry
from models.outbox import OutboxEntry
from tests.callcenter.outbox.helpers import FakeClock, make_worker

pytestmark = pytest.mark.slow  # live servers, threads and races: seconds, not milliseconds


def test_four_workers_drain_two_hundred_entries_each_exactly_once(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single writer, so workers cannot race; run with a PostgreSQL TEST_DATABASE_URL")
    db.add_all(
        OutboxEntry(kind="test.echo", idempotency_key=f"k{n}", payload={"n": n}, next_attempt_at=clock.now)
        for n in range(200)
    )
    db.commit()
    delivered: list[int] = []
    by_worker: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def deliver(session: Session, entry: OutboxEntry, context: OutboxContext) -> None:
        with lock:
            delivered.append(entry.payload["n"])
            by_worker[entry.locked_by or ""] += 1

    registry = HandlerRegistry()
    registry.register("test.echo", deliver)

    def run(name: str) -> None:
        try:
            worker = make_worker(engine, context, clock=clock, registry=registry, worker_id=name, batch_size=5)
            start.wait()
            worker.drain()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(delivered) == list(range(200))
    assert len(by_worker) > 1, "one worker did everything: the race was not exercised"
    statuses = db.execute(select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)).all()
    assert [tuple(row) for row in statuses] == [("done", 200)]
