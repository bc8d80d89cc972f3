"""Wrong passwords in a row, per username and client address: what slows a guesser.

A run of failures from one address at one username makes that pair wait longer before
each next try (`not_before`); another address, the real user's, is never slowed by it.
The username is kept as typed (folded to lower case), whether or not such a user exists,
so the answer never tells which usernames do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class LoginThrottle(Base):
    __tablename__ = "login_throttles"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime] = mapped_column(index=True)
    not_before: Mapped[datetime | None]
