"""The dashboard's figures for a period, each one query grouped in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from callcenter.reports.period import Period
from callcenter.reports.sql import dialect_name, local_day, local_hour, percentiles, seconds_between
from callcenter.reports.summary import in_period, put_through
from models.audit import AuditEntry
from models.base import UTCDateTime
from models.call import Call
from models.dossier import Dossier
from models.user import User

# Ages of the drafts still waiting for an operator, as a supervisor thinks of them.
AGE_BUCKETS: tuple[tuple[str, int], ...] = (
    ("< 1 giờ", 3600), ("1–4 giờ", 4 * 3600), ("4–24 giờ", 24 * 3600), ("1–3 ngày", 3 * 86400),
)
OLDEST_BUCKET = "> 3 ngày"


@dataclass(frozen=True)
class DayCalls:
    day: str  # YYYY-MM-DD, local
    calls: int
    abandoned: int  # hung up in the menus (the summary's `abandoned`)
    abandoned_in_queue: int  # hung up while waiting for an operator

    @property
    def served(self) -> int:
        return self.calls - self.abandoned - self.abandoned_in_queue


@dataclass(frozen=True)
class WaitingDrafts:
    count: int
    oldest_created_at: datetime | None
    by_age: list[tuple[str, int]]


@dataclass(frozen=True)
class Durations:
    """Seconds; None when nothing in the period has both ends."""

    count: int
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class OperatorFigures:
    username: str
    full_name: str
    handled: int  # dossiers this operator took in the period (and still the last to take them)
    submitted: int  # of those, sent to the one-stop system
    callbacks: int  # call-backs placed (audit trail)
    avg_submit_s: float | None  # taken → submitted


def calls_per_day(session: Session, *, period: Period, offset_s: int) -> list[DayCalls]:
    """Calls per local day, and the two kinds of hang-up counted as the summary counts them."""
    day = local_day(Call.started_at, offset_s, dialect_name(session)).label("day")
    in_menus = and_(Call.outcome == "abandoned", ~put_through())
    in_queue = Call.outcome == "abandoned_in_queue"
    rows = session.execute(
        select(day, func.count(Call.id),
               func.coalesce(func.sum(case((in_menus, 1), else_=0)), 0),
               func.coalesce(func.sum(case((in_queue, 1), else_=0)), 0))
        .where(*in_period(Call.started_at, period))
        .group_by(day)
        .order_by(day)
    ).all()
    return [DayCalls(day=str(d), calls=int(c), abandoned=int(a), abandoned_in_queue=int(q))
            for d, c, a, q in rows]


def calls_per_hour(session: Session, *, period: Period, offset_s: int) -> list[int]:
    """24 counts, index = local hour of the day."""
    hour = local_hour(Call.started_at, offset_s, dialect_name(session)).label("hour")
    counts = dict(
        session.execute(
            select(hour, func.count(Call.id)).where(*in_period(Call.started_at, period)).group_by(hour)
        ).all()
    )
    return [int(counts.get(h, 0)) for h in range(24)]


def waiting_drafts(session: Session, *, now: datetime) -> WaitingDrafts:
    """Drafts nobody has claimed yet, by age now (not limited to the period: they wait now)."""
    age = seconds_between(Dossier.created_at, literal(now, UTCDateTime()), dialect_name(session))
    bucket = case(*[(age < limit, label) for label, limit in AGE_BUCKETS], else_=OLDEST_BUCKET).label("b")
    draft = Dossier.status == "draft"
    counts: dict[str, int] = dict(
        session.execute(select(bucket, func.count(Dossier.id)).where(draft).group_by(bucket)).all()
    )
    oldest = session.scalar(select(func.min(Dossier.created_at)).where(draft))
    labels = [label for label, _ in AGE_BUCKETS] + [OLDEST_BUCKET]
    return WaitingDrafts(
        count=sum(int(v) for v in counts.values()), oldest_created_at=oldest,
        by_age=[(label, int(counts.get(label, 0))) for label in labels],
    )


def _durations(session: Session, start: object, end: object, *, period: Period, when: object) -> Durations:
    seconds = seconds_between(start, end, dialect_name(session))
    values = (
        select(seconds.label("value"))
        .where(end.is_not(None), start.is_not(None), *in_period(when, period))  # type: ignore[attr-defined]
        .subquery()
    )
    count = session.scalar(select(func.count()).select_from(values)) or 0
    median, p90 = percentiles(session, values, (0.5, 0.9))
    return Durations(count=int(count), median_s=median, p90_s=p90)


def time_to_submission(session: Session, *, period: Period) -> Durations:
    """From the call (the dossier's creation) to its hand-over to the one-stop system."""
    return _durations(session, Dossier.created_at, Dossier.submitted_at, period=period,
                      when=Dossier.submitted_at)


def time_to_claim(session: Session, *, period: Period) -> Durations:
    """How long a draft waited before an operator took it to call the fisher back."""
    return _durations(session, Dossier.created_at, Dossier.handled_at, period=period, when=Dossier.handled_at)


def dossiers_by_procedure_status(session: Session, *, period: Period) -> list[tuple[str, str, int]]:
    rows = session.execute(
        select(Dossier.procedure, Dossier.status, func.count(Dossier.id))
        .where(*in_period(Dossier.created_at, period))
        .group_by(Dossier.procedure, Dossier.status)
        .order_by(Dossier.procedure, Dossier.status)
    ).all()
    return [(p, s, int(n)) for p, s, n in rows]


def dossiers_by_channel(session: Session, *, period: Period) -> dict[str, int]:
    rows = session.execute(
        select(Dossier.channel, func.count(Dossier.id))
        .where(*in_period(Dossier.created_at, period)).group_by(Dossier.channel)
    ).all()
    return {c: int(n) for c, n in rows}


def per_operator(session: Session, *, period: Period) -> list[OperatorFigures]:
    """Counted by who handled each dossier, which a submission keeps (`handled_by_id`)."""
    dialect = dialect_name(session)
    submitted_in = case((Dossier.submitted_at.is_not(None), 1), else_=0)
    claims = (
        select(
            Dossier.handled_by_id.label("user_id"),
            func.count(Dossier.id).label("handled"),
            func.sum(submitted_in).label("submitted"),
            func.avg(seconds_between(Dossier.handled_at, Dossier.submitted_at, dialect)).label("avg_s"),
        )
        .where(Dossier.handled_by_id.is_not(None), *in_period(Dossier.handled_at, period))
        .group_by(Dossier.handled_by_id)
        .subquery()
    )
    callbacks = (
        select(AuditEntry.actor_id.label("user_id"), func.count(AuditEntry.id).label("n"))
        .where(AuditEntry.action == "callback", *in_period(AuditEntry.at, period))
        .group_by(AuditEntry.actor_id)
        .subquery()
    )
    rows = session.execute(
        select(User.username, User.full_name, claims.c.handled, claims.c.submitted, callbacks.c.n,
               claims.c.avg_s)
        .outerjoin(claims, claims.c.user_id == User.id)
        .outerjoin(callbacks, callbacks.c.user_id == User.id)
        .where((User.role == "operator") | claims.c.handled.is_not(None) | callbacks.c.n.is_not(None))
        .order_by(func.coalesce(claims.c.handled, 0).desc(), User.username)
    ).all()
    return [
        OperatorFigures(username=u, full_name=f, handled=int(h or 0), submitted=int(s or 0),
                        callbacks=int(c or 0), avg_submit_s=float(a) if a is not None else None)
        for u, f, h, s, c, a in rows
    ]
