"""`GET /api/v1/reports/summary` (supervisors): the period's calls and the IVR funnel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from callcenter.auth.deps import SettingsDep, SupervisorUser
from callcenter.reports.context import ReportContext, report_context
from callcenter.reports.period import parse_period
from callcenter.reports.queue import queue_figures
from callcenter.reports.summary import call_summary, funnel
from models.db import SessionDep

router = APIRouter(prefix="/reports", tags=["reports"])


class FunnelStepOut(BaseModel):
    menu: str
    title: str
    reached: int
    went_on: int
    abandoned: int
    to_operator: int


class QueueOut(BaseModel):
    offered: int
    answered: int
    answered_within_service_level: int
    abandoned: int
    callback_chosen: int
    avg_wait_s: float | None
    avg_handle_s: float | None
    service_level: float | None


class SummaryOut(BaseModel):
    calls: int
    dossiers_created: int
    transferred: int
    callback_requested: int
    abandoned: int
    # The rest, so that the figures above and these add up to `calls`: callers who only
    # heard a dossier's status, calls with no outcome yet, and any other outcome.
    status_read: int
    in_progress: int
    other: int
    funnel: list[FunnelStepOut]
    queue: QueueOut


@router.get("/summary")
def summary(
    user: SupervisorUser,
    session: SessionDep,
    settings: SettingsDep,
    ctx: Annotated[ReportContext, Depends(report_context)],
    since: Annotated[str | None, Query(description="ISO date or datetime, inclusive")] = None,
    until: Annotated[str | None, Query(description="ISO datetime (exclusive) or date (inclusive)")] = None,
) -> SummaryOut:
    period = parse_period(since, until, tz=ctx.tz)
    figures = call_summary(session, period=period)
    in_queue = queue_figures(session, period=period, service_level_s=settings.service_level_s)
    steps = funnel(session, period=period, menus=ctx.menus, operator_nodes=ctx.operator_nodes)
    return SummaryOut(
        calls=figures.calls, dossiers_created=figures.dossiers_created, transferred=figures.transferred,
        callback_requested=figures.callback_requested, abandoned=figures.abandoned,
        status_read=figures.status_read, in_progress=figures.in_progress, other=figures.other,
        funnel=[FunnelStepOut(**vars(step)) for step in steps],
        queue=QueueOut(**vars(in_queue)),
    )
