"""Reading the call log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from callcenter.pagination import Cursor, older_than
from models.call import Call
from models.dossier import Dossier


@dataclass(frozen=True)
class CallRow:
    call: Call
    applicant_name: str | None  # of the dossier the call led to, if any

    @property
    def cursor(self) -> Cursor:
        return Cursor(at=self.call.started_at, id=self.call.id)


@dataclass(frozen=True)
class CallFilters:
    from_number: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    outcome: str | None = None


def list_calls(
    session: Session, *, filters: CallFilters, after: Cursor | None = None, limit: int
) -> list[CallRow]:
    """Newest first by start."""
    stmt = select(Call, Dossier.applicant_name).outerjoin(
        Dossier, Dossier.reference == Call.dossier_reference
    )
    if filters.from_number is not None:
        stmt = stmt.where(Call.from_number == filters.from_number)
    if filters.since is not None:
        stmt = stmt.where(Call.started_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(Call.started_at < filters.until)
    if filters.outcome is not None:
        stmt = stmt.where(Call.outcome == filters.outcome)
    if after is not None:
        stmt = stmt.where(older_than(Call.started_at, Call.id, after))
    stmt = stmt.order_by(Call.started_at.desc(), Call.id.desc()).limit(limit)
    return [CallRow(call, name) for call, name in session.execute(stmt)]


def get_call(session: Session, *, call_sid: str) -> Call | None:
    stmt = select(Call).where(Call.call_sid == call_sid).options(selectinload(Call.events))
    return session.scalars(stmt).first()


def led_to_dossier_claimed_by(session: Session, *, call: Call, user_id: int) -> bool:
    """Whether the call produced a dossier that this operator now holds."""
    same_call = Dossier.call_sid == call.call_sid
    if call.dossier_reference:
        same_call = or_(same_call, Dossier.reference == call.dossier_reference)
    stmt = select(exists().where(Dossier.claimed_by_id == user_id, same_call))
    return bool(session.scalar(stmt))
