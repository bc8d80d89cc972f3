"""Draft dossiers, the same whether a caller, an SMS or an operator starts one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.domain.reference import new_reference
from models.dossier import Dossier, DossierEvent
from models.vessel import Vessel

CHANNEL_LABELS = {"ivr": "tổng đài tự động", "sms": "tin nhắn SMS", "operator": "điện thoại viên"}


def create_draft(
    session: Session,
    *,
    procedure: str,
    variant: str | None,
    channel: str,
    vessel: Vessel | None,
    vessel_registration: str | None,
    applicant_phone: str | None,
    call_sid: str | None = None,
    by: str,
) -> Dossier:
    """Insert a draft with a fresh random reference; flushes, never commits."""
    for _ in range(20):
        reference = new_reference()
        if session.scalar(select(Dossier.id).where(Dossier.reference == reference)) is not None:
            continue
        dossier = Dossier(
            reference=reference,
            procedure=procedure,
            variant=variant,
            channel=channel,
            status="draft",
            vessel_id=vessel.id if vessel else None,
            vessel_registration=vessel.registration_number if vessel else vessel_registration,
            vessel_verified=vessel is not None,
            applicant_phone=applicant_phone,
            applicant_name=vessel.owner_name if vessel and vessel.owner_phone == applicant_phone else None,
            call_sid=call_sid,
            fields={},
        )
        dossier.history.append(
            DossierEvent(by=by, what=f"Tạo hồ sơ nháp qua {CHANNEL_LABELS.get(channel, channel)}")
        )
        try:
            with session.begin_nested():
                session.add(dossier)
        except IntegrityError:
            continue  # another worker took the same reference between check and insert
        return dossier
    raise RuntimeError("could not allocate a unique dossier reference")
