"""`GET /api/v1/audit` (admins): who did what, when and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel

from callcenter.auth.deps import AdminUser, SettingsDep
from callcenter.pagination import Page, PageDep, split_page
from callcenter.reports.audit_trail import audit_cursor, list_audit
from callcenter.reports.period import parse_period
from models.audit import AuditEntry
from models.db import SessionDep

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    at: datetime
    actor: str
    role: str | None
    action: str
    target: str | None
    ip: str | None
    detail: dict[str, Any] | None

    @classmethod
    def from_entry(cls, e: AuditEntry) -> AuditEntryOut:
        return cls(at=e.at, actor=e.actor, role=e.role, action=e.action, target=e.target, ip=e.ip,
                   detail=e.detail)


@router.get("")
def list_entries(
    user: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    actor: Annotated[str | None, Query(max_length=64, description="username")] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[str | None, Query(description="ISO date or datetime, inclusive")] = None,
    until: Annotated[str | None, Query(description="ISO datetime (exclusive) or date (inclusive)")] = None,
) -> Page[AuditEntryOut]:
    period = parse_period(since, until, tz=ZoneInfo(settings.timezone))
    rows = list_audit(session, period=period, actor=actor, action=action, after=page.after,
                      limit=page.limit + 1)
    items, next_cursor = split_page(rows, limit=page.limit, key=audit_cursor)
    return Page(items=[AuditEntryOut.from_entry(e) for e in items], next_cursor=next_cursor)
