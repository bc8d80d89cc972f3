"""The engine's `World` answered from the database, lazily: only what a step asks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from ivr.calls import rows
from ivr.flow.state import DossierFact, VesselFact
from ivr.hours import is_open
from ivr.intake.drafts import DOSSIERS
from ivr.settings import Settings

_d = DOSSIERS.c
# What the caller may hear of a dossier, and whose it is.
_HEARD = select(_d.reference, _d.procedure, _d.variant, _d.status, _d.onestop_due_date,
                _d.postal_tracking_number, _d.applicant_phone)
_NEWEST_OF_PHONE = (_HEARD.where(_d.applicant_phone == bindparam("phone"))
                    .order_by(_d.created_at.desc(), _d.id.desc()).limit(1))
_BY_REFERENCE = _HEARD.where(_d.reference == bindparam("reference"))


def _fact(row: Row[Any, Any, Any, Any, Any, Any, Any], *, own: bool) -> DossierFact:
    """`own`: the caller is the applicant; anyone else hears status and dates only."""
    return DossierFact(
        reference=row.reference, procedure=row.procedure, variant=row.variant, status=row.status,
        due_date=row.onestop_due_date, tracking_number=row.postal_tracking_number if own else None,
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
        row = self.session.execute(_NEWEST_OF_PHONE, {"phone": self.caller}).first()
        return _fact(row, own=True) if row else None

    def find_dossier(self, reference: str) -> DossierFact | None:
        row = self.session.execute(_BY_REFERENCE, {"reference": reference}).first()
        if row is None:
            return None
        return _fact(row, own=bool(self.caller) and row.applicant_phone == self.caller)

    def is_open(self) -> bool:
        return is_open(self.now, self.settings)
