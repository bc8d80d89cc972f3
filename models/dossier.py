"""Dossiers: a request for one procedure, from draft to the result in the fisher's hands."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JSONType, TimestampMixin, utcnow, where_set

PROCEDURES = (
    "fishing_licence", "vessel_safety_certificate", "household_business_registration",
    "household_business_termination", "promotion_notice",
)
VARIANTS = ("new", "reissue")
CHANNELS = ("ivr", "sms", "operator", "web")  # web: the mobile site and its public API
STATUSES = (
    "draft", "in_progress", "submitting", "submitted", "processing", "result_ready",
    "in_transit", "delivered", "cancelled", "rejected",
)


class Dossier(TimestampMixin, Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_status_created_at", "status", "created_at"),
        Index("ix_dossiers_applicant_phone_created_at", "applicant_phone", "created_at"),
        # Only dossiers the one-stop system has received carry a code.
        Index("ix_dossiers_onestop_code", "onestop_code", **where_set("onestop_code")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(6), unique=True)
    # Not indexed: a handful of values, always asked for beside status, phone or time,
    # whose indexes find the rows; an index of its own cost every new draft a write.
    procedure: Mapped[str] = mapped_column(String(48))
    variant: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")

    # The number as the caller gave it, even when the registry does not know it yet.
    vessel_registration: Mapped[str | None] = mapped_column(String(24))
    vessel_verified: Mapped[bool] = mapped_column(default=False)
    vessel_id: Mapped[int | None] = mapped_column(ForeignKey("vessels.id", ondelete="SET NULL"), index=True)

    applicant_name: Mapped[str | None] = mapped_column(String(200))
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    applicant_id_number: Mapped[str | None] = mapped_column(String(12))
    applicant_address: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    delivery: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    call_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None]
    # Who last took the dossier and when, kept after it is submitted or released: the
    # supervisor's per-operator figures and the call log count the work by these.
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    handled_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]

    onestop_code: Mapped[str | None] = mapped_column(String(40))
    onestop_due_date: Mapped[date | None]
    postal_tracking_number: Mapped[str | None] = mapped_column(String(13))
    postal_status: Mapped[str | None] = mapped_column(String(24))

    history: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", order_by="DossierEvent.id", cascade="all, delete-orphan"
    )


class DossierEvent(Base):
    """Every change of a dossier: who, when, what (its history on the API and console)."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(64))  # "ivr", "sms", "system", or a username
    what: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    dossier: Mapped[Dossier] = relationship(back_populates="history")
