"""A `limits` storage in the service's own database, through SQLAlchemy.

Registered under the scheme `database://` (`RATE_LIMIT_STORAGE_URL`, the default): the
counters live in `rate_limit_counters` (models/rate_limit.py), so every worker and host
on the database shares them, with no other server to run. Each operation is one short
transaction of its own, apart from the request's; an increment is one atomic upsert, so
two workers counting the same key at once both count.

It supports the fixed-window and sliding-window-counter strategies (the latter is what
`callcenter.ratelimit.RateLimiter` uses); the moving window, which keeps a row per hit,
is left to Redis.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from math import floor
from typing import Any

from limits.storage import SlidingWindowCounterSupport, Storage
from limits.storage.base import TimestampedSlidingWindow
from sqlalchemy import Engine, case, delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from models.db import DatabaseBusy, insert_on_conflict, make_sessionmaker, write_unit
from models.rate_limit import RateLimitCounter

SCHEME = "database"
_TABLE = RateLimitCounter.__table__
# Expired rows are deleted on every this-many-th increment of a process: the table
# holds about as many rows as keys were hit in the longest window.
SWEEP_EVERY = 256
_MAX_KEY = 255


def _stored_key(key: str) -> str:
    # Keys carry what callers identify by (a username, a phone); a long one is hashed
    # rather than refused, so no input can make the limiter fail.
    if len(key) <= _MAX_KEY:
        return key
    return key[:180] + "#" + hashlib.sha256(key.encode()).hexdigest()


def _live(key: str, now: float) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The row of `key`, if it has not run out."""
    return RateLimitCounter.key == _stored_key(key), RateLimitCounter.expires_at > now


class DatabaseStorage(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    """`DatabaseStorage(engine=engine)`: counters in the database `engine` reaches."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (how limits registers a scheme)

    def __init__(
        self, uri: str | None = None, *, engine: Engine, wrap_exceptions: bool = True, **options: Any
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.engine = engine
        self._sessions = make_sessionmaker(engine)
        self._dialect = engine.dialect.name
        self._increments = itertools.count(1)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return (SQLAlchemyError, DatabaseBusy)

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A short transaction of its own that writes: on SQLite, in turn with the
        process's other writers (`write_unit`); committed on the way out."""
        with self._sessions() as session, write_unit(session):
            yield session
            session.commit()

    # -- the plain counter --------------------------------------------------------------

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        expired = RateLimitCounter.expires_at <= now
        insert = insert_on_conflict(self._dialect, _TABLE).values(
            key=_stored_key(key), count=amount, expires_at=now + expiry
        )
        # Both SET expressions read the row as it was: a counter past its expiry starts over.
        upsert = insert.on_conflict_do_update(
            index_elements=[RateLimitCounter.key],
            set_={
                "count": case((expired, amount), else_=RateLimitCounter.count + amount),
                "expires_at": case((expired, now + expiry), else_=RateLimitCounter.expires_at),
            },
        ).returning(RateLimitCounter.count)
        with self._writing() as session:
            count = int(session.execute(upsert).scalar_one())
            if next(self._increments) % SWEEP_EVERY == 0:
                session.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at < now))
        return count

    def decr(self, key: str, amount: int = 1) -> int:
        now = time.time()
        left = RateLimitCounter.count - amount
        lowered = func.max(left, 0) if self._dialect == "sqlite" else func.greatest(left, 0)
        statement = (
            update(RateLimitCounter)
            .where(*_live(key, now))
            .values(count=lowered)
            .returning(RateLimitCounter.count)
        )
        with self._writing() as session:
            count = session.execute(statement).scalar_one_or_none()
        return int(count or 0)

    def get(self, key: str) -> int:
        statement = select(RateLimitCounter.count).where(*_live(key, time.time()))
        with self.engine.connect() as conn:
            return int(conn.execute(statement).scalar_one_or_none() or 0)

    def get_expiry(self, key: str) -> float:
        now = time.time()
        statement = select(RateLimitCounter.expires_at).where(*_live(key, now))
        with self.engine.connect() as conn:
            expires = conn.execute(statement).scalar_one_or_none()
        return float(expires) if expires is not None else now

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(func.count()).select_from(_TABLE).where(RateLimitCounter.key == ""))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._writing() as session:
            rows = session.scalar(select(func.count()).select_from(_TABLE)) or 0
            session.execute(delete(RateLimitCounter))
        return int(rows)

    def clear(self, key: str) -> None:
        with self._writing() as session:
            session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == _stored_key(key)))

    # -- the sliding window counter (two fixed windows, the older one weighted) ---------

    def acquire_sliding_window_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        previous, previous_ttl, _current, _ = self._window(previous_key, current_key, expiry, now)
        weighted = previous * previous_ttl / expiry
        if floor(weighted + _current) + amount > limit:
            return False
        current = self.incr(current_key, 2 * expiry, amount=amount)
        if floor(weighted + current) > limit:
            # Another worker's hit got in between: give this one back and refuse it.
            self.decr(current_key, amount)
            return False
        return True

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        now = time.time()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        return self._window(previous_key, current_key, expiry, now)

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        previous_key, current_key = self.sliding_window_keys(key, expiry, time.time())
        with self._writing() as session:
            keys = [_stored_key(previous_key), _stored_key(current_key)]
            session.execute(delete(RateLimitCounter).where(RateLimitCounter.key.in_(keys)))

    def _window(
        self, previous_key: str, current_key: str, expiry: int, now: float
    ) -> tuple[int, float, int, float]:
        keys = {_stored_key(previous_key): "previous", _stored_key(current_key): "current"}
        statement = select(RateLimitCounter.key, RateLimitCounter.count).where(
            RateLimitCounter.key.in_(list(keys)), RateLimitCounter.expires_at > now
        )
        with self.engine.connect() as conn:
            counts = {keys[k]: int(c) for k, c in conn.execute(statement)}
        previous, current = counts.get("previous", 0), counts.get("current", 0)
        # As limits' own storages compute them: the share of the older window still in view.
        previous_ttl = 0.0 if previous == 0 else (1 - (((now - expiry) / expiry) % 1)) * expiry
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous, previous_ttl, current, current_ttl
