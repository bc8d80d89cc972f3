"""Beyond the IVR: operators start any procedure, see what citizens attached, and send a
complete smartphone dossier in one click.

- `GET/POST /console/dossiers/new`: a draft with `channel="operator"` for any procedure
  the catalogue offers to operators (household businesses and promotion notices too).
- `GET /console/dossiers/{reference}/attachments/{id}`: one attached document, shown to
  staff and audited (it is a citizen's personal paper).
- `POST /console/dossiers/{reference}/quick-submit`: a web dossier that is complete, from
  a phone verified by SMS, whose vessel (when the procedure has one) is the registry's
  and whose applicant is its registered owner, goes to the one-stop system at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from callcenter.attachments.service import attached_names, attachments_of
from callcenter.attachments.storage import StoreError, request_store
from callcenter.audit.log import record_audit
from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, client_ip
from callcenter.console.errors import ConsoleError
from callcenter.console.templating import render
from callcenter.dossiers import repository
from callcenter.dossiers.checks import missing_for_submit
from callcenter.dossiers.service import (
    ClaimConflict,
    DossierInvalid,
    DossierNotEditable,
    claim_dossier,
    submit_dossier,
)
from callcenter.procedures import Procedure, load_catalogue
from callcenter.public.filing import registry_vessel
from ivr.intake.drafts import create_draft
from models.base import province_date, utcnow
from models.db import SessionDep
from models.domain.phone import InvalidPhone, normalize_phone
from models.domain.registration import InvalidRegistration
from models.dossier import Dossier
from models.vessel import Vessel

router = APIRouter()
OPERATOR = "operator"


@dataclass(frozen=True)
class QuickCheck:
    """Whether a web dossier may go in one click, and if not, why (Vietnamese)."""

    ready: bool
    reasons: tuple[str, ...]


def quick_check(
    dossier: Dossier, vessel: Vessel | None, procedure: Procedure | None, *, attached: frozenset[str]
) -> QuickCheck:
    """`attached`: the names of the documents the dossier has."""
    if dossier.channel != "web" or procedure is None or dossier.status not in ("draft", "in_progress"):
        return QuickCheck(False, ())
    reasons: list[str] = []
    missing = missing_for_submit(dossier, procedure, today=province_date(utcnow()), attached=attached)
    reasons += missing.values()
    if procedure.needs_vessel and (vessel is None or not dossier.vessel_verified):
        reasons.append("Số tàu không có trong sổ đăng ký tàu cá.")
    elif procedure.needs_vessel and vessel is not None:
        owner = (vessel.owner_id_number, vessel.owner_phone)
        if owner != (dossier.applicant_id_number, dossier.applicant_phone):
            reasons.append(
                "Người nộp không phải chủ tàu trong sổ đăng ký (số căn cước hoặc số điện thoại khác)."
            )
    return QuickCheck(not reasons, tuple(reasons))


def page_context(session: Session, dossier: Dossier, vessel: Vessel | None) -> dict[str, Any]:
    """What `_attachments.html` shows on the dossier page."""
    procedure = load_catalogue().get(dossier.procedure)
    labels = {a.name: a.label for a in procedure.attachments} if procedure else {}
    attachments = attachments_of(session, dossier_id=dossier.id)
    return {
        "attachments": attachments, "attachment_labels": labels,
        "attachment_specs": procedure.attachments_for(dossier.variant) if procedure else (),
        "quick": quick_check(dossier, vessel, procedure, attached=frozenset(a.name for a in attachments)),
    }


def _operator_procedures() -> tuple[Procedure, ...]:
    return load_catalogue().offered_on(OPERATOR)


@router.get("/dossiers/new", response_class=HTMLResponse)
def new_dossier_page(request: Request, user: StaffPage) -> Response:
    context = {"procedures": _operator_procedures(), "values": {}, "errors": {}}
    return render(request, "new_dossier.html", context)


@router.post("/dossiers/new", response_class=HTMLResponse)
def new_dossier(request: Request, user: StaffPage, form: CsrfForm, db: SessionDep) -> Response:
    settings = request.app.state.settings
    errors: dict[str, str] = {}
    code, variant = form.get("procedure", "").partition(":")[::2]
    procedure = load_catalogue().get(code)
    if procedure is None or not procedure.offered_on(OPERATOR):
        errors["procedure"] = "Chọn một thủ tục."
    phone = None
    if form.get("phone", "").strip():
        try:
            phone = normalize_phone(form["phone"])
        except InvalidPhone:
            errors["phone"] = "Số điện thoại không hợp lệ (VD: 0905123456)."
    vessel, registration = None, None
    if procedure is not None and procedure.needs_vessel:
        try:
            vessel, registration = registry_vessel(db, form.get("vessel"), province=settings.hotline_province)
        except InvalidRegistration:
            errors["vessel"] = "Số đăng ký tàu cá không đúng dạng (VD: QNg-90567-TS hoặc 90567)."
    if errors or procedure is None:
        return render(request, "new_dossier.html", {"procedures": _operator_procedures(), "values": form,
                                                    "errors": errors}, status_code=422)
    draft = create_draft(
        db, procedure=procedure.code, variant=variant or None, channel=OPERATOR, vessel=vessel,
        vessel_registration=registration, applicant_phone=phone, by=user.username,
    )
    claim_dossier(db, reference=draft.reference, user=user, ip=client_ip(request))
    db.commit()
    return RedirectResponse(f"/console/dossiers/{draft.reference}", status_code=303)


@router.get("/dossiers/{reference}/attachments/{attachment_id}")
def attachment_file(request: Request, reference: str, attachment_id: int, user: StaffPage,
                    db: SessionDep) -> Response:
    row = repository.get_dossier(db, reference=reference)
    found = next((a for a in attachments_of(db, dossier_id=row.dossier.id) if a.id == attachment_id), None) \
        if row else None
    if row is None or found is None:
        raise ConsoleError(404, "Không tìm thấy giấy tờ", f"Hồ sơ số {reference} không có giấy tờ này.")
    try:
        content = request_store(request).get(found.storage_key)
    except StoreError:
        raise ConsoleError(503, "Chưa xem được giấy tờ", "Kho lưu giấy tờ tạm thời không đọc được.") from None
    record_audit(db, actor=user, action="view_attachment", target=f"dossier:{reference}",
                 ip=client_ip(request), detail={"attachment": found.id, "name": found.name})
    db.commit()
    return Response(content, media_type=found.content_type, headers={
        "Content-Disposition": f'inline; filename="{reference}-{found.name}-{found.id}"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
    })


@router.post("/dossiers/{reference}/quick-submit")
def quick_submit(
    request: Request, reference: str, user: StaffPage, form: CsrfForm, db: SessionDep
) -> Response:
    row = repository.get_dossier(db, reference=reference)
    if row is None:
        raise ConsoleError(404, "Không tìm thấy hồ sơ", f"Không có hồ sơ số {reference}.")
    check = quick_check(row.dossier, row.vessel, load_catalogue().get(row.dossier.procedure),
                        attached=attached_names(db, dossier_id=row.dossier.id))
    if not check.ready:
        return RedirectResponse(f"/console/dossiers/{reference}?notice=not_ready", status_code=303)
    try:
        submit_dossier(db, reference=reference, user=user, ip=client_ip(request))
    except (DossierInvalid, ClaimConflict, DossierNotEditable):
        db.rollback()
        return RedirectResponse(f"/console/dossiers/{reference}?notice=not_ready", status_code=303)
    db.commit()
    return RedirectResponse(f"/console/dossiers/{reference}?notice=submitted", status_code=303)
