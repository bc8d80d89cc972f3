"""What a citizen's app sends and gets back (contract section 9).

Loose types on purpose, as for the operators' PATCH: every rule about values lives in
the filing checks, which name each bad value by its path in Vietnamese. Only the shape
is checked here, and its errors are put into Vietnamese too (`shape_errors`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

# A procedure's fields and documents read the same to a citizen's app as to the operators'.
from callcenter.api.dossier_actions import AttachmentSpecOut, FieldOut


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PhoneIn(_In):
    phone: str


class CodeIn(_In):
    phone: str
    code: str


class AddressIn(_In):
    line: str | None = None
    commune: str | None = None
    district: str | None = None
    province: str | None = None


class ApplicantIn(_In):
    name: str | None = None
    id_number: str | None = None
    address: AddressIn | None = None


class VesselIn(_In):
    registration_number: str | None = None


class DeliveryIn(_In):
    method: str | None = None  # post or pickup
    address: AddressIn | None = None  # post only; the applicant's address when absent


class DossierIn(_In):
    procedure: str
    variant: str | None = None
    vessel: VesselIn | None = None
    applicant: ApplicantIn | None = None
    fields: dict[str, Any] | None = None
    delivery: DeliveryIn | None = None


_SHAPE_MESSAGES = {
    "missing": "Thiếu mục này.",
    "extra_forbidden": "Mục này không có trong biểu mẫu.",
    "string_type": "Phải là chữ.",
    "model_type": "Phải là một nhóm mục (đối tượng JSON).",
    "dict_type": "Phải là một nhóm mục (đối tượng JSON).",
    "json_invalid": "Nội dung gửi không phải JSON hợp lệ.",
}


def shape_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"]) or "body"
        errors.setdefault(path, _SHAPE_MESSAGES.get(error["type"], "Giá trị không hợp lệ."))
    return errors


class SessionOut(BaseModel):
    token: str
    expires_at: datetime


class VariantOut(BaseModel):
    code: str
    name: str


class PublicProcedureOut(BaseModel):
    code: str
    name: str
    group: str
    group_name: str
    variants: list[str]
    variant_names: list[VariantOut]
    needs_vessel: bool
    agency: str
    processing_days: int | None
    fields: list[FieldOut]
    attachments: list[AttachmentSpecOut]


class AttachmentOut(BaseModel):
    id: int
    name: str
    label: str
    content_type: str
    size: int
    created_at: datetime


class ReferenceOut(BaseModel):
    reference: str


class CitizenDossierOut(BaseModel):
    reference: str
    procedure: str
    procedure_name: str
    variant: str | None
    channel: str
    status: str
    status_label: str
    created_at: datetime
    vessel_registration: str | None
    onestop_code: str | None
    due_date: date | None
    postal_tracking_number: str | None
    applicant_name: str | None
    applicant_id_number: str | None  # masked
    fields: dict[str, Any]
    delivery: dict[str, Any] | None
    attachments: list[AttachmentOut]
    missing_attachments: list[AttachmentSpecOut]
