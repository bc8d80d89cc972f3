"""Call-backs: promises to call a caller back, and each attempt to keep one.

A request is made when the hotline tells a caller "we will call you back": a voice
message out of hours, a caller who leaves the operators' queue (key 1, a wait too long,
nobody on duty), a fault. It stays open until an operator reaches the caller or marks
them unreachable. An attempt rings the operator's phone first, then bridges the caller;
it belongs to a request, to a dossier, or to both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

# requested: sent to Twilio, waiting for the outcome; not_configured: no Twilio account,
# only the wish was recorded. The last four come from Twilio's status callbacks.
CALLBACK_OUTCOMES = ("requested", "not_configured", "reached", "no_answer", "wrong_number", "failed")


class CallbackRequest(Base):
    __tablename__ = "callback_requests"
    # The operators' list: open requests, the earliest asked first (a caller who left
    # the queue keeps the time they joined it, so they come before later callers).
    __table_args__ = (Index("ix_callback_requests_status_requested_at", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(32))  # E.164 when the caller's number was given
    vessel_registration: Mapped[str | None] = mapped_column(String(24))
    # Why the caller is owed a call: voice_message (after the beep, out of hours),
    # queue_choice (key 1 in the queue), queue_timeout, queue_full, no_operator, fault.
    reason: Mapped[str] = mapped_column(String(24))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    recording_duration_s: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, done, unreachable
    attempts: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))  # username
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallbackAttempt(Base):
    __tablename__ = "callback_attempts"
    __table_args__ = (
        Index("ix_callback_attempts_dossier_id_id", "dossier_id", "id"),
        # The "due again" list walks this index in (next_attempt_at, id) order.
        Index("ix_callback_attempts_next_attempt_at_id", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("callback_requests.id", ondelete="CASCADE"), index=True
    )
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
