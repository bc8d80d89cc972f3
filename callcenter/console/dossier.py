"""The dossier page: what the operator acts on first (claim, call back, the one-stop code),
then what the IVR gathered and the registry's vessel, the form that completes the
dossier for the operator who holds it (save, submit, show the citizen ID on request),
the call's path in words, the call-backs and the history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from callcenter.callbacks.repository import attempts_for
from callcenter.callbacks.service import OUTCOME_LABELS
from callcenter.calls.narrative import call_path
from callcenter.calls.repository import get_call
from callcenter.console import web_dossiers
from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, client_ip
from callcenter.console.dossier_form import (
    DELIVERY_METHODS,
    error_summary,
    initial_values,
    known_id_number,
    patch_from_form,
    verified_vessel,
)
from callcenter.console.errors import ConsoleError
from callcenter.console.notices import notice_text
from callcenter.console.templating import render
from callcenter.dossiers import repository
from callcenter.dossiers.access import ID_NUMBER_FORBIDDEN, may_see_id_number
from callcenter.dossiers.form_values import ADDRESS_PARTS
from callcenter.dossiers.repository import DossierRow
from callcenter.dossiers.service import (
    CLAIM_IDLE,
    ClaimConflict,
    DossierInvalid,
    DossierNotEditable,
    DossierNotFound,
    release_claim,
    submit_dossier,
    update_dossier,
)
from callcenter.procedures import FieldSpec, load_catalogue
from ivr.runtime import HotlineRuntime
from ivr.settings import Settings
from models.base import utcnow
from models.db import SessionDep
from models.user import User

router = APIRouter()

EDITABLE = frozenset({"draft", "in_progress"})
NOT_FOUND = "Không tìm thấy hồ sơ"
ID_NUMBER_FORBIDDEN_TITLE = "Không xem được số căn cước"
# A licence in the registry that ends within this many days is flagged to the operator.
LICENCE_SOON_DAYS = 60
# What the one error summary at the top says happened to the operator's action.
ErrorKind = Literal["save", "submit", "conflict"]
ERROR_HEADINGS = {
    "save": "Chưa lưu được. Hãy sửa {n} mục dưới đây:",
    "submit": "Đã lưu các thay đổi, nhưng chưa gửi được hồ sơ. Còn {n} mục cần bổ sung hoặc sửa:",
    "conflict": "Không thực hiện được:",
}


def _row(db: Session, reference: str) -> DossierRow:
    row = repository.get_dossier(db, reference=reference)
    if row is None:
        raise ConsoleError(404, NOT_FOUND, f"Không có hồ sơ số {reference}.")
    return row


def _specs(row: DossierRow) -> tuple[FieldSpec, ...]:
    procedure = load_catalogue().get(row.dossier.procedure)
    return procedure.fields_for(row.dossier.variant) if procedure else ()


def licence_state(expiry: date | None, today: date) -> str | None:
    """`expired`, `soon` (within LICENCE_SOON_DAYS) or None: from the registry's date."""
    if expiry is None:
        return None
    if expiry < today:
        return "expired"
    return "soon" if expiry <= today + timedelta(days=LICENCE_SOON_DAYS) else None


def _people(db: Session, row: DossierRow) -> dict[str, str]:
    """Usernames on the page (holder, history, call-backs) → full names."""
    names = {e.by for e in row.dossier.history} | ({row.claimed_by} if row.claimed_by else set())
    found = db.execute(select(User.username, User.full_name).where(User.username.in_(names))).all()
    return {username: full or username for username, full in found}


