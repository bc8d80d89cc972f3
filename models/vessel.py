"""The vessel registry, imported from the fisheries authority's CSV."""

from __future__ import annotations

from collections.abc import Iterable
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


def owned_vessels(session: Session, phones: Iterable[str]) -> dict[str, Vessel]:
    """phone → the vessel whose registered owner has that phone, for the phones registered
    to exactly one: an owner of two boats must say which. One query for all of them.
    (The IVR asks the same of one caller in Core, `ivr.calls.rows`.)"""
    wanted = set(phones)
    if not wanted:
        return {}
    seen: dict[str, list[Vessel]] = {}
    for vessel in session.scalars(select(Vessel).where(Vessel.owner_phone.in_(wanted))):
        seen.setdefault(vessel.owner_phone or "", []).append(vessel)
    return {phone: found[0] for phone, found in seen.items() if len(found) == 1}


def owned_vessel(session: Session, *, phone: str) -> Vessel | None:
    return owned_vessels(session, [phone]).get(phone)
