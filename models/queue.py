"""A caller's time in the operators' queue: joined, announced, left or answered, wrapped up.

One row each time a call is put in the queue (normally once). The call's record shows the
latest; the queue's figures (offered, answered, abandoned, service level, waits, handle
times) are counted from these rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, utcnow, where_set

# waiting → answered (bridged to an operator) / abandoned_in_queue (hung up while waiting)
# / callback_requested (key 1, too long, queue full, nobody on duty, a fault).
QUEUE_RESULTS = ("waiting", "answered", "abandoned_in_queue", "callback_requested")


class QueueEntry(Base):
    __tablename__ = "queue_entries"
    __table_args__ = (
        # Who is waiting now, longest first: the panel, the matcher, the wait URL.
        Index("ix_queue_entries_result_joined_at", "result", "joined_at"),
        Index("ix_queue_entries_joined_at", "joined_at"),
        # The operator's card: the call bridged to them, found at once.
        Index("ix_queue_entries_answered_by_id", "answered_by_id", **where_set("answered_by_id")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    queue: Mapped[str] = mapped_column(String(64))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    wait_s: Mapped[int | None]
    result: Mapped[str] = mapped_column(String(24), default="waiting")
    queue_result: Mapped[str | None] = mapped_column(String(32))  # Twilio's QueueResult, as sent
    # Why the caller asked for a person (key_0, misses, guard, fault) and the menus before.
    reason: Mapped[str | None] = mapped_column(String(24))
    path: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    vessel_registration: Mapped[str | None] = mapped_column(String(24))
    announcements: Mapped[int] = mapped_column(default=0)
    # Offered to one operator at a time (their console rings); null again if they miss it.
    offered_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    offered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_by: Mapped[str | None] = mapped_column(String(64))  # username, kept if the user goes
    operator_leg_sid: Mapped[str | None] = mapped_column(String(64))
    bridged_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    handle_s: Mapped[int | None]
    callback_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("callback_requests.id", ondelete="SET NULL")
    )
    wrap_up_code: Mapped[str | None] = mapped_column(String(32))
    wrap_up_note: Mapped[str | None] = mapped_column(Text)
    wrap_up_by: Mapped[str | None] = mapped_column(String(64))
    wrap_up_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
