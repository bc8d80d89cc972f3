"""A webhook's unit of work: one transaction, committed whole or rolled back whole.

Every Twilio webhook is the commit point of its request (services only flush). On
PostgreSQL a transaction may be ended to break a deadlock, or refused because it could
not be serialised: nothing of it was written, so the work is done again on what is there
now. SQLite never refuses one this way: its writers take turns (`models.db.write_unit`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models.db import write_unit

log = structlog.get_logger(__name__)
T = TypeVar("T")

ATTEMPTS = 3
_RETRIED = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


def committed(session: Session, work: Callable[[], T], *, retried: str, **fields: object) -> T:
    """`work` in one transaction, committed, in the writers' turn; done again (up to
    `ATTEMPTS` times, logged as `retried` with `fields`) when PostgreSQL ended it for a
    deadlock or a serialisation failure. Anything else raises, the transaction still open:
    the caller rolls back and answers."""
    attempt = 1
    while True:
        try:
            with write_unit(session):
                result = work()
                session.commit()
            return result
        except OperationalError as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if attempt == ATTEMPTS or sqlstate not in _RETRIED:
                raise
            session.rollback()
            log.warning(retried, sqlstate=sqlstate, **fields)
            attempt += 1


def log_fault(event: str, exc: BaseException, **fields: object) -> None:
    """A fault the caller never hears about, logged for us: its kind and its message's start."""
    log.error(event, error=type(exc).__name__, detail=str(exc)[:200], **fields)
