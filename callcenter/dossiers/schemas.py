"""What the API returns for a dossier (contract sections 4 and 5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from callcenter.dossiers.repository import DossierRow
from models.domain.citizen_id import mask_citizen_id
from models.dossier import DossierEvent
from models.message import Message


class VesselOut(BaseModel):
    registration_number: str | None
    verified: bool
    # From the registry, and only when the registry confirmed the number: an unverified
    # number may belong to somebody else's boat.
    name: str | None
    owner_name: str | None


class AddressOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    line: str | None = None
    commune: str | None = None
    district: str | None = None
    province: str | None = None


class ApplicantOut(BaseModel):
    name: str | None
    phone: str | None = Field(description="E.164")
    # Always masked (`051******234`); whole only from GET /dossiers/{reference}/id-number,
    # which is limited and audited.
    id_number: str | None = Field(description="masked: 051******234")
    address: AddressOut | None


class OnestopOut(BaseModel):
    code: str | None
    due_date: date | None


class PostalOut(BaseModel):
    tracking_number: str | None
    status: str | None


class MessageOut(BaseModel):
    at: datetime
    direction: str  # "out" to the applicant, "in" from them
    to: str
    from_: str = Field(serialization_alias="from")
    body: str
    status: str


class HistoryEntryOut(BaseModel):
    at: datetime
    by: str
    what: str


class DossierSummary(BaseModel):
    reference: str
    procedure: str
    variant: str | None
    channel: str
    status: str
    vessel: VesselOut
    applicant: ApplicantOut
    call_sid: str | None
    created_at: datetime
    onestop: OnestopOut
    postal: PostalOut
    fields: dict[str, Any]
    delivery: dict[str, Any] | None
    claimed_by: str | None

    @classmethod
    def from_row(cls, row: DossierRow) -> DossierSummary:
        return cls(**_summary_fields(row))


class DossierDetail(DossierSummary):
    messages: list[MessageOut]
    history: list[HistoryEntryOut]

    @classmethod
    def from_parts(cls, row: DossierRow, *, messages: Sequence[Message]) -> DossierDetail:
        return cls(
            **_summary_fields(row),
            messages=[_message(m) for m in messages],
            history=[_history(e) for e in row.dossier.history],
        )


def _summary_fields(row: DossierRow) -> dict[str, Any]:
    d, vessel = row.dossier, row.vessel
    registry = vessel if d.vessel_verified else None
    return {
        "reference": d.reference,
        "procedure": d.procedure,
        "variant": d.variant,
        "channel": d.channel,
        "status": d.status,
        "vessel": VesselOut(
            registration_number=d.vessel_registration,
            verified=d.vessel_verified,
            name=(registry.vessel_name or None) if registry else None,
            owner_name=registry.owner_name if registry else None,
        ),
        "applicant": ApplicantOut(
            name=d.applicant_name,
            phone=d.applicant_phone,
            id_number=mask_citizen_id(d.applicant_id_number) or None,
            address=AddressOut.model_validate(d.applicant_address) if d.applicant_address else None,
        ),
        "call_sid": d.call_sid,
        "created_at": d.created_at,
        "onestop": OnestopOut(code=d.onestop_code, due_date=d.onestop_due_date),
        "postal": PostalOut(tracking_number=d.postal_tracking_number, status=d.postal_status),
        "fields": d.fields or {},
        "delivery": d.delivery,
        "claimed_by": row.claimed_by,
    }


def _message(m: Message) -> MessageOut:
    return MessageOut(
        at=m.created_at, direction=m.direction, to=m.to_number, from_=m.from_number,
        body=m.body, status=m.status,
    )


def _history(e: DossierEvent) -> HistoryEntryOut:
    return HistoryEntryOut(at=e.at, by=e.by, what=e.what)
