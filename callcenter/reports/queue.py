"""The operators' queue over a period (contract section 8): offered, answered (and within
the service level), abandoned in the queue, call-backs chosen, average wait and handle
time; and per operator: calls answered, average handle time, wrap-up codes.

A caller counts in the period they joined the queue. `avg_wait_s` is over every caller
who has left the queue (answered, hung up, or taken a call-back); `avg_handle_s` over
the answered calls that have ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from callcenter.reports.period import Period
from callcenter.reports.summary import in_period
from models.callback import CallbackRequest
from models.queue import QueueEntry
from models.user import User


@dataclass(frozen=True)
class QueueFigures:
    offered: int
    answered: int
    answered_within_service_level: int
    abandoned: int
    callback_chosen: int
    avg_wait_s: float | None
    avg_handle_s: float | None
    service_level: float | None  # answered within SERVICE_LEVEL_S ÷ offered; None when none offered


@dataclass(frozen=True)
class OperatorCalls:
    username: str
    full_name: str
    answered: int
    avg_handle_s: float | None
    wrap_up_codes: dict[str, int] = field(default_factory=dict)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def queue_figures(session: Session, *, period: Period, service_level_s: int) -> QueueFigures:
    answered = QueueEntry.result == "answered"
    row = session.execute(
        select(
            func.count(QueueEntry.id),
            _count(answered),
            _count(and_(answered, QueueEntry.wait_s <= service_level_s)),
            _count(QueueEntry.result == "abandoned_in_queue"),
            _count(CallbackRequest.reason == "queue_choice"),
            func.avg(QueueEntry.wait_s),
            func.avg(case((answered, QueueEntry.handle_s))),
        )
        .outerjoin(CallbackRequest, CallbackRequest.id == QueueEntry.callback_request_id)
        .where(*in_period(QueueEntry.joined_at, period))
    ).one()
    offered, n_answered, within, abandoned, chosen = (int(v or 0) for v in row[:5])
    return QueueFigures(
        offered=offered, answered=n_answered, answered_within_service_level=within, abandoned=abandoned,
        callback_chosen=chosen, avg_wait_s=float(row[5]) if row[5] is not None else None,
        avg_handle_s=float(row[6]) if row[6] is not None else None,
        service_level=round(within / offered, 4) if offered else None,
    )


def operator_calls(session: Session, *, period: Period) -> list[OperatorCalls]:
    rows = session.execute(
        select(User.username, User.full_name, func.count(QueueEntry.id), func.avg(QueueEntry.handle_s))
        .join(QueueEntry, QueueEntry.answered_by_id == User.id)
        .where(*in_period(QueueEntry.joined_at, period))
        .group_by(User.username, User.full_name)
        .order_by(func.count(QueueEntry.id).desc(), User.username)
    ).all()
    codes: dict[str, dict[str, int]] = {}
    for username, code, n in session.execute(
        select(User.username, QueueEntry.wrap_up_code, func.count(QueueEntry.id))
        .join(QueueEntry, QueueEntry.answered_by_id == User.id)
        .where(QueueEntry.wrap_up_code.is_not(None), *in_period(QueueEntry.joined_at, period))
        .group_by(User.username, QueueEntry.wrap_up_code)
    ).all():
        codes.setdefault(username, {})[str(code)] = int(n)
    return [OperatorCalls(username=u, full_name=f, answered=int(n),
                          avg_handle_s=float(a) if a is not None else None, wrap_up_codes=codes.get(u, {}))
            for u, f, n, a in rows]
