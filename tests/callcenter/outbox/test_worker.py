"""The outbox worker's promises: delivered once, retried with growing waits, failures kept."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.outbox.context import OutboxContext
from callcenter.outbox.errors import PermanentFailure, RetryLater
from callcenter.outbox.registry import HandlerRegistry
from models.message import Message
from models.outbox import OutboxEntry
from tests.callcenter.outbox.helpers import FakeClock, add_entry, make_worker, reload


class Recorder:
    """A handler that remembers what it delivered, or fails as the test says."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.delivered: list[int] = []
        self.given_up: list[tuple[int, str]] = []
        self.requeued: list[int] = []
        self.fail_with = fail_with

    def deliver(self, session: Session, entry: OutboxEntry, context: OutboxContext) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.delivered.append(entry.payload["n"])

    def registry(self) -> HandlerRegistry:
        registry = HandlerRegistry()
        registry.register(
            "test.echo", self.deliver,
            on_give_up=lambda s, e, reason: self.given_up.append((e.id, reason)),
            on_requeue=lambda s, e: self.requeued.append(e.id),
        )
        return registry


def test_a_due_entry_is_delivered_once_and_marked_done(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    recorder = Recorder()
    entry = add_entry(db, kind="test.echo", key="k1", clock=clock, n=1)
    worker = make_worker(engine, context, clock=clock, registry=recorder.registry())

    assert worker.drain().done == 1
    assert worker.drain().handled == 0

    entry = reload(db, entry.id)
    assert recorder.delivered == [1]
    assert (entry.status, entry.attempts, entry.done_at) == ("done", 1, clock.now)
    assert entry.locked_by is None and entry.locked_until is None


def test_temporary_failures_back_off_longer_each_time_then_give_up(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    recorder = Recorder(fail_with=RetryLater("hệ thống một cửa không trả lời"))
    entry = add_entry(db, kind="test.echo", key="k1", clock=clock, n=1)
    worker = make_worker(engine, context, clock=clock, registry=recorder.registry(), max_attempts=5)

    delays = []
    for _ in range(4):
        assert worker.drain().retry == 1
        waiting = reload(db, entry.id)
        delay = waiting.next_attempt_at - clock.now
        delays.append(delay)
        clock.now += delay - timedelta(seconds=1)
        assert worker.drain().handled == 0, "tried again before its time"
        clock.advance(seconds=1)
    assert worker.drain().failed == 1

    for n, delay in enumerate(delays, start=1):
        base = 10 * 2 ** (n - 1)
        assert timedelta(seconds=base) <= delay <= timedelta(seconds=base * 1.2)
    failed = reload(db, entry.id)
    assert (failed.status, failed.attempts) == ("failed", 5)
    assert failed.last_error == "hệ thống một cửa không trả lời"
    assert recorder.given_up == [(entry.id, "hệ thống một cửa không trả lời")]


def test_waits_are_capped(db: Session, engine: Engine, context: OutboxContext, clock: FakeClock) -> None:
    recorder = Recorder(fail_with=RetryLater("down"))
    entry = add_entry(db, kind="test.echo", key="k1", clock=clock, n=1)
    worker = make_worker(engine, context, clock=clock, registry=recorder.registry(), retry_cap_s=60)
    delays = []
    for _ in range(8):
        worker.drain()
        next_attempt_at = reload(db, entry.id).next_attempt_at
        delays.append((next_attempt_at - clock.now).total_seconds())
        clock.now = next_attempt_at
    # 10, 20, 40, then 60 (plus up to 20 % jitter) however often it fails.
    assert all(60 <= d <= 72 for d in delays[3:]), delays


def test_permanent_failure_fails_at_once_with_its_reason(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    recorder = Recorder(fail_with=PermanentFailure("hồ sơ thiếu số CCCD"))
    entry = add_entry(db, kind="test.echo", key="k1", clock=clock, n=1)
    worker = make_worker(engine, context, clock=clock, registry=recorder.registry())

    assert worker.drain().failed == 1
    failed = reload(db, entry.id)
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 1, "hồ sơ thiếu số CCCD")
    assert recorder.given_up == [(entry.id, "hồ sơ thiếu số CCCD")]


def test_a_crashing_handler_leaves_nothing_half_done_and_is_retried(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    def crash(session: Session, entry: OutboxEntry, context: OutboxContext) -> None:
        session.add(Message(direction="out", to_number="+84905123456", body="nửa chừng"))
        session.flush()
        raise KeyError("payload without dossier_id")

    registry = HandlerRegistry()
    registry.register("test.crash", crash)
    entry = add_entry(db, kind="test.crash", key="k1", clock=clock)

    assert make_worker(engine, context, clock=clock, registry=registry).drain().retry == 1
    waiting = reload(db, entry.id)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert "KeyError" in (waiting.last_error or "")
    assert db.scalar(select(func.count()).select_from(Message)) == 0


def test_an_unknown_kind_waits_for_a_handler(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    entry = add_entry(db, kind="postal.track", key="k1", clock=clock)
    assert make_worker(engine, context, clock=clock, registry=HandlerRegistry()).drain().retry == 1
    assert reload(db, entry.id).last_error == "không có bộ xử lý cho loại postal.track"


def test_a_crashed_workers_entries_are_taken_over_after_the_lease(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    recorder = Recorder()
    entry = add_entry(db, kind="test.echo", key="k1", clock=clock, n=1)
    crashed = make_worker(engine, context, clock=clock, registry=recorder.registry(), worker_id="a")
    survivor = make_worker(engine, context, clock=clock, registry=recorder.registry(), worker_id="b")

    assert crashed.claim() == [entry.id]  # …and the process dies before delivering
    clock.advance(seconds=119)
    assert survivor.drain().handled == 0, "taken while its lease still held"
    clock.advance(seconds=2)
    assert survivor.drain().done == 1

    assert crashed.deliver(entry.id) == "skipped"  # back from the dead: not a second time
    assert recorder.delivered == [1]
    assert reload(db, entry.id).status == "done"


def test_stopping_gives_back_the_entries_not_yet_delivered(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    stop = threading.Event()
    delivered: list[int] = []

    def deliver_then_shutdown(session: Session, entry: OutboxEntry, context: OutboxContext) -> None:
        delivered.append(entry.id)
        stop.set()  # SIGTERM arrives during the first delivery

    registry = HandlerRegistry()
    registry.register("test.echo", deliver_then_shutdown)
    entries = [add_entry(db, kind="test.echo", key=f"k{n}", clock=clock) for n in range(3)]
    worker = make_worker(engine, context, clock=clock, registry=registry)

    assert worker.drain(stop=stop).done == 1
    others = [reload(db, e.id) for e in entries[1:]]
    assert [(e.status, e.locked_by) for e in others] == [("pending", None), ("pending", None)]
    successor = make_worker(engine, context, clock=clock, registry=registry, worker_id="b")
    assert successor.claim() == [e.id for e in others]


def test_one_kind_cannot_get_two_different_handlers() -> None:
    registry = HandlerRegistry()
    first = Recorder()
    registry.register("test.echo", first.deliver)
    registry.register("test.echo", first.deliver)  # the same again is fine
    with pytest.raises(ValueError, match="already has a handler"):
        registry.register("test.echo", Recorder().deliver)


def test_a_worker_that_overran_its_lease_leaves_the_entry_to_its_new_holder(
    db: Session, engine: Engine, context: OutboxContext, clock: FakeClock
) -> None:
    calls: list[str] = []
    registry = HandlerRegistry()
    slow = make_worker(engine, context, clock=clock, registry=registry, worker_id="slow")
    other = make_worker(engine, context, clock=clock, registry=registry, worker_id="other")

    def deliver(session: Session, entry: OutboxEntry, context: OutboxContext) -> None:
        calls.append(entry.locked_by or "")
        if len(calls) == 1:  # the receiver hangs past the lease; another worker steps in
            clock.advance(seconds=121)
            assert other.claim() == [entry.id]

    registry.register("test.echo", deliver)
    entry = add_entry(db, kind="test.echo", key="k1", clock=clock)

    assert slow.drain().skipped == 1
    assert reload(db, entry.id).locked_by == "other", "the late worker overwrote the new lease"
    assert other.drain().done == 0 and other.deliver(entry.id) == "done"
    assert calls == ["slow", "other"]