def _handler_name(db: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    found = db.execute(select(User.username, User.full_name).where(User.id == user_id)).first()
    return (found[1] or found[0]) if found else None


def _page(request: Request, db: Session, row: DossierRow, user: User, *,
          values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          error_kind: ErrorKind = "save", notice: str | None = None, revealed: str | None = None,
          status_code: int = 200) -> Response:
    settings: Settings = request.app.state.settings
    runtime: HotlineRuntime = request.app.state.hotline
    dossier = row.dossier
    call = get_call(db, call_sid=dossier.call_sid) if dossier.call_sid else None
    specs = _specs(row)
    procedure = load_catalogue().get(dossier.procedure)
    known_id = known_id_number(dossier, row.vessel)
    registry = verified_vessel(dossier, row.vessel)
    now = utcnow()
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    editable_status = dossier.status in EDITABLE
    idle = dossier.claimed_at is not None and dossier.claimed_at < now - CLAIM_IDLE
    mine = editable_status and row.claimed_by == user.username
    people = _people(db, row)
    summary = error_summary(errors or {}, specs)
    context: dict[str, Any] = {
        "row": row, "dossier": dossier, "vessel": row.vessel, "registry": registry,
        "licence": licence_state(registry.licence_expiry if registry else None, today),
        "call": call, "specs": specs,
        "path": call_path(call.events, [runtime.flows.get(call.flow_version), runtime.current])
        if call else [],
        "values": values if values is not None else initial_values(dossier, row.vessel, call, specs),
        "errors": errors or {}, "summary": summary,
        "summary_heading": ERROR_HEADINGS[error_kind].format(n=len(summary)) if summary else "",
        "notice": None if summary else notice, "known_id": known_id, "revealed": revealed,
        # The "show" button only for someone the reveal route would answer.
        "may_reveal": bool(known_id) and may_see_id_number(user, dossier),
        # Only the operator holding the dossier gets the form; anyone else a claim button.
        "editable": mine, "mine": mine,
        "claimable": editable_status and (row.claimed_by is None or idle) and not mine,
        "holder": people.get(row.claimed_by or "", row.claimed_by) if row.claimed_by else None,
        "may_release": row.claimed_by is not None and (mine or user.role in ("supervisor", "admin")),
        "handled_by": _handler_name(db, dossier.handled_by_id),
        "people": people,
        "attempts": attempts_for(db, dossier_id=dossier.id), "outcome_labels": OUTCOME_LABELS,
        "address_parts": ADDRESS_PARTS, "delivery_methods": DELIVERY_METHODS,
        "now": now, "processing_days": procedure.processing_days(dossier.variant) if procedure else None,
        "needs_vessel": procedure.needs_vessel if procedure else True,
        **web_dossiers.page_context(db, dossier, row.vessel),  # _attachments.html
    }
    return render(request, "dossier.html", context, status_code=status_code)


@router.get("/dossiers/{reference}", response_class=HTMLResponse)
def dossier_page(request: Request, reference: str, user: StaffPage, db: SessionDep,
                 notice: str | None = None) -> Response:
    row = _row(db, reference)
    return _page(request, db, row, user, notice=notice_text(notice, received=bool(row.dossier.onestop_code)))


def _error_page(request: Request, db: Session, reference: str, user: User, exc: Exception,
                form: dict[str, str] | None) -> Response:
    row = _row(db, reference)
    if isinstance(exc, ClaimConflict):
        holder = _people(db, row).get(exc.holder, exc.holder)
        errors = {"": f"Hồ sơ đang được {holder} xử lý."}
    else:
        errors = {"": str(exc)}
    return _page(request, db, row, user, values=form, errors=errors, error_kind="conflict", status_code=409)


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
                     error_kind="submit", status_code=422)
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
    """The whole citizen ID, on the dossier page, to whom `may_see_id_number` allows; audited."""
    row = _row(db, reference)
    if not may_see_id_number(user, row.dossier):
        # Refused before anything is read or written: no number, no audit line.
        raise ConsoleError(403, ID_NUMBER_FORBIDDEN_TITLE, ID_NUMBER_FORBIDDEN)
    number = known_id_number(row.dossier, row.vessel)
    if number:
        # Personal-data law: who saw a citizen's ID number, and when, must be provable.
        record_audit(db, actor=user, action="view_id_number", target=f"dossier:{reference}",
                     ip=client_ip(request))
        db.commit()
    return _page(request, db, _row(db, reference), user, revealed=number)
