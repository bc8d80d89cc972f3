"""The call log as supervisors filter, sort and page it (keyset paging on every sort)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from callcenter.reports.period import Period
from callcenter.reports.summary import in_period
from models.call import Call
from models.dossier import Dossier
from models.queue import QueueEntry
from models.user import User

Sort = Literal["newest", "oldest", "longest"]
SORTS: dict[str, str] = {"newest": "Mới nhất", "oldest": "Cũ nhất", "longest": "Dài nhất"}


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class CallLogFilters:
    period: Period
    from_number: str | None = None
    outcome: str | None = None
    operator: str | None = None  # username of the operator who handled the dossier the call led to
    procedure: str | None = None


@dataclass(frozen=True)
class CallLogRow:
    call: Call
    applicant_name: str | None
    procedure: str | None
    dossier_status: str | None
    operator: str | None  # username of who handled the call's dossier
    operator_name: str | None = None  # their full name
    answered_by: str | None = None  # the operator who took the call from the queue
    queue_wait_s: int | None = None  # how long the caller waited in the queue

    def sort_value(self, sort: Sort) -> Any:
        if sort == "longest":
            return self.call.duration_s if self.call.duration_s is not None else -1
        return self.call.started_at


def encode_cursor(value: Any, row_id: int) -> str:
    text = f"{value.isoformat() if isinstance(value, datetime) else int(value)}|{row_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort) -> tuple[Any, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        value_text, id_text = text.split("|")
        value: Any = int(value_text) if sort == "longest" else datetime.fromisoformat(value_text)
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("naive")
        return value, int(id_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor(cursor) from exc


def _key(sort: Sort) -> ColumnElement[Any]:
    return func.coalesce(Call.duration_s, -1) if sort == "longest" else Call.started_at  # type: ignore[return-value]


def _after(sort: Sort, value: Any, row_id: int) -> ColumnElement[bool]:
    key = _key(sort)
    if sort == "oldest":
        return or_(key > value, and_(key == value, Call.id > row_id))
    return or_(key < value, and_(key == value, Call.id < row_id))


def _latest_entry(column: Any) -> Any:
    """The call's latest queue entry's `column` (a call is queued once, nearly always)."""
    return (select(column).where(QueueEntry.call_id == Call.id).order_by(QueueEntry.id.desc()).limit(1)
            .correlate(Call).scalar_subquery())


def _statement(filters: CallLogFilters) -> Select[Any]:
    operator = aliased(User)
    stmt = (
        select(Call, Dossier.applicant_name, Dossier.procedure, Dossier.status, operator.username,
               operator.full_name, _latest_entry(QueueEntry.answered_by), _latest_entry(QueueEntry.wait_s))
        .outerjoin(Dossier, Dossier.reference == Call.dossier_reference)
        # Who handled the dossier (kept after submission); a live call's answering
        # operator is the call's own record.
        .outerjoin(operator, operator.id == Dossier.handled_by_id)
        .where(*in_period(Call.started_at, filters.period))
    )
    if filters.from_number:
        stmt = stmt.where(Call.from_number == filters.from_number)
    if filters.outcome:
        stmt = stmt.where(Call.outcome == filters.outcome)
    if filters.operator:
        stmt = stmt.where(operator.username == filters.operator)
    if filters.procedure:
        stmt = stmt.where(Dossier.procedure == filters.procedure)
    return stmt


def list_call_log(
    session: Session, *, filters: CallLogFilters, sort: Sort = "newest", cursor: str | None = None, limit: int
) -> list[CallLogRow]:
    stmt = _statement(filters)
    if cursor:
        value, row_id = decode_cursor(cursor, sort)
        stmt = stmt.where(_after(sort, value, row_id))
    key = _key(sort)
    order = (key.asc(), Call.id.asc()) if sort == "oldest" else (key.desc(), Call.id.desc())
    rows = session.execute(stmt.order_by(*order).limit(limit)).all()
    return [CallLogRow(call, name, procedure, status, op, full or None, by, waited)
            for call, name, procedure, status, op, full, by, waited in rows]


def next_cursor(rows: list[CallLogRow], *, limit: int, sort: Sort) -> tuple[list[CallLogRow], str | None]:
    """Rows fetched with `limit + 1` → this page and the cursor of the next, if any."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(page[-1].sort_value(sort), page[-1].call.id)
