"""Pages: the call log (filters, sort, keyset pages, CSV) and one call's timeline."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from callcenter.calls.narrative import call_path
from callcenter.calls.repository import get_call
from callcenter.console.deps import SupervisorPage, client_ip
from callcenter.console.errors import ConsoleError
from callcenter.csv_export import csv_text
from callcenter.reports.context import ReportContext, report_context
from callcenter.supervisor.calllog import (
    SORTS,
    BadCursor,
    CallLogFilters,
    CallLogRow,
    Sort,
    list_call_log,
    next_cursor,
)
from callcenter.supervisor.common import page_period
from callcenter.supervisor.templating import OUTCOMES, render
from ivr.queue.entries import latest_entry
from ivr.runtime import HotlineRuntime
from models.base import utcnow
from models.db import SessionDep
from models.domain.phone import mask_phone, try_normalize_phone
from models.dossier import PROCEDURES, Dossier
from models.user import User

router = APIRouter()
PAGE_SIZE = 50
_CSV_BATCH = 1000
CSV_HEADER = ("Mã cuộc gọi", "Số gọi đến", "Bắt đầu", "Kết thúc", "Thời lượng (giây)", "Kết quả",
              "Bỏ máy ở bước", "Số hồ sơ", "Thủ tục", "Người nộp", "Điện thoại viên",
              "Điện thoại viên nghe máy", "Chờ trong hàng chờ (giây)")
Ctx = Annotated[ReportContext, Depends(report_context)]


def _filters(
    ctx: ReportContext, since: str | None, until: str | None, phone: str | None, outcome: str | None,
    operator: str | None, procedure: str | None,
) -> tuple[CallLogFilters, dict[str, str]]:
    period, since_shown, until_shown = page_period(since, until, ctx, default_days=None)
    from_number = try_normalize_phone(phone) if phone else None
    if phone and from_number is None:
        raise ConsoleError(422, "Số điện thoại không hợp lệ", f"Không đọc được số {phone!r}.")
    form = {"since": since_shown, "until": until_shown, "phone": phone or "", "outcome": outcome or "",
            "operator": operator or "", "procedure": procedure or ""}
    return CallLogFilters(period=period, from_number=from_number, outcome=outcome or None,
                          operator=operator or None, procedure=procedure or None), form


def _sort(value: str | None) -> Sort:
    return value if value in SORTS else "newest"  # type: ignore[return-value]


def _operators(db: Session) -> list[tuple[str, str]]:
    """(username, name to show) of every operator, for the filter."""
    rows = db.execute(
        select(User.username, User.full_name).where(User.role == "operator").order_by(User.username)
    )
    return [(username, full or username) for username, full in rows]


@router.get("/calls", response_class=HTMLResponse)
def call_log(
    request: Request, user: SupervisorPage, db: SessionDep, ctx: Ctx,
    since: str | None = None, until: str | None = None, phone: str | None = None, outcome: str | None = None,
    operator: str | None = None, procedure: str | None = None, sort: str | None = None,
    cursor: str | None = None,
) -> Response:
    filters, form = _filters(ctx, since, until, phone, outcome, operator, procedure)
    order = _sort(sort)
    try:
        rows = list_call_log(db, filters=filters, sort=order, cursor=cursor, limit=PAGE_SIZE + 1)
    except BadCursor:
        raise ConsoleError(400, "Trang không hợp lệ", "Hãy quay lại trang đầu của danh sách.") from None
    page, following = next_cursor(rows, limit=PAGE_SIZE, sort=order)
    query = {k: v for k, v in {**form, "sort": order}.items() if v}
    base = "/console/supervisor/calls"
    return render(request, "sv_calls.html", {
        "rows": page, "form": form, "sort": order, "sorts": SORTS, "outcomes": OUTCOMES,
        "procedures": PROCEDURES, "operators": _operators(db), "steps": dict(ctx.menus),
        "next_url": f"{base}?{urlencode({**query, 'cursor': following})}" if following else None,
        "first_url": f"{base}?{urlencode(query)}" if cursor else None,
        "csv_url": f"{base}.csv?{urlencode(query)}",
    })


def _csv_row(row: CallLogRow, steps: dict[str, str]) -> tuple[object, ...]:
    c = row.call
    ended = c.ended_at.isoformat() if c.ended_at else ""
    gave_up = steps.get(c.abandoned_menu, "một bước của menu") if c.abandoned_menu else ""
    return (c.call_sid, c.from_number, c.started_at.isoformat(), ended, c.duration_s,
            OUTCOMES.get(c.outcome or "", c.outcome or ""), gave_up, c.dossier_reference,
            row.procedure, row.applicant_name, row.operator_name or row.operator, row.answered_by,
            row.queue_wait_s)


@router.get("/calls.csv")
def call_log_csv(
    request: Request, user: SupervisorPage, db: SessionDep, ctx: Ctx,
    since: str | None = None, until: str | None = None, phone: str | None = None, outcome: str | None = None,
    operator: str | None = None, procedure: str | None = None, sort: str | None = None,
) -> Response:
    """Every call the filters select, in the page's order: an export is for a whole period."""
    filters, form = _filters(ctx, since, until, phone, outcome, operator, procedure)
    order = _sort(sort)
    rows: list[CallLogRow] = []
    cursor: str | None = None
    while True:
        batch = list_call_log(db, filters=filters, sort=order, cursor=cursor, limit=_CSV_BATCH + 1)
        page, cursor = next_cursor(batch, limit=_CSV_BATCH, sort=order)
        rows.extend(page)
        if cursor is None:
            break
    record_audit(db, actor=user, action="export", target="calls", ip=client_ip(request),
                 detail={"format": "csv", "rows": len(rows), "via": "console",
                         **form, "phone": mask_phone(filters.from_number) or ""})
    db.commit()
    return Response(
        content=csv_text(CSV_HEADER, (_csv_row(r, dict(ctx.menus)) for r in rows)).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cuoc-goi-{utcnow():%Y%m%d-%H%M}.csv"'},
    )


@router.get("/calls/{call_sid}", response_class=HTMLResponse)
def call_page(request: Request, user: SupervisorPage, db: SessionDep, ctx: Ctx, call_sid: str) -> Response:
    call = get_call(db, call_sid=call_sid)
    if call is None:
        raise ConsoleError(404, "Không tìm thấy cuộc gọi", f"Không có cuộc gọi {call_sid}.")
    dossier = None
    if call.dossier_reference:
        dossier = db.scalar(select(Dossier).where(Dossier.reference == call.dossier_reference))
    runtime: HotlineRuntime = request.app.state.hotline
    flow = runtime.flows.get(call.flow_version)
    return render(request, "sv_call.html", {
        "call": call, "dossier": dossier, "path": call_path(call.events, [flow, runtime.current]),
        "abandoned_at": dict(ctx.menus).get(call.abandoned_menu or ""),
        "entry": latest_entry(db, call_sid=call.call_sid),
    })
