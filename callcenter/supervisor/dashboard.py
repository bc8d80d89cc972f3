"""Pages: the dashboard (pictures first, tables second), the impact page, the printable report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from callcenter.audit.log import record_audit
from callcenter.console.deps import SupervisorPage, client_ip
from callcenter.console.templating import procedure_name
from callcenter.csv_export import csv_text
from callcenter.operators.wrap_up import code_label
from callcenter.reports.context import ReportContext, report_context
from callcenter.supervisor.charts import PALETTE, Series, bar_chart, column_chart
from callcenter.supervisor.common import DEFAULT_DAYS, PeriodFigures, page_period, period_figures
from callcenter.supervisor.templating import render
from models.base import utcnow
from models.db import SessionDep

router = APIRouter()
Ctx = Annotated[ReportContext, Depends(report_context)]


# Dossier statuses grouped into the four stages a supervisor reads at a glance.
STAGES = (
    ("Chờ điện thoại viên", ("draft", "in_progress"), PALETTE["amber"]),
    ("Đang ở một cửa", ("submitting", "submitted", "processing"), PALETTE["blue"]),
    ("Có kết quả", ("result_ready", "in_transit", "delivered"), PALETTE["green"]),
    ("Hủy / không chấp nhận", ("cancelled", "rejected"), PALETTE["red"]),
)


def _by_procedure(f: PeriodFigures) -> tuple[list[str], list[tuple[int, ...]]]:
    counts: dict[str, dict[str, int]] = {}
    for procedure, status, n in f.by_procedure_status:
        counts.setdefault(procedure, {})[status] = n
    labels = [procedure_name(p) for p in counts]
    values = [tuple(sum(c.get(s, 0) for s in statuses) for _, statuses, _ in STAGES) for c in counts.values()]
    return labels, values


def charts(f: PeriodFigures) -> dict[str, Markup]:
    days = [d.day[8:10] + "/" + d.day[5:7] for d in f.per_day]
    return {
        "per_day": column_chart(
            "Cuộc gọi theo ngày", days, [(d.served, d.abandoned, d.abandoned_in_queue) for d in f.per_day],
            [Series("Được phục vụ", PALETTE["blue"]), Series("Bỏ máy trong menu", PALETTE["red"]),
             Series("Bỏ máy khi chờ điện thoại viên", PALETTE["amber"])],
            label_every=max(1, -(-len(days) // 10)),
        ),
        "per_hour": column_chart(
            "Cuộc gọi theo giờ trong ngày", [f"{h}h" for h in range(24)], [(n,) for n in f.per_hour],
            [Series("Cuộc gọi", PALETTE["blue"])], height=200, label_every=3,
        ),
        "funnel": bar_chart(
            "Phễu tổng đài tự động",
            [s.title for s in f.funnel],
            [(s.went_on, s.to_operator, s.abandoned) for s in f.funnel],
            [Series("Đi tiếp", PALETTE["green"]), Series("Gặp điện thoại viên", PALETTE["amber"]),
             Series("Bỏ máy", PALETTE["red"])],
        ),
        "by_procedure": bar_chart(
            "Hồ sơ theo thủ tục và giai đoạn", *_by_procedure(f),
            [Series(name, colour) for name, _, colour in STAGES],
        ),
        "waiting": bar_chart(
            "Hồ sơ nháp đang chờ, theo thời gian chờ", [label for label, _ in f.waiting.by_age],
            [(n,) for _, n in f.waiting.by_age], [Series("Hồ sơ", PALETTE["amber"])],
        ),
    }


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, user: SupervisorPage, db: SessionDep, ctx: Ctx,
              since: str | None = None, until: str | None = None) -> Response:
    period, since_shown, until_shown = page_period(since, until, ctx, default_days=DEFAULT_DAYS)
    figures = period_figures(db, period=period, ctx=ctx)
    return render(request, "sv_dashboard.html", {
        "f": figures, "charts": charts(figures), "since": since_shown, "until": until_shown, "now": ctx.now,
    })


@router.get("/", include_in_schema=False)
def dashboard_slash() -> RedirectResponse:
    return RedirectResponse("/console/supervisor", status_code=303)


@router.get("/impact", response_class=HTMLResponse)
def impact_page(request: Request, user: SupervisorPage, db: SessionDep, ctx: Ctx) -> Response:
    figures = period_figures(db, period=page_period(None, None, ctx, default_days=DEFAULT_DAYS)[0], ctx=ctx)
    months = sorted(figures.impact_since_start.by_month.items())
    chart = column_chart(
        "Hồ sơ nộp từ xa theo tháng", [m[5:7] + "/" + m[2:4] for m, _ in months],
        [(v.dossiers_phone, v.dossiers_sms, v.dossiers_web) for _, v in months],
        [Series("Qua điện thoại", PALETTE["blue"]), Series("Qua SMS", PALETTE["green"]),
         Series("Qua điện thoại thông minh", PALETTE["amber"])],
        label_every=max(1, -(-len(months) // 8)),
    )
    return render(request, "sv_impact.html", {"f": figures, "months": months, "chart": chart})


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, user: SupervisorPage, db: SessionDep, ctx: Ctx,
                since: str | None = None, until: str | None = None) -> Response:
    period, since_shown, until_shown = page_period(since, until, ctx, default_days=DEFAULT_DAYS)
    figures = period_figures(db, period=period, ctx=ctx)
    return render(request, "sv_report.html", {
        "f": figures, "charts": charts(figures), "since": since_shown, "until": until_shown, "now": ctx.now,
    })


@router.get("/report.csv")
def report_csv(request: Request, user: SupervisorPage, db: SessionDep, ctx: Ctx,
               since: str | None = None, until: str | None = None) -> Response:
    """The period's figures as one table a spreadsheet can pivot: section, item, measure, value."""
    period, since_shown, until_shown = page_period(since, until, ctx, default_days=DEFAULT_DAYS)
    f = period_figures(db, period=period, ctx=ctx)
    s = f.summary
    # Each call once (the rows after "Tổng" add up to it); then how the queue's calls ended.
    rows: list[tuple[object, ...]] = [
        ("Cuộc gọi", "", name, value) for name, value in (
            ("Tổng", s.calls), ("Tạo hồ sơ", s.dossiers_created), ("Chuyển điện thoại viên", s.transferred),
            ("Xin gọi lại ngoài giờ trực", s.callback_requested), ("Hỏi tình trạng", s.status_read),
            ("Bỏ máy trong menu", s.abandoned), ("Chưa rõ kết quả", s.in_progress + s.other))
    ]
    rows += [("Cuộc gọi", "Chuyển điện thoại viên", name, value) for name, value in (
        ("Được nghe máy", s.answered), ("Bỏ máy khi chờ", s.abandoned_in_queue),
        ("Chuyển sang gọi lại", s.queue_callback), ("Đang chờ hoặc chưa rõ", s.still_in_queue))]
    for step in f.funnel:
        rows += [("Phễu", step.title, measure, value) for measure, value in (
            ("Đến bước", step.reached), ("Đi tiếp", step.went_on),
            ("Gặp điện thoại viên", step.to_operator), ("Bỏ máy", step.abandoned))]
    for op in f.operators:
        rows += [("Điện thoại viên", op.full_name or op.username, "Nhận xử lý", op.handled),
                 ("Điện thoại viên", op.full_name or op.username, "Đã gửi", op.submitted),
                 ("Điện thoại viên", op.full_name or op.username, "Gọi lại", op.callbacks)]
    q = f.queue
    rows += [("Hàng chờ điện thoại viên", "", name, value) for name, value in (
        ("Vào hàng chờ", q.offered), ("Được nghe máy", q.answered),
        (f"Nghe máy trong {ctx.service_level_s} giây", q.answered_within_service_level),
        ("Bỏ máy khi chờ", q.abandoned), ("Chọn gọi lại", q.callback_chosen),
        ("Tỉ lệ nghe máy trong chuẩn (%)",
         round(100 * q.service_level, 1) if q.service_level is not None else ""),
        ("Chờ trung bình (giây)", round(q.avg_wait_s) if q.avg_wait_s is not None else ""),
        ("Xử lý trung bình (giây)", round(q.avg_handle_s) if q.avg_handle_s is not None else ""))]
    for oc in f.operator_calls:
        name = oc.full_name or oc.username
        rows += [("Điện thoại viên", name, "Cuộc gọi đã nghe", oc.answered),
                 ("Điện thoại viên", name, "Xử lý trung bình (giây)",
                  round(oc.avg_handle_s) if oc.avg_handle_s is not None else "")]
        rows += [("Điện thoại viên", name, f"Kết quả: {code_label(code)}", n)
                 for code, n in oc.wrap_up_codes.items()]
    rows += [("Hồ sơ", f"{procedure} / {status}", "Số hồ sơ", n)
             for procedure, status, n in f.by_procedure_status]
    rows += [("Hồ sơ theo kênh", channel, "Số hồ sơ", n) for channel, n in f.by_channel.items()]
    rows += [("Phễu điện thoại thông minh", step.title, "Số lượng", step.count) for step in f.web_funnel]
    rows += [("Hiệu quả", "", "Chuyến đi tránh được", f.impact.total.trips_avoided),
             ("Hiệu quả", "", "Tiền tiết kiệm (đồng)", f.impact.total.saved_vnd)]
    record_audit(db, actor=user, action="export", target="report", ip=client_ip(request),
                 detail={"format": "csv", "since": since_shown, "until": until_shown})
    db.commit()
    return Response(
        content=csv_text(("Mục", "Chi tiết", "Chỉ số", "Giá trị"), rows).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="bao-cao-{utcnow():%Y%m%d-%H%M}.csv"'},
    )
