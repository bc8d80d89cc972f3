"""What the supervisor pages share: the period from the query, the figures of a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from callcenter.console.errors import ConsoleError
from callcenter.reports import dashboard as figures
from callcenter.reports.context import ReportContext
from callcenter.reports.impact import Impact, ImpactConfig, impact, load_impact_config, since_start
from callcenter.reports.period import Period, parse_period
from callcenter.reports.queue import OperatorCalls, QueueFigures, operator_calls, queue_figures
from callcenter.reports.summary import CallSummary, FunnelStep, call_summary, funnel
from callcenter.reports.web import WebStep, web_funnel

DEFAULT_DAYS = 30


def _iso_day(value: str | None) -> str | None:
    """A date as typed in the forms (`20/12/2026`, day first) → `2026-12-20`; others unchanged."""
    if not value:
        return value
    try:
        return datetime.strptime(value.strip(), "%d/%m/%Y").date().isoformat()
    except ValueError:
        return value.strip()


def page_period(
    since: str | None, until: str | None, ctx: ReportContext, *, default_days: int | None
) -> tuple[Period, str, str]:
    """The period, and its two local dates as `YYYY-MM-DD` (links carry these; forms show
    them day first)."""
    since, until = _iso_day(since), _iso_day(until)
    if not since and not until and default_days:
        today = ctx.now.astimezone(ctx.tz).date()
        since, until = (today - timedelta(days=default_days - 1)).isoformat(), today.isoformat()
    if not since and not until:
        return Period(since=None, until=None), "", ""
    try:
        period = parse_period(since, until, tz=ctx.tz)
    except RequestValidationError:
        raise ConsoleError(422, "Ngày không hợp lệ", "Hãy chọn ngày theo dạng ngày/tháng/năm.") from None
    return period, since or "", until or ""


@dataclass(frozen=True)
class PeriodFigures:
    summary: CallSummary
    funnel: list[FunnelStep]
    per_day: list[figures.DayCalls]
    per_hour: list[int]
    waiting: figures.WaitingDrafts
    to_submission: figures.Durations
    to_claim: figures.Durations
    by_procedure_status: list[tuple[str, str, int]]
    by_channel: dict[str, int]
    web_funnel: list[WebStep]
    operators: list[figures.OperatorFigures]
    impact: Impact
    impact_since_start: Impact
    impact_config: ImpactConfig
    queue: QueueFigures
    operator_calls: list[OperatorCalls]


def period_figures(session: Session, *, period: Period, ctx: ReportContext) -> PeriodFigures:
    config = load_impact_config(ctx.impact_file)
    return PeriodFigures(
        summary=call_summary(session, period=period),
        funnel=funnel(session, period=period, menus=ctx.menus, operator_nodes=ctx.operator_nodes),
        per_day=figures.calls_per_day(session, period=period, offset_s=ctx.offset_s),
        per_hour=figures.calls_per_hour(session, period=period, offset_s=ctx.offset_s),
        waiting=figures.waiting_drafts(session, now=ctx.now),
        to_submission=figures.time_to_submission(session, period=period),
        to_claim=figures.time_to_claim(session, period=period),
        by_procedure_status=figures.dossiers_by_procedure_status(session, period=period),
        by_channel=figures.dossiers_by_channel(session, period=period),
        web_funnel=web_funnel(session, period=period),
        operators=figures.per_operator(session, period=period),
        impact=impact(session, period=period, config=config, offset_s=ctx.offset_s),
        impact_since_start=impact(session, period=since_start(config, ctx.tz), config=config,
                                  offset_s=ctx.offset_s),
        impact_config=config,
        queue=queue_figures(session, period=period, service_level_s=ctx.service_level_s),
        operator_calls=operator_calls(session, period=period),
    )



