"""What every report needs from the running app: the flows (for the funnel) and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import Request

from callcenter.reports.summary import funnel_menus
from ivr.runtime import HotlineRuntime
from ivr.settings import IMPACT_FILE
from models.base import utcnow


@dataclass(frozen=True)
class ReportContext:
    tz: ZoneInfo
    menus: list[tuple[str, str]]  # (node, title) of the waiting nodes, in menu order
    operator_nodes: set[str]
    now: datetime
    impact_file: Path = IMPACT_FILE  # per-commune trip costs (REPORTS_IMPACT_FILE)
    service_level_s: int = 20  # SERVICE_LEVEL_S: the queue's yardstick

    @property
    def offset_s(self) -> int:
        offset = self.now.astimezone(self.tz).utcoffset()
        return int(offset.total_seconds()) if offset else 0


def report_context(request: Request) -> ReportContext:
    runtime: HotlineRuntime = request.app.state.hotline
    flows = list(runtime.flows.values())
    return ReportContext(
        tz=ZoneInfo(request.app.state.settings.timezone),
        menus=funnel_menus(flows, runtime.current),
        operator_nodes={flow.operator for flow in flows},
        now=utcnow(),
        impact_file=request.app.state.settings.reports.impact_file,
        service_level_s=request.app.state.settings.service_level_s,
    )
