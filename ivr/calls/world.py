"""The engine's `World` answered from the database, lazily: only what a step asks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ivr.calls.rows import CallRows
from ivr.flow.state import DossierFact, VesselFact
from ivr.hours import is_open
from ivr.settings import HotlineSettings
from models.dossier import Dossier

# What the caller may hear of a dossier, and whose it is.
_HEARD = select(
    Dossier.reference, Dossier.procedure, Dossier.variant, Dossier.status, Dossier.onestop_due_date,
    Dossier.postal_tracking_number, Dossier.applicant_phone,
)


def _dossier_fact(dossier: Any, *, own: bool) -> DossierFact:
    """`dossier`: a row of `_HEARD`. `own`: the caller is the applicant; anyone else hears
    status and dates only."""
    return DossierFact(
        reference=dossier.reference,
        procedure=dossier.procedure,
        variant=dossier.variant,
        status=dossier.status,
        due_date=dossier.onestop_due_date,
        tracking_number=dossier.postal_tracking_number if own else None,
    )


class DatabaseWorld:
    def __init__(
        self, conn: Connection, rows: CallRows, *, caller: str, settings: HotlineSettings, now: datetime
    ) -> None:
        self.conn = conn
        self.rows = rows
        self.caller = caller
        self.settings = settings
        self.now = now

    def caller_vessel(self) -> VesselFact | None:
        if not self.caller:
            return None
        vessels = self.rows.vessels_of_phone(self.caller)
        return vessels[0] if len(vessels) == 1 else None

    def find_vessel(self, digits: str) -> VesselFact | None:
        registration = f"{self.settings.hotline_province}-{digits}-TS"
        return self.rows.vessel_by_number(registration)

    def caller_newest_dossier(self) -> DossierFact | None:
        if not self.caller:
            return None
        dossier = self.conn.execute(
            _HEARD.where(Dossier.applicant_phone == self.caller)
            .order_by(Dossier.created_at.desc(), Dossier.id.desc())
            .limit(1)
        ).first()
        return _dossier_fact(dossier, own=True) if dossier else None

    def find_dossier(self, reference: str) -> DossierFact | None:
        dossier = self.conn.execute(_HEARD.where(Dossier.reference == reference)).first()
        if dossier is None:
            return None
        return _dossier_fact(dossier, own=bool(self.caller) and dossier.applicant_phone == self.caller)

    def is_open(self) -> bool:
        return is_open(self.now, self.settings)
