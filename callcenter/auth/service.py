"""Logins' bookkeeping in the database: who may try now, failures in a row, unlocking.

No account is ever locked: a run of wrong passwords from one client address at one
username makes that pair wait (1 s after the fourth, doubling, capped; `LOGIN_*`),
and nobody else. The rows exist for unknown usernames as for real ones, so neither the
answer nor the wait tells which usernames exist. These functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from callcenter.ratelimit import Limit, RateLimiter
from ivr.settings import LoginConfig
from models.db import insert_on_conflict
from models.login_throttle import LoginThrottle
from models.user import User

# A run of failures is written to the audit trail at its 1st, 10th, 100th… failure, and
# its length with the login that ends it: a summary, not a row per failure.
AUDIT_EVERY_POWER_OF = 10


@dataclass(frozen=True)
class Candidate:
    """What a login needs before the password check, read in one go."""

    user_id: int | None  # None: no such user, or not active (the same answer)
    password_hash: str | None
    wait_s: float  # > 0: this username must not be tried from this address yet


def throttle_name(username: str) -> str:
    """The username as counted: case and surrounding spaces do not buy more tries."""
    return username.strip().casefold()[:64]


def delay_after(failures: int, config: LoginConfig) -> float:
    """Seconds to wait after `failures` wrong passwords in a row: none for the first few,
    then `delay_base_s` doubling with each further one, at most `delay_cap_s`."""
    over = failures - config.free_failures
    if over <= 0:
        return 0.0
    return float(min(config.delay_cap_s, config.delay_base_s * 2 ** min(over - 1, 40)))


def read_candidate(session: Session, *, username: str, address: str, now: datetime) -> Candidate:
    throttle = session.get(LoginThrottle, (throttle_name(username), address))
    wait = (throttle.not_before - now).total_seconds() if throttle and throttle.not_before else 0.0
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        return Candidate(user_id=None, password_hash=None, wait_s=max(0.0, wait))
    return Candidate(user_id=user.id, password_hash=user.password_hash, wait_s=max(0.0, wait))


def record_failure(
    session: Session, *, username: str, address: str, via: str, now: datetime, config: LoginConfig
) -> float:
    """Count a wrong password for this username and address; the seconds it must now wait."""
    name = throttle_name(username)
    stale = LoginThrottle.last_failed_at < now - timedelta(hours=config.forget_after_h)
    insert = insert_on_conflict(session.get_bind().dialect.name, LoginThrottle.__table__).values(
        username=name, address=address, failures=1, first_failed_at=now, last_failed_at=now
    )
    # Atomic, so failures arriving at two workers at once both count; a run left alone
    # for `forget_after_h` starts over.
    upsert = insert.on_conflict_do_update(
        index_elements=[LoginThrottle.username, LoginThrottle.address],
        set_={
            "failures": case((stale, 1), else_=LoginThrottle.failures + 1),
            "first_failed_at": case((stale, now), else_=LoginThrottle.first_failed_at),
            "last_failed_at": now,
        },
    ).returning(LoginThrottle.failures, LoginThrottle.first_failed_at)
    failures, first_failed_at = session.execute(upsert).one()
    wait = delay_after(failures, config)
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username == name, LoginThrottle.address == address)
        .values(not_before=now + timedelta(seconds=wait) if wait else None)
    )
    if _worth_auditing(failures):
        record_audit(
            session, actor=None, actor_name=username.strip(), action="login_failed", ip=address,
            detail={"via": via, "failures": failures, "since": first_failed_at.isoformat(), "wait_s": wait},
        )
    return wait


def record_success(session: Session, *, user: User, address: str, via: str) -> None:
    """The run of failures from this address ends; the login and its length are audited."""
    name = throttle_name(user.username)
    failures = session.scalar(
        select(LoginThrottle.failures).where(LoginThrottle.username == name, LoginThrottle.address == address)
    )
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.username == name, LoginThrottle.address == address)
    )
    detail: dict[str, object] = {"via": via}
    if failures:
        detail["failures_before"] = failures
    record_audit(session, actor=user, action="login", ip=address, detail=detail)


def waiting_usernames(session: Session, *, now: datetime) -> set[str]:
    """Usernames (as `throttle_name` counts them) that must wait before their next try
    from some address now."""
    stmt = select(LoginThrottle.username).where(LoginThrottle.not_before > now).distinct()
    return set(session.scalars(stmt))


def unlock(session: Session, *, username: str) -> int:
    """Forget every run of failures at this username, from every address (an admin's
    `tongdai users unlock`); how many addresses were waiting."""
    name = throttle_name(username)
    waiting = session.scalar(
        select(func.count()).select_from(LoginThrottle).where(LoginThrottle.username == name)
    )
    session.execute(delete(LoginThrottle).where(LoginThrottle.username == name))
    return int(waiting or 0)


def forget_username_rate(limiter: RateLimiter, login: LoginConfig, *, username: str) -> None:
    """Let a username be tried again now from anywhere (after `unlock`, once committed:
    the limiter writes on a connection of its own). RateLimitUnavailable if it is down."""
    limiter.clear(Limit.parse(login.per_username), "login-user", throttle_name(username))


def _worth_auditing(failures: int) -> bool:
    while failures % AUDIT_EVERY_POWER_OF == 0:
        failures //= AUDIT_EVERY_POWER_OF
    return failures == 1
