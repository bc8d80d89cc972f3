"""Tables of the built-in one-stop emulator (prefix `onestop_emu_`), not of the hotline.

They play the province's side: the hotline's own tables never refer to them, so a
deployment with a real one-stop system simply leaves them empty. They sit in the
hotline's database when the hotline's processes start the emulator on their loopback
ports, so every worker's emulator sees the same emulated dossiers; `tongdai
onestop-emulator` creates just these tables in a file of its own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, utcnow

# Wire names of the one-stop dossier states (docs/onestop.md).
EMU_STATUSES = (
    "received", "being_processed", "more_documents_requested", "result_ready", "returned",
    "refused", "processing_stopped",
)


class OneStopEmuDossier(Base):
    __tablename__ = "onestop_emu_dossiers"
    # The code's sequence restarts every day; this pair is what makes a code unique.
    __table_args__ = (UniqueConstraint("received_day", "day_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # A retried apply with the same key returns this dossier instead of a second one.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    application_hash: Mapped[str] = mapped_column(String(64))
    application: Mapped[dict[str, Any]] = mapped_column(JSONType)
    procedure_code: Mapped[str] = mapped_column(String(40))

    received_day: Mapped[date]
    day_sequence: Mapped[int]
    applied_at: Mapped[datetime]
    accepted_at: Mapped[datetime]
    appointment_date: Mapped[date]

    status: Mapped[str] = mapped_column(String(32), default="received")
    status_reason: Mapped[str | None] = mapped_column(Text)
    # When the emulator's clock next moves this dossier on by itself; None when it waits
    # for someone (documents requested) or has nothing left to do.
    next_step_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]

    delivery_method: Mapped[str] = mapped_column(String(16), default="post")
    tracking_number: Mapped[str | None] = mapped_column(String(13))
    postal_status: Mapped[str | None] = mapped_column(String(16))  # in_transit, delivered
    delivered_at: Mapped[datetime | None]

    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
