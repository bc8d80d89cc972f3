"""An operator's PIN, keyed on their registered phone: checked outside any write, bounded.

Caller ID can be forged, so a PIN guards the operator's phone; a PIN is short, so guesses
are counted per registered phone across calls in the service's shared rate limiter (an
attacker calling again does not start over), and refused before any hash once over the
limit. The hash itself (argon2, ~50 ms and 64 MB) runs outside the webhook's write unit,
at most a few at once, so guesses never hold SQLite's writer or the worker's memory.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ivr.queue.presence import ANSWERING_ROLES
from models.domain.passwords import verify_secret
from models.domain.phone import caller_number
from models.user import User

HASHES_AT_ONCE = 2
HASH_WAIT_S = 5.0
_hashes = threading.BoundedSemaphore(HASHES_AT_ONCE)

Verdict = Literal["right", "wrong", "no_operator", "too_many", "busy"]


_USERS = User.__table__.c
# An active operator's (or supervisor's) registered phone, with a PIN set.
_REGISTERED = (_USERS.active.is_(True), _USERS.pin_hash.is_not(None), _USERS.role.in_(ANSWERING_ROLES))
# Every call to the hotline asks this: a Core statement built once, not an ORM load.
_PHONE_REGISTERED = select(_USERS.id).where(_USERS.phone == bindparam("phone"), *_REGISTERED).limit(1)


def is_operator_phone(session: Session, *, from_number: str) -> bool:
    """Whether the number calling is an active operator's registered phone (with a PIN)."""
    phone = caller_number(from_number[:32])
    return phone.startswith("+") and session.execute(_PHONE_REGISTERED, {"phone": phone}).first() is not None


def registered_operator(session: Session, *, from_number: str) -> User | None:
    """The active operator whose registered phone this is, with a PIN set."""
    phone = caller_number(from_number[:32])
    if not phone.startswith("+"):
        return None
    return session.scalar(select(User).where(_USERS.phone == phone, *_REGISTERED).limit(1))


class PinAttempts(Protocol):
    """Counts one try at a registered phone's PIN; False once over the limit (or when the
    counter cannot be reached: closed, never open)."""

    def allowed(self, phone: str) -> bool: ...


@dataclass(frozen=True)
class PinCheck:
    verdict: Verdict
    user_id: int | None = None  # the operator whose phone it is


def check_pin(session: Session, *, from_number: str, digits: str, attempts: PinAttempts) -> PinCheck:
    """The verdict on `digits` keyed from `from_number` (a read only: commits nothing)."""
    user = registered_operator(session, from_number=from_number)
    if user is None or user.pin_hash is None or user.phone is None:
        return PinCheck("no_operator")
    if not digits:
        return PinCheck("wrong", user.id)  # silence: nothing to hash, nothing to count
    if not attempts.allowed(user.phone):
        return PinCheck("too_many", user.id)
    if not _hashes.acquire(timeout=HASH_WAIT_S):
        return PinCheck("busy", user.id)
    try:
        right = verify_secret(digits, user.pin_hash)
    finally:
        _hashes.release()
    return PinCheck("right" if right else "wrong", user.id)
