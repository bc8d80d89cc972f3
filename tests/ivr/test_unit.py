"""A webhook's unit of work that PostgreSQL ends to break a deadlock is done again, not lost."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session
from structlog.testing import capture_logs

from ivr.unit import committed
from models.rate_limit import RateLimitCounter


def _bump(session: Session, key: str) -> None:
    session.execute(update(RateLimitCounter).where(RateLimitCounter.key == key)
                    .values(count=RateLimitCounter.count + 1))


def test_a_unit_postgresql_ends_for_a_deadlock_is_done_again_and_committed(engine: Engine, db: Session) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers take turns: it never ends a transaction for a deadlock")
    db.add_all([RateLimitCounter(key="a", count=0, expires_at=0.0),
                RateLimitCounter(key="b", count=0, expires_at=0.0)])
    db.commit()
    ours_has_a, other_has_b = threading.Event(), threading.Event()

    def other_writer() -> None:  # takes the same two rows the other way round
        with engine.connect() as conn:
            conn.execute(text("SET deadlock_timeout = '30s'"))  # this one is never PostgreSQL's victim
            ours_has_a.wait(10)
            conn.execute(text("UPDATE rate_limit_counters SET count = count + 1 WHERE key = 'b'"))
            other_has_b.set()
            conn.execute(text("UPDATE rate_limit_counters SET count = count + 1 WHERE key = 'a'"))
            conn.commit()

    attempts: list[int] = []

    def work() -> int:
        attempts.append(1)
        _bump(db, "a")
        ours_has_a.set()
        other_has_b.wait(10)
        _bump(db, "b")  # the first time round: a deadlock, and this transaction ends
        return len(attempts)

    other = threading.Thread(target=other_writer)
    other.start()
    with capture_logs() as logs:
        done_on = committed(db, work, retried="test_unit_retried", where="test")
    other.join(10)
    assert done_on == 2
    counts = {key: count for key, count in db.execute(select(RateLimitCounter.key, RateLimitCounter.count))}
    assert counts == {"a": 2, "b": 2}  # the other writer's and ours, each once
    assert [entry["sqlstate"] for entry in logs if entry["event"] == "test_unit_retried"] == ["40P01"]
