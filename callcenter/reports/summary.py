"""The period's call figures and the IVR funnel (contract section 5, `/reports/summary`).

Funnel, per waiting menu (menu or entry node): of the calls that reached it, how many
went on to another step, how many hung up there, how many were put through to an
operator (by `0`, by the third miss, or by a guard). The next step of each visit is
`LEAD(menu)` over the call's menu events; call-backs and self-service hang-ups after
a dossier are not abandonment (DESIGN: honest metrics).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from callcenter.reports.period import Period
from ivr.flow.definition import WAITING, Flow
from models.call import Call, CallEvent

OUTCOMES = ("dossier_created", "transferred", "callback_requested", "abandoned", "status_read", "error")


@dataclass(frozen=True)
class FunnelStep:
    menu: str
    title: str
    reached: int
    went_on: int
    abandoned: int
    to_operator: int


@dataclass(frozen=True)
class CallSummary:
    calls: int
    dossiers_created: int
    transferred: int
    callback_requested: int
    abandoned: int
    status_read: int
    in_progress: int  # no outcome yet: still on the line, or Twilio's status never came


def in_period(column: Any, period: Period) -> list[ColumnElement[bool]]:
    """`column` within the period (a timestamp column of any table)."""
    conditions: list[ColumnElement[bool]] = []
    if period.since is not None:
        conditions.append(column >= period.since)
    if period.until is not None:
        conditions.append(column < period.until)
    return conditions


def call_summary(session: Session, *, period: Period) -> CallSummary:
    def outcome_count(outcome: str) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((Call.outcome == outcome, 1), else_=0)), 0)

    row = session.execute(
        select(
            func.count(Call.id),
            *[outcome_count(o) for o in ("dossier_created", "transferred", "callback_requested",
                                         "abandoned", "status_read")],
            func.coalesce(func.sum(case((Call.outcome.is_(None), 1), else_=0)), 0),
        ).where(*in_period(Call.started_at, period))
    ).one()
    calls, dossiers, transferred, callback, abandoned, status_read, in_progress = (int(v) for v in row)
    return CallSummary(
        calls=calls, dossiers_created=dossiers, transferred=transferred, callback_requested=callback,
        abandoned=abandoned, status_read=status_read, in_progress=in_progress,
    )


def funnel_menus(flows: Iterable[Flow], current: Flow) -> list[tuple[str, str]]:
    """(node, title) of every waiting node, in the current flow's order, then older ones."""
    seen: dict[str, str] = {}
    for flow in (current, *flows):
        for name, node in flow.nodes.items():
            if node.type in WAITING and name not in seen:
                seen[name] = node.title or name
    return list(seen.items())


def funnel(
    session: Session, *, period: Period, menus: list[tuple[str, str]], operator_nodes: set[str]
) -> list[FunnelStep]:
    names = [name for name, _ in menus]
    visits = (
        select(
            CallEvent.call_id.label("call_id"),
            CallEvent.menu.label("menu"),
            func.lead(CallEvent.menu)
            .over(partition_by=CallEvent.call_id, order_by=CallEvent.id)
            .label("next_menu"),
        )
        .join(Call, Call.id == CallEvent.call_id)
        .where(CallEvent.kind == "menu", *in_period(Call.started_at, period))
        .subquery()
    )
    to_operator = visits.c.next_menu.in_(sorted(operator_nodes))
    went_on = and_(
        visits.c.next_menu.is_not(None), visits.c.next_menu != visits.c.menu, ~to_operator
    )
    rows = session.execute(
        select(
            visits.c.menu,
            func.count(distinct(visits.c.call_id)),
            func.count(distinct(case((went_on, visits.c.call_id)))),
            func.count(distinct(case((to_operator, visits.c.call_id)))),
        )
        .where(visits.c.menu.in_(names))
        .group_by(visits.c.menu)
    ).all()
    abandoned = dict(
        session.execute(
            select(Call.abandoned_menu, func.count(Call.id))
            .where(Call.outcome == "abandoned", Call.abandoned_menu.in_(names),
                   *in_period(Call.started_at, period))
            .group_by(Call.abandoned_menu)
        ).all()
    )
    by_menu = {menu: (reached, on, op) for menu, reached, on, op in rows}
    steps = []
    for name, title in menus:
        reached, on, op = by_menu.get(name, (0, 0, 0))
        steps.append(FunnelStep(menu=name, title=title, reached=int(reached), went_on=int(on),
                                abandoned=int(abandoned.get(name, 0)), to_operator=int(op)))
    return steps
