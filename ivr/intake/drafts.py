"""Draft dossiers, the same whether a caller, an SMS or an operator starts one.

Two statements on the driver's connection (`models.raw`): a draft is written on the
IVR's hot path once per call, and through the ORM, then Core, the toolkit cost more than
the rest of the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from models.base import utcnow
from models.domain.reference import new_reference
from models.raw import Link, RawCursor, Statements, link_of

CHANNEL_LABELS = {"ivr": "tổng đài tự động", "sms": "tin nhắn SMS", "operator": "điện thoại viên"}
REFERENCE_ATTEMPTS = 20


class DraftVessel(Protocol):
    """What a draft takes from the registry (an ORM `Vessel` or a lighter row)."""

    @property
    def id(self) -> int: ...
    @property
    def registration_number(self) -> str: ...
    @property
    def owner_name(self) -> str: ...
    @property
    def owner_phone(self) -> str | None: ...


@dataclass(frozen=True)
class Draft:
    """The new draft, as its caller needs it (receipt, log, linking a message)."""

    id: int
    reference: str
    procedure: str
    variant: str | None
    vessel_registration: str | None
    vessel_verified: bool


# ON CONFLICT on the reference: a reference taken meanwhile by another worker is one more
# try, not an aborted transaction (no savepoint needed). Every column is named: statements
# on the driver's connection get none of the models' Python-side defaults.
DRAFT_COLUMNS = (
    "reference, procedure, variant, channel, status, vessel_id, vessel_registration, vessel_verified, "
    "applicant_phone, applicant_name, call_sid, fields, created_at, updated_at"
)
_INSERT_DRAFT = (
    "INSERT INTO dossiers (" + DRAFT_COLUMNS + ") "
    "VALUES (:reference, :procedure, :variant, :channel, 'draft', :vessel_id, :vessel_registration, "
    ":vessel_verified, :applicant_phone, :applicant_name, :call_sid, :fields, :at, :at) "
    "ON CONFLICT (reference) DO NOTHING RETURNING id"
)


_HISTORY_OF_DRAFT = (
    'line AS (INSERT INTO dossier_events (dossier_id, at, "by", what, detail) '
    "SELECT draft.id, :at, :by, :what, NULL FROM draft) SELECT id FROM draft"
)


def _with_history(insert_draft: str) -> str:
    """PostgreSQL: the draft and its first history line in one round trip; no line when
    the reference was taken."""
    return "WITH draft AS (" + insert_draft + "), " + _HISTORY_OF_DRAFT


_SQL = Statements(
    insert_draft=_INSERT_DRAFT,
    insert_history=(
        'INSERT INTO dossier_events (dossier_id, at, "by", what, detail) '
        "VALUES (:dossier_id, :at, :by, :what, NULL)"
    ),
    insert_draft_with_history=_with_history(_INSERT_DRAFT),
)


def create_draft(
    db: Session | Connection | Link,
    *,
    procedure: str,
    variant: str | None,
    channel: str,
    vessel: DraftVessel | None,
    vessel_registration: str | None,
    applicant_phone: str | None,
    call_sid: str | None = None,
    by: str,
) -> Draft:
    """Insert a draft with a fresh random reference, and its first history line; never commits."""
    raw = RawCursor(link_of(db), _SQL)
    now = raw.driver.time_in(utcnow())
    registration = vessel.registration_number if vessel else vessel_registration
    row: dict[str, Any] = {
        "procedure": procedure, "variant": variant, "channel": channel,
        "vessel_id": vessel.id if vessel else None,
        "vessel_registration": registration,
        "vessel_verified": vessel is not None, "applicant_phone": applicant_phone,
        "applicant_name": vessel.owner_name if vessel and vessel.owner_phone == applicant_phone else None,
        "call_sid": call_sid, "fields": raw.driver.json_in({}), "at": now,
        "by": by, "what": f"Tạo hồ sơ nháp qua {CHANNEL_LABELS.get(channel, channel)}",
    }
    together = raw.driver.modifying_ctes
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        statement = "insert_draft_with_history" if together else "insert_draft"
        inserted = raw.one(statement, {**row, "reference": reference})
        if inserted is None:
            continue  # that reference is taken: draw another
        if not together:
            raw.execute("insert_history", {**row, "dossier_id": inserted[0]})
        return Draft(inserted[0], reference, procedure, variant, registration, vessel is not None)
    raise RuntimeError("could not allocate a unique dossier reference")
