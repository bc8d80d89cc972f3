"""Operator presence: who is ready to take a caller, who is on a call, since when.

One row per operator who ever opened the console or called in. It lives in the database so
every worker and host agrees on who is free; nothing about it is kept in a process.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class OperatorPresence(Base):
    __tablename__ = "operator_presence"
    # The matcher's question: who is ready, idle longest, with nothing offered.
    __table_args__ = (Index("ix_operator_presence_state_since", "state", "since"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # ready: may be offered a caller; on_call: bridged to one; wrap_up: after a call, until
    # the wrap-up is filed or WRAP_UP_S has passed; away: not taking calls.
    state: Mapped[str] = mapped_column(String(16), default="away")
    since: Mapped[datetime] = mapped_column(default=utcnow)
    # The caller's CallSid this operator is talking to, or last talked to (wrap-up).
    call_sid: Mapped[str | None] = mapped_column(String(64))
    # A console (or a phone leg) proves it is still there; a silent one is set away.
    heartbeat_at: Mapped[datetime | None]
    # The caller offered to this operator (their console rings); cleared when answered or
    # when the offer lapses (the operator is then set away, the caller stays first).
    offer_call_sid: Mapped[str | None] = mapped_column(String(64))
    offered_at: Mapped[datetime | None]
    # The operator's own Twilio leg while it is up (softphone or registered phone).
    leg_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    leg_started_at: Mapped[datetime | None]
    # Why the service itself set the operator away (missed_offer, console_lost), for the console.
    away_reason: Mapped[str | None] = mapped_column(String(24))
