"""Catalogue entries and dossiers as a citizen's app reads them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from callcenter.api.dossier_actions import AttachmentSpecOut, FieldOut
from callcenter.attachments.service import attachments_of
from callcenter.procedures import GROUPS, Procedure, load_catalogue
from callcenter.public.schemas import AttachmentOut, CitizenDossierOut, PublicProcedureOut, VariantOut
from models.domain.citizen_id import mask_citizen_id
from models.dossier import Dossier

# Where a dossier stands, as a citizen reads it (staff read callcenter.dossiers.notices).
CITIZEN_STATUS = {
    "draft": "Đã nhận, chờ cán bộ kiểm tra",
    "in_progress": "Cán bộ đang kiểm tra hồ sơ",
    "submitting": "Đang gửi đến cơ quan giải quyết",
    "submitted": "Cơ quan giải quyết đã tiếp nhận",
    "processing": "Đang giải quyết",
    "result_ready": "Đã có kết quả",
    "in_transit": "Kết quả đang được chuyển phát",
    "delivered": "Đã trả kết quả",
    "cancelled": "Đã hủy",
    "rejected": "Không được chấp nhận",
}


def procedure_out(p: Procedure) -> PublicProcedureOut:
    return PublicProcedureOut(
        code=p.code, name=p.name, group=p.group, group_name=GROUPS[p.group],
        variants=[v.code for v in p.variants],
        variant_names=[VariantOut(code=v.code, name=v.name) for v in p.variants],
        needs_vessel=p.needs_vessel, agency=p.agency,
        processing_days=p.processing_days(None) if not p.variants else None,
        fields=[
            FieldOut(name=f.name, label=f.label, type=f.type, required=f.required, choices=list(f.choices),
                     variants=list(f.variants) if f.variants is not None else None)
            for f in p.fields
        ],
        attachments=[
            AttachmentSpecOut(name=a.name, label=a.label, required=a.required) for a in p.attachments
        ],
    )


def dossier_out(session: Session, dossier: Dossier) -> CitizenDossierOut:
    procedure = load_catalogue().get(dossier.procedure)
    attached = attachments_of(session, dossier_id=dossier.id)
    names = {a.name for a in attached}
    specs = procedure.attachments_for(dossier.variant) if procedure else ()

    def label(name: str) -> str:
        found = procedure.attachment(name) if procedure else None
        return found.label if found else name

    return CitizenDossierOut(
        reference=dossier.reference, procedure=dossier.procedure,
        procedure_name=procedure.name if procedure else dossier.procedure, variant=dossier.variant,
        channel=dossier.channel, status=dossier.status,
        status_label=CITIZEN_STATUS.get(dossier.status, dossier.status),
        created_at=dossier.created_at, vessel_registration=dossier.vessel_registration,
        onestop_code=dossier.onestop_code, due_date=dossier.onestop_due_date,
        postal_tracking_number=dossier.postal_tracking_number, applicant_name=dossier.applicant_name,
        applicant_id_number=mask_citizen_id(dossier.applicant_id_number) or None,
        fields=dict(dossier.fields or {}), delivery=dossier.delivery,
        attachments=[
            AttachmentOut(id=a.id, name=a.name, label=label(a.name), content_type=a.content_type, size=a.size,
                          created_at=a.created_at)
            for a in attached
        ],
        missing_attachments=[
            AttachmentSpecOut(name=s.name, label=s.label, required=s.required)
            for s in specs if s.required and s.name not in names
        ],
    )
