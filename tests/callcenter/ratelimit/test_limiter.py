"""Rate limits shared by every worker: the same counters seen from two limiters (two
workers), on the suite's database and on Redis when this machine runs one."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.ratelimit import (
    DatabaseStorage,
    Limit,
    RateLimiter,
    RateLimitUnavailable,
    build_rate_limiter,
)
from models.db import make_engine
from models.rate_limit import RateLimitCounter

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(params=["database", "redis"])
def two_workers(request: pytest.FixtureRequest, engine: Engine, db: Session, database_url: str) -> Iterator[
    tuple[RateLimiter, RateLimiter]
]:
    """Two limiters on separate connections to the same storage, as two workers have."""
    namespace = f"test-{uuid.uuid4().hex[:8]}"  # the Redis server may be shared: keys of our own
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        yield (build_rate_limiter(REDIS_URL, engine=engine, namespace=namespace),
               build_rate_limiter(REDIS_URL, engine=engine, namespace=namespace))
        return
    other = make_engine(database_url)
    try:
        yield (build_rate_limiter("database://", engine=engine, namespace=namespace),
               build_rate_limiter("database://", engine=other, namespace=namespace))
    finally:
        other.dispose()


def test_tries_past_the_limit_are_refused_whichever_worker_takes_them(
    two_workers: tuple[RateLimiter, RateLimiter],
) -> None:
    first, second = two_workers
    per_phone = Limit.parse("3/10 minutes")
    assert first.hit(per_phone, "otp-phone", "+84905123456")
    assert second.hit(per_phone, "otp-phone", "+84905123456")
    assert first.retry_after(per_phone, "otp-phone", "+84905123456") == 0.0
    assert second.hit(per_phone, "otp-phone", "+84905123456")
    assert not first.hit(per_phone, "otp-phone", "+84905123456")
    assert not second.test(per_phone, "otp-phone", "+84905123456")
    wait = first.retry_after(per_phone, "otp-phone", "+84905123456")
    assert 1.0 <= wait <= 2 * 600
    # Another phone, and another kind of counter for the same value, are their own.
    assert first.hit(per_phone, "otp-phone", "+84905999999")
    assert first.hit(per_phone, "otp-address", "+84905123456")
    second.clear(per_phone, "otp-phone", "+84905123456")
    assert first.hit(per_phone, "otp-phone", "+84905123456")


def test_every_rate_of_a_limit_holds(two_workers: tuple[RateLimiter, RateLimiter]) -> None:
    first, _ = two_workers
    limit = Limit.parse("5/day;2/month")  # long windows: no test straddles their edges
    assert [first.hit(limit, "login-address", "10.0.0.9") for _ in range(4)] == [True, True, False, False]


def test_simultaneous_tries_never_pass_more_than_the_limit(
    two_workers: tuple[RateLimiter, RateLimiter],
) -> None:
    first, second = two_workers
    limit = Limit.parse("10/minute")
    allowed: list[bool] = []
    failures: list[BaseException] = []

    def worker(limiter: RateLimiter) -> None:
        try:
            for _ in range(5):
                allowed.append(limiter.hit(limit, "login-user", "vana"))
        except BaseException as exc:  # collected, asserted below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(limiter,)) for limiter in (first, second) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert failures == []
    assert len(allowed) == 40
    assert 1 <= allowed.count(True) <= 10


def test_a_counter_past_its_window_starts_over(engine: Engine, db: Session) -> None:
    storage = DatabaseStorage(engine=engine)
    assert storage.incr("k", 0.2) == 1
    assert storage.incr("k", 0.2, amount=2) == 3
    assert storage.get("k") == 3
    time.sleep(0.3)
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1
    assert time.time() + 55 < storage.get_expiry("k") <= time.time() + 60


def test_a_key_longer_than_the_column_is_still_counted(engine: Engine, db: Session) -> None:
    limiter = build_rate_limiter("database://", engine=engine)
    limit = Limit.parse("1/day")
    long_name = "ä" * 400
    assert limiter.hit(limit, "login-user", long_name)
    assert not limiter.hit(limit, "login-user", long_name)
    assert limiter.hit(limit, "login-user", long_name + "x")
    keys = db.scalars(select(RateLimitCounter.key)).all()
    assert keys and all(len(k) <= 255 for k in keys)


def test_expired_counters_are_swept(engine: Engine, db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("callcenter.ratelimit.storage.SWEEP_EVERY", 1)
    storage = DatabaseStorage(engine=engine)
    storage.incr("old", 0.05)
    time.sleep(0.1)
    storage.incr("new", 60)
    assert set(db.scalars(select(RateLimitCounter.key))) == {"new"}
    assert db.scalar(select(func.count()).select_from(RateLimitCounter)) == 1


def test_an_in_process_storage_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="database:// or redis://"):
        build_rate_limiter("memory://", engine=engine)


def test_a_storage_that_cannot_be_reached_says_so(tmp_path: Path) -> None:
    # A database without the table (never upgraded), and a Redis port nobody listens on.
    broken = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(RateLimitUnavailable):
            build_rate_limiter("database://", engine=broken).hit(Limit.parse("1/minute"), "login-user", "x")
    finally:
        broken.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    nobody = build_rate_limiter(f"redis://127.0.0.1:{port}/0?socket_connect_timeout=0.5", engine=broken)
    with pytest.raises(RateLimitUnavailable):
        nobody.hit(Limit.parse("1/minute"), "login-user", "x")
