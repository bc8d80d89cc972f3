"""Draft dossiers, the same whether a caller, an SMS, a smartphone or an operator starts one.

One function writes a draft, its first history line and, when asked, the SMS receipt
with its outbox entry: all in the caller's transaction, so they exist together or not
at all. It never commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from ivr.intake.messages import queue_sms
from models.base import Base, utcnow
from models.db import InsertIfNew
from models.domain.reference import new_reference

DOSSIERS: Table = Base.metadata.tables["dossiers"]
HISTORY: Table = Base.metadata.tables["dossier_events"]
VESSELS: Table = Base.metadata.tables["vessels"]

CHANNEL_LABELS = {
    "ivr": "tổng đài tự động", "sms": "tin nhắn SMS", "operator": "điện thoại viên",
    "web": "điện thoại thông minh",
}
REFERENCE_ATTEMPTS = 20


class DraftVessel(Protocol):
    """What a draft takes from the registry (an ORM `Vessel` or a lighter row)."""

    @property
    def id(self) -> int: ...
    @property
    def registration_number(self) -> str: ...
    @property
    def owner_name(self) -> str: ...
    @property
    def owner_phone(self) -> str | None: ...


@dataclass(frozen=True)
class Draft:
    """The new draft, as its caller needs it (receipt, log, linking a message)."""

    id: int
    reference: str
    procedure: str
    variant: str | None
    vessel_registration: str | None
    vessel_verified: bool


class NoReferenceLeft(RuntimeError):
    """Every reference drawn was taken: the reference space is nearly full."""


# ON CONFLICT on the reference: a reference another worker took meanwhile is one more
# draw, not an aborted transaction.
_INSERT_DRAFT = InsertIfNew(DOSSIERS, key="reference", returning=DOSSIERS.c.id)
_INSERT_LINE = insert(HISTORY)
_REGISTRY_FACTS = select(
    VESSELS.c.id, VESSELS.c.registration_number, VESSELS.c.owner_name, VESSELS.c.owner_phone,
).where(VESSELS.c.id == bindparam("vessel_id"))


@dataclass(frozen=True)
class RegistryVessel:
    id: int
    registration_number: str
    owner_name: str
    owner_phone: str | None


def registry_vessel(session: Session, vessel_id: int) -> RegistryVessel | None:
    """What a draft copies of a vessel, as the registry has it now (None: gone)."""
    found = session.execute(_REGISTRY_FACTS, {"vessel_id": vessel_id}).first()
    return RegistryVessel(*found) if found else None


def create_draft(
    session: Session,
    *,
    procedure: str,
    variant: str | None,
    channel: str,
    vessel: DraftVessel | None,
    vessel_registration: str | None,
    applicant_phone: str | None,
    by: str,
    call_sid: str | None = None,
    receipt: Callable[[Draft], str] | None = None,
    sending_enabled: bool = False,
) -> Draft:
    """Insert a draft with a fresh random reference and its first history line; with
    `receipt` (the SMS text for the new draft) and a phone, the receipt and its outbox
    entry too. Never commits."""
    now = utcnow()
    registration = vessel.registration_number if vessel else vessel_registration
    # The owner calling about their own vessel is named on the draft.
    owner_calls = vessel is not None and applicant_phone is not None and vessel.owner_phone == applicant_phone
    row: dict[str, Any] = {
        "procedure": procedure, "variant": variant, "channel": channel, "status": "draft",
        "vessel_id": vessel.id if vessel else None, "vessel_registration": registration,
        "vessel_verified": vessel is not None, "applicant_phone": applicant_phone,
        "applicant_name": vessel.owner_name if vessel and owner_calls else None,
        "call_sid": call_sid, "fields": {}, "created_at": now, "updated_at": now,
    }
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        dossier_id = _INSERT_DRAFT(session, {**row, "reference": reference})
        if dossier_id is not None:
            break
    else:
        raise NoReferenceLeft("could not allocate a unique dossier reference")
    session.execute(_INSERT_LINE, {
        "dossier_id": dossier_id, "at": now, "by": by,
        "what": f"Tạo hồ sơ nháp qua {CHANNEL_LABELS.get(channel, channel)}",
    })
    draft = Draft(dossier_id, reference, procedure, variant, registration, vessel is not None)
    if receipt is not None and applicant_phone:
        queue_sms(session, to=applicant_phone, body=receipt(draft), dossier_id=dossier_id,
                  sending_enabled=sending_enabled)
    return draft
