"""The period's call figures and the IVR funnel (contract section 5, `/reports/summary`).

Each call of the period counts once, under what it came to, so the figures add up to
`calls`: a dossier (what a call achieved stays, even if the caller then asked for a
person); put through to the operators' queue — `transferred`, whatever the queue's end
(answered, hung up while waiting, a call-back instead, or still waiting), broken down
beside it; a call-back the IVR itself promised (outside opening hours, a voice message);
the status of a dossier read out; given up in the menus (`abandoned`); still on the line.
A caller who hung up while waiting for a person is counted in `transferred` and shown as
its own figure (`abandoned_in_queue`), not folded into `abandoned`: the menus' hang-ups are
the flow's business and add up to the funnel's; the queue's are the staffing's, and sit
beside the service level. Call-backs and self-service hang-ups are never abandonment
(DESIGN: honest metrics).

Funnel, per waiting menu (menu or entry node): of the calls that reached it, how many
went on to another step, how many hung up there, how many were put through to the
operators' queue from it (by `0`, by the third miss, or by a guard). The next step of each
visit is `LEAD(menu)` over the call's menu events. Outside opening hours the operator node
takes a call-back message instead: that caller went on, they were not put through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from callcenter.reports.period import Period
from ivr.flow.definition import WAITING, Flow
from models.call import Call, CallEvent
from models.queue import QueueEntry

# Outcomes only a call put through to the operators' queue ends with (the flow's
# `transferred`, then the queue's own); a queue call-back ends `callback_requested`, like
# the IVR's, and is told apart by its queue entry.
QUEUE_OUTCOMES = ("transferred", "answered", "abandoned_in_queue")


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
    """One figure per call (they add up to `calls`), and how the queue's ended."""

    calls: int
    dossiers_created: int
    transferred: int  # put through to the operators' queue, whatever came of it
    callback_requested: int  # promised by the IVR itself, without the queue
    abandoned: int  # hung up in the menus before anything was done
    status_read: int
    in_progress: int  # no outcome yet: still on the line, or Twilio's status never came
    other: int  # an outcome none of the above names (an old `error`)
    # Of `transferred`: answered by an operator, hung up while waiting, a call-back instead;
    # the rest are still waiting (or the queue's end never reached us).
    answered: int
    abandoned_in_queue: int
    queue_callback: int

    @property
    def still_in_queue(self) -> int:
        return self.transferred - self.answered - self.abandoned_in_queue - self.queue_callback


def in_period(column: Any, period: Period) -> list[ColumnElement[bool]]:
    """`column` within the period (a timestamp column of any table)."""
    conditions: list[ColumnElement[bool]] = []
    if period.since is not None:
        conditions.append(column >= period.since)
    if period.until is not None:
        conditions.append(column < period.until)
    return conditions


def put_through() -> ColumnElement[bool]:
    """The call was put through to the operators' queue (whatever came of it)."""
    return or_(Call.outcome.in_(QUEUE_OUTCOMES), exists().where(QueueEntry.call_id == Call.id))


def call_summary(session: Session, *, period: Period) -> CallSummary:
    # The first matching branch wins: a dossier first, then the queue's ends (`answered` and
    # `abandoned_in_queue` are only ever the queue's), then the rest.
    queued = put_through()
    bucket = case(
        (Call.outcome == "dossier_created", "dossier_created"),
        (Call.outcome.in_(("answered", "abandoned_in_queue")), Call.outcome),
        (and_(queued, Call.outcome == "callback_requested"), "queue_callback"),
        (queued, "queue_other"),
        (Call.outcome.is_(None), "in_progress"),
        (Call.outcome.in_(("callback_requested", "abandoned", "status_read")), Call.outcome),
        else_="other",
    ).label("bucket")
    calls = select(bucket).where(*in_period(Call.started_at, period)).subquery()
    counts: dict[str, int] = {
        str(name): int(n)
        for name, n in session.execute(select(calls.c.bucket, func.count()).group_by(calls.c.bucket)).all()
    }
    answered, gave_up, queue_callback = (counts.get(k, 0) for k in
                                         ("answered", "abandoned_in_queue", "queue_callback"))
    return CallSummary(
        calls=sum(counts.values()), dossiers_created=counts.get("dossier_created", 0),
        transferred=answered + gave_up + queue_callback + counts.get("queue_other", 0),
        callback_requested=counts.get("callback_requested", 0), abandoned=counts.get("abandoned", 0),
        status_read=counts.get("status_read", 0), in_progress=counts.get("in_progress", 0),
        other=counts.get("other", 0), answered=answered, abandoned_in_queue=gave_up,
        queue_callback=queue_callback,
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
            put_through().label("queued"),
        )
        .join(Call, Call.id == CallEvent.call_id)
        .where(CallEvent.kind == "menu", *in_period(Call.started_at, period))
        .subquery()
    )
    to_operator = and_(visits.c.next_menu.in_(sorted(operator_nodes)), visits.c.queued)
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
            .where(Call.outcome == "abandoned", ~put_through(), Call.abandoned_menu.in_(names),
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
