"""Rate limits shared by every worker: `limits`' sliding-window counter on shared storage."""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError, StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from sqlalchemy import Engine

from callcenter.ratelimit.storage import SCHEME, DatabaseStorage


class RateLimitUnavailable(RuntimeError):
    """The shared storage could not be reached: callers refuse (503) rather than let a flood through."""


@dataclass(frozen=True)
class Limit:
    """One or more rates that must all hold, in `limits`' notation: `"3/10 minutes;10/day"`."""

    text: str
    items: tuple[RateLimitItem, ...]

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Raises ValueError naming the text when it is not a rate (`5/minute`, `3 per hour`…)."""
        return cls(text=text, items=tuple(parse_many(text)))

    def __str__(self) -> str:
        return self.text


class RateLimiter:
    """Counts hits per identifiers against a `Limit`, in storage every worker shares.

    The identifiers name what is limited: a kind first, then the value
    (`limiter.hit(PER_PHONE, "otp-phone", phone)`), so two uses never share a counter.
    Every method may raise `RateLimitUnavailable`.
    """

    def __init__(self, storage: Storage, *, namespace: str = "tongdai") -> None:
        self.storage = storage
        self.namespace = namespace
        self._strategy = SlidingWindowCounterRateLimiter(storage)

    def hit(self, limit: Limit, *identifiers: str) -> bool:
        """Take one try: True if every rate of `limit` still allowed it (and it was counted),
        False if one is used up (nothing more is counted from that rate on)."""
        try:
            return all(self._strategy.hit(item, self.namespace, *identifiers) for item in limit.items)
        except StorageError as exc:
            raise RateLimitUnavailable(str(exc)) from exc

    def test(self, limit: Limit, *identifiers: str) -> bool:
        """Would a try be allowed now? Counts nothing."""
        try:
            return all(self._strategy.test(item, self.namespace, *identifiers) for item in limit.items)
        except StorageError as exc:
            raise RateLimitUnavailable(str(exc)) from exc

    def retry_after(self, limit: Limit, *identifiers: str) -> float:
        """Seconds until one more try is allowed: 0.0 when it is allowed now."""
        now = time.time()
        wait = 0.0
        try:
            for item in limit.items:
                # One read per rate: nothing remaining is exactly when `test` would refuse.
                stats = self._strategy.get_window_stats(item, self.namespace, *identifiers)
                if stats.remaining == 0:
                    wait = max(wait, stats.reset_time - now, 1.0)
        except StorageError as exc:
            raise RateLimitUnavailable(str(exc)) from exc
        return wait

    def clear(self, limit: Limit, *identifiers: str) -> None:
        """Forget the tries counted against `limit` for these identifiers."""
        try:
            for item in limit.items:
                self._strategy.clear(item, self.namespace, *identifiers)
        except StorageError as exc:
            raise RateLimitUnavailable(str(exc)) from exc


def storage_for(url: str, *, engine: Engine) -> Storage:
    """The storage `RATE_LIMIT_STORAGE_URL` names: `database://` (the service's own
    database, the default) or any shared storage `limits` knows (`redis://host:6379/0`,
    `redis+sentinel://…`). An in-process storage is refused: each worker would count alone."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else url.lower()
    if scheme in ("", SCHEME):
        return DatabaseStorage(engine=engine)
    if scheme in ("memory", "async+memory"):
        raise ValueError(
            "RATE_LIMIT_STORAGE_URL=memory:// counts in each worker alone; use database:// or redis://"
        )
    try:
        storage = storage_from_string(url, wrap_exceptions=True)
    except ConfigurationError as exc:
        raise ValueError(f"RATE_LIMIT_STORAGE_URL: {exc}") from exc
    if not isinstance(storage, Storage):
        raise ValueError("RATE_LIMIT_STORAGE_URL must name a synchronous storage (no async+ scheme)")
    return storage


def build_rate_limiter(url: str, *, engine: Engine, namespace: str = "tongdai") -> RateLimiter:
    return RateLimiter(storage_for(url, engine=engine), namespace=namespace)
