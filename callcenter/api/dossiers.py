"""`GET /api/v1/dossiers`, `GET /api/v1/dossiers/{reference}`."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, HTTPException, Query, status

from callcenter.auth.deps import StaffUser
from callcenter.dossiers import repository
from callcenter.dossiers.schemas import DossierDetail, DossierSummary
from callcenter.pagination import Page, PageDep, query_error, split_page
from models.db import SessionDep
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
    shown = [r.dossier.reference for r in items if r.dossier.applicant_id_number]
    _log_id_numbers_shown(user.username, shown)
    return Page(items=[DossierSummary.from_row(r) for r in items], next_cursor=next_cursor)


@router.get("/{reference}")
def get_dossier(user: StaffUser, session: SessionDep, reference: str) -> DossierDetail:
    row = repository.get_dossier(session, reference=reference)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Không tìm thấy hồ sơ số {reference}.")
    if row.dossier.applicant_id_number:
        _log_id_numbers_shown(user.username, [reference])
    messages = repository.list_messages(session, dossier_id=row.dossier.id)
    return DossierDetail.from_parts(row, messages=messages)


def _log_id_numbers_shown(username: str, references: list[str]) -> None:
    # Personal-data law: who saw a citizen's ID number, and when, must be provable.
    if references:
        log.info("dossier.id_number_viewed", by=username, references=references)
