"""SMS in both directions, each tied to its dossier when there is one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow, where_set


class Message(Base):
    __tablename__ = "messages"
    # Unique once Twilio has given the message its SID; one waiting to be sent has none.
    __table_args__ = (Index("ix_messages_twilio_sid", "twilio_sid", unique=True, **where_set("twilio_sid")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # "out" or "in"
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id", ondelete="SET NULL"), index=True
    )
    to_number: Mapped[str] = mapped_column(String(32))
    from_number: Mapped[str] = mapped_column(String(32), default="")
    body: Mapped[str] = mapped_column(Text)
    # recorded (no credentials: kept, not sent), queued, sent, delivered, failed, received
    status: Mapped[str] = mapped_column(String(16), default="recorded")
    twilio_sid: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
