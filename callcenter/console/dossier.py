"""The dossier page: what the IVR gathered, the call's path, the registry's vessel, and
the form that completes the dossier (save, submit, show the citizen ID on request)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from callcenter.callbacks.repository import attempts_for
from callcenter.callbacks.service import OUTCOME_LABELS
from callcenter.calls.repository import get_call
from callcenter.console import web_dossiers
from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, client_ip
from callcenter.console.dossier_form import (
    ADDRESS_PARTS,
    DELIVERY_METHODS,
    initial_values,
    known_id_number,
    patch_from_form,
    registry_vessel,
)
from callcenter.console.errors import ConsoleError
from callcenter.console.notices import notice_text
from callcenter.console.templating import render
from callcenter.dossiers import repository
from callcenter.dossiers.repository import DossierRow
from callcenter.dossiers.service import (
    ClaimConflict,
    DossierInvalid,
    DossierNotEditable,
    DossierNotFound,
    release_claim,
    submit_dossier,
    update_dossier,
)
from callcenter.procedures import FieldSpec, load_catalogue
from models.base import utcnow
from models.db import SessionDep
from models.user import User

router = APIRouter()

EDITABLE = frozenset({"draft", "in_progress"})
EVENT_KINDS = {
    "menu": "Vào menu", "key": "Bấm phím", "prompt": "Nghe lời nhắc", "transfer": "Chuyển điện thoại viên",
    "callback": "Yêu cầu gọi lại", "consent": "Đồng ý thông báo", "dossier": "Tạo hồ sơ",
    "status": "Tra cứu", "outcome": "Kết thúc", "error": "Lỗi",
}
NOT_FOUND = "Không tìm thấy hồ sơ"


def _row(db: Session, reference: str) -> DossierRow:
    row = repository.get_dossier(db, reference=reference)
    if row is None:
        raise ConsoleError(404, NOT_FOUND, f"Không có hồ sơ số {reference}.")
    return row


def _specs(row: DossierRow) -> tuple[FieldSpec, ...]:
    procedure = load_catalogue().get(row.dossier.procedure)
    return procedure.fields_for(row.dossier.variant) if procedure else ()


def _page(request: Request, db: Session, row: DossierRow, user: User, *,
          values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          notice: str | None = None, revealed: str | None = None, status_code: int = 200) -> Response:
    dossier = row.dossier
    call = get_call(db, call_sid=dossier.call_sid) if dossier.call_sid else None
    specs = _specs(row)
    procedure = load_catalogue().get(dossier.procedure)
    known_id = known_id_number(dossier, row.vessel)
    context: dict[str, Any] = {
        "row": row, "dossier": dossier, "vessel": row.vessel,
        "registry": registry_vessel(dossier, row.vessel),
        "call": call, "events": call.events if call else [], "specs": specs,
        "values": values if values is not None else initial_values(dossier, row.vessel, call, specs),
        "errors": errors or {}, "notice": notice, "known_id": known_id, "revealed": revealed,
        "editable": dossier.status in EDITABLE and row.claimed_by in (None, user.username),
        "attempts": attempts_for(db, dossier_id=dossier.id), "outcome_labels": OUTCOME_LABELS,
        "event_kinds": EVENT_KINDS, "address_parts": ADDRESS_PARTS, "delivery_methods": DELIVERY_METHODS,
        "now": utcnow(), "processing_days": procedure.processing_days(dossier.variant) if procedure else None,
        "needs_vessel": procedure.needs_vessel if procedure else True,
        **web_dossiers.page_context(db, dossier, row.vessel),  # _attachments.html
    }
    return render(request, "dossier.html", context, status_code=status_code)


@router.get("/dossiers/{reference}", response_class=HTMLResponse)
def dossier_page(request: Request, reference: str, user: StaffPage, db: SessionDep,
                 notice: str | None = None) -> Response:
    return _page(request, db, _row(db, reference), user, notice=notice_text(notice))


def _error_page(request: Request, db: Session, reference: str, user: User, exc: Exception,
                form: dict[str, str] | None) -> Response:
    row = _row(db, reference)
    if isinstance(exc, ClaimConflict):
        errors = {"": f"Hồ sơ đang được {exc.holder} xử lý."}
    else:
        errors = {"": str(exc)}
    return _page(request, db, row, user, values=form, errors=errors, status_code=409)


@router.post("/dossiers/{reference}", response_class=HTMLResponse)
def save_dossier(request: Request, reference: str, user: StaffPage, form: CsrfForm,
                 db: SessionDep) -> Response:
    row = _row(db, reference)
    action = form.pop("action", "save")
    patch = patch_from_form(form, dossier=row.dossier, vessel=row.vessel, specs=_specs(row))
    ip = client_ip(request)
    try:
        update_dossier(db, reference=reference, user=user, patch=patch, ip=ip)
    except DossierInvalid as invalid:
        db.rollback()
        # Nothing typed is lost: the page comes back with the submitted values.
        return _page(request, db, _row(db, reference), user, values=form, errors=invalid.errors,
                     status_code=422)
    except (ClaimConflict, DossierNotEditable, DossierNotFound) as exc:
        db.rollback()
        return _error_page(request, db, reference, user, exc, form)
    if action != "submit":
        db.commit()
        return RedirectResponse(f"/console/dossiers/{reference}?notice=saved", status_code=303)
    try:
        with db.begin_nested():  # a refused submit must not undo the save before it
            submit_dossier(db, reference=reference, user=user, ip=ip)
    except DossierInvalid as invalid:
        db.commit()
        return _page(request, db, _row(db, reference), user, values=form, errors=invalid.errors,
                     notice="Đã lưu, nhưng hồ sơ chưa đủ để gửi.", status_code=422)
    except (ClaimConflict, DossierNotEditable) as exc:
        db.commit()
        return _error_page(request, db, reference, user, exc, form)
    db.commit()
    return RedirectResponse(f"/console/dossiers/{reference}?notice=submitted", status_code=303)


@router.post("/dossiers/{reference}/release")
def release(request: Request, reference: str, user: StaffPage, form: CsrfForm, db: SessionDep) -> Response:
    """Back to the queue: the holder may; a supervisor may take it from anyone."""
    try:
        release_claim(db, reference=reference, user=user, force=user.role in ("supervisor", "admin"),
                      ip=client_ip(request))
    except ClaimConflict as exc:
        db.rollback()
        return _error_page(request, db, reference, user, exc, None)
    except DossierNotFound:
        raise ConsoleError(404, NOT_FOUND, f"Không có hồ sơ số {reference}.") from None
    db.commit()
    return RedirectResponse("/console/queue", status_code=303)


@router.post("/dossiers/{reference}/id-number", response_class=HTMLResponse)
def reveal_id_number(request: Request, reference: str, user: StaffPage, form: CsrfForm,
                     db: SessionDep) -> Response:
    row = _row(db, reference)
    number = known_id_number(row.dossier, row.vessel)
    if number:
        # Personal-data law: who saw a citizen's ID number, and when, must be provable.
        record_audit(db, actor=user, action="view_id_number", target=f"dossier:{reference}",
                     ip=client_ip(request))
        db.commit()
    return _page(request, db, _row(db, reference), user, revealed=number)
