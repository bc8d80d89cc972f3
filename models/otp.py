"""One-time codes that prove a citizen holds a phone (the mobile site's sign-in).

Only a keyed hash of the code is stored (HMAC with SECRET_KEY and the phone), so the
table is no list of live codes. A code lives a few minutes and allows a few guesses;
`attempts` is counted in the database by one conditional UPDATE, so every worker sees
the same count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class OneTimeCode(Base):
    __tablename__ = "one_time_codes"
    __table_args__ = (Index("ix_one_time_codes_phone_created_at", "phone", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    code_hash: Mapped[str] = mapped_column(String(64))  # hex HMAC-SHA256
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    # Set when the code was accepted, or replaced by a newer one: it opens nothing again.
    used_at: Mapped[datetime | None]
    # Set when it was accepted (the phone was verified): the web funnel counts these.
    accepted_at: Mapped[datetime | None]
