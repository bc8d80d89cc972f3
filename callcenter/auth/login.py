"""One login, console or API: cheap refusals first, the password hash last and bounded.

In this order, each step before the next:
1. the rate per client address (`LOGIN_PER_ADDRESS`), in the shared limiter: 429;
2. the wait this username owes at this address after wrong passwords: 429;
3. the rate per username from anywhere (`LOGIN_PER_USERNAME`): 429;
4. the password hash, in a thread, at most `LOGIN_CONCURRENT_HASHES` at once with at
   most `LOGIN_MAX_WAITING` logins queued for one (beyond that: 429, come back soon);
5. the outcome written (failures in a row, the audit summary) and committed.

Steps 1–3 cost a few small queries and never a hash, so a flood is answered at the
price of a rate check. An unknown username, a wrong password and an inactive account
get the same answer; a username that must wait gets the same answer whether it exists
or not. A database or limiter that does not answer gives 503 with a clear message.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import anyio
import anyio.to_thread
import structlog
from prometheus_client import Counter
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.auth import service
from callcenter.ratelimit import Limit, RateLimiter, RateLimitUnavailable
from callcenter.users.service import verify_password
from ivr.settings import LoginConfig, Settings
from models.base import utcnow
from models.db import DatabaseBusy, write_unit
from models.user import User

log = structlog.get_logger(__name__)

T = TypeVar("T")

BAD_CREDENTIALS = "Sai tên đăng nhập hoặc mật khẩu."
UNAVAILABLE = (
    "Hệ thống tạm thời không kiểm tra được đăng nhập vì cơ sở dữ liệu không trả lời. "
    "Vui lòng thử lại sau ít phút; nếu vẫn không được, hãy báo quản trị viên."
)
BUSY_RETRY_S = 2


def too_many(wait_s: int) -> str:
    when = f"{wait_s} giây" if wait_s < 120 else f"{math.ceil(wait_s / 60)} phút"
    return f"Đăng nhập quá nhiều lần. Vui lòng thử lại sau {when}."


class LoginRefused(Exception):
    """The answer to give: 401 (wrong), 429 (too many, `retry_after` seconds) or 503.

    `outcome` is what /metrics counts: failed, throttled, busy or unavailable."""

    def __init__(
        self, status_code: int, message: str, *, outcome: str, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.outcome = outcome
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}


@dataclass(frozen=True)
class LoginAttempt:
    username: str
    password: str
    address: str
    via: str  # "api" or "console"


class LoginGate:
    """Built once per app (`app.state.login_gate`); every login goes through `log_in`."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        limiter: RateLimiter,
        settings: Settings,
        outcomes: Counter | None = None,
    ) -> None:
        self.sessions = sessions
        self.limiter = limiter
        self.settings = settings  # `LOGIN_*` read at each attempt: `settings.login`
        self.outcomes = outcomes
        self.in_flight = 0  # logins waiting for a hash or computing one (event-loop only)
        self._hashing: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None

    async def log_in(self, attempt: LoginAttempt) -> User:
        """The user, or `LoginRefused` with the answer to give."""
        try:
            user = await self._log_in(attempt)
        except LoginRefused as refused:
            self._count(attempt.via, refused.outcome)
            raise
        self._count(attempt.via, "ok")
        return user

    @property
    def config(self) -> LoginConfig:
        return self.settings.login

    async def _log_in(self, attempt: LoginAttempt) -> User:
        candidate = await self._in_thread(lambda: self._before_hash(attempt))
        if self.in_flight >= self.config.concurrent_hashes + self.config.max_waiting:
            raise LoginRefused(429, too_many(BUSY_RETRY_S), outcome="busy", retry_after=BUSY_RETRY_S)
        self.in_flight += 1
        try:
            matches = await anyio.to_thread.run_sync(
                verify_password, attempt.password, candidate.password_hash, limiter=self._hash_capacity()
            )
        finally:
            self.in_flight -= 1
        if matches and candidate.user_id is not None:
            user_id = candidate.user_id
            return await self._in_thread(lambda: self._succeeded(attempt, user_id))
        wait = await self._in_thread(lambda: self._failed(attempt))
        log.info("auth.login_failed", via=attempt.via, wait_s=wait)
        raise LoginRefused(401, BAD_CREDENTIALS, outcome="failed")

    def _before_hash(self, attempt: LoginAttempt) -> service.Candidate:
        per_address, per_username = _limit(self.config.per_address), _limit(self.config.per_username)
        if not self.limiter.hit(per_address, "login-address", attempt.address):
            self._refuse_for(self.limiter.retry_after(per_address, "login-address", attempt.address))
        with self.sessions() as session:
            candidate = service.read_candidate(
                session, username=attempt.username, address=attempt.address, now=utcnow()
            )
        if candidate.wait_s > 0:
            self._refuse_for(candidate.wait_s)
        name = service.throttle_name(attempt.username)
        if not self.limiter.hit(per_username, "login-user", name):
            self._refuse_for(self.limiter.retry_after(per_username, "login-user", name))
        return candidate

    def _succeeded(self, attempt: LoginAttempt, user_id: int) -> User:
        with self.sessions() as session, write_unit(session):
            user = session.get(User, user_id)
            if user is None or not user.active:  # removed or deactivated during the hash
                raise LoginRefused(401, BAD_CREDENTIALS, outcome="failed")
            service.record_success(session, user=user, address=attempt.address, via=attempt.via)
            session.commit()
            return user

    def _failed(self, attempt: LoginAttempt) -> float:
        with self.sessions() as session, write_unit(session):
            wait = service.record_failure(
                session, username=attempt.username, address=attempt.address, via=attempt.via,
                now=utcnow(), config=self.config,
            )
            session.commit()
            return wait

    @staticmethod
    def _refuse_for(wait_s: float) -> None:
        seconds = max(1, math.ceil(wait_s))
        if seconds > 10:  # whole five seconds: the answer does not track the clock's every tick
            seconds = math.ceil(seconds / 5) * 5
        raise LoginRefused(429, too_many(seconds), outcome="throttled", retry_after=seconds)

    @staticmethod
    async def _in_thread(work: Callable[[], T]) -> T:
        try:
            return await anyio.to_thread.run_sync(work)
        except (SQLAlchemyError, DatabaseBusy, RateLimitUnavailable) as exc:
            log.error("auth.login_unavailable", error=type(exc).__name__)
            raise LoginRefused(503, UNAVAILABLE, outcome="unavailable", retry_after=30) from None

    def _hash_capacity(self) -> anyio.CapacityLimiter:
        # One per event loop: a limiter belongs to the loop that made it (tests run apps
        # on several loops one after another; a server has one).
        loop = asyncio.get_running_loop()
        if self._hashing is None or self._hashing[0] is not loop:
            self._hashing = (loop, anyio.CapacityLimiter(self.config.concurrent_hashes))
        return self._hashing[1]

    def _count(self, via: str, outcome: str) -> None:
        if self.outcomes is not None:
            self.outcomes.labels(via=via, outcome=outcome).inc()


@lru_cache(maxsize=16)
def _limit(text: str) -> Limit:
    return Limit.parse(text)
