"""One-time codes: 6 digits by SMS, kept only as a keyed hash, 5 minutes, 5 tries.

    code = issue_code(session, phone=..., settings=...)   # the caller queues the SMS
    accepted = check_code(session, phone=..., code=..., settings=...)

Functions flush and never commit. A new code retires the phone's earlier ones. A guess
is counted before it is compared, in one conditional UPDATE, so however many workers
take guesses at once a code never allows more than `otp_max_tries`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ivr.settings import Settings
from models.base import utcnow
from models.otp import OneTimeCode

DIGITS = 6


def _hash(code: str, *, phone: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(session: Session, *, phone: str, settings: Settings, now: datetime | None = None) -> str:
    now = now or utcnow()
    session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.phone == phone, OneTimeCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    session.add(OneTimeCode(
        phone=phone, code_hash=_hash(code, phone=phone, secret_key=settings.secret_key), created_at=now,
        expires_at=now + timedelta(seconds=settings.mobile.otp_ttl_s), attempts=0,
    ))
    session.flush()
    return code


def check_code(
    session: Session, *, phone: str, code: str, settings: Settings, now: datetime | None = None
) -> bool:
    """True once for the right code within its time and tries; False otherwise."""
    now = now or utcnow()
    live = session.scalar(
        select(OneTimeCode.id)
        .where(OneTimeCode.phone == phone, OneTimeCode.used_at.is_(None), OneTimeCode.expires_at > now)
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    )
    if live is None:
        return False
    counted = session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == live, OneTimeCode.used_at.is_(None),
               OneTimeCode.attempts < settings.mobile.otp_max_tries)
        .values(attempts=OneTimeCode.attempts + 1)
        .returning(OneTimeCode.code_hash)
        .execution_options(synchronize_session=False)
    ).first()
    if counted is None:  # tries used up (or taken meanwhile)
        return False
    wanted = _hash(code.strip(), phone=phone, secret_key=settings.secret_key)
    if not hmac.compare_digest(counted[0], wanted):
        return False
    used = session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == live, OneTimeCode.used_at.is_(None))
        .values(used_at=now, accepted_at=now)
        .returning(OneTimeCode.id)
        .execution_options(synchronize_session=False)
    ).first()
    return used is not None  # two right answers at once: only one opens a session
