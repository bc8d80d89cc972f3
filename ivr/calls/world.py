"""The engine's `World` answered from the database, lazily: only what a step asks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ivr.calls.rows import CallRows
from ivr.flow.state import DossierFact, VesselFact
from ivr.hours import is_open
from ivr.settings import Settings
from models.raw import Driver, Link, RawCursor, Statements

# What the caller may hear of a dossier, and whose it is.
_HEARD = (
    "SELECT reference, procedure, variant, status, onestop_due_date, postal_tracking_number, applicant_phone "
    "FROM dossiers "
)
_SQL = Statements(
    newest_of_phone=_HEARD + "WHERE applicant_phone = :phone ORDER BY created_at DESC, id DESC LIMIT 1",
    by_reference=_HEARD + "WHERE reference = :reference",
)


def _dossier_fact(row: Any, driver: Driver, *, own: bool) -> DossierFact:
    """`row`: a row of `_HEARD`. `own`: the caller is the applicant; anyone else hears
    status and dates only."""
    return DossierFact(
        reference=row[0],
        procedure=row[1],
        variant=row[2],
        status=row[3],
        due_date=driver.date_out(row[4]),
        tracking_number=row[5] if own else None,
    )


class DatabaseWorld:
    def __init__(
        self, link: Link, rows: CallRows, *, caller: str, settings: Settings, now: datetime
    ) -> None:
        self.link = link
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
        raw = RawCursor(self.link, _SQL)
        row = raw.one("newest_of_phone", {"phone": self.caller})
        return _dossier_fact(row, raw.driver, own=True) if row else None

    def find_dossier(self, reference: str) -> DossierFact | None:
        raw = RawCursor(self.link, _SQL)
        row = raw.one("by_reference", {"reference": reference})
        if row is None:
            return None
        return _dossier_fact(row, raw.driver, own=bool(self.caller) and row[6] == self.caller)

    def is_open(self) -> bool:
        return is_open(self.now, self.settings)
