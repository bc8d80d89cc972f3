"""Calls to the hotline and every step inside them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JSONType, utcnow, where_set


class Call(Base):
    __tablename__ = "calls"
    # A call in progress has no outcome yet, and is found by other means.
    __table_args__ = (Index("ix_calls_outcome", "outcome", **where_set("outcome")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_number: Mapped[str] = mapped_column(String(32), index=True)
    to_number: Mapped[str] = mapped_column(String(32), default="")
    # A call keeps the flow version it started on, even if a new one is deployed mid-call.
    flow_version: Mapped[str] = mapped_column(String(32))
    # The waiting session: current node, miss counter, what the caller has chosen.
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Increments at every answered step; the resume URL carries it to recognise repeats.
    turn: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[datetime | None]
    duration_s: Mapped[int | None]
    twilio_status: Mapped[str] = mapped_column(String(24), default="in-progress")
    # dossier_created, transferred (then the queue's answered / abandoned_in_queue /
    # callback_requested), callback_requested, abandoned, status_read
    outcome: Mapped[str | None] = mapped_column(String(32))
    abandoned_menu: Mapped[str | None] = mapped_column(String(64))
    dossier_reference: Mapped[str | None] = mapped_column(String(6))
    recording_url: Mapped[str | None] = mapped_column(String(500))
    # Consent (personal-data law): which notice the caller heard and when they went on.
    consent_notice_version: Mapped[str | None] = mapped_column(String(32))
    consent_at: Mapped[datetime | None]
    # The answer to the last step taken (turn - 1) and the input it answered: Twilio's
    # retry of that webhook gets the same TwiML back and changes nothing.
    last_answer: Mapped[str | None] = mapped_column(Text)
    last_fingerprint: Mapped[str | None] = mapped_column(String(64))

    events: Mapped[list[CallEvent]] = relationship(
        back_populates="call", order_by="CallEvent.id", cascade="all, delete-orphan"
    )


class CallEvent(Base):
    __tablename__ = "call_events"
    __table_args__ = (Index("ix_call_events_call_id_id", "call_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # menu (entered a node), key (input), prompt (played), transfer, callback, consent,
    # dossier, status, outcome, error
    kind: Mapped[str] = mapped_column(String(24))
    menu: Mapped[str | None] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(64))
    prompt: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    call: Mapped[Call] = relationship(back_populates="events")


class WebhookClaim(Base):
    """One row per answered webhook: Twilio's retries find it and get the same answer.

    `key` is `voice:<CallSid>:<turn>` or `sms:<MessageSid>`; `fingerprint` the input.
    """

    __tablename__ = "webhook_claims"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
