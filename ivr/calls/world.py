"""The engine's `World` answered from the database, lazily: only what a step asks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.calls import rows
from ivr.flow.state import DossierFact, VesselFact
from ivr.hours import is_open
from ivr.settings import Settings
from models.dossier import Dossier

# What the caller may hear of a dossier, and whose it is.
_HEARD = (
    Dossier.reference, Dossier.procedure, Dossier.variant, Dossier.status, Dossier.onestop_due_date,
    Dossier.postal_tracking_number, Dossier.applicant_phone,
)


def _fact(row: tuple[object, ...], *, own: bool) -> DossierFact:
    """`own`: the caller is the applicant; anyone else hears status and dates only."""
    reference, procedure, variant, status, due_date, tracking, _phone = row
    return DossierFact(
        reference=str(reference), procedure=str(procedure), variant=variant,  # type: ignore[arg-type]
        status=str(status), due_date=due_date, tracking_number=tracking if own else None,  # type: ignore[arg-type]
    )


class DatabaseWorld:
    def __init__(self, session: Session, *, caller: str, settings: Settings, now: datetime) -> None:
        self.session = session
        self.caller = caller
        self.settings = settings
        self.now = now

    def caller_vessel(self) -> VesselFact | None:
        if not self.caller:
            return None
        vessels = rows.vessels_of_phone(self.session, self.caller)
        return vessels[0] if len(vessels) == 1 else None

    def find_vessel(self, digits: str) -> VesselFact | None:
        return rows.vessel_by_number(self.session, f"{self.settings.hotline_province}-{digits}-TS")

    def caller_newest_dossier(self) -> DossierFact | None:
        if not self.caller:
            return None
        row = self.session.execute(
            select(*_HEARD).where(Dossier.applicant_phone == self.caller)
            .order_by(Dossier.created_at.desc(), Dossier.id.desc()).limit(1)
        ).first()
        return _fact(tuple(row), own=True) if row else None

    def find_dossier(self, reference: str) -> DossierFact | None:
        row = self.session.execute(select(*_HEARD).where(Dossier.reference == reference)).first()
        if row is None:
            return None
        return _fact(tuple(row), own=bool(self.caller) and row.applicant_phone == self.caller)

    def is_open(self) -> bool:
        return is_open(self.now, self.settings)
