"""Reads the SMS intake needs: recent messages and drafts of a sender, vessels, dossiers.

Flood limits are counted here, in the database, so every app worker sees the same
counts for a sender.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.dossier import Dossier
from models.message import Message
from models.vessel import Vessel


def count_inbound_since(session: Session, *, sender: str, since: datetime) -> int:
    stmt = select(func.count()).select_from(Message).where(
        Message.direction == "in", Message.from_number == sender, Message.created_at >= since
    )
    return int(session.scalar(stmt) or 0)


def count_sms_drafts_since(session: Session, *, phone: str, since: datetime) -> int:
    stmt = select(func.count()).select_from(Dossier).where(
        Dossier.channel == "sms", Dossier.applicant_phone == phone, Dossier.created_at >= since
    )
    return int(session.scalar(stmt) or 0)


def waiting_same_request(
    session: Session, *, phone: str, procedure: str, variant: str | None, vessel: str, since: datetime
) -> Dossier | None:
    """A draft for the same procedure and vessel from the same phone, not yet picked up."""
    variant_is = Dossier.variant.is_(None) if variant is None else Dossier.variant == variant
    return session.scalar(
        select(Dossier)
        .where(
            Dossier.applicant_phone == phone, Dossier.procedure == procedure, variant_is,
            Dossier.vessel_registration == vessel, Dossier.status == "draft", Dossier.created_at >= since,
        )
        .order_by(Dossier.created_at.desc(), Dossier.id.desc())
        .limit(1)
    )


def vessel_by_registration(session: Session, registration: str) -> Vessel | None:
    return session.scalar(select(Vessel).where(Vessel.registration_number == registration))


def dossier_by_reference(session: Session, reference: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.reference == reference))


def newest_dossiers(session: Session, *, phone: str, limit: int) -> Sequence[Dossier]:
    return session.scalars(
        select(Dossier)
        .where(Dossier.applicant_phone == phone)
        .order_by(Dossier.created_at.desc(), Dossier.id.desc())
        .limit(limit)
    ).all()
