"""Rate-limit counters shared by every worker (`callcenter.ratelimit` with database storage).

One row per counter key of the `limits` library (`LIMITER/login-address/10.0.0.9/30/1/minute/…`):
how many hits it holds and when it runs out, as seconds since the epoch (the library's
own clock). Rows past their expiry count as absent and are swept now and then.
"""

from __future__ import annotations

from sqlalchemy import Double, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class RateLimitCounter(Base):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(Double, index=True)
