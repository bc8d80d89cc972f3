"""Building blocks for outbox tests: a clock the test moves, workers on the test database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from callcenter.outbox.context import OutboxContext
from callcenter.outbox.registry import HandlerRegistry
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import OutboxConfig
from models.db import make_sessionmaker
from models.outbox import OutboxEntry

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def outbox_config(**overrides: Any) -> OutboxConfig:
    return OutboxConfig(**overrides)


def make_worker(
    engine: Engine,
    context: OutboxContext,
    *,
    clock: FakeClock,
    registry: HandlerRegistry | None = None,
    worker_id: str = "worker-a",
    **config: Any,
) -> OutboxWorker:
    return OutboxWorker(
        make_sessionmaker(engine), context, config=outbox_config(**config), registry=registry,
        worker_id=worker_id, clock=clock, rng=random.Random(7),
    )


def add_entry(db: Session, *, kind: str, key: str, clock: FakeClock, **payload: Any) -> OutboxEntry:
    entry = OutboxEntry(kind=kind, idempotency_key=key, payload=payload, next_attempt_at=clock.now)
    db.add(entry)
    db.commit()
    return entry


def reload(db: Session, entry_id: int) -> OutboxEntry:
    db.expire_all()
    return db.get_one(OutboxEntry, entry_id)
