"""Logging in with a password, with a lock-out against guessing.

Five wrong passwords in a row lock the account for fifteen minutes. While it is locked
the password is not even checked, so an attacker learns nothing from trying more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from callcenter.users.service import authenticate
from models.base import utcnow
from models.user import User

MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)


class LoginFailed(Exception):
    """Unknown user, wrong password or inactive account: deliberately one answer."""


class AccountLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


def log_in(session: Session, *, username: str, password: str, now: datetime | None = None) -> User:
    """The user for these credentials; flushes the failure counter, never commits."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(user.locked_until)

    authenticated = authenticate(session, username=username, password=password)
    if authenticated is None:
        if user is not None and user.active:
            _count_failure(session, user=user, now=now)
        raise LoginFailed
    authenticated.failed_logins = 0
    authenticated.locked_until = None
    session.flush()
    return authenticated


def _count_failure(session: Session, *, user: User, now: datetime) -> None:
    # Incremented in SQL, not in Python, so failures arriving at two workers at once
    # both count.
    failures = session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    if failures >= MAX_FAILED_LOGINS:
        until = now + LOCK_DURATION
        session.execute(
            update(User).where(User.id == user.id).values(failed_logins=0, locked_until=until)
        )
        session.expire(user)
        raise AccountLocked(until)
    session.expire(user)


def unlock_account(session: Session, *, user: User) -> bool:
    """Lift a lock-out now (an admin's decision); True when the account was locked.

    Flushes, never commits. The console's user page calls this and nothing else, so
    the lock-out rules can change here without touching the page.
    """
    now = utcnow()
    was_locked = user.locked_until is not None and user.locked_until > now
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return was_locked
