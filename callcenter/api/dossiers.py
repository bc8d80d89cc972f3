"""`GET /api/v1/dossiers`, `GET /api/v1/dossiers/{reference}` (citizen IDs masked), and
`GET /api/v1/dossiers/{reference}/id-number` (the whole ID: the holder or a supervisor, audited)."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from callcenter.auth.deps import StaffUser
from callcenter.dossiers import repository
from callcenter.dossiers.access import ID_NUMBER_FORBIDDEN, may_see_id_number
from callcenter.dossiers.repository import DossierRow
from callcenter.dossiers.schemas import DossierDetail, DossierSummary
from callcenter.pagination import Page, PageDep, query_error, split_page
from models.db import SessionDep, write_unit
from models.domain.phone import InvalidPhone, normalize_phone
from models.dossier import PROCEDURES, STATUSES

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/dossiers", tags=["dossiers"])

def _one_of(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        raise query_error(name, f"Giá trị không hợp lệ; chọn một trong: {', '.join(allowed)}.", value)
    return value


def _phone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_phone(value)
    except InvalidPhone:
        raise query_error("phone", "Số điện thoại không hợp lệ.", value) from None


@router.get("")
def list_dossiers(
    user: StaffUser,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query()] = None,
    procedure: Annotated[str | None, Query()] = None,
    phone: Annotated[str | None, Query(description="0905… or +84905…")] = None,
) -> Page[DossierSummary]:
    rows = repository.list_dossiers(
        session,
        status=_one_of("status", status, STATUSES),
        procedure=_one_of("procedure", procedure, PROCEDURES),
        applicant_phone=_phone(phone),
        after=page.after,
        limit=page.limit + 1,
    )
    items, next_cursor = split_page(rows, limit=page.limit, key=lambda r: r.cursor)
    return Page(items=[DossierSummary.from_row(r) for r in items], next_cursor=next_cursor)


@router.get("/{reference}")
def get_dossier(user: StaffUser, session: SessionDep, reference: str) -> DossierDetail:
    row = _row(session, reference)
    messages = repository.list_messages(session, dossier_id=row.dossier.id)
    return DossierDetail.from_parts(row, messages=messages)


class IdNumberOut(BaseModel):
    reference: str
    id_number: str


@router.get(
    "/{reference}/id-number",
    responses={403: {"description": "not the operator holding the dossier, nor a supervisor"},
               404: {"description": "no such dossier, or no ID number on it yet"}},
)
def get_id_number(user: StaffUser, session: SessionDep, reference: str, request: Request) -> IdNumberOut:
    """The applicant's whole citizen ID, to the operator holding the dossier or a supervisor
    (admins manage accounts, not citizens' files: no), with an audit line of who, when
    and from where."""
    row = _row(session, reference)
    if not may_see_id_number(user, row.dossier):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=ID_NUMBER_FORBIDDEN)
    number = row.dossier.applicant_id_number
    if not number:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Hồ sơ số {reference} chưa có số căn cước.")
    # Personal-data law: who saw a citizen's ID number, when and from where must be provable.
    session.rollback()  # end the reads: the audit line is written in a unit of its own
    with write_unit(session):
        record_audit(session, actor=user, action="view_id_number", target=f"dossier:{reference}",
                     ip=request.client.host if request.client else None, detail={"via": "api"})
        session.commit()
    log.info("dossier.id_number_viewed", by=user.username, reference=reference)
    return IdNumberOut(reference=reference, id_number=number)


def _row(session: Session, reference: str) -> DossierRow:
    row = repository.get_dossier(session, reference=reference)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Không tìm thấy hồ sơ số {reference}.")
    return row
