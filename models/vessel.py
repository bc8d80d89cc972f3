"""The vessel registry, imported from the fisheries authority's CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Numeric, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, TimestampMixin


class Vessel(TimestampMixin, Base):
    __tablename__ = "vessels"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One stored form, `QNg-90567-TS`; `digits` is the group a caller keys on the phone.
    registration_number: Mapped[str] = mapped_column(String(24), unique=True)
    province_symbol: Mapped[str] = mapped_column(String(8))
    digits: Mapped[str] = mapped_column(String(8), index=True)
    vessel_name: Mapped[str] = mapped_column(String(200), default="")
    owner_name: Mapped[str] = mapped_column(String(200))
    owner_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    owner_id_number: Mapped[str | None] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(300), default="")
    commune: Mapped[str] = mapped_column(String(120), default="")
    district: Mapped[str | None] = mapped_column(String(120))
    province: Mapped[str] = mapped_column(String(120), default="")
    length_m: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    main_gear: Mapped[str] = mapped_column(String(120), default="")
    licence_expiry: Mapped[date | None]


def owned_vessel(session: Session, *, phone: str) -> Vessel | None:
    """The vessel whose registered owner has this phone, when there is exactly one: an
    owner of two boats must say which. (The IVR asks the same in Core, `ivr.calls.rows`.)"""
    found = session.scalars(select(Vessel).where(Vessel.owner_phone == phone).limit(2)).all()
    return found[0] if len(found) == 1 else None
