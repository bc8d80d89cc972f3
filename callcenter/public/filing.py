"""A dossier filed from a phone: checked as a whole, then a web draft like any other.

    checked = check_filing(session, phone=..., filing=DossierIn(...), today=...)  # DossierInvalid
    dossier = file_dossier(session, phone=..., checked=checked, sending_enabled=...)

Every error is named by its path (`applicant.id_number`, `fields.start_date`) in
Vietnamese, all at once. The draft is written by the shared `create_draft` (channel
`web`, the verified phone, the receipt SMS), then completed on the ORM row — in the
caller's transaction, never committed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.dossiers.checks import Changes, PatchErrors, check_patch, missing_for_submit
from callcenter.dossiers.patch_schemas import DossierPatch
from callcenter.dossiers.service import DossierInvalid
from callcenter.procedures import Procedure, load_catalogue
from callcenter.public.schemas import DossierIn
from callcenter.public.texts import web_receipt_sms
from ivr.intake.drafts import create_draft
from models.base import utcnow
from models.domain.registration import InvalidRegistration, normalize_registration
from models.dossier import Dossier
from models.vessel import Vessel

WEB = "web"
NOT_OFFERED = "Thủ tục này không nộp được qua điện thoại."


@dataclass(frozen=True)
class CheckedFiling:
    procedure: Procedure
    variant: str | None
    vessel: Vessel | None
    registration: str | None
    changes: Changes


def today_in(timezone: str) -> date:
    """The day it is where the citizens are: the one the filing's dates are checked against."""
    return utcnow().astimezone(ZoneInfo(timezone)).date()


def web_procedure(code: str) -> Procedure | None:
    found = load_catalogue().get(code)
    return found if found is not None and found.offered_on(WEB) else None


def registry_vessel(session: Session, raw: str | None, *, province: str) -> tuple[Vessel | None, str]:
    """The registry's vessel for a number as typed, and the number's one stored form."""
    number = normalize_registration(raw or "", default_symbol=province)
    return session.scalar(select(Vessel).where(Vessel.registration_number == number)), number


def _patch(filing: DossierIn) -> DossierPatch:
    applicant = filing.applicant.model_dump(exclude_unset=True) if filing.applicant else {}
    delivery = filing.delivery.model_dump(exclude_unset=True) if filing.delivery else None
    return DossierPatch.model_validate(
        {"applicant": applicant, "fields": filing.fields or {}, "delivery": delivery}
    )


def _as_typed(procedure: Procedure, variant: str | None, phone: str, filing: DossierIn) -> Dossier:
    """An unsaved dossier holding the values as typed, for the completeness check."""
    applicant = filing.applicant
    address = applicant.address.model_dump() if applicant and applicant.address else None
    fields = {k: v for k, v in (filing.fields or {}).items() if v not in (None, "")}
    return Dossier(
        procedure=procedure.code, variant=variant, applicant_phone=phone,
        applicant_name=applicant.name if applicant else None,
        applicant_id_number=applicant.id_number if applicant else None,
        applicant_address=address, fields=fields,
        delivery=filing.delivery.model_dump() if filing.delivery else None,
        vessel_registration=None,  # checked against the registry by check_filing
    )


def check_filing(
    session: Session, *, phone: str, filing: DossierIn, today: date, province: str
) -> CheckedFiling:
    procedure = web_procedure(filing.procedure)
    if procedure is None:
        raise DossierInvalid({"procedure": NOT_OFFERED})
    errors: dict[str, str] = {}
    variant = filing.variant or None
    if procedure.variants and procedure.variant(variant) is None:
        errors["variant"] = "Chọn một trong: " + ", ".join(v.name.lower() for v in procedure.variants) + "."
    elif not procedure.variants and variant is not None:
        errors["variant"] = "Thủ tục này không có hình thức cấp mới, cấp lại."
    vessel, registration = None, None
    if procedure.needs_vessel:
        raw = filing.vessel.registration_number if filing.vessel else None
        if not raw:
            errors["vessel.registration_number"] = "Chưa có số đăng ký tàu cá."
        else:
            try:
                vessel, registration = registry_vessel(session, raw, province=province)
            except InvalidRegistration:
                errors["vessel.registration_number"] = "Số đăng ký tàu cá không đúng dạng (VD: QNg-90567-TS)."
    elif filing.vessel is not None and filing.vessel.registration_number:
        errors["vessel.registration_number"] = "Thủ tục này không cần số tàu cá."
    typed = _as_typed(procedure, variant if "variant" not in errors else None, phone, filing)
    everything = frozenset(a.name for a in procedure.attachments)  # attachments come afterwards
    missing = missing_for_submit(typed, procedure, today=today, attached=everything)
    errors.update({k: v for k, v in missing.items() if k not in ("variant", "vessel.registration_number")})
    changes = Changes()
    try:
        # Every value is new to a dossier being filed: compared with an empty one.
        blank = Dossier(procedure=procedure.code, variant=typed.variant, fields={})
        changes = check_patch(blank, procedure, _patch(filing), today=today)
    except PatchErrors as exc:
        errors.update(exc.errors)  # the precise reason wins over "missing"
    if errors:
        raise DossierInvalid(errors)
    return CheckedFiling(procedure, variant, vessel, registration, changes)


def file_dossier(session: Session, *, phone: str, checked: CheckedFiling, sending_enabled: bool) -> Dossier:
    draft = create_draft(
        session, procedure=checked.procedure.code, variant=checked.variant, channel=WEB,
        vessel=checked.vessel, vessel_registration=checked.registration, applicant_phone=phone, by=WEB,
        receipt=lambda d: web_receipt_sms(d.reference, checked.procedure, checked.variant),
        sending_enabled=sending_enabled,
    )
    dossier = session.get_one(Dossier, draft.id)
    values: dict[str, Any] = dict(checked.changes.values)
    for column, value in values.items():
        setattr(dossier, column, value)
    session.flush()
    return dossier


def citizen_dossiers(session: Session, *, phone: str, limit: int = 50) -> list[Dossier]:
    return list(session.scalars(
        select(Dossier).where(Dossier.applicant_phone == phone)
        .order_by(Dossier.created_at.desc(), Dossier.id.desc()).limit(limit)
    ))


def citizen_dossier(session: Session, *, phone: str, reference: str) -> Dossier | None:
    """The dossier, only if it is this phone's: another's is as good as none."""
    return session.scalar(
        select(Dossier).where(Dossier.reference == reference, Dossier.applicant_phone == phone)
    )
