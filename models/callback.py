"""Call-backs: an operator's phone rung first, then the fisher bridged in; one row per attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

# requested: sent to Twilio, waiting for the outcome; not_configured: no Twilio account,
# only the wish was recorded. The last four come from Twilio's status callbacks.
CALLBACK_OUTCOMES = ("requested", "not_configured", "reached", "no_answer", "wrong_number", "failed")


class CallbackAttempt(Base):
    __tablename__ = "callback_attempts"
    __table_args__ = (
        Index("ix_callback_attempts_dossier_id_id", "dossier_id", "id"),
        # The "due again" list walks this index in (next_attempt_at, id) order.
        Index("ix_callback_attempts_next_attempt_at_id", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    operator: Mapped[str] = mapped_column(String(64))  # username, kept if the user is removed
    at: Mapped[datetime] = mapped_column(default=utcnow)
    fisher_number: Mapped[str] = mapped_column(String(20))
    operator_number: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(16), default="requested")
    twilio_call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    ended_at: Mapped[datetime | None]
    # Set on an unanswered attempt, cleared when a newer attempt supersedes it.
    next_attempt_at: Mapped[datetime | None]
