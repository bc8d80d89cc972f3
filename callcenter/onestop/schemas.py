"""The wire format of the one-stop system, shared by the client and the emulator.

Shaped like the province's VNPT-iGate: camelCase JSON, `code`, `appliedDate`,
`acceptedDate`, `appointmentDate`, `dossierStatus`, an applicant with `fullname`,
`birthday`, `identityNumber`, `phoneNumber`, and places as `{label, value}` pairs.
docs/onestop.md is the prose version of this module; keep the two in step.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

# Wire name → (iGate-style numeric id, the name a clerk reads). A real adapter maps the
# province's own ids onto these names in one place (see docs/onestop.md).
DOSSIER_STATUSES: dict[str, tuple[int, str]] = {
    "received": (1, "Đã tiếp nhận"),
    "being_processed": (2, "Đang xử lý"),
    "more_documents_requested": (3, "Yêu cầu bổ sung hồ sơ"),
    "result_ready": (4, "Có kết quả"),
    "returned": (5, "Đã trả kết quả"),
    "refused": (6, "Từ chối tiếp nhận"),
    "processing_stopped": (7, "Dừng xử lý"),
}
DossierStatusCode = Literal[
    "received", "being_processed", "more_documents_requested", "result_ready", "returned",
    "refused", "processing_stopped",
]
DELIVERY_METHODS = {
    "post": "Nhận kết quả qua bưu chính công ích",
    "pickup": "Nhận kết quả tại bộ phận một cửa",
}


class WireModel(BaseModel):
    # Unknown fields are ignored rather than refused: the province adds fields to its
    # answers over time and that must not break the hotline.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Place(WireModel):
    """An administrative unit or a choice: what a clerk sees, and its catalogue code."""

    label: str
    value: str | None = None


class Applicant(WireModel):
    fullname: str
    birthday: date | None = None
    identity_number: str
    phone_number: str
    address: str | None = None  # house number, hamlet (thôn)
    village: Place | None = None  # commune-level unit (xã, phường, đặc khu)
    district: Place | None = None  # gone since July 2025; older records still carry one
    province: Place | None = None


class ProcedureRef(WireModel):
    code: str
    name: str | None = None


class EForm(WireModel):
    """The procedure's own form; its keys depend on the procedure."""

    data: dict[str, Any] = Field(default_factory=dict)


class ResultDelivery(WireModel):
    method: Place  # value "post" or "pickup"
    address: str | None = None


class AttachmentRef(WireModel):
    """A document uploaded before (`POST /pa/file/--upload`), named in the application."""

    file_id: str
    name: str  # which document: the procedure's attachment name (`registration_certificate`)
    label: str | None = None  # what a clerk reads


class UploadedFile(WireModel):
    """The desk's answer to an upload, and what it lists for a dossier's files."""

    file_id: str
    filename: str
    content_type: str
    size: int
    sha256: str


class Application(WireModel):
    """Body of `POST /pa/dossier/--apply-online`."""

    procedure: ProcedureRef
    applicant: Applicant
    e_form: EForm = Field(default_factory=EForm)
    result_delivery: ResultDelivery
    # Our reference, so a clerk can quote it back to the hotline.
    external_code: str | None = None
    note: str | None = None
    attachments: list[AttachmentRef] = Field(default_factory=list)


class DossierStatus(WireModel):
    id: int
    code: DossierStatusCode
    name: str


class Postal(WireModel):
    tracking_number: str
    status: Literal["in_transit", "delivered"]


class OneStopDossier(WireModel):
    """A dossier as the one-stop system reports it (apply, get by code, search)."""

    code: str
    procedure: ProcedureRef
    applicant: Applicant
    external_code: str | None = None
    applied_date: datetime
    accepted_date: datetime | None = None
    appointment_date: datetime | None = None
    completed_date: datetime | None = None
    returned_date: datetime | None = None
    dossier_status: DossierStatus
    status_comment: str | None = None  # why documents were requested or it was refused
    result_delivery: ResultDelivery | None = None
    postal: Postal | None = None
    attachments: list[AttachmentRef] = Field(default_factory=list)


class DossierPage(WireModel):
    content: list[OneStopDossier]
    total_elements: int
    page: int
    size: int


class FieldError(WireModel):
    field: str  # dotted path in the request body: `applicant.identityNumber`
    message: str


class ErrorBody(WireModel):
    error: str  # machine-readable: invalid_application, unauthorized, not_found …
    message: str
    errors: list[FieldError] = Field(default_factory=list)


class StatusChange(WireModel):
    """Body of the emulator's control call that plays the clerk's part."""

    status: Literal["more_documents_requested", "being_processed", "refused", "processing_stopped"]
    reason: str | None = None
