"""Reading call-backs: a dossier's attempts, those due again (keyset paged), and the
callers' open requests (voice messages, callers who left the queue) oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.call import Call
from models.callback import CallbackAttempt, CallbackRequest
from models.dossier import Dossier
from models.vessel import Vessel, owned_vessels

ATTEMPTS_SHOWN = 20


def attempts_for(db: Session, *, dossier_id: int, limit: int = ATTEMPTS_SHOWN) -> Sequence[CallbackAttempt]:
    """Newest first (index: dossier_id, id)."""
    stmt = (select(CallbackAttempt).where(CallbackAttempt.dossier_id == dossier_id)
            .order_by(CallbackAttempt.id.desc()).limit(limit))
    return db.scalars(stmt).all()


@dataclass(frozen=True)
class DueCallback:
    attempt: CallbackAttempt
    dossier: Dossier


def due_callbacks(
    db: Session, *, now: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[DueCallback]:
    """Attempts whose retry time has come, longest overdue first (index: next_attempt_at, id)."""
    stmt = (
        select(CallbackAttempt, Dossier)
        .join(Dossier, Dossier.id == CallbackAttempt.dossier_id)
        .where(CallbackAttempt.next_attempt_at.is_not(None), CallbackAttempt.next_attempt_at <= now,
               CallbackAttempt.request_id.is_(None))  # a request's attempts are on its own list
    )
    if after is not None:
        at, last_id = after
        stmt = stmt.where(or_(CallbackAttempt.next_attempt_at > at,
                              and_(CallbackAttempt.next_attempt_at == at, CallbackAttempt.id > last_id)))
    stmt = stmt.order_by(CallbackAttempt.next_attempt_at, CallbackAttempt.id).limit(limit)
    return [DueCallback(a, d) for a, d in db.execute(stmt)]


@dataclass(frozen=True)
class OpenRequest:
    request: CallbackRequest
    owner_name: str | None  # the vessel's owner in the registry, when the vessel is known
    called_at: datetime  # when the caller called (the call's start; else the request's time)
    dossier_reference: str | None
    last_attempt: CallbackAttempt | None
    # The vessel the caller named, or else the one vessel their number is registered to.
    vessel_registration: str | None = None


def open_requests(db: Session, *, after: tuple[datetime, int] | None, limit: int) -> list[OpenRequest]:
    """Open requests in the order to call back (index: status, requested_at), each with
    what the operator needs on the line: the vessel's owner, the call, the last attempt."""
    stmt = (
        select(CallbackRequest, Vessel.owner_name, Call.started_at, Dossier.reference)
        .outerjoin(Vessel, Vessel.registration_number == CallbackRequest.vessel_registration)
        .outerjoin(Call, Call.id == CallbackRequest.call_id)
        .outerjoin(Dossier, Dossier.id == CallbackRequest.dossier_id)
        .where(CallbackRequest.status == "open")
    )
    if after is not None:
        at, last_id = after
        stmt = stmt.where(or_(CallbackRequest.requested_at > at,
                              and_(CallbackRequest.requested_at == at, CallbackRequest.id > last_id)))
    rows = db.execute(stmt.order_by(CallbackRequest.requested_at, CallbackRequest.id).limit(limit)).all()
    ids = [r.id for r, *_ in rows]
    last: dict[int, CallbackAttempt] = {}
    if ids:
        for attempt in db.scalars(select(CallbackAttempt).where(CallbackAttempt.request_id.in_(ids))
                                  .order_by(CallbackAttempt.id)):
            if attempt.request_id is not None:
                last[attempt.request_id] = attempt
    by_phone = owned_vessels(db, {r.phone for r, owner, *_ in rows if r.vessel_registration is None})
    found = []
    for r, owner, started, reference in rows:
        registration, owner_name = r.vessel_registration, owner
        owned = by_phone.get(r.phone) if registration is None else None
        if owned is not None:
            registration, owner_name = owned.registration_number, owned.owner_name
        found.append(OpenRequest(r, owner_name, started or r.requested_at, reference, last.get(r.id),
                                 registration))
    return found

