"""`GET /api/v1/calls` (JSON or CSV) and `GET /api/v1/calls/{call_sid}`."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from callcenter.auth.deps import FORBIDDEN, CurrentUser, SettingsDep, SupervisorUser
from callcenter.calls import repository
from callcenter.calls.repository import CallFilters
from callcenter.calls.schemas import CallDetail, CallSummary, calls_csv
from callcenter.pagination import Cursor, Page, PageDep, query_error, split_page
from callcenter.reports.period import parse_period
from ivr.queue.entries import latest_entry
from models.base import utcnow
from models.db import SessionDep
from models.domain.phone import InvalidPhone, mask_phone, normalize_phone

router = APIRouter(prefix="/calls", tags=["calls"])

# An export walks the whole filtered range in pages of this size.
_CSV_BATCH = 1000


@router.get(
    "",
    response_model=Page[CallSummary],
    responses={200: {"content": {"text/csv": {}}, "description": "JSON page, or CSV with format=csv"}},
)
def list_calls(
    user: SupervisorUser,
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    request: Request,
    phone: Annotated[str | None, Query(description="the caller's number, 0905… or +84905…")] = None,
    since: Annotated[str | None, Query(description="ISO date or datetime, inclusive")] = None,
    until: Annotated[str | None, Query(description="ISO datetime (exclusive) or date (inclusive)")] = None,
    outcome: Annotated[str | None, Query(max_length=32)] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Page[CallSummary] | Response:
    tz = ZoneInfo(settings.timezone)
    try:
        from_number = normalize_phone(phone) if phone is not None else None
    except InvalidPhone:
        raise query_error("phone", "Số điện thoại không hợp lệ.", phone) from None
    # One reading of dates for calls and reports: an empty `since=` from a form means no bound.
    period = parse_period(since, until, tz=tz)
    filters = CallFilters(from_number=from_number, since=period.since, until=period.until, outcome=outcome)
    if format == "csv":
        response = _csv_response(session, filters=filters, after=page.after)
        record_audit(session, actor=user, action="export", target="calls",
                     ip=request.client.host if request.client else None,
                     detail={"format": "csv", "since": since, "until": until, "outcome": outcome,
                             "phone": mask_phone(from_number) or None})
        session.commit()
        return response
    rows = repository.list_calls(session, filters=filters, after=page.after, limit=page.limit + 1)
    items, next_cursor = split_page(rows, limit=page.limit, key=lambda r: r.cursor)
    return Page(items=[CallSummary.from_row(r) for r in items], next_cursor=next_cursor)


def _csv_response(session: Session, *, filters: CallFilters, after: Cursor | None) -> Response:
    """Every call the filters select, not one page: an export is for a whole period."""
    rows: list[CallSummary] = []
    while True:
        batch = repository.list_calls(session, filters=filters, after=after, limit=_CSV_BATCH)
        rows.extend(CallSummary.from_row(r) for r in batch)
        if len(batch) < _CSV_BATCH:
            break
        after = batch[-1].cursor
    filename = f"cuoc-goi-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(
        content=calls_csv(rows).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/{call_sid}")
def get_call(user: CurrentUser, session: SessionDep, call_sid: str) -> CallDetail:
    call = repository.get_call(session, call_sid=call_sid)
    if call is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Không tìm thấy cuộc gọi này.")
    entry = latest_entry(session, call_sid=call_sid)
    # Supervisors read every call; an operator the calls behind their own dossiers and
    # the calls they answered.
    answered = entry is not None and entry.answered_by_id == user.id
    if user.role not in ("supervisor", "admin") and not answered and not repository.led_to_dossier_claimed_by(
        session, call=call, user_id=user.id
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=FORBIDDEN)
    return CallDetail.from_call(call, entry)
