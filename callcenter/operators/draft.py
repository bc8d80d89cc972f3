"""A draft dossier started by the operator from the call they answered: the vessel the IVR
found and the procedure the caller chose are filled in; the operator holds the draft."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.dossiers.service import EDITABLE, claim_dossier
from ivr.intake.drafts import create_draft
from ivr.intake.receipts import taken_receipt
from ivr.prompts import Catalogue
from models.call import Call
from models.dossier import Dossier
from models.queue import QueueEntry
from models.user import User
from models.vessel import Vessel

DEFAULT_PROCEDURE = "fishing_licence"


class DraftRefused(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def draft_from_call(
    session: Session, *, call_sid: str, user: User, sending_enabled: bool, catalogue: Catalogue,
) -> str:
    """The draft's reference (flushed, never committed): the one already started from this
    call if there is one (a second click is not a second dossier, nor a second SMS)."""
    entry = session.scalar(select(QueueEntry).where(QueueEntry.call_sid == call_sid)
                           .order_by(QueueEntry.id.desc()).limit(1))
    call = session.scalar(select(Call).where(Call.call_sid == call_sid))
    if entry is None or call is None:
        raise DraftRefused(404, "Không tìm thấy cuộc gọi này.")
    if entry.answered_by_id != user.id:
        raise DraftRefused(403, "Chỉ điện thoại viên đã nghe cuộc gọi này mới tạo được hồ sơ từ cuộc gọi.")
    started = session.scalar(
        select(Dossier.reference).where(Dossier.call_sid == call_sid, Dossier.channel == "operator",
                                        Dossier.status.in_(EDITABLE)).order_by(Dossier.id).limit(1)
    )
    if started is not None:
        return started
    state = call.state or {}
    registration = entry.vessel_registration or state.get("vessel_registration")
    vessel = session.scalar(select(Vessel).where(Vessel.registration_number == registration)) \
        if registration and state.get("vessel_verified") else None
    phone = call.from_number if call.from_number.startswith("+") else None
    draft = create_draft(
        session, procedure=state.get("procedure") or DEFAULT_PROCEDURE, variant=state.get("variant"),
        channel="operator", vessel=vessel, vessel_registration=registration, applicant_phone=phone,
        by=user.username, call_sid=call_sid, sending_enabled=sending_enabled,
        receipt=partial(taken_receipt, catalogue=catalogue) if phone else None,
    )
    if call.dossier_reference is None:  # the call log links the call to what it started
        call.dossier_reference = draft.reference
    claim_dossier(session, reference=draft.reference, user=user)
    return draft.reference
