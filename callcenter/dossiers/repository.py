"""Reading dossiers: one query per list page, whatever its length.

The dossier table has no ORM relationship to its vessel or to the operator holding it,
so both come in through outer joins on the same SELECT rather than a query per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from callcenter.pagination import Cursor, older_than
from models.dossier import Dossier
from models.message import Message
from models.user import User
from models.vessel import Vessel


@dataclass(frozen=True)
class DossierRow:
    dossier: Dossier
    vessel: Vessel | None
    claimed_by: str | None  # the operator's username

    @property
    def cursor(self) -> Cursor:
        return Cursor(at=self.dossier.created_at, id=self.dossier.id)


def _rows() -> Select[Dossier, Vessel, str]:  # outer joins: the last two may be None
    return (
        select(Dossier, Vessel, User.username)
        .outerjoin(Vessel, Vessel.id == Dossier.vessel_id)
        .outerjoin(User, User.id == Dossier.claimed_by_id)
    )


def list_dossiers(
    session: Session,
    *,
    status: str | None = None,
    procedure: str | None = None,
    applicant_phone: str | None = None,
    after: Cursor | None = None,
    limit: int,
) -> list[DossierRow]:
    """Newest first; `limit` rows at most."""
    stmt = _rows()
    if status is not None:
        stmt = stmt.where(Dossier.status == status)
    if procedure is not None:
        stmt = stmt.where(Dossier.procedure == procedure)
    if applicant_phone is not None:
        stmt = stmt.where(Dossier.applicant_phone == applicant_phone)
    if after is not None:
        stmt = stmt.where(older_than(Dossier.created_at, Dossier.id, after))
    stmt = stmt.order_by(Dossier.created_at.desc(), Dossier.id.desc()).limit(limit)
    return [DossierRow(d, v, u) for d, v, u in session.execute(stmt)]


def get_dossier(session: Session, *, reference: str) -> DossierRow | None:
    stmt = _rows().where(Dossier.reference == reference).options(selectinload(Dossier.history))
    row = session.execute(stmt).first()
    return DossierRow(*row) if row is not None else None


def list_messages(session: Session, *, dossier_id: int) -> Sequence[Message]:
    """Every SMS tied to the dossier, both directions, in the order they happened."""
    stmt = (
        select(Message)
        .where(Message.dossier_id == dossier_id)
        .order_by(Message.created_at, Message.id)
    )
    return session.scalars(stmt).all()
